//! `api-fetch` end to end: the real binary against the real API server it starts itself
//! (`serve-api` as a child process), in every mode, with injected faults.
//!
//! Exit codes: a run whose requests failed after their retries still writes its report and
//! exits with 1 (failures are not usage errors); an API that cannot be reached is bad input
//! (2).

mod common;
use common::{stderr, Scratch};
use serde_json::Value;
use std::process::Output;

const MODES: [&str; 5] = ["sequential", "threads", "rayon", "async", "processes"];

/// Runs `run api-fetch ARGS --quiet --report F`; returns the process output and the report
/// (`Null` when none was written).
fn api_run(scratch: &Scratch, name: &str, args: &[&str]) -> (Output, Value) {
    let mut all = vec!["run", "api-fetch", "--quiet"];
    all.extend_from_slice(args);
    scratch.run_with_report(name, &all)
}

/// Like `api_run`, but the run must succeed.
fn api_report(scratch: &Scratch, name: &str, args: &[&str]) -> Value {
    let (out, report) = api_run(scratch, name, args);
    assert!(
        out.status.success(),
        "{args:?} failed ({:?}): {}",
        out.status.code(),
        stderr(&out)
    );
    report
}

fn totals(report: &Value) -> &Value {
    &report["options"]["totals"]
}

fn num(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

#[test]
fn every_mode_gives_the_same_items_and_checksum() {
    let scratch = Scratch::new();
    let mut seen = Vec::new();
    for mode in MODES {
        let args = ["--mode", mode, "--workers", "4", "--requests", "60"];
        let report = api_report(&scratch, mode, &args);
        assert_eq!(report["mode"], mode);
        assert_eq!(report["errors"], 0, "{mode}: {}", report["failures"]);
        assert_eq!(report["units"].as_array().map(Vec::len), Some(60), "{mode}");
        let items = report["items"].as_u64().expect("items");
        assert!(items > 0, "{mode}");
        seen.push((mode, items, report["checksum"].clone()));
    }
    let (_, items, checksum) = &seen[0];
    for (mode, i, c) in &seen {
        assert_eq!((i, c), (items, checksum), "{mode} differs from sequential");
    }
}

#[test]
fn retries_ride_out_server_errors_in_threads_and_async() {
    let scratch = Scratch::new();
    for mode in ["threads", "async"] {
        let args = [
            "--mode",
            mode,
            "--workers",
            "4",
            "--requests",
            "60",
            "--error-rate",
            "0.2",
            "--retries",
            "5",
        ];
        let report = api_report(&scratch, mode, &args);
        assert_eq!(report["errors"], 0, "{mode}: {}", report["failures"]);
        let totals = totals(&report);
        assert!(num(&totals["server_errors"]) > 0.0, "{mode}: {totals}");
        assert_eq!(
            totals["retries"], totals["server_errors"],
            "{mode}: {totals}"
        );
        assert_eq!(totals["failed"], 0, "{mode}");
    }
}

#[test]
fn requests_that_never_answer_are_listed_as_failures_naming_the_url() {
    let scratch = Scratch::new();
    for mode in ["threads", "async"] {
        let args = [
            "--mode",
            mode,
            "--workers",
            "5",
            "--timeout-rate",
            "1",
            "--retries",
            "0",
            "--timeout",
            "300ms",
            "--requests",
            "5",
        ];
        let (out, report) = api_run(&scratch, mode, &args);
        assert_eq!(out.status.code(), Some(1), "{mode}: {}", stderr(&out));
        let message = stderr(&out);
        assert!(message.contains("5 of 5 units failed"), "{mode}: {message}");
        assert_eq!(report["errors"], 5, "{mode}");
        let failures = report["failures"].as_array().expect("failures");
        assert_eq!(failures.len(), 5, "{mode}");
        for failure in failures {
            let text = failure.as_str().expect("text");
            assert!(
                text.contains("http://127.0.0.1:") && text.contains("/tenants/"),
                "{mode}: {text}"
            );
            assert!(text.contains("no answer in time"), "{mode}: {text}");
        }
        assert_eq!(totals(&report)["timeouts"], 5, "{mode}");
    }
}

#[test]
fn a_rate_limit_is_honoured_without_a_storm_of_429s() {
    let scratch = Scratch::new();
    for mode in ["threads", "async"] {
        let args = [
            "--mode",
            mode,
            "--rate-limit",
            "50",
            "--requests",
            "40",
            "--workers",
            "8",
            "--retries",
            "10",
        ];
        let report = api_report(&scratch, mode, &args);
        assert_eq!(report["errors"], 0, "{mode}: {}", report["failures"]);
        let totals = totals(&report);
        let refused = num(&totals["rate_limited"]);
        assert!(
            refused < 40.0,
            "{mode}: {refused} answers 429 for 40 requests"
        );
        // Every attempt is counted, the plan's three set-up requests included.
        assert_eq!(
            num(&totals["requests"]),
            40.0 + 3.0 + refused,
            "{mode}: {totals}"
        );
    }
}

#[test]
fn an_api_where_nothing_listens_is_a_usage_error_naming_it() {
    let scratch = Scratch::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let (out, report) = api_run(
        &scratch,
        "nowhere",
        &["--base-url", &url, "--mode", "async"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    assert_eq!(message.trim_end().lines().count(), 1, "one line: {message}");
    assert!(message.contains(&url), "{message}");
    // A run refused before it started still writes its report, saying why, with no units.
    let refused = report["refused"].as_str().unwrap_or_default();
    assert!(refused.contains(&url), "{report}");
    assert_eq!(report["units"], Value::Array(Vec::new()), "{report}");
}

#[test]
fn waiting_on_a_slow_api_reads_as_io_bound() {
    let scratch = Scratch::new();
    let args = [
        "--latency",
        "20ms",
        "--mode",
        "threads",
        "--workers",
        "8",
        "--requests",
        "80",
    ];
    let report = api_report(&scratch, "slow", &args);
    assert_eq!(
        report["verdict"], "io-bound",
        "{}",
        report["verdict_detail"]
    );
    let waits = report["waits"].as_object().expect("waits");
    let net = num(&waits["net"]);
    for (category, seconds) in waits {
        assert!(net >= num(seconds), "net {net} < {category} {seconds}");
    }
    assert!(num(&report["busy_cores"]) < 0.5, "{}", report["busy_cores"]);
}

#[test]
fn async_mode_overlaps_requests_in_flight() {
    let scratch = Scratch::new();
    let args = [
        "--latency",
        "20ms",
        "--mode",
        "async",
        "--workers",
        "2",
        "--in-flight",
        "50",
        "--requests",
        "200",
    ];
    let report = api_report(&scratch, "overlap", &args);
    assert_eq!(report["errors"], 0, "{}", report["failures"]);
    let wall = num(&report["wall_s"]);
    // One at a time, the server's latency alone is 200 × 20 ms = 4 s; fifty at a time, ideally
    // 80 ms. Under half of the serial time proves requests overlapped, however busy the
    // machine (a loaded one took 1.03 s).
    assert!(wall < 0.5 * 200.0 * 0.020, "async wall {wall} s");
    assert!(num(&report["waits"]["net"]) > 0.0, "{}", report["waits"]);
}

#[test]
fn async_mode_without_connection_reuse_still_fetches_everything() {
    let scratch = Scratch::new();
    let base = ["--requests", "30", "--workers", "2", "--in-flight", "10"];
    let mut checksums = Vec::new();
    for reuse in ["on", "off"] {
        let mut args = vec!["--mode", "async", "--reuse-connections", reuse];
        args.extend_from_slice(&base);
        let report = api_report(&scratch, reuse, &args);
        assert_eq!(report["errors"], 0, "reuse {reuse}: {}", report["failures"]);
        assert_eq!(report["options"]["reuse_connections"], reuse == "on");
        checksums.push(report["checksum"].clone());
    }
    assert_eq!(checksums[0], checksums[1]);
}
