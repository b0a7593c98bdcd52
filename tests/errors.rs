//! Bad input ends with exit code 2 and one plain line naming the bad value; bad records are
//! rejected with their line and reason, never fatal.

mod common;
use common::{repo_path, stderr, Scratch};

fn assert_usage_error(args: &[&str], must_name: &str) {
    let scratch = Scratch::new();
    let out = scratch.run(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.contains(must_name),
        "{args:?}: first line {first:?} should name {must_name:?}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn missing_input_directory_is_a_usage_error() {
    assert_usage_error(
        &[
            "run",
            "json-parse",
            "--input",
            "/definitely/not/here",
            "--quiet",
        ],
        "/definitely/not/here",
    );
}

#[test]
fn zero_workers_is_a_usage_error() {
    assert_usage_error(
        &["run", "json-parse", "--mode", "threads", "--workers", "0"],
        "--workers 0",
    );
}

#[test]
fn sampling_rate_out_of_range_is_a_usage_error() {
    assert_usage_error(&["run", "json-parse", "--hz", "1000"], "--hz 1000");
    assert_usage_error(&["run", "json-parse", "--hz", "0"], "--hz 0");
}

#[test]
fn unknown_mode_is_a_usage_error() {
    assert_usage_error(&["run", "json-parse", "--mode", "fibers"], "fibers");
}

#[test]
fn unknown_workload_is_a_usage_error() {
    assert_usage_error(&["run", "xml-parse"], "xml-parse");
}

#[test]
fn unwritable_export_is_refused_before_running() {
    assert_usage_error(
        &[
            "run",
            "json-parse",
            "--svg",
            "/no/such/dir/flame.svg",
            "--quiet",
        ],
        "/no/such/dir",
    );
}

#[test]
fn malformed_lines_are_rejected_with_line_and_reason_in_every_mode() {
    let scratch = Scratch::new();
    let input = repo_path("assets/json/malformed");
    let mut checksums = Vec::new();
    for mode in ["sequential", "threads", "processes"] {
        let report = scratch.json_report(
            &format!("bad-{mode}"),
            &["--input", &input, "--mode", mode, "--workers", "2"],
        );
        assert_eq!(report["items"], 20, "{mode}: good lines stored");
        assert_eq!(report["rejected"], 5, "{mode}: bad lines rejected");
        assert_eq!(
            report["errors"], 0,
            "{mode}: a bad line is not a failed unit"
        );
        let rejections = report["rejections"].as_array().expect("rejections");
        assert_eq!(rejections.len(), 5);
        for r in rejections {
            assert_eq!(r["source"], "ticks-bad.ndjson");
            assert!(r["line"].as_u64().unwrap() >= 1);
            assert!(!r["reason"].as_str().unwrap().is_empty());
        }
        checksums.push(report["checksum"].clone());
    }
    assert!(checksums.windows(2).all(|w| w[0] == w[1]), "{checksums:?}");
}
