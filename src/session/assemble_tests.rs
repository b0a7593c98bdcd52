//! Putting a run's report together from its parts: children's reports and lanes merged
//! into the parent's, unit outcomes counted, the verdict read, and a late failure kept.

use super::{assemble, run_failure, settle, RemoteState, RunOutcome, RunSpec, SessionError};
use crate::exec::RunEnv;
use crate::flame::FoldedStacks;
use crate::measure::MeterRegistry;
use crate::model::RunReport;
use crate::model::UnitOutcome;
use crate::model::WorkerSnapshot;
use crate::model::{Mode, UnitFailure, UnitRecord};
use crate::workload::json::JsonOptions;
use crate::workload::testing::TestWorkload;
use crate::workload::WorkloadSpec;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Four units; describes itself with one option so the report's `options` can be checked.
fn four() -> TestWorkload {
    TestWorkload::idle("four", 4).describing("input_dir", serde_json::json!("found/here"))
}

/// The engine's state of a run, and what its `processes` children reported.
struct TestEnv {
    env: RunEnv,
    remote: RemoteState,
}

impl std::ops::Deref for TestEnv {
    type Target = RunEnv;
    fn deref(&self) -> &RunEnv {
        &self.env
    }
}

fn env() -> TestEnv {
    TestEnv {
        env: RunEnv {
            registry: MeterRegistry::new(Instant::now()),
            counters: Arc::default(),
            gil: None,
            cancel: Arc::default(),
        },
        remote: RemoteState::default(),
    }
}

/// A lane that was on a CPU all its wall time.
fn busy(name: &str, cpu_s: f64) -> WorkerSnapshot {
    WorkerSnapshot {
        name: name.into(),
        wall_s: cpu_s,
        cpu_s,
        ..WorkerSnapshot::default()
    }
}

fn child_report(lane: WorkerSnapshot, profiler_cpu_s: f64) -> RunReport {
    RunReport {
        cpu_s: lane.cpu_s,
        profiler_cpu_s,
        worker_stats: vec![lane],
        ..RunReport::default()
    }
}

fn record(unit: usize, items: Result<u64, &str>) -> UnitRecord {
    let label = format!("u{unit}");
    UnitRecord {
        unit,
        outcome: match items {
            Ok(items) => Ok(UnitOutcome {
                items,
                bytes: items * 10,
                ..UnitOutcome::default()
            }),
            Err(why) => Err(UnitFailure::new(&label, &why)),
        },
        label,
        worker: "bs-proc-0".into(),
        start_s: 0.0,
        end_s: 0.5,
    }
}

fn assemble(
    spec: &RunSpec,
    env: &TestEnv,
    records: &[UnitRecord],
    wall: &FoldedStacks,
) -> RunReport {
    let stacks = FoldedStacks::new();
    assemble::report(assemble::Parts {
        spec,
        workload: &four(),
        env: &env.env,
        remote: &env.remote,
        wall: Duration::from_secs(2),
        startup: Duration::from_millis(250),
        own_cpu_s: 0.25,
        stacks: &stacks,
        wall_profile: wall,
        phases: &FoldedStacks::new(),
        profiler_cpu_s: 0.05,
        records,
    })
}

fn processes_spec() -> RunSpec {
    RunSpec::new(
        WorkloadSpec::JsonParse(JsonOptions::default()),
        Mode::Processes,
        3,
    )
}

#[test]
fn childrens_reports_and_a_lost_childs_last_lane_add_up_once_each() {
    let env = env();
    env.remote.reports.lock().extend([
        child_report(busy("bs-proc-0", 1.0), 0.1),
        child_report(busy("bs-proc-1", 2.0), 0.2),
    ]);
    {
        let mut lanes = env.remote.lanes.lock();
        // Child 0's last tick, older than its report: the report wins, not both.
        lanes.insert("bs-proc-0".into(), busy("bs-proc-0", 0.75));
        // Child 2 died without a report: its last tick still counts.
        lanes.insert("bs-proc-2".into(), busy("bs-proc-2", 0.5));
    }
    let report = assemble(&processes_spec(), &env, &[], &FoldedStacks::new());
    let names: Vec<&str> = report
        .worker_stats
        .iter()
        .map(|w| w.name.as_str())
        .collect();
    assert_eq!(names, ["bs-proc-0", "bs-proc-1", "bs-proc-2"]);
    assert_eq!(report.worker_stats[0].cpu_s, 1.0);
    // Own 0.25 + the children's 1.0 and 2.0 + the lost lane's 0.5.
    assert!((report.cpu_s - 3.75).abs() < 1e-9, "{}", report.cpu_s);
    assert!((report.profiler_cpu_s - 0.35).abs() < 1e-9);
    assert_eq!((report.wall_s, report.startup_s), (2.0, 0.25));
    assert!((report.busy_cores - 3.75 / 2.0).abs() < 1e-9);
    // Every lane was on a CPU all its wall time.
    assert_eq!(
        report.verdict_word(),
        "cpu-bound",
        "{}",
        report.verdict_detail
    );
}

#[test]
fn unit_outcomes_are_counted_and_the_spec_and_options_recorded() {
    let env = env();
    env.remote
        .lanes
        .lock()
        .insert("bs-proc-0".into(), busy("bs-proc-0", 1.0));
    let records = [
        record(0, Ok(3)),
        record(1, Err("child process 0 (bs-proc-0) was killed by signal 9")),
        record(2, Ok(4)),
    ];
    // Half the lane's wall time (1 s) is in the wall-clock profile, in nanoseconds.
    let mut wall = FoldedStacks::new();
    wall.add("bs-proc-0;work", 500_000_000);
    let mut spec = processes_spec();
    spec.gil = true;
    let report = assemble(&spec, &env, &records, &wall);
    assert_eq!((report.items, report.bytes, report.errors), (7, 70, 1));
    assert_eq!(report.units.len(), 3);
    assert_eq!(report.failures.len(), 1);
    assert!(
        report.failures[0].starts_with("u1: child process 0"),
        "{:?}",
        report.failures
    );
    assert_eq!(report.units_total, 4);
    assert_eq!((report.mode.as_str(), report.workers), ("processes", 3));
    assert!(report.gil);
    assert_eq!(report.workload, "four");
    // The options as json-parse declares them, with what the workload found.
    assert_eq!(report.options["parser"], "typed");
    assert_eq!(
        report.options["records_per_file"],
        JsonOptions::default().records
    );
    assert_eq!(report.options["input_dir"], "found/here");
    assert!(
        (report.wall_coverage - 0.5).abs() < 1e-9,
        "{}",
        report.wall_coverage
    );
    assert!(!report.interrupted);
}

#[test]
fn a_childs_report_counts_only_its_shard_and_an_unprofiled_run_no_rate() {
    let env = env();
    let mut spec = processes_spec().for_child(1, 3, "bs-proc-1");
    spec.profile = false;
    env.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    let report = assemble(&spec, &env, &[], &FoldedStacks::new());
    // Units 1 of 0..4 with 3 children: only unit 1.
    assert_eq!(report.units_total, 1);
    assert_eq!(report.sample_hz, 0);
    assert!(report.interrupted);
}

#[test]
fn the_runs_own_failure_comes_first_then_a_childs() {
    let env = env();
    assert_eq!(run_failure(None, &env.remote), None);
    env.remote.reports.lock().extend([
        RunReport::default(),
        RunReport {
            failure: Some("child 1 could not verify".into()),
            ..RunReport::default()
        },
    ]);
    assert_eq!(
        run_failure(None, &env.remote).as_deref(),
        Some("child 1 could not verify")
    );
    let own = Some("sampling stopped".to_string());
    assert_eq!(
        run_failure(own, &env.remote).as_deref(),
        Some("sampling stopped")
    );
}

fn outcome(failure: Option<&str>) -> RunOutcome {
    RunOutcome {
        report: RunReport {
            failure: failure.map(str::to_string),
            items: 42,
            ..RunReport::default()
        },
        stacks: FoldedStacks::new(),
        wall: FoldedStacks::new(),
        phases: FoldedStacks::new(),
        records: vec![record(0, Ok(42))],
        code: Default::default(),
    }
}

#[test]
fn a_late_failure_is_an_error_that_keeps_the_whole_outcome() {
    let kept = settle(outcome(None)).expect("no failure, no error");
    assert_eq!(kept.report.items, 42);
    let err = match settle(outcome(Some("cannot verify the stored rows: gone"))) {
        Err(e) => e,
        Ok(_) => panic!("a report naming a failure is an error"),
    };
    assert_eq!(err.to_string(), "cannot verify the stored rows: gone");
    assert!(!err.is_usage());
    let SessionError::Late { outcome, .. } = err else {
        panic!("a late failure keeps its outcome");
    };
    assert_eq!(outcome.0.report.items, 42);
    assert_eq!(outcome.0.records.len(), 1);
    assert_eq!(
        outcome.0.report.failure.as_deref(),
        Some("cannot verify the stored rows: gone")
    );
}
