//! The setup panel: which workload, mode, workers and knobs the next run gets, and the child's
//! command line built from them.

use crate::exec::Mode;
use crate::workload::json::{Output, Parser, DEFAULT_FILES, DEFAULT_RECORDS};

/// Workloads the UI can start (the `WorkloadName` values of the CLI).
pub const WORKLOADS: &[&str] = &["json-parse", "api-fetch", "csv-import", "etl-pipeline"];
const PARSERS: [Parser; 3] = [Parser::Value, Parser::Typed, Parser::Fast];
const OUTPUTS: [Output; 2] = [Output::Parquet, Output::None];

/// Upper bounds that keep generated data to a sane size.
pub const MAX_FILES: usize = 1000;
pub const MAX_RECORDS: usize = 5_000_000;

/// The fields of the form, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Workload,
    Mode,
    Workers,
    Gil,
    Records,
    Files,
    Parser,
    Output,
    Latency,
    Batch,
}

pub const FIELDS: [Field; 10] = [
    Field::Workload,
    Field::Mode,
    Field::Workers,
    Field::Gil,
    Field::Records,
    Field::Files,
    Field::Parser,
    Field::Output,
    Field::Latency,
    Field::Batch,
];

/// The form's values and cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct SetupForm {
    pub workload: usize,
    pub mode: Mode,
    pub workers: usize,
    pub gil: bool,
    pub records: usize,
    pub files: usize,
    pub parser: Parser,
    pub output: Output,
    /// api-fetch and etl-pipeline: the built-in server's delay per request, in ms.
    pub latency_ms: usize,
    /// api-fetch: symbols per request; csv-import: rows per transaction; 0 = the default.
    pub batch: usize,
    /// Index into [`FIELDS`].
    pub field: usize,
    /// True while digits typed into a number field replace its value.
    pub editing: bool,
}

impl SetupForm {
    pub fn new(cores: usize) -> SetupForm {
        SetupForm {
            workload: 0,
            mode: Mode::Threads,
            workers: cores.max(1),
            gil: false,
            records: DEFAULT_RECORDS,
            files: DEFAULT_FILES,
            parser: Parser::Value,
            output: Output::Parquet,
            latency_ms: 20,
            batch: 0,
            field: 0,
            editing: false,
        }
    }

    pub fn current(&self) -> Field {
        FIELDS[self.field]
    }

    pub fn move_field(&mut self, step: isize) {
        self.editing = false;
        let n = FIELDS.len() as isize;
        self.field = (self.field as isize + step).rem_euclid(n) as usize;
    }

    /// Changes the current field's value one step left (`-1`) or right (`+1`).
    pub fn change(&mut self, step: isize) {
        self.editing = false;
        match self.current() {
            Field::Workload => self.workload = cycle(self.workload, WORKLOADS.len(), step),
            Field::Mode => self.mode = pick(&Mode::ALL, self.mode, step),
            Field::Workers => self.workers = bump(self.workers, step, 1),
            Field::Gil => self.gil = !self.gil,
            Field::Records => self.records = bump(self.records, step, 1000),
            Field::Files => self.files = bump(self.files, step, 1),
            Field::Parser => self.parser = pick(&PARSERS, self.parser, step),
            Field::Output => self.output = pick(&OUTPUTS, self.output, step),
            Field::Latency => self.latency_ms = bump(self.latency_ms, step, 5),
            Field::Batch => self.batch = self.batch.saturating_add_signed(step),
        }
    }

    fn number_mut(&mut self) -> Option<&mut usize> {
        match self.current() {
            Field::Workers => Some(&mut self.workers),
            Field::Records => Some(&mut self.records),
            Field::Files => Some(&mut self.files),
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
        if self.workers == 0 {
            return Some("workers must be at least 1".into());
        }
        if self.records == 0 || self.files == 0 {
            return Some("records and files must be at least 1".into());
        }
        if self.files > MAX_FILES || self.records > MAX_RECORDS {
            return Some(format!(
                "at most {MAX_FILES} files of {MAX_RECORDS} records each (the data is generated on disk)"
            ));
        }
        None
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
        match field {
            Field::Workload => WORKLOADS[self.workload].to_string(),
            Field::Mode => self.mode.as_str().to_string(),
            Field::Workers => self.workers.to_string(),
            Field::Gil => if self.gil { "on" } else { "off" }.to_string(),
            Field::Records => self.records.to_string(),
            Field::Files => self.files.to_string(),
            Field::Parser => self.parser.as_str().to_string(),
            Field::Output => self.output.as_str().to_string(),
            Field::Latency => format!("{} ms", self.latency_ms),
            Field::Batch if self.batch == 0 => "default".to_string(),
            Field::Batch => self.batch.to_string(),
        }
    }

    /// The arguments of `boundscope run ...` for this form, streaming events to stdout.
    pub fn child_args(&self) -> Vec<String> {
        let mut args: Vec<String> = [
            "run",
            WORKLOADS[self.workload],
            "--mode",
            self.mode.as_str(),
        ]
        .map(String::from)
        .to_vec();
        args.extend(["--workers".into(), self.workers_for_run().to_string()]);
        if self.gil {
            args.push("--gil".into());
        }
        args.extend(self.workload_args());
        args.extend(["--events", "-", "--quiet"].map(String::from));
        args
    }

    /// The knobs that apply to the chosen workload, as flags.
    fn workload_args(&self) -> Vec<String> {
        let mut args: Vec<String> = Vec::new();
        let mut flag = |name: &str, value: String| args.extend([name.to_string(), value]);
        let workload = WORKLOADS[self.workload];
        if matches!(workload, "json-parse" | "csv-import") {
            flag("--records", self.records.to_string());
        }
        if workload == "json-parse" {
            flag("--files", self.files.to_string());
            flag("--parser", self.parser.as_str().into());
            flag("--output", self.output.as_str().into());
        }
        if matches!(workload, "api-fetch" | "etl-pipeline") {
            flag("--latency", format!("{}ms", self.latency_ms));
        }
        if matches!(workload, "api-fetch" | "csv-import") && self.batch > 0 {
            flag("--batch", self.batch.to_string());
        }
        args
    }
}

/// Label, default and help of each field.
pub fn field_info(field: Field) -> (&'static str, String) {
    match field {
        Field::Workload => ("workload", "json-parse api-fetch csv etl".into()),
        Field::Mode => ("mode", "sequential threads rayon async processes".into()),
        Field::Workers => ("workers", "default: the number of cores".into()),
        Field::Gil => ("--gil", "simulate CPython's interpreter lock".into()),
        Field::Records => ("records", "per file (json, csv)".into()),
        Field::Files => ("files", format!("json: {DEFAULT_FILES} by default")),
        Field::Parser => ("parser", "json: value typed fast".into()),
        Field::Output => ("output", "json: parquet none".into()),
        Field::Latency => ("latency", "api, etl: server delay".into()),
        Field::Batch => ("batch", "api: symbols/req; csv: rows/txn".into()),
    }
}

fn cycle(i: usize, n: usize, step: isize) -> usize {
    (i as isize + step).rem_euclid(n as isize) as usize
}

fn pick<T: Copy + PartialEq>(all: &[T], now: T, step: isize) -> T {
    let i = all.iter().position(|&x| x == now).unwrap_or(0);
    all[cycle(i, all.len(), step)]
}

fn bump(value: usize, step: isize, unit: usize) -> usize {
    if step < 0 {
        value.saturating_sub(unit).max(1)
    } else {
        value.saturating_add(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args_for(workload: &str) -> Vec<String> {
        let mut form = SetupForm::new(2);
        form.workload = WORKLOADS
            .iter()
            .position(|w| *w == workload)
            .expect("listed");
        form.batch = 10;
        form.child_args()
    }

    #[test]
    fn each_workload_gets_only_its_own_knobs() {
        let json = args_for("json-parse");
        assert!(json.contains(&"--parser".to_string()) && !json.contains(&"--latency".to_string()));
        let api = args_for("api-fetch");
        assert!(api.contains(&"20ms".to_string()) && api.contains(&"--batch".to_string()));
        assert!(!api.contains(&"--parser".to_string()) && !api.contains(&"--records".to_string()));
        let csv = args_for("csv-import");
        assert!(csv.contains(&"--records".to_string()) && csv.contains(&"--batch".to_string()));
        let etl = args_for("etl-pipeline");
        assert!(etl.contains(&"--latency".to_string()) && !etl.contains(&"--batch".to_string()));
        for args in [json, api, csv, etl] {
            assert_eq!(args[0], "run");
            assert!(args.ends_with(&["--events".into(), "-".into(), "--quiet".into()]));
        }
    }
}
