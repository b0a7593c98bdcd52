//! The options of `csv-import` (serialised to JSON for child processes), their defaults and
//! their declaration (the CLI, the setup form and scenario checks read them from here).

use super::schemas::Dataset;
use crate::db::{InsertMode, Journal, SyncMode};
use crate::workload::data::lines::MAX_LINE_BYTES;
use crate::workload::declare::kinds::{named, number, optional_text, switch};
use crate::workload::declare::options::{OptionDecl, OptionKind};
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

/// The workload's name (the CLI's and the reports').
pub const NAME: &str = "csv-import";
/// One line on what it does.
pub const ABOUT: &str = "Parse CSV files (customers + products, or census rows) and insert them \
                         into SQLite or PostgreSQL, checking that every row was stored or rejected.";

/// The options when no flag is given: the library's defaults, but the tables are kept
/// (`--fresh` drops them; a run's own scratch database starts empty anyway).
pub fn cli_defaults() -> CsvOptions {
    CsvOptions {
        fresh: false,
        ..CsvOptions::default()
    }
}

/// The `--db` option, shared with `etl-pipeline`.
pub fn db_option<O: 'static>(get: fn(&O) -> &String, set: fn(&mut O, String)) -> OptionDecl<O> {
    let kind = OptionKind::Choice {
        values: &["sqlite", "sqlite::memory:"],
        strict: false,
    };
    OptionDecl::new(
        "db",
        "DB",
        kind,
        "The database: sqlite (a file in a temporary run directory, removed after the run), \
         sqlite:PATH (kept), sqlite::memory:, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB. A \
         postgres URL without a password takes it from PGPASSWORD, which keeps it out of the \
         command line (where `ps` shows it).",
        move |o| Some(get(o).clone()),
        move |o, text| {
            set(o, text.to_string());
            Ok(())
        },
    )
    .in_form()
    .reporting(move |o| crate::db::mask_password(get(o)).into())
    .knob(0)
    .knob_with(|mark| mark.spell = Some(db_kind))
}

/// Which kind of database a `--db` value names; never the URL itself (it may hold a password).
fn db_kind(db: &str) -> String {
    match crate::db::DbTarget::parse(db) {
        Ok(crate::db::DbTarget::Postgres(_)) => "postgres",
        Ok(target) if target.is_memory() => "sqlite-memory",
        _ => "sqlite",
    }
    .into()
}

pub fn options() -> Vec<OptionDecl<CsvOptions>> {
    vec![
        named(
            "dataset",
            "NAME",
            &["default", "census"],
            "Generated data set: default (customers.csv + products.csv) or census (~100 numeric \
             columns per row).",
            |o: &CsvOptions| o.dataset,
            |o, v| o.dataset = v,
        )
        .in_form(),
        number(
            "records",
            "Records per generated file.",
            |o: &CsvOptions| o.records,
            |o, n| o.records = n,
        )
        .stepping(1000)
        .in_form()
        .knob(3),
        optional_text(
            "input",
            "PATH",
            "One CSV file (with a header line) to import instead of generated data.",
            |o: &CsvOptions| o.input.as_ref().map(|p| p.display().to_string()),
            |o, p: Option<PathBuf>| o.input = p,
        ),
        optional_text(
            "table",
            "NAME",
            "Table for --input [default: the file name]; with generated data, a table name \
             prefix.",
            |o: &CsvOptions| o.table.clone(),
            |o, t: Option<String>| o.table = t,
        ),
        db_option(|o: &CsvOptions| &o.db, |o, db| o.db = db),
        switch(
            "fresh",
            "Drop the tables first (otherwise rows already there make repeated rows \
             duplicates, which the database refuses and the run lists as rejected).",
            |o: &CsvOptions| o.fresh,
            |o, on| o.fresh = on,
        ),
        named(
            "insert",
            "HOW",
            &["row", "multi", "copy"],
            "How rows are sent: row (one prepared INSERT per row), multi (multi-row VALUES), \
             copy (PostgreSQL COPY FROM STDIN).",
            |o: &CsvOptions| o.insert,
            |o, v| o.insert = v,
        )
        .in_form()
        .knob(1),
        named(
            "journal",
            "MODE",
            &["wal", "delete", "off"],
            "SQLite journal mode: wal, delete or off.",
            |o: &CsvOptions| o.journal,
            |o, v| o.journal = v,
        ),
        named(
            "sync",
            "MODE",
            &["full", "normal", "off"],
            "SQLite synchronous setting: full, normal or off.",
            |o: &CsvOptions| o.sync,
            |o, v: SyncMode| o.sync = v,
        ),
        named(
            "writer",
            "WHO",
            &["each", "single"],
            "Who writes: each (every worker has its own connection) or single (workers parse, \
             one writer thread inserts everything).",
            |o: &CsvOptions| o.writer,
            |o, v| o.writer = v,
        )
        .in_form()
        .knob(2),
        number(
            "batch",
            "Rows per transaction (1 = every row commits on its own).",
            |o: &CsvOptions| o.batch,
            |o, n| o.batch = n,
        )
        .in_form(),
        number(
            "chunk-rows",
            "Records per unit of work (a chunk of an input file).",
            |o: &CsvOptions| o.chunk_rows,
            |o, n| o.chunk_rows = n,
        ),
        number(
            "max-record-kb",
            "Longest CSV record kept, in KiB (json-parse's line cap, 16 MiB, by default). A \
             longer record is rejected with its line number; it ends at the first newline past \
             the limit, whatever its quotes say, and reading goes on there.",
            |o: &CsvOptions| o.max_record_bytes >> 10,
            |o, kib: usize| o.max_record_bytes = kib.saturating_mul(1 << 10),
        )
        .placeholder("KIB")
        .reported_as("max_record_bytes")
        .reporting(|o: &CsvOptions| o.max_record_bytes.into()),
    ]
}
