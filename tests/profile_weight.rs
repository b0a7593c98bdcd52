//! What the profiler weighs: a small profiled run, in this process, keeps its peak resident
//! memory under 80 MB. A regression guard, not the goal's figure (BENCHMARKS.md has that,
//! measured on a release build with `benches/profile_weight.sh`).

use boundscope::model::Mode;
use boundscope::session::{self, RunHooks, RunSpec};
use boundscope::workload::json::{JsonOptions, Output};
use boundscope::workload::WorkloadSpec;

/// This process's peak resident memory (`VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("a VmHWM line");
    line.split_whitespace()
        .nth(1)
        .and_then(|kib| kib.parse().ok())
        .expect("VmHWM in kB")
}

#[test]
fn a_small_profiled_run_peaks_under_80_mb() {
    let data = tempfile::tempdir().expect("a scratch directory");
    // This test is alone in its binary: no other thread reads the environment.
    std::env::set_var("BOUNDSCOPE_DATA", data.path());
    let json = JsonOptions {
        // Enough work for a few dozen samples, so that symbols are read.
        files: 8,
        records: 20_000,
        output: Output::None,
        ..JsonOptions::default()
    };
    let mut spec = RunSpec::new(WorkloadSpec::JsonParse(json), Mode::Threads, 2);
    spec.hz = 250;
    let outcome = session::run(&spec, &mut RunHooks::quiet()).expect("the run");
    assert!(outcome.report.profiled, "{:?}", outcome.report.warnings);
    assert!(outcome.stacks.total() > 0, "no CPU sample was taken");
    let peak = peak_rss_kib();
    assert!(peak < 80 << 10, "peak RSS {} MiB", peak >> 10);
}
