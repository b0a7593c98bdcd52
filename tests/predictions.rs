//! Predictions from one run, end to end: every report carries `predictions`, `run` prints
//! what would help, and the verdict names the bottleneck. The accuracy of the speedups
//! (predicted against measured) is timing, measured by `benches/predict.sh`.

mod common;
use common::{stderr, Scratch};
use serde_json::Value;

/// The prediction for `mode` at `workers` in a report.
fn prediction<'a>(report: &'a Value, mode: &str, workers: u64) -> &'a Value {
    report["predictions"]
        .as_array()
        .expect("predictions is a list")
        .iter()
        .find(|p| p["mode"] == mode && p["workers"] == workers)
        .unwrap_or_else(|| panic!("no {mode} ×{workers} in {}", report["predictions"]))
}

fn speedup(p: &Value) -> f64 {
    p["speedup"].as_f64().expect("speedup is a number")
}

#[test]
fn a_sequential_api_run_predicts_threads_x8_limited_by_the_answers() {
    let scratch = Scratch::new();
    let args = [
        "run",
        "api-fetch",
        "--mode",
        "sequential",
        "--latency",
        "20ms",
        "--requests",
        "40",
    ];
    let (out, report) = scratch.run_with_report("api", &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let threads = prediction(&report, "threads", 8);
    // Each of 8 workers waits for its own answers: up to 8×, less only by the CPU and the
    // time that never overlaps.
    let s = speedup(threads);
    assert!(s > 4.0 && s <= 8.0 + 1e-9, "{threads}");
    assert_eq!(threads["bottleneck"], "network answers");
    assert_eq!(threads["gil"], false);
    let next = threads["next_limit"].as_str().expect("next limit");
    assert!(next.starts_with("×16: "), "{next}");
    let detail = report["verdict_detail"].as_str().expect("verdict detail");
    assert!(
        detail.contains("the limit is one answer at a time: twice the workers would give ≈"),
        "{detail}"
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("what would help"), "{printed}");
    assert!(printed.contains("threads ×8"), "{printed}");
}

#[test]
fn a_sequential_gil_run_predicts_processes_ahead_of_threads() {
    let scratch = Scratch::new();
    let report = scratch.json_report("gil", &["--mode", "sequential", "--gil"]);
    for p in report["predictions"].as_array().expect("predictions") {
        assert_eq!(p["gil"], true, "{p}");
    }
    let threads = prediction(&report, "threads", 2);
    assert!(speedup(threads) <= 1.1, "{threads}");
    assert_eq!(threads["bottleneck"], "the GIL");
    let processes = prediction(&report, "processes", 2);
    assert!(speedup(processes) > speedup(threads), "{processes}");
}
