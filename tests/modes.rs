//! The same work gives the same result in every mode, with and without the GIL, with every
//! parser — and nothing is lost on the way.

mod common;
use common::Scratch;

const MODES: [&str; 5] = ["sequential", "threads", "rayon", "async", "processes"];

fn items_and_checksum(report: &serde_json::Value) -> (u64, String) {
    (
        report["items"].as_u64().expect("items"),
        report["checksum"].as_str().expect("checksum").to_string(),
    )
}

#[test]
fn every_mode_and_gil_setting_gives_the_same_items_and_checksum() {
    let scratch = Scratch::new();
    let baseline = items_and_checksum(&scratch.json_report("base", &["--mode", "sequential"]));
    assert_eq!(baseline.0, 6 * 400, "every generated record is parsed");
    for mode in MODES {
        for gil in [false, true] {
            let mut args = vec!["--mode", mode, "--workers", "2"];
            if gil {
                args.push("--gil");
            }
            let report = scratch.json_report(&format!("{mode}-{gil}"), &args);
            assert_eq!(items_and_checksum(&report), baseline, "{mode} gil={gil}");
            assert_eq!(report["mode"], mode);
            assert_eq!(report["gil"], gil);
            assert_eq!(report["rejected"], 0);
            assert_eq!(report["errors"], 0);
        }
    }
}

#[test]
fn every_parser_gives_the_same_items_and_checksum() {
    let scratch = Scratch::new();
    let mut seen = Vec::new();
    for parser in ["value", "typed", "fast"] {
        for output in ["parquet", "none"] {
            let args = ["--parser", parser, "--output", output, "--mode", "threads"];
            let report = scratch.json_report(&format!("{parser}-{output}"), &args);
            seen.push((parser, output, items_and_checksum(&report)));
        }
    }
    let first = seen[0].2.clone();
    for (parser, output, result) in &seen {
        assert_eq!(result, &first, "{parser} with output {output}");
    }
}

#[test]
fn a_different_input_gives_a_different_checksum() {
    let scratch = Scratch::new();
    let a = scratch.json_report("a", &[]);
    let b = scratch.json_report("b", &["--records", "401"]);
    assert_ne!(a["checksum"], b["checksum"]);
}

#[test]
fn report_has_the_documented_fields_and_consistent_accounting() {
    let scratch = Scratch::new();
    let report = scratch.json_report("fields", &["--mode", "threads", "--workers", "2"]);
    for field in [
        "workload",
        "mode",
        "workers",
        "gil",
        "items",
        "errors",
        "rejected",
        "bytes",
        "wall_s",
        "cpu_s",
        "busy_cores",
        "items_per_s",
        "samples",
        "sample_hz_effective",
        "checksum",
        "waits",
        "verdict",
        "predictions",
    ] {
        assert!(report.get(field).is_some(), "report lacks {field}");
    }
    let wall = report["wall_s"].as_f64().unwrap();
    let cpu = report["cpu_s"].as_f64().unwrap();
    let busy = report["busy_cores"].as_f64().unwrap();
    assert!(
        (busy - cpu / wall).abs() < 1e-6,
        "busy_cores = cpu_s / wall_s"
    );
    let workers = report["worker_stats"].as_array().unwrap();
    assert_eq!(workers.len(), 2);
    for w in workers {
        assert!(w["name"].as_str().unwrap().starts_with("bs-threads-"));
        let wall = w["wall_s"].as_f64().unwrap();
        let waits: f64 = w["waits"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_f64().unwrap())
            .sum();
        let accounted = w["cpu_s"].as_f64().unwrap() + w["runqueue_s"].as_f64().unwrap() + waits;
        // CPU + run queue + waits explain the worker's wall time (small slack for page faults
        // and the moments between clock readings).
        assert!(
            accounted > 0.85 * wall && accounted < 1.05 * wall + 0.005,
            "worker {w} accounts {accounted} of {wall}"
        );
    }
}
