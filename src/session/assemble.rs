//! Puts a finished run's pieces together into its report.

use super::{RemoteState, RunSpec, SessionError};
use crate::events::available_cores;
use crate::exec::RunEnv;
use crate::flame::FoldedStacks;
use crate::model::RunReport;
use crate::model::UnitRecord;
use crate::model::WorkerSnapshot;
use crate::workload::DynWorkload;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

pub(super) struct Parts<'a> {
    pub spec: &'a RunSpec,
    pub workload: &'a dyn DynWorkload,
    pub env: &'a RunEnv,
    pub remote: &'a RemoteState,
    pub wall: Duration,
    pub startup: Duration,
    pub own_cpu_s: f64,
    pub stacks: &'a FoldedStacks,
    pub wall_profile: &'a FoldedStacks,
    pub phases: &'a FoldedStacks,
    pub profiler_cpu_s: f64,
    pub records: &'a [UnitRecord],
}

pub(super) fn report(p: Parts) -> RunReport {
    let children = p.remote.reports.lock().clone();
    let mut worker_stats = p.env.registry.snapshots();
    for child in &children {
        worker_stats.extend(child.worker_stats.iter().cloned());
    }
    let lost = lanes_without_report(p.remote, &worker_stats);
    let lost_cpu_s: f64 = lost.iter().map(|lane| lane.cpu_s).sum();
    worker_stats.extend(lost);
    let mut report = RunReport {
        workload: p.workload.name().to_string(),
        mode: p.spec.mode,
        workers: p.spec.workers,
        units_total: p.spec.units_in_shard(p.workload.unit_count()),
        gil: p.spec.gil,
        wall_s: p.wall.as_secs_f64(),
        startup_s: p.startup.as_secs_f64(),
        cpu_s: p.own_cpu_s + lost_cpu_s + children.iter().map(|c| c.cpu_s).sum::<f64>(),
        profiled: p.spec.profile,
        samples: p.stacks.total(),
        sample_hz: if p.spec.profile { p.spec.hz } else { 0 },
        cores: available_cores(),
        interrupted: p.env.cancel.load(Relaxed),
        options: report_options(p.spec, p.workload),
        worker_stats,
        top_functions: p.stacks.top_functions(10),
        ..RunReport::default()
    };
    report.profiler_cpu_s =
        p.profiler_cpu_s + children.iter().map(|c| c.profiler_cpu_s).sum::<f64>();
    report.absorb_units(p.records);
    report.units_not_run = (report.units_total as u64).saturating_sub(p.records.len() as u64);
    report.finish_figures();
    let worker_wall: f64 = report.worker_stats.iter().map(|w| w.wall_s).sum();
    if worker_wall > 0.0 {
        report.wall_coverage = p.wall_profile.total() as f64 / 1e9 / worker_wall;
    }
    report.top_wall = crate::flame::wall::top_places(p.wall_profile, 5);
    report.phases = crate::profile::phases::phase_table(p.phases);
    report
}

/// The report of a run that never started: refused (bad input), failed before its first
/// unit, or interrupted while it was being prepared. It names the run and why it ended;
/// no unit ran, so it has no figures.
pub(super) fn unstarted(spec: &RunSpec, error: &SessionError) -> RunReport {
    let mut report = RunReport {
        workload: spec.workload.name().to_string(),
        mode: spec.mode,
        workers: spec.workers,
        gil: spec.gil,
        cores: available_cores(),
        options: serde_json::Value::Object(declared_options(spec)),
        ..RunReport::default()
    };
    match error {
        SessionError::Interrupted => report.interrupted = true,
        e if e.is_usage() => report.refused = Some(e.to_string()),
        e => report.failure = Some(e.to_string()),
    }
    report
}

/// Every declared option as the spec set it.
fn declared_options(spec: &RunSpec) -> serde_json::Map<String, serde_json::Value> {
    spec.workload
        .declaration()
        .map(|w| w.report_options(&spec.workload, spec.mode))
        .unwrap_or_default()
}

/// The report's `options`: every declared option as the spec set it, completed by what the
/// workload found when it ran.
fn report_options(spec: &RunSpec, workload: &dyn DynWorkload) -> serde_json::Value {
    let mut options = declared_options(spec);
    workload.describe(&mut options);
    // Async mode's tasks in flight: how many units wait at once (what predictions read).
    if spec.mode == crate::model::Mode::Async {
        let in_flight = spec.in_flight.unwrap_or(spec.workers).max(1);
        options.insert("in_flight".into(), in_flight.into());
    }
    serde_json::Value::Object(options)
}

/// Lanes of `processes` children that died before sending their report, as their last tick
/// showed them: their CPU and waits up to then still count.
fn lanes_without_report(remote: &RemoteState, reported: &[WorkerSnapshot]) -> Vec<WorkerSnapshot> {
    remote
        .lanes
        .lock()
        .values()
        .filter(|lane| !reported.iter().any(|r| r.name == lane.name))
        .cloned()
        .collect()
}
