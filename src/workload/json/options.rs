//! `json-parse`'s name and options, declared once (the CLI, the setup form and scenario
//! checks read them from here).

use super::{JsonOptions, Output, Parser};
use crate::workload::declare::kinds::{choice, number, optional_text};
use crate::workload::declare::options::OptionDecl;
use std::path::PathBuf;

/// The workload's name (the CLI's and the reports').
pub const NAME: &str = "json-parse";
/// One line on what it does.
pub const ABOUT: &str =
    "Parse ~30 files of newline-delimited stock ticks and write them as Parquet.";

/// The options when no flag is given: the library's defaults, but parsing with `value`
/// (an untyped DOM, like the write-up's json.loads).
pub fn cli_defaults() -> JsonOptions {
    JsonOptions {
        parser: Parser::Value,
        ..JsonOptions::default()
    }
}

fn path_text(path: &Option<PathBuf>) -> Option<String> {
    path.as_ref().map(|p| p.display().to_string())
}

pub fn options() -> Vec<OptionDecl<JsonOptions>> {
    vec![
        optional_text(
            "input",
            "PATH",
            "A directory of .json/.ndjson tick files to parse instead of generated data.",
            |o: &JsonOptions| path_text(&o.input),
            |o, p: Option<PathBuf>| o.input = p,
        ),
        number(
            "records",
            "Records per generated file.",
            |o: &JsonOptions| o.records,
            |o, n| o.records = n,
        )
        .stepping(1000)
        .in_form()
        .reported_as("records_per_file"),
        number(
            "files",
            "Number of generated files (one unit of work each).",
            |o: &JsonOptions| o.files,
            |o, n| o.files = n,
        )
        .in_form()
        .knob(2),
        choice(
            "parser",
            "PARSER",
            &["value", "typed", "fast"],
            "How each line is parsed: value (untyped DOM, like json.loads), typed (serde \
             structs), fast (record scanner).",
            |o: &JsonOptions| o.parser,
            |o, v: Parser| o.parser = v,
        )
        .in_form()
        .knob(0),
        choice(
            "output",
            "OUTPUT",
            &["parquet", "none"],
            "Write each parsed file as Parquet, or discard the table.",
            |o: &JsonOptions| o.output,
            |o, v: Output| o.output = v,
        )
        .in_form()
        .knob(1),
        optional_text(
            "out-dir",
            "DIR",
            "Where Parquet files go (default: a temporary directory, removed after).",
            |o: &JsonOptions| path_text(&o.out_dir),
            |o, p: Option<PathBuf>| o.out_dir = p,
        ),
    ]
}
