//! `etl-pipeline` end to end: the real binary, the API server it starts itself and a real
//! SQLite database; the stage timeline in the summary and the speedups in the report.

mod common;
use common::{stderr, Scratch};
use serde_json::Value;
use std::process::Output;

fn etl_run(scratch: &Scratch, name: &str, args: &[&str]) -> (Output, Value) {
    let mut all = vec!["run", "etl-pipeline", "--no-profile"];
    all.extend_from_slice(args);
    scratch.run_with_report(name, &all)
}

fn num(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

const STAGES: [&str; 7] = [
    "companies",
    "prices",
    "financials",
    "load",
    "ttm",
    "ratios",
    "market_metrics",
];

#[test]
fn threads_print_the_timeline_and_overlap_the_parallel_fetches() {
    let scratch = Scratch::new();
    let args = [
        "--mode",
        "threads",
        "--workers",
        "3",
        "--latency",
        "10ms",
        "--symbols",
        "20",
    ];
    let (out, report) = etl_run(&scratch, "threads", &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = String::from_utf8_lossy(&out.stdout);
    for stage in STAGES {
        assert!(summary.contains(stage), "{stage} missing from:\n{summary}");
    }
    assert!(summary.contains("critical path"), "{summary}");
    assert!(summary.contains("theoretical"), "{summary}");
    let t = &report["timeline"];
    let theoretical = num(&t["theoretical_speedup"]);
    let achieved = num(&t["achieved_speedup"]);
    // How much faster it went is for benches/; here: the three fetches could overlap, they
    // did, and the run's wall time is never shorter than its critical path.
    assert!(theoretical > 1.2, "three parallel fetches: {t}");
    assert!(achieved > 1.0, "the fetches did not overlap: {t}");
    assert!(
        achieved <= theoretical * (1.0 + 1e-9),
        "achieved {achieved:.2} beats the critical path's {theoretical:.2}: {t}"
    );
    assert_eq!(report["errors"], 0);
    let stages = report["options"]["stages"].as_array().expect("stages");
    assert_eq!(stages.len(), 7);
    assert_eq!(stages[3]["after"], serde_json::json!(STAGES[..3]));
}

#[test]
fn sequential_achieves_no_speedup_and_matches_the_threads_checksum() {
    let scratch = Scratch::new();
    let common = ["--latency", "2ms", "--symbols", "10", "--quiet"];
    let mut seq_args = vec!["--mode", "sequential"];
    seq_args.extend(common);
    let (out, seq) = etl_run(&scratch, "seq", &seq_args);
    assert!(out.status.success(), "{}", stderr(&out));
    let achieved = num(&seq["timeline"]["achieved_speedup"]);
    assert!(
        achieved <= 1.1 && achieved > 0.5,
        "sequential achieved {achieved}"
    );
    let mut async_args = vec!["--mode", "async", "--workers", "3"];
    async_args.extend(common);
    let (out, concurrent) = etl_run(&scratch, "async", &async_args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(seq["checksum"], concurrent["checksum"]);
    assert_eq!(seq["items"], concurrent["items"]);
}

#[test]
fn processes_mode_is_refused_with_exit_code_2() {
    let scratch = Scratch::new();
    let (out, report) = etl_run(&scratch, "proc", &["--mode", "processes", "--quiet"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("--mode processes") && text.contains("share one database"),
        "{text}"
    );
    // Its report says it was refused, and why.
    let refused = report["refused"].as_str().unwrap_or_default();
    assert!(refused.contains("share one database"), "{report}");
}

#[test]
fn a_bad_pipeline_file_is_bad_input_naming_the_stage() {
    let scratch = Scratch::new();
    let file = scratch.path("bad.toml");
    std::fs::write(
        &file,
        "[[stage]]\nname = \"load\"\nkind = \"load\"\nafter = [\"fetch\"]\n",
    )
    .expect("write");
    let path = file.to_string_lossy().into_owned();
    let (out, _) = etl_run(&scratch, "bad", &["--pipeline", &path, "--quiet"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("'load'") && text.contains("'fetch'"),
        "{text}"
    );
}
