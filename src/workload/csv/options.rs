//! The options of `csv-import` (serialised to JSON for child processes) and their defaults.

use super::schemas::Dataset;
use crate::db::{InsertMode, Journal, SyncMode};
use crate::workload::lines::MAX_LINE_BYTES;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Who talks to the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WriterMode {
    /// Every worker owns one connection and inserts its own rows.
    #[default]
    Each,
    /// Workers parse; one writer thread owns the only connection and inserts everything.
    Single,
}

/// An option value of `csv-import` that names nothing it knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionError {
    #[error("unknown dataset `{0}`; accepted: default, census")]
    Dataset(String),
    #[error("unknown writer mode `{0}`; accepted: each, single")]
    Writer(String),
}

impl std::str::FromStr for WriterMode {
    type Err = OptionError;
    fn from_str(s: &str) -> Result<Self, OptionError> {
        match s.to_ascii_lowercase().as_str() {
            "each" => Ok(WriterMode::Each),
            "single" => Ok(WriterMode::Single),
            _ => Err(OptionError::Writer(s.to_string())),
        }
    }
}

/// Options of `csv-import` (sent to child processes as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CsvOptions {
    pub dataset: Dataset,
    /// Records per generated file.
    pub records: u64,
    /// A user's CSV file instead of generated data.
    pub input: Option<PathBuf>,
    /// Table name for `input` (default: the file name, sanitised); for generated data a
    /// prefix (`p` gives `p_customers`, `p_products`).
    pub table: Option<String>,
    /// `sqlite`, `sqlite:PATH`, `sqlite::memory:`, `postgres://...`.
    pub db: String,
    /// Drop the tables first (once per run, see `run_id`).
    pub fresh: bool,
    /// Rows per transaction; 1 = every row commits on its own.
    pub batch: usize,
    pub insert: InsertMode,
    pub journal: Journal,
    pub sync: SyncMode,
    pub writer: WriterMode,
    pub chunk_rows: usize,
    /// Longest CSV record kept, in bytes; a longer one is rejected and skipped (see
    /// `capped`). The default is json-parse's line cap.
    pub max_record_bytes: usize,
    /// Where generated data (and the default SQLite file) live; default: the cache dir.
    pub data_dir: Option<PathBuf>,
    /// Identifies one run across processes so that only the first one drops the tables.
    pub run_id: String,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            dataset: Dataset::Default,
            records: 50_000,
            input: None,
            table: None,
            db: "sqlite".into(),
            fresh: true,
            batch: 1000,
            insert: InsertMode::Row,
            journal: Journal::Wal,
            sync: SyncMode::Normal,
            writer: WriterMode::Each,
            chunk_rows: 5000,
            max_record_bytes: MAX_LINE_BYTES,
            data_dir: None,
            run_id: new_run_id(),
        }
    }
}

/// A run id unique enough for one machine: process id and the clock.
pub fn new_run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{nanos:x}", std::process::id())
}

impl CsvOptions {
    /// Whether the database is SQLite in memory (private to one process).
    pub fn db_is_memory(&self) -> bool {
        matches!(crate::db::DbTarget::parse(&self.db), Ok(t) if t.is_memory())
    }
}
