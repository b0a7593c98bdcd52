//! Whole-unit tests of `json-parse`: parser agreement, the malformed asset, Parquet output.

use super::*;
use crate::workload::DynWorkload;
use parquet::file::reader::{FileReader, SerializedFileReader};
use std::path::Path;

const PARSERS: [Parser; 3] = [Parser::Value, Parser::Typed, Parser::Fast];

/// The malformed sample: 26 lines, 20 good, 5 bad, 1 blank (line 16).
const MALFORMED_GOOD: u64 = 20;
/// Truncated object, garbage, missing field, string price, fractional volume.
const MALFORMED_REJECTED_LINES: [u64; 5] = [4, 9, 13, 19, 24];

fn malformed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/json/malformed")
}

fn opts(input: &Path, parser: Parser, output: Output, out_dir: Option<&Path>) -> JsonOptions {
    JsonOptions {
        input: Some(input.to_path_buf()),
        parser,
        output,
        out_dir: out_dir.map(Path::to_path_buf),
        ..JsonOptions::default()
    }
}

/// Runs every unit of a workload and returns the outcomes in unit order.
fn run_all(workload: &JsonParse) -> Vec<UnitOutcome> {
    let mut ctx = WorkerCtx::standalone("test");
    (0..workload.unit_count())
        .map(|u| workload.run_unit(u, &mut ctx).unwrap())
        .collect()
}

fn run_with(input: &Path, parser: Parser) -> Vec<UnitOutcome> {
    run_all(&JsonParse::new(opts(input, parser, Output::None, None)).unwrap())
}

fn assert_parsers_agree(input: &Path) -> UnitOutcome {
    let outcomes: Vec<Vec<UnitOutcome>> = PARSERS.iter().map(|p| run_with(input, *p)).collect();
    for (parser, outcome) in PARSERS.iter().zip(&outcomes) {
        for (a, b) in outcome.iter().zip(&outcomes[0]) {
            assert_eq!(a.items, b.items, "{parser:?}");
            assert_eq!(a.bytes, b.bytes, "{parser:?}");
            assert_eq!(a.digest, b.digest, "{parser:?}");
            let lines = |o: &UnitOutcome| o.rejected.iter().map(|r| r.line).collect::<Vec<_>>();
            assert_eq!(lines(a), lines(b), "{parser:?}");
        }
    }
    outcomes[0][0].clone()
}

#[test]
fn parsers_agree_on_generated_data() {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(dir.path(), 1, 3000).unwrap();
    let outcome = assert_parsers_agree(dir.path());
    assert_eq!(outcome.items, 3000);
    assert_eq!(outcome.bytes, summary.bytes);
    assert!(outcome.rejected.is_empty());
}

/// Values where parsers are known to slip: a negative zero, the extremes of `f64`, long
/// strings and escapes, with every field's sign and size varied.
fn edge_value_lines() -> Vec<String> {
    let long = "L".repeat(5000);
    let prices = [
        "-0.0",
        "0.0",
        "-0",
        "0",
        "1e308",
        "-1e308",
        "1.7976931348623157e308",
        "5e-324",
        "2.2250738585072014e-308",
        "0.1",
        "-123.456e-7",
        "1E+2",
        "123456789012345678901234567890",
    ];
    let symbols = [
        r"A\u00e9\u4e2d\ud83d\ude00".to_string(),
        r#"\"quoted\" \\ \/ \b\f\n\r\t"#.to_string(),
        long.clone(),
        format!(r"{long}\u00ff{long}"),
        "\u{e9}\u{4e2d}\u{1f600}".to_string(),
    ];
    let mut lines = Vec::new();
    for (i, price) in prices.iter().enumerate() {
        let symbol = &symbols[i % symbols.len()];
        let timestamp = -(i as i64) - 1;
        lines.push(format!(
            r#"{{"symbol":"{symbol}","timestamp":{timestamp},"open":{price},"high":{price},"low":-{i}.5,"close":{price},"volume":{i}}}"#
        ));
    }
    lines
}

#[test]
fn parsers_give_the_same_checksum_on_edge_values() {
    let dir = tempfile::tempdir().unwrap();
    let text = edge_value_lines().join("\n");
    std::fs::write(dir.path().join("edge.ndjson"), &text).unwrap();
    let outcome = assert_parsers_agree(dir.path());
    let rejected = &outcome.rejected;
    assert_eq!(
        outcome.items,
        edge_value_lines().len() as u64,
        "{rejected:?}"
    );
    // The digest sees the sign of a zero (else a parser that dropped it would agree).
    std::fs::write(dir.path().join("edge.ndjson"), text.replace("-0.0", "0.0")).unwrap();
    assert_ne!(
        run_with(dir.path(), Parser::Value)[0].digest,
        outcome.digest
    );
}

#[test]
fn parsers_agree_on_malformed_asset() {
    let outcome = assert_parsers_agree(&malformed_dir());
    assert_eq!(outcome.items, MALFORMED_GOOD);
}

#[test]
fn malformed_asset_counts_lines_and_reasons() {
    for parser in PARSERS {
        let outcomes = run_with(&malformed_dir(), parser);
        assert_eq!(outcomes.len(), 1);
        let outcome = &outcomes[0];
        assert_eq!(outcome.items, MALFORMED_GOOD, "{parser:?}");
        let lines: Vec<u64> = outcome.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, MALFORMED_REJECTED_LINES, "{parser:?}");
        for r in &outcome.rejected {
            assert_eq!(r.source, "ticks-bad.ndjson");
            assert!(!r.reason.trim().is_empty(), "{parser:?} line {}", r.line);
        }
    }
}

#[test]
fn digest_does_not_depend_on_output() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    generate(input.path(), 2, 500).unwrap();
    let plain = run_with(input.path(), Parser::Fast);
    let with_parquet = JsonParse::new(opts(
        input.path(),
        Parser::Value,
        Output::Parquet,
        Some(out.path()),
    ))
    .unwrap();
    assert_eq!(run_all(&with_parquet), plain);
    assert_ne!(plain[0].digest, plain[1].digest);
}

#[test]
fn parquet_output_has_every_accepted_row() {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("nested/out");
    let workload = JsonParse::new(opts(
        &malformed_dir(),
        Parser::Typed,
        Output::Parquet,
        Some(&out_dir),
    ))
    .unwrap();
    let outcome = &run_all(&workload)[0];
    let path = workload.output_path(0).unwrap();
    assert_eq!(path, out_dir.join("ticks-bad.parquet"));
    let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    let rows = reader.metadata().file_metadata().num_rows();
    assert_eq!(rows as u64, outcome.items);
    assert_eq!(rows as u64, MALFORMED_GOOD);
}

#[test]
fn missing_input_dir_is_an_input_error() {
    let root = tempfile::tempdir().unwrap();
    let missing = root.path().join("no-such-dir");
    let err = JsonParse::new(opts(&missing, Parser::Typed, Output::None, None)).unwrap_err();
    assert!(matches!(err, WorkloadError::Input(_)), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains(&missing.display().to_string()),
        "{message}"
    );
    assert!(!message.contains('\n'));
}

#[test]
fn dir_without_json_files_is_an_input_error() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("notes.txt"), "hi").unwrap();
    let err = JsonParse::new(opts(root.path(), Parser::Typed, Output::None, None)).unwrap_err();
    assert!(matches!(err, WorkloadError::Input(_)), "{err:?}");
    assert!(err.to_string().contains(&root.path().display().to_string()));
}

#[test]
fn inputs_are_sorted_and_filtered() {
    let root = tempfile::tempdir().unwrap();
    for name in ["b.ndjson", "a.JSON", "a.ndjson", "c.txt", "manifest.json"] {
        std::fs::write(root.path().join(name), "\n").unwrap();
    }
    let workload = JsonParse::new(opts(root.path(), Parser::Fast, Output::None, None)).unwrap();
    let names: Vec<String> = (0..workload.unit_count())
        .map(|u| workload.unit_label(u))
        .collect();
    assert_eq!(names, ["a.JSON", "a.ndjson", "b.ndjson", "manifest.json"]);
    let mut found = crate::workload::ReportOptions::new();
    workload.describe(&mut found);
    assert_eq!(
        (&found["files"], &found["generated"]),
        (&4.into(), &false.into())
    );
    let outcome = &run_all(&workload)[0];
    assert_eq!(
        (outcome.items, outcome.rejected.len()),
        (0, 0),
        "blank lines only"
    );
}

#[test]
fn clashing_stems_get_distinct_outputs() {
    let root = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    for name in ["a.json", "a.ndjson", "b.json"] {
        std::fs::write(root.path().join(name), "").unwrap();
    }
    let workload = JsonParse::new(opts(
        root.path(),
        Parser::Fast,
        Output::Parquet,
        Some(out.path()),
    ))
    .unwrap();
    let outputs: Vec<PathBuf> = (0..3).map(|u| workload.output_path(u).unwrap()).collect();
    assert_eq!(outputs[0], out.path().join("a.json.parquet"));
    assert_eq!(outputs[1], out.path().join("a.ndjson.parquet"));
    assert_eq!(outputs[2], out.path().join("b.parquet"));
}
