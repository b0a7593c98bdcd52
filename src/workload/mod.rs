//! The built-in workloads and the traits the engine modes drive them through: a workload
//! implements [`Workload`] (its per-worker state typed); the engines hold it as a
//! [`DynWorkload`].

pub mod api;
pub mod csv;
pub mod data;
pub mod declare;
pub mod etl;
pub mod json;
pub mod program;
pub mod result;
#[cfg(test)]
pub(crate) mod testing;

pub use declare::spec::WorkloadSpec;
pub use declare::table::{
    program, workload, workloads, workloads_and_program, ForeignOption, WorkloadDecl,
};
pub use result::{RunEnd, StageRun, WorkloadResult};

/// The report's `options`: key → value.
pub type ReportOptions = serde_json::Map<String, serde_json::Value>;

use crate::measure::{RunCounters, WorkerCtx};

use crate::model::{UnitOutcome, WaitCategory};

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

/// One unit of work as a future (`async` mode).
pub type UnitFuture = Pin<Box<dyn Future<Output = Result<UnitOutcome, WorkloadError>> + Send>>;

/// What an async unit may report while it runs (its waits are accounted by the runtime).
#[derive(Clone)]
pub struct AsyncCtx {
    counters: Arc<RunCounters>,
}

impl AsyncCtx {
    pub fn new(counters: Arc<RunCounters>) -> AsyncCtx {
        AsyncCtx { counters }
    }

    /// Reports progress so live views move before the unit ends.
    pub fn progress(&self, items: u64, bytes: u64) {
        self.counters.items.fetch_add(items, Relaxed);
        self.counters.bytes.fetch_add(bytes, Relaxed);
    }

    /// Counts records rejected so far (live view only).
    pub fn rejected(&self, count: u64) {
        self.counters.rejected.fetch_add(count, Relaxed);
    }
}

/// A failure that stops a unit (not a rejected record: those are part of `UnitOutcome`).
#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    #[error("{0}")]
    Input(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// A failure with its cause kept, said in context (`GET URL: CAUSE`).
    #[error("{context}: {source}")]
    Caused {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("{0}")]
    Other(String),
}

impl WorkloadError {
    pub fn caused(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        WorkloadError::Caused {
            context: context.into(),
            source: source.into(),
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        WorkloadError::Io {
            context: context.into(),
            source,
        }
    }

    /// A file at `path` that could not be written (see `outfile`).
    pub fn output(path: &std::path::Path, source: crate::outfile::OutfileError) -> Self {
        Self::io(path.display().to_string(), source.into())
    }
}

/// A workload split into independent units (files, chunks, requests), as it is written.
///
/// The engine decides *how* units run (sequentially, on threads, rayon, tokio, child
/// processes); the workload only says what one unit does. Units must be independent and
/// their outcomes deterministic, so that every mode produces the same checksum. The engine
/// drives it as a [`DynWorkload`] (every `Workload` is one), which keeps each worker's
/// [`Local`](Workload::Local) state from unit to unit.
pub trait Workload: Send + Sync + 'static {
    /// What one worker keeps from unit to unit (a database connection, an HTTP agent):
    /// `Default` is a worker's state before its first unit (an empty `Option`, say).
    type Local: Default + 'static;
    /// The workload's command-line name (`json-parse`, ...).
    fn name(&self) -> &'static str;
    /// How many units of work there are.
    fn unit_count(&self) -> usize;
    /// A short label for one unit (a file name), used in errors.
    fn unit_label(&self, unit: usize) -> String;
    /// Does unit `unit` with this worker's own state `local`. Blocking waits must go through
    /// `ctx.wait(..)`; long CPU loops should call `ctx.checkpoint()` now and then (it lets a
    /// simulated GIL switch threads).
    fn run_unit(
        &self,
        unit: usize,
        ctx: &mut WorkerCtx,
        local: &mut Self::Local,
    ) -> Result<UnitOutcome, WorkloadError>;
    /// `async` mode: unit `unit` as a future, for workloads with a non-blocking version
    /// (HTTP with an async client). `None`, the default, runs `run_unit` on a runtime
    /// thread instead, blocking it — as CPU work blocks an asyncio event loop.
    fn run_unit_async(self: Arc<Self>, _unit: usize, _ctx: AsyncCtx) -> Option<UnitFuture> {
        None
    }
    /// `async` mode: run the units `run_unit_async` does not take in the runtime's blocking
    /// pool (`spawn_blocking`, as asyncio's `run_in_executor`) instead of on a runtime thread.
    /// For blocking I/O with no async version (a database without an async driver); CPU
    /// work stays on the runtime threads by default, to show how it blocks an event loop.
    /// When true, the pool threads are the run's lanes and the runtime threads are not, so
    /// answer true only when `run_unit_async` takes no unit.
    fn async_blocking_pool(&self) -> bool {
        false
    }
    /// What async units wait on while a runtime thread is parked with units in flight.
    fn async_wait(&self) -> WaitCategory {
        WaitCategory::Net
    }
    /// Called once before any unit runs, in the process that runs units (optional).
    fn prepare(&self) -> Result<(), WorkloadError> {
        Ok(())
    }
    /// The spec `processes` children should build instead of the parent's, when they must
    /// share something the parent set up (the API server it started).
    fn spec_for_children(&self) -> Option<WorkloadSpec> {
        None
    }
    /// After every unit ran: what the workload found out beyond its units' outcomes (what
    /// it stored, checked; its stages as they ran), typed; the report carries each part
    /// under its own field.
    fn result(&self, _end: RunEnd<'_>) -> WorkloadResult {
        WorkloadResult::default()
    }
    /// Completes the report's `options`, which arrive as the declarations give them (see
    /// [`WorkloadDecl::report_options`]), with what the run found: resolved paths, tables,
    /// the server it started; a value the workload resolved (a database file, an `auto`
    /// writer) replaces the declared one, and an option that did not apply is removed.
    fn describe(&self, _options: &mut ReportOptions) {}
}

/// A workload as the engines hold it (`Arc<dyn DynWorkload>`), implemented for every
/// [`Workload`] (in `declare/erased.rs`). Each method is its `Workload` namesake, except `run_unit`,
/// which finds the worker's own state itself.
pub trait DynWorkload: Send + Sync {
    fn name(&self) -> &'static str;
    fn unit_count(&self) -> usize;
    fn unit_label(&self, unit: usize) -> String;
    /// Does unit `unit` with this worker's state, kept in `ctx` from its previous unit (a
    /// fresh `Default` state on a worker's first unit).
    fn run_unit(&self, unit: usize, ctx: &mut WorkerCtx) -> Result<UnitOutcome, WorkloadError>;
    fn run_unit_async(self: Arc<Self>, unit: usize, ctx: AsyncCtx) -> Option<UnitFuture>;
    fn async_blocking_pool(&self) -> bool;
    fn async_wait(&self) -> WaitCategory;
    fn prepare(&self) -> Result<(), WorkloadError>;
    fn spec_for_children(&self) -> Option<WorkloadSpec>;
    fn result(&self, end: RunEnd<'_>) -> WorkloadResult;
    fn describe(&self, options: &mut ReportOptions);
}
