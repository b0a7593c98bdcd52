//! Everything known about a finished (or stopped) run: the report `run` writes as JSON and
//! every reader takes in, with the unit-derived totals it computes itself.

use super::pg_activity::PgActivity;
use super::timeline::Timeline;
use super::verification::Verification;
use super::{
    combine_digests, FunctionCost, Mode, PhaseTime, Prediction, Rejection, UnitRecord, VerdictKind,
    WaitCategory, WallPlace, WorkerSnapshot,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many rejections a report lists in full (all are counted).
pub const MAX_LISTED_REJECTIONS: usize = 1000;

/// One unit's result, as the report lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitSummary {
    pub unit: usize,
    pub label: String,
    pub items: u64,
    pub bytes: u64,
    pub rejected: u64,
    pub digest: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Which worker ran it, and when (seconds since the run began).
    #[serde(default)]
    pub worker: String,
    #[serde(default)]
    pub start_s: f64,
    #[serde(default)]
    pub end_s: f64,
}

/// Everything known about a finished (or stopped) run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub workload: String,
    pub mode: Mode,
    pub workers: usize,
    pub gil: bool,
    pub items: u64,
    /// Units of work in the run (files, chunks, requests); `units` lists those that ran.
    pub units_total: usize,
    /// Units that never ran (an interrupted run stops handing them out): their records are
    /// neither stored nor rejected.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub units_not_run: u64,
    pub errors: u64,
    pub rejected: u64,
    pub bytes: u64,
    pub wall_s: f64,
    /// Time before the work started that is not in `wall_s`: starting and readying the
    /// child processes of `processes` mode (0 for the other modes).
    pub startup_s: f64,
    pub cpu_s: f64,
    pub busy_cores: f64,
    pub items_per_s: f64,
    pub mb_per_s: f64,
    pub profiled: bool,
    pub samples: u64,
    pub sample_hz: u32,
    pub sample_hz_effective: f64,
    /// samples / (CPU seconds × requested Hz): how many of the asked-for samples arrived.
    pub capture_ratio: f64,
    /// Share of the workers' wall time that CPU samples can explain (the rest was waiting).
    pub cpu_sample_coverage: f64,
    /// The wall-clock profile's total ÷ the workers' summed wall time (1.0: every
    /// nanosecond of every worker has a place in the profile).
    #[serde(default)]
    pub wall_coverage: f64,
    /// CPU time of boundscope's own profiling (ticks, symbolization), not in any worker.
    #[serde(default)]
    pub profiler_cpu_s: f64,
    /// Where the workers' wall time went: the largest (kind of time, place in the code) parts
    /// of the wall-clock profile.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub top_wall: Vec<WallPlace>,
    /// The workers' wall time by phase of the job and cause, largest phases first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<PhaseTime>,
    pub checksum: String,
    /// Seconds, summed over workers, by wait category.
    pub waits: BTreeMap<WaitCategory, f64>,
    /// The reading of the run (`""` in the JSON before it was read).
    #[serde(with = "super::verdict::optional_word")]
    pub verdict: Option<VerdictKind>,
    pub verdict_detail: String,
    /// What other modes and worker counts would give, predicted from this run's ledger.
    #[serde(default)]
    pub predictions: Vec<Prediction>,
    pub cores: usize,
    pub interrupted: bool,
    pub options: serde_json::Value,
    pub worker_stats: Vec<WorkerSnapshot>,
    pub top_functions: Vec<FunctionCost>,
    pub units: Vec<UnitSummary>,
    pub rejections: Vec<Rejection>,
    pub failures: Vec<String>,
    /// What the workload found out beyond its units (etl-pipeline's stage `timeline`,
    /// csv-import's `verification`), each a top-level field of its own in the JSON.
    #[serde(flatten)]
    pub findings: WorkloadFindings,
    /// PostgreSQL runs: what the run's connections did, sampled from `pg_stat_activity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pg_activity: Option<PgActivity>,
    /// Set when CPU time spent for this run outside boundscope's own processes (a database
    /// server's) is not in `cpu_s`, saying so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_not_counted: Option<String>,
    /// What failed after the work ran (the stored rows could not be verified, the profile
    /// could not be read): the run exits with an error, but its report is still written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// Why the run was refused before it started (bad input: exit code 2); such a report
    /// has no units and no figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// `exec` runs: how the program ended (an exit code or a signal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program_exit: Option<super::ProgramExit>,
    /// What went otherwise than asked but did not stop the run (the CPU profiler could not
    /// start, so the run has no CPU samples).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl RunReport {
    /// The verdict's word (`cpu-bound`), empty before the run was read.
    pub fn verdict_word(&self) -> &'static str {
        self.verdict.map_or("", VerdictKind::as_str)
    }

    /// Fills the unit-derived totals (items, bytes, rejected, errors, checksum, lists).
    pub fn absorb_units(&mut self, records: &[UnitRecord]) {
        for record in records {
            let mut summary = UnitSummary {
                unit: record.unit,
                label: record.label.clone(),
                items: 0,
                bytes: 0,
                rejected: 0,
                digest: 0,
                error: None,
                worker: record.worker.clone(),
                start_s: record.start_s,
                end_s: record.end_s,
            };
            match &record.outcome {
                Ok(outcome) => {
                    summary.items = outcome.items;
                    summary.bytes = outcome.bytes;
                    summary.rejected = outcome.rejected.len() as u64;
                    summary.digest = outcome.digest;
                    let room = MAX_LISTED_REJECTIONS.saturating_sub(self.rejections.len());
                    self.rejections
                        .extend(outcome.rejected.iter().take(room).cloned());
                }
                Err(failure) => {
                    summary.error = Some(failure.to_string());
                    self.failures.push(failure.to_string());
                }
            }
            self.units.push(summary);
        }
        self.recount();
    }

    /// Adds rejections listed by another report (a child's), keeping the cap.
    pub fn absorb_rejections(&mut self, more: &[Rejection]) {
        let room = MAX_LISTED_REJECTIONS.saturating_sub(self.rejections.len());
        self.rejections.extend(more.iter().take(room).cloned());
    }

    fn recount(&mut self) {
        self.units.sort_by_key(|u| u.unit);
        self.items = self.units.iter().map(|u| u.items).sum();
        self.bytes = self.units.iter().map(|u| u.bytes).sum();
        self.rejected = self.units.iter().map(|u| u.rejected).sum();
        self.errors = self.units.iter().filter(|u| u.error.is_some()).count() as u64;
        self.checksum = combine_digests(
            self.units
                .iter()
                .filter(|u| u.error.is_none())
                .map(|u| (u.unit, u.digest)),
        );
    }
}

/// Flattened into [`RunReport`]: the fields keep the names and places they had as the
/// report's own (`timeline`, `verification`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkloadFindings {
    /// Stage timeline of DAG workloads (`etl-pipeline`): critical path and speedups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
    /// Import workloads (`csv-import`): every input row stored or rejected, table by table
    /// (checked after the run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
}
