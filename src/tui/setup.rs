//! The setup panel: which workload, mode, workers and knobs the next run gets, and the child's
//! command line built from them (only the flags of the fields shown).

use super::setup_fields::{visible_fields, DATASETS, DBS, INSERTS, PG_ENV, WRITERS};
pub use super::setup_fields::{Field, WORKLOADS};
use crate::db::mask_password;
use crate::model::Mode;
use crate::workload::api::ApiOptions;
use crate::workload::csv::CsvOptions;
use crate::workload::json::{JsonOptions, Output, Parser};

const PARSERS: [Parser; 3] = [Parser::Value, Parser::Typed, Parser::Fast];
const OUTPUTS: [Output; 2] = [Output::Parquet, Output::None];

/// Upper bounds that keep generated data to a sane size.
pub const MAX_FILES: usize = 1000;
pub const MAX_RECORDS: usize = 5_000_000;

/// The form's values and cursor. Values start at the CLI's defaults (taken from the
/// workloads' option defaults, which the CLI uses too).
#[derive(Debug, Clone, PartialEq)]
pub struct SetupForm {
    pub workload: usize,
    pub mode: Mode,
    pub workers: usize,
    /// async: tasks in flight; 0 = the CLI's default (--workers).
    pub in_flight: usize,
    pub gil: bool,
    /// json-parse records per file.
    pub records: usize,
    /// csv-import records per file (its default differs from json-parse's).
    pub csv_records: usize,
    pub files: usize,
    pub parser: Parser,
    pub output: Output,
    /// api-fetch: number of requests; 0 = the workload's default.
    pub requests: usize,
    /// api-fetch and etl-pipeline: the built-in server's delay per request, in ms.
    pub latency_ms: usize,
    /// api-fetch, etl-pipeline: symbols per request; csv-import: rows per transaction;
    /// 0 = the workload's default.
    pub batch: usize,
    /// Index into [`SetupForm::db_choices`].
    pub db: usize,
    /// A PostgreSQL URL from the environment, offered as a `--db` choice.
    pub pg: Option<String>,
    pub insert: usize,
    pub writer: usize,
    pub dataset: usize,
    /// etl-pipeline `--pipeline`: a file path; empty = the built-in pipeline.
    pub pipeline: String,
    /// The text being typed into a text field (the pipeline path), while typing.
    pub typing: Option<String>,
    /// Index into [`SetupForm::fields`].
    pub field: usize,
    /// True while digits typed into a number field replace its value.
    pub editing: bool,
}

impl SetupForm {
    pub fn new(cores: usize) -> SetupForm {
        let json = JsonOptions::default();
        let latency = ApiOptions::default().server.latency;
        SetupForm {
            workload: 0,
            mode: Mode::Threads,
            workers: cores.max(1),
            in_flight: 0,
            gil: false,
            records: json.records,
            csv_records: CsvOptions::default().records as usize,
            files: json.files,
            // The CLI's --parser default (value, like json.loads), which is not the library's.
            parser: Parser::Value,
            output: json.output,
            requests: 0,
            latency_ms: latency.as_millis() as usize,
            batch: 0,
            db: 0,
            pg: std::env::var(PG_ENV).ok().filter(|url| !url.is_empty()),
            insert: 0,
            writer: 0,
            dataset: 0,
            pipeline: String::new(),
            typing: None,
            field: 0,
            editing: false,
        }
    }

    pub fn workload_name(&self) -> &'static str {
        WORKLOADS[self.workload]
    }

    /// The fields shown for the chosen workload and mode, top to bottom.
    pub fn fields(&self) -> Vec<Field> {
        visible_fields(self.workload_name(), self.mode)
    }

    pub fn current(&self) -> Field {
        let fields = self.fields();
        fields[self.field.min(fields.len() - 1)]
    }

    pub fn move_field(&mut self, step: isize) {
        self.editing = false;
        self.field = cycle(self.field, self.fields().len(), step);
    }

    /// The `--db` values offered: SQLite choices, then the server from the environment.
    pub fn db_choices(&self) -> Vec<&str> {
        DBS.iter().copied().chain(self.pg.as_deref()).collect()
    }

    /// Changes the current field's value one step left (`-1`) or right (`+1`).
    pub fn change(&mut self, step: isize) {
        self.editing = false;
        match self.current() {
            Field::Workload => self.workload = cycle(self.workload, WORKLOADS.len(), step),
            Field::Mode => self.mode = pick(&Mode::ALL, self.mode, step),
            Field::Gil => self.gil = !self.gil,
            Field::Parser => self.parser = pick(&PARSERS, self.parser, step),
            Field::Output => self.output = pick(&OUTPUTS, self.output, step),
            Field::Db => self.db = cycle(self.db, self.db_choices().len(), step),
            Field::Insert => self.insert = cycle(self.insert, INSERTS.len(), step),
            Field::Writer => self.writer = cycle(self.writer, WRITERS.len(), step),
            Field::Dataset => self.dataset = cycle(self.dataset, DATASETS.len(), step),
            field => {
                let unit = match field {
                    Field::Records => 1000,
                    Field::Latency => 5,
                    _ => 1,
                };
                // 0 means "the CLI's default" for these (the flag is then left out).
                let floor = match field {
                    Field::InFlight | Field::Requests | Field::Batch | Field::Latency => 0,
                    _ => 1,
                };
                if let Some(value) = self.number_mut() {
                    *value = bump(*value, step, unit, floor);
                }
            }
        }
        // The list of fields may have changed; the cursor stays on a shown field.
        self.field = self.field.min(self.fields().len() - 1);
    }

    fn number_mut(&mut self) -> Option<&mut usize> {
        match self.current() {
            Field::Workers => Some(&mut self.workers),
            Field::InFlight => Some(&mut self.in_flight),
            Field::Records if self.workload_name() == "csv-import" => Some(&mut self.csv_records),
            Field::Records => Some(&mut self.records),
            Field::Files => Some(&mut self.files),
            Field::Requests => Some(&mut self.requests),
            Field::Latency => Some(&mut self.latency_ms),
            Field::Batch => Some(&mut self.batch),
            _ => None,
        }
    }

    /// Types a digit into a number field (the first digit replaces the value).
    pub fn digit(&mut self, d: u8) {
        let editing = self.editing;
        if let Some(value) = self.number_mut() {
            let base = if editing { *value } else { 0 };
            *value = base
                .saturating_mul(10)
                .saturating_add(usize::from(d))
                .min(99_999_999);
            self.editing = true;
        }
    }

    pub fn backspace(&mut self) {
        if let Some(value) = self.number_mut() {
            *value /= 10;
            self.editing = true;
        }
    }

    /// A problem that stops the run from starting, if any.
    pub fn problem(&self) -> Option<String> {
        let fields = self.fields();
        if fields.contains(&Field::Workers) && self.workers == 0 {
            return Some("workers must be at least 1".into());
        }
        let records = self.records_now();
        let files = if fields.contains(&Field::Files) {
            self.files
        } else {
            1
        };
        if fields.contains(&Field::Records) && (records == 0 || files == 0) {
            return Some("records and files must be at least 1".into());
        }
        if files > MAX_FILES || (fields.contains(&Field::Records) && records > MAX_RECORDS) {
            return Some(format!(
                "at most {MAX_FILES} files of {MAX_RECORDS} records each (the data is generated on disk)"
            ));
        }
        if fields.contains(&Field::Pipeline) {
            return self.check_pipeline().err().map(|e| e.to_string());
        }
        None
    }

    /// Records per file of the chosen workload.
    fn records_now(&self) -> usize {
        if self.workload_name() == "csv-import" {
            self.csv_records
        } else {
            self.records
        }
    }

    pub fn workers_for_run(&self) -> usize {
        if self.mode == Mode::Sequential {
            1
        } else {
            self.workers
        }
    }

    /// Display text of a field's value.
    pub fn value_text(&self, field: Field) -> String {
        let or_default = |n: usize| match n {
            0 => "default".to_string(),
            n => n.to_string(),
        };
        match field {
            Field::Workload => self.workload_name().to_string(),
            Field::Mode => self.mode.as_str().to_string(),
            Field::Workers => self.workers.to_string(),
            Field::InFlight => or_default(self.in_flight),
            Field::Gil => if self.gil { "on" } else { "off" }.to_string(),
            Field::Records => self.records_now().to_string(),
            Field::Files => self.files.to_string(),
            Field::Parser => self.parser.as_str().to_string(),
            Field::Output => self.output.as_str().to_string(),
            Field::Requests => or_default(self.requests),
            Field::Latency => format!("{} ms", self.latency_ms),
            Field::Batch => or_default(self.batch),
            // A server URL may carry a password: never on screen.
            Field::Db => mask_password(self.db_choices()[self.db]),
            Field::Insert => INSERTS[self.insert].to_string(),
            Field::Writer => WRITERS[self.writer].to_string(),
            Field::Dataset => DATASETS[self.dataset].to_string(),
            Field::Pipeline => self.pipeline_text(),
        }
    }

    /// The flag and value one shown field passes, or `None` when it stands for the default.
    fn flag(&self, field: Field) -> Option<Vec<String>> {
        let value = match field {
            Field::Workload => return Some(vec![self.workload_name().into()]),
            Field::Gil if self.gil => return Some(vec!["--gil".into()]),
            Field::Gil => return None,
            Field::InFlight | Field::Requests | Field::Batch
                if self.value_text(field) == "default" =>
            {
                return None
            }
            Field::Pipeline if self.pipeline.is_empty() => return None,
            Field::Pipeline => self.pipeline.clone(),
            Field::Latency => format!("{}ms", self.latency_ms),
            Field::Db => self.db_choices()[self.db].to_string(),
            _ => self.value_text(field),
        };
        Some(vec![format!("--{}", field.label()), value])
    }

    /// The arguments of `boundscope run ...` for this form, streaming events to stdout: the
    /// flags of the fields shown, under the CLI's names.
    pub fn child_args(&self) -> Vec<String> {
        let mut args = vec!["run".to_string()];
        for field in self.fields() {
            args.extend(self.flag(field).into_iter().flatten());
        }
        args.extend(["--events", "-", "--quiet"].map(String::from));
        args
    }
}

fn cycle(i: usize, n: usize, step: isize) -> usize {
    (i as isize + step).rem_euclid(n as isize) as usize
}

fn pick<T: Copy + PartialEq>(all: &[T], now: T, step: isize) -> T {
    let i = all.iter().position(|&x| x == now).unwrap_or(0);
    all[cycle(i, all.len(), step)]
}

fn bump(value: usize, step: isize, unit: usize, floor: usize) -> usize {
    if step < 0 {
        value.saturating_sub(unit).max(floor)
    } else {
        value.saturating_add(unit)
    }
}

#[cfg(test)]
#[path = "setup_tests.rs"]
mod tests;
