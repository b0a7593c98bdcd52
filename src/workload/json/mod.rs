//! The `json-parse` workload: NDJSON stock ticks → parsed rows → columnar table → Parquet.
//!
//! One unit is one input file. A unit reads the file (a disk wait), parses it line by line
//! with the chosen [`Parser`] (CPU), builds a columnar [`table::TickTable`] and, with
//! [`Output::Parquet`], encodes it (CPU) and writes `<out_dir>/<file stem>.parquet` (a disk
//! wait). Bad lines are rejected with their line number, never fatal. The unit digest covers
//! the accepted rows only, so it is the same for every parser and output mode.

mod gen;
pub mod options;
mod parquet_out;
mod parse;
mod scan;
mod table;
#[cfg(test)]
mod tests;

pub use gen::{
    dataset_dir, ensure_dataset, file_name, generate, generate_observed, GenSummary, DEFAULT_FILES,
    DEFAULT_RECORDS,
};
pub use parquet_out::write_parquet;
pub use parse::{parse_fast_line, parse_typed_line, parse_value_line, LineError, Tick};
pub use table::{build_table, read_table, ParsedFile, TickTable};

use crate::measure::{in_phase, WorkerCtx};

use crate::model::UnitOutcome;
use crate::model::WaitCategory;
use crate::outfile;
use crate::workload::data::generate::{self, display, Manifest, MANIFEST_FILE};
use crate::workload::data::progress::{GenObserver, Unobserved};
use crate::workload::{ReportOptions, WorkloadError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashSet;
use std::fs;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// Bytes read from an input file at a time: large enough that disk waits are few, small
/// enough that a worker holds little besides its current line.
const READ_BUFFER: usize = 1 << 20;

/// How each line is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Parser {
    /// Untyped `serde_json::Value` DOM, then fields extracted with type checks.
    Value,
    /// serde_json straight into a typed struct that borrows the symbol.
    Typed,
    /// A scanner specialised for the canonical tick line, falling back to `typed` for any
    /// other line (same values and rejections as `typed`).
    Fast,
}

impl Parser {
    pub fn as_str(self) -> &'static str {
        match self {
            Parser::Value => "value",
            Parser::Typed => "typed",
            Parser::Fast => "fast",
        }
    }
}

/// What is done with the parsed table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Output {
    /// Write one Parquet file per input file.
    Parquet,
    /// Parse and build the table only.
    None,
}

impl Output {
    pub fn as_str(self) -> &'static str {
        match self {
            Output::Parquet => "parquet",
            Output::None => "none",
        }
    }
}

/// Options of the `json-parse` workload (sent as JSON to `processes` children).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonOptions {
    /// A directory of `*.json` / `*.ndjson` files; `None` uses the generated data set.
    pub input: Option<PathBuf>,
    /// Files in the generated data set (ignored with `input`).
    pub files: usize,
    /// Records per generated file (ignored with `input`).
    pub records: usize,
    pub parser: Parser,
    pub output: Output,
    /// Where Parquet files go. `None` with [`Output::Parquet`] means a per-process
    /// directory `out-<pid>` under [`generate::cache_dir()`], created on demand.
    pub out_dir: Option<PathBuf>,
}

impl Default for JsonOptions {
    fn default() -> Self {
        JsonOptions {
            input: None,
            files: DEFAULT_FILES,
            records: DEFAULT_RECORDS,
            parser: Parser::Typed,
            output: Output::Parquet,
            out_dir: None,
        }
    }
}

/// One input file and the Parquet file it becomes.
#[derive(Debug, Clone)]
struct UnitFile {
    path: PathBuf,
    name: String,
    output_name: String,
}

/// The `json-parse` workload, with its input files resolved.
#[derive(Debug, Clone)]
pub struct JsonParse {
    opts: JsonOptions,
    input_dir: PathBuf,
    units: Vec<UnitFile>,
    out_dir: Option<PathBuf>,
}

impl JsonParse {
    /// Resolves the input files (generating the data set if needed) and the output
    /// directory, which it creates.
    pub fn new(opts: JsonOptions) -> Result<Self, WorkloadError> {
        Self::new_observed(opts, &mut Unobserved)
    }

    /// [`JsonParse::new`], reporting the generation of the data set (if it is not cached)
    /// to `observer`.
    pub fn new_observed(
        opts: JsonOptions,
        observer: &mut dyn GenObserver,
    ) -> Result<Self, WorkloadError> {
        let (input_dir, paths) = match &opts.input {
            Some(dir) => (dir.clone(), list_inputs(dir)?),
            None => generated_inputs(opts.files, opts.records, observer)?,
        };
        let out_dir = match opts.output {
            Output::Parquet => Some(opts.out_dir.clone().unwrap_or_else(default_out_dir)),
            Output::None => None,
        };
        let workload = JsonParse {
            units: unit_files(paths),
            opts,
            input_dir,
            out_dir,
        };
        crate::workload::Workload::prepare(&workload)?;
        Ok(workload)
    }

    /// The input files, in unit order.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.units.iter().map(|u| u.path.as_path())
    }

    /// Where Parquet files are written (`None` without Parquet output).
    pub fn out_dir(&self) -> Option<&Path> {
        self.out_dir.as_deref()
    }

    /// The Parquet file that unit `unit` writes, if any.
    pub fn output_path(&self, unit: usize) -> Option<PathBuf> {
        let dir = self.out_dir.as_ref()?;
        Some(dir.join(&self.units.get(unit)?.output_name))
    }

    pub fn options(&self) -> &JsonOptions {
        &self.opts
    }
}

/// Stateless between units (`Local` is `()`): each unit opens its own file.
impl crate::workload::Workload for JsonParse {
    type Local = ();

    fn name(&self) -> &'static str {
        options::NAME
    }

    fn unit_count(&self) -> usize {
        self.units.len()
    }

    fn unit_label(&self, unit: usize) -> String {
        match self.units.get(unit) {
            Some(u) => u.name.clone(),
            None => format!("unit {unit}"),
        }
    }

    fn run_unit(
        &self,
        unit: usize,
        ctx: &mut WorkerCtx,
        _local: &mut (),
    ) -> Result<UnitOutcome, WorkloadError> {
        let file = self
            .units
            .get(unit)
            .ok_or_else(|| WorkloadError::Other(format!("json-parse has no unit {unit}")))?;
        let read_error = |e| WorkloadError::io(display(&file.path), e);
        let input = in_phase("read", || {
            ctx.wait(WaitCategory::Disk, || fs::File::open(&file.path))
        })
        .map_err(read_error)?;
        let mut reader = BufReader::with_capacity(READ_BUFFER, input);
        // Refilling the buffer is `read` again, beside `parse` (see `table::next_line`).
        let parsed = in_phase("parse", || {
            read_table(&mut reader, self.opts.parser, &file.name, ctx)
        })
        .map_err(read_error)?;
        let bytes = parsed.bytes;
        let digest = parsed.table.digest();
        if let Some(target) = self.output_path(unit) {
            in_phase("write", || {
                let encoded = write_parquet(&parsed.table)?;
                ctx.wait(WaitCategory::Disk, || outfile::write(&target, &encoded))
                    .map_err(|e| WorkloadError::output(&target, e))
            })?;
        }
        Ok(UnitOutcome {
            items: parsed.table.len() as u64,
            bytes,
            rejected: parsed.rejected,
            digest,
        })
    }

    /// Creates the output directory (again, for a process that did not run `new`).
    fn prepare(&self) -> Result<(), WorkloadError> {
        match &self.out_dir {
            Some(dir) => fs::create_dir_all(dir).map_err(|e| WorkloadError::io(display(dir), e)),
            None => Ok(()),
        }
    }

    fn describe(&self, options: &mut ReportOptions) {
        let generated = self.opts.input.is_none();
        options.extend([
            ("files".into(), json!(self.units.len())),
            ("input_dir".into(), json!(display(&self.input_dir))),
            ("generated".into(), json!(generated)),
            (
                "out_dir".into(),
                json!(self.out_dir.as_deref().map(display)),
            ),
        ]);
        if !generated {
            // Given files have the records they have.
            options.insert("records_per_file".into(), serde_json::Value::Null);
        }
    }
}

/// The default Parquet directory of this process: `<cache_dir>/out-<pid>`.
pub fn default_out_dir() -> PathBuf {
    generate::cache_dir().join(format!("out-{}", std::process::id()))
}

/// The generated data set's directory and files.
fn generated_inputs(
    files: usize,
    records: usize,
    observer: &mut dyn GenObserver,
) -> Result<(PathBuf, Vec<PathBuf>), WorkloadError> {
    if files == 0 {
        return Err(WorkloadError::Input(
            "the generated data set needs at least one file".into(),
        ));
    }
    let dir = ensure_dataset(files, records, observer)?;
    let paths = (0..files).map(|i| dir.join(file_name(i))).collect();
    Ok((dir, paths))
}

/// Every `*.json` / `*.ndjson` file in `dir`, sorted by name. The manifest of a
/// boundscope data set is not input.
fn list_inputs(dir: &Path) -> Result<Vec<PathBuf>, WorkloadError> {
    let entries = fs::read_dir(dir).map_err(|e| {
        WorkloadError::Input(format!("cannot read input directory {}: {e}", display(dir)))
    })?;
    let skip_manifest = Manifest::read(dir).is_some();
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| WorkloadError::io(format!("listing {}", display(dir)), e))?
            .path();
        let is_manifest = path.file_name().is_some_and(|n| n == MANIFEST_FILE);
        if is_input_file(&path) && !(skip_manifest && is_manifest) {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(WorkloadError::Input(format!(
            "no *.json or *.ndjson files in {}",
            display(dir)
        )));
    }
    paths.sort();
    Ok(paths)
}

fn is_input_file(path: &Path) -> bool {
    let ext = path.extension().map(|e| e.to_ascii_lowercase());
    let json_like = ext.is_some_and(|e| e == "json" || e == "ndjson");
    json_like && path.is_file()
}

/// Names each unit's output `<stem>.parquet`, or `<file name>.parquet` where two inputs
/// share a stem (`a.json`, `a.ndjson`).
fn unit_files(paths: Vec<PathBuf>) -> Vec<UnitFile> {
    let stem = |p: &Path| p.file_stem().map(|s| s.to_string_lossy().into_owned());
    let mut seen = HashSet::new();
    let clashing: HashSet<String> = paths
        .iter()
        .filter_map(|p| stem(p))
        .filter(|s| !seen.insert(s.clone()))
        .collect();
    paths
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let base = stem(&path).filter(|s| !clashing.contains(s));
            let output_name = format!("{}.parquet", base.unwrap_or_else(|| name.clone()));
            UnitFile {
                path,
                name,
                output_name,
            }
        })
        .collect()
}
