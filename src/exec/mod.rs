//! The engine: runs a workload's units under one concurrency mode.

#[cfg(test)]
mod engine_tests;
mod engines;
mod local;
mod pool;
mod tokio_mode;

pub use engines::EngineFrames;

use crate::measure::{Gil, MeterRegistry, RunCounters, WorkerCtx};
use crate::model::{Mode, UnitFailure, UnitRecord};
use crate::workload::DynWorkload;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Lane (worker thread) name for worker `index` of `mode`.
pub fn lane_name(mode: Mode, index: usize) -> String {
    format!("{}-{index}", mode.lane_prefix())
}

/// What the engine needs to know about the concurrency.
#[derive(Debug, Clone)]
pub struct ExecSpec {
    pub mode: Mode,
    pub workers: usize,
    /// Tasks in flight at once in `async` mode (defaults to `workers`).
    pub in_flight: Option<usize>,
    /// Run only units `u` with `u % of == index` (a child's shard in `processes` mode).
    pub shard: Option<(usize, usize)>,
    /// Name for the single worker of a `sequential` run (children use `bs-proc-<n>`).
    pub lane: Option<String>,
}

impl UnitFailure {
    /// The failure of unit `label`, said by `why`.
    pub fn new(label: &str, why: &dyn std::fmt::Display) -> UnitFailure {
        UnitFailure(format!("{label}: {why}"))
    }
}

/// Shared state of a run: meters, live counters, the optional GIL, cancellation.
pub struct RunEnv {
    pub registry: MeterRegistry,
    pub counters: Arc<RunCounters>,
    pub gil: Option<Gil>,
    pub cancel: Arc<AtomicBool>,
}

/// Unit records as they finish, for a reader that drains them while the run goes on: a
/// `processes` child sends them with each tick, so that if it is killed its parent still
/// knows which units it had finished. Off (and free) unless enabled.
#[derive(Default)]
pub struct UnitFeed(Mutex<Option<Vec<UnitRecord>>>);

impl UnitFeed {
    pub fn enabled() -> UnitFeed {
        UnitFeed(Mutex::new(Some(Vec::new())))
    }

    fn push(&self, record: &UnitRecord) {
        if let Some(pending) = self.0.lock().as_mut() {
            pending.push(record.clone());
        }
    }

    /// The records finished since the last drain.
    pub fn drain(&self) -> Vec<UnitRecord> {
        self.0
            .lock()
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }
}

impl RunEnv {
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    fn worker_ctx(&self, name: &str) -> WorkerCtx {
        let meter = self.registry.register_current(name);
        WorkerCtx::new(meter, self.counters.clone(), self.gil.as_ref())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("--workers must be at least 1 (got {0})")]
    NoWorkers(usize),
    #[error("could not start worker threads: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("could not start worker threads: {0}")]
    Pool(#[source] rayon::ThreadPoolBuildError),
    /// A thread of the engine itself died (units' panics are caught and recorded instead).
    #[error("{0} panicked")]
    Panicked(&'static str),
    /// A mode whose work runs in other processes: the session's executor runs it.
    #[error("{0} mode does not run in this process's engine")]
    OutOfProcess(Mode),
}

/// Runs the workload's units (this process's shard of them) under `spec.mode`.
///
/// Returns one record per unit that ran; units skipped because of cancellation are absent.
pub fn execute(
    workload: &Arc<dyn DynWorkload>,
    spec: &ExecSpec,
    env: &RunEnv,
) -> Result<Vec<UnitRecord>, ExecError> {
    execute_streaming(workload, spec, env, &UnitFeed::default())
}

/// [`execute`], passing each finished unit's record to `feed` as it finishes (in the modes
/// with plain worker threads: `sequential`, which a `processes` child runs, and `threads`).
pub fn execute_streaming(
    workload: &Arc<dyn DynWorkload>,
    spec: &ExecSpec,
    env: &RunEnv,
    feed: &UnitFeed,
) -> Result<Vec<UnitRecord>, ExecError> {
    if spec.workers == 0 {
        return Err(ExecError::NoWorkers(0));
    }
    let units = shard_units(workload.unit_count(), spec.shard);
    let mut records = match spec.mode {
        Mode::Sequential => local::sequential(workload, &units, spec, (env, feed))?,
        Mode::Threads => local::threads(workload, &units, spec, (env, feed))?,
        Mode::Rayon => pool::rayon(workload, &units, spec, env)?,
        Mode::Async => tokio_mode::run(workload, &units, spec, env)?,
        mode @ (Mode::Processes | Mode::Exec) => return Err(ExecError::OutOfProcess(mode)),
    };
    records.sort_by_key(|r| r.unit);
    Ok(records)
}

/// The units of shard `(index, of)`: every `of`-th from `index` (all units without a shard).
pub fn shard_units(count: usize, shard: Option<(usize, usize)>) -> Vec<usize> {
    match shard {
        Some((index, of)) if of > 0 => (0..count).filter(|u| u % of == index).collect(),
        _ => (0..count).collect(),
    }
}

/// Runs one unit inside a worker, with unit accounting around it.
///
/// A unit that panics is a failed unit with the panic's message: it is reported, not lost,
/// and the other units go on.
fn run_unit(workload: &dyn DynWorkload, unit: usize, ctx: &mut WorkerCtx) -> UnitRecord {
    let start_s = ctx.run_elapsed_s();
    ctx.begin_unit();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        workload.run_unit(unit, &mut *ctx)
    }));
    let outcome = match caught {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(panic) => Err(panic_text(panic.as_ref())),
    };
    ctx.end_unit(outcome.is_err());
    let label = workload.unit_label(unit);
    UnitRecord {
        unit,
        outcome: outcome.map_err(|e| UnitFailure::new(&label, &e)),
        label,
        worker: ctx.worker_name().to_string(),
        start_s,
        end_s: ctx.run_elapsed_s(),
    }
}

/// "the unit panicked: MESSAGE", from a caught panic's payload.
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string());
    format!("the unit panicked (a bug in the workload): {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_unit_once() {
        let mut all: Vec<usize> = (0..3).flat_map(|i| shard_units(10, Some((i, 3)))).collect();
        all.sort();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert_eq!(shard_units(4, None), vec![0, 1, 2, 3]);
    }

    #[test]
    fn lane_names_fit_in_a_thread_name() {
        for mode in Mode::ALL {
            assert!(lane_name(mode, 99).len() <= 15, "{mode}");
            assert_eq!(Mode::parse(mode.as_str()), Some(mode));
        }
    }

    #[test]
    fn a_failed_spawn_keeps_its_cause_and_a_panic_is_not_a_spawn_error() {
        let spawn = ExecError::Spawn(std::io::Error::other("no threads left"));
        assert_eq!(
            spawn.to_string(),
            "could not start worker threads: no threads left"
        );
        let source = std::error::Error::source(&spawn).expect("the io error is kept");
        assert_eq!(source.to_string(), "no threads left");
        let panicked = ExecError::Panicked("a worker thread");
        assert_eq!(panicked.to_string(), "a worker thread panicked");
        assert!(!matches!(panicked, ExecError::Spawn(_)));
    }

    #[test]
    fn a_unit_failure_is_a_plain_string_on_the_wire() {
        let record = UnitRecord {
            unit: 2,
            label: "b.json".into(),
            outcome: Err(UnitFailure::new("b.json", &"cannot read it")),
            worker: "bs-threads-0".into(),
            start_s: 0.0,
            end_s: 1.0,
        };
        let json = serde_json::to_value(&record).expect("serialise");
        assert_eq!(json["outcome"]["Err"], "b.json: cannot read it");
        let back: UnitRecord = serde_json::from_value(json).expect("read back");
        assert_eq!(back, record);
    }
}
