//! The job's phases, on the real binary: every workload names the same phases in every mode,
//! each worker's phases add up to its wall time, and a threads-vs-async diff of api-fetch
//! finds the network wait on the same phase in both, its Δ the measured difference.

mod common;

use common::{stderr, Scratch};
use std::collections::{BTreeMap, BTreeSet};

/// Small sizes per workload, and the phases each must show.
const WORKLOADS: [(&str, &[&str], &[&str]); 4] = [
    (
        "json-parse",
        &["--files", "4", "--records", "400"],
        &["read", "parse", "write"],
    ),
    (
        "csv-import",
        &["--records", "400", "--chunk-rows", "100"],
        &["read", "parse", "insert"],
    ),
    (
        "api-fetch",
        &["--requests", "24"],
        &["request", "answer", "decode"],
    ),
    ("etl-pipeline", &[], &["load", "ttm"]),
];

const MODES: [&str; 5] = ["sequential", "threads", "rayon", "async", "processes"];

/// (stack, weight) of each line of a folded file.
fn folded(path: &std::path::Path) -> Vec<(String, u64)> {
    let text = std::fs::read_to_string(path).expect("a folded export");
    text.lines()
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(stack, w)| (stack.to_string(), w.parse().expect("a weight")))
        .collect()
}

/// The phase paths of a phases view: every stack without its worker root and cause leaf.
fn phase_paths(stacks: &[(String, u64)]) -> BTreeSet<String> {
    stacks
        .iter()
        .filter_map(|(stack, _)| {
            let frames: Vec<&str> = stack.split(';').collect();
            let inner = &frames[1..frames.len() - 1];
            (!inner.is_empty()).then(|| inner.join("/"))
        })
        .collect()
}

/// Runs `workload` in `mode` with the phases exported; returns them and the report.
fn phased_run(
    scratch: &Scratch,
    (workload, size): (&str, &[&str]),
    mode: &str,
) -> (Vec<(String, u64)>, serde_json::Value) {
    let path = scratch.path(&format!("{workload}-{mode}.folded"));
    let path_arg = path.to_string_lossy().into_owned();
    let mut args = vec!["run", workload, "--mode", mode, "--workers", "2", "--quiet"];
    args.extend(size);
    args.extend(["--view", "phases", "--folded", &path_arg]);
    let (out, report) = scratch.run_with_report(&format!("{workload}-{mode}"), &args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    (folded(&path), report)
}

/// Each worker's phases summed, by worker.
fn by_worker(stacks: &[(String, u64)]) -> BTreeMap<String, u64> {
    let mut sums = BTreeMap::new();
    for (stack, w) in stacks {
        let worker = stack.split(';').next().unwrap_or_default().to_string();
        *sums.entry(worker).or_default() += w;
    }
    sums
}

#[test]
fn every_workload_names_the_same_phases_in_every_mode_and_they_add_up_to_wall_time() {
    let scratch = Scratch::new();
    for (workload, size, expected) in WORKLOADS {
        let mut seen: Vec<(&str, BTreeSet<String>)> = Vec::new();
        for mode in MODES {
            if workload == "etl-pipeline" && mode == "processes" {
                continue; // refused: its stages share memory
            }
            let (stacks, report) = phased_run(&scratch, (workload, size), mode);
            let paths = phase_paths(&stacks);
            for name in expected {
                assert!(paths.contains(*name), "{workload} {mode}: {paths:?}");
            }
            let sums = by_worker(&stacks);
            let workers = report["worker_stats"].as_array().expect("worker stats");
            assert!(!workers.is_empty());
            for w in workers {
                let name = w["name"].as_str().expect("a name");
                let wall_ns = w["wall_s"].as_f64().expect("wall") * 1e9;
                let phases_ns = sums.get(name).copied().unwrap_or(0) as f64;
                assert!(
                    (phases_ns - wall_ns).abs() <= 0.01 * wall_ns + 1e6,
                    "{workload} {mode} {name}: phases {phases_ns} ns, wall {wall_ns} ns"
                );
            }
            seen.push((mode, paths));
        }
        let (first_mode, first) = &seen[0];
        for (mode, paths) in &seen[1..] {
            assert_eq!(paths, first, "{workload}: {mode} against {first_mode}");
        }
    }
}

/// The diff's (before, after) nanoseconds of `[net wait]`, on the shared `answer` path and
/// in all.
fn net_waits(diff: &str) -> ((u64, u64), (u64, u64)) {
    let (mut shared, mut all) = ((0, 0), (0, 0));
    for line in diff.lines() {
        let mut parts = line.rsplitn(3, ' ');
        let after: u64 = parts.next().and_then(|w| w.parse().ok()).expect("after");
        let before: u64 = parts.next().and_then(|w| w.parse().ok()).expect("before");
        let stack = parts.next().expect("a stack");
        if stack.ends_with(";[net wait]") {
            all = (all.0 + before, all.1 + after);
            if stack == "workers;answer;[net wait]" {
                shared = (shared.0 + before, shared.1 + after);
            }
        }
    }
    (shared, all)
}

/// Mean seconds of net wait (summed over workers) of one mode in compare's JSON.
fn mean_net_wait(mode: &serde_json::Value) -> f64 {
    let runs = mode["runs"].as_array().expect("runs");
    let total: f64 = runs
        .iter()
        .map(|r| r["waits"]["net"].as_f64().unwrap_or(0.0))
        .sum();
    total / runs.len() as f64
}

#[test]
fn threads_and_async_wait_for_the_answer_on_the_same_phase() {
    let scratch = Scratch::new();
    let (diff, json) = (scratch.path("d.folded"), scratch.path("c.json"));
    let (diff_arg, json_arg) = (diff.to_string_lossy(), json.to_string_lossy());
    let out = scratch.run(&[
        "compare",
        "api-fetch",
        "--modes",
        "threads,async",
        "--workers",
        "8",
        "--latency",
        "20ms",
        "--requests",
        "120",
        "--repeat",
        "2",
        "--quiet",
        "--diff-folded",
        &diff_arg,
        "--export-json",
        &json_arg,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&diff).expect("the diff");
    let (shared, all) = net_waits(&text);
    assert!(
        shared.0 >= all.0 * 9 / 10 && all.0 > 0,
        "threads: {shared:?} of {all:?}\n{text}"
    );
    assert!(
        shared.1 >= all.1 * 9 / 10 && all.1 > 0,
        "async: {shared:?} of {all:?}\n{text}"
    );
    let modes = common::read_json(&json);
    let modes = modes["modes"].as_array().expect("modes");
    let measured = mean_net_wait(&modes[1]) - mean_net_wait(&modes[0]);
    let delta = (all.1 as f64 - all.0 as f64) / 1e9;
    let scale = mean_net_wait(&modes[0]).max(mean_net_wait(&modes[1]));
    assert!(
        (delta - measured).abs() <= 0.05 * scale,
        "Δ {delta:.3} s in the diff, {measured:.3} s measured"
    );
}
