//! The setup form's fields: which apply to which workload and mode, their labels (the CLI's
//! flag names), help and choices.

use crate::model::Mode;
use crate::workload::json::{DEFAULT_FILES, DEFAULT_RECORDS};

/// Workloads the UI can start (the `WorkloadName` values of the CLI).
pub const WORKLOADS: &[&str] = &["json-parse", "api-fetch", "csv-import", "etl-pipeline"];
/// csv-import `--insert` values; the first is the CLI's default.
pub const INSERTS: &[&str] = &["row", "multi", "copy"];
/// csv-import `--writer` values; the first is the CLI's default.
pub const WRITERS: &[&str] = &["each", "single"];
/// csv-import `--dataset` values; the first is the CLI's default.
pub const DATASETS: &[&str] = &["default", "census"];
/// `--db` values always offered; the first is the CLI's default.
pub const DBS: &[&str] = &["sqlite", "sqlite::memory:"];
/// The environment variable naming a PostgreSQL server the form may offer as `--db`.
pub const PG_ENV: &str = crate::db::target::SERVER_ENV;

/// The fields of the form; each is one flag of `boundscope run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Workload,
    Mode,
    Workers,
    InFlight,
    Gil,
    Dataset,
    Records,
    Files,
    Parser,
    Output,
    Requests,
    Latency,
    Batch,
    Db,
    Insert,
    Writer,
    /// etl-pipeline: a pipeline file, typed as text (empty: the built-in pipeline).
    Pipeline,
}

/// The fields that apply to `workload` in `mode`, top to bottom.
pub fn visible_fields(workload: &str, mode: Mode) -> Vec<Field> {
    let mut fields = vec![Field::Workload, Field::Mode];
    // A sequential run has one worker whatever --workers says.
    if mode != Mode::Sequential {
        fields.push(Field::Workers);
    }
    if mode == Mode::Async {
        fields.push(Field::InFlight);
    }
    fields.push(Field::Gil);
    fields.extend_from_slice(workload_fields(workload));
    fields
}

fn workload_fields(workload: &str) -> &'static [Field] {
    use Field::*;
    match workload {
        "json-parse" => &[Records, Files, Parser, Output],
        "api-fetch" => &[Requests, Latency, Batch],
        "csv-import" => &[Dataset, Records, Db, Insert, Writer, Batch],
        "etl-pipeline" => &[Pipeline, Latency, Batch, Db],
        _ => &[],
    }
}

impl Field {
    /// The CLI's flag name, without the dashes (the workload is the positional argument).
    pub fn label(self) -> &'static str {
        match self {
            Field::Workload => "workload",
            Field::Mode => "mode",
            Field::Workers => "workers",
            Field::InFlight => "in-flight",
            Field::Gil => "gil",
            Field::Dataset => "dataset",
            Field::Records => "records",
            Field::Files => "files",
            Field::Parser => "parser",
            Field::Output => "output",
            Field::Requests => "requests",
            Field::Latency => "latency",
            Field::Batch => "batch",
            Field::Db => "db",
            Field::Insert => "insert",
            Field::Writer => "writer",
            Field::Pipeline => "pipeline",
        }
    }

    /// One line saying what the field does and what it accepts.
    pub fn help(self) -> String {
        match self {
            Field::Workload => WORKLOADS.join(" "),
            Field::Mode => Mode::ALL.map(Mode::as_str).join(" "),
            Field::Workers => "threads, tasks' threads or processes; default: cores".into(),
            Field::InFlight => "tasks in flight at once; default: --workers".into(),
            Field::Gil => "simulate CPython's interpreter lock".into(),
            Field::Dataset => format!(
                "{}: customers + products, or ~100 columns",
                DATASETS.join(" ")
            ),
            Field::Records => format!(
                "per file; default json-parse {DEFAULT_RECORDS}, csv-import {}",
                crate::workload::csv::CsvOptions::default().records
            ),
            Field::Files => format!("generated files; default {DEFAULT_FILES}"),
            Field::Parser => "value (DOM) typed (structs) fast (scanner)".into(),
            Field::Output => "parquet none".into(),
            Field::Requests => "default: every tenant, then every symbol".into(),
            Field::Latency => "the built-in server's delay per request".into(),
            Field::Batch => "api, etl: symbols/request; csv: rows/transaction".into(),
            Field::Db => format!("{} (and ${PG_ENV} if set)", DBS.join(" ")),
            Field::Insert => format!("{}: INSERT per row, multi-row, COPY", INSERTS.join(" ")),
            Field::Writer => format!("{}: every worker, or one writer thread", WRITERS.join(" ")),
            Field::Pipeline => {
                "TOML file of [[stage]] tables; Enter types a path, empty = built-in".into()
            }
        }
    }

    /// True for fields whose value is typed as digits.
    pub fn is_number(self) -> bool {
        matches!(
            self,
            Field::Workers
                | Field::InFlight
                | Field::Records
                | Field::Files
                | Field::Requests
                | Field::Latency
                | Field::Batch
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::InsertMode;
    use crate::workload::csv::{CsvOptions, Dataset, WriterMode};

    #[test]
    fn first_choices_are_the_cli_defaults() {
        let csv = CsvOptions::default();
        assert_eq!(INSERTS[0].parse::<InsertMode>().ok(), Some(csv.insert));
        assert_eq!(WRITERS[0].parse::<WriterMode>().ok(), Some(csv.writer));
        assert_eq!(DATASETS[0].parse::<Dataset>().ok(), Some(csv.dataset));
        assert_eq!(DBS[0], csv.db);
        for name in INSERTS.iter().chain(WRITERS).chain(DATASETS) {
            let known = name.parse::<InsertMode>().is_ok()
                || name.parse::<WriterMode>().is_ok()
                || name.parse::<Dataset>().is_ok();
            assert!(known, "{name}");
        }
    }

    #[test]
    fn in_flight_only_in_async_and_workers_not_in_sequential() {
        let fields = |mode| visible_fields("api-fetch", mode);
        assert!(fields(Mode::Async).contains(&Field::InFlight));
        assert!(!fields(Mode::Threads).contains(&Field::InFlight));
        assert!(!fields(Mode::Sequential).contains(&Field::Workers));
        assert!(fields(Mode::Processes).contains(&Field::Workers));
    }
}
