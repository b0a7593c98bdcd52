//! The built-in workloads and the one trait every engine mode drives them through.

pub mod api;
pub mod csv;
pub mod data;
pub mod data_cache;
pub mod declared;
pub mod etl;
pub mod gen_progress;
pub mod json;
pub mod lines;
pub mod options;
pub mod options_clap;
pub mod spec;

pub use declared::{workload, workloads, WorkloadDecl};
pub use spec::WorkloadSpec;

use crate::measure::{RunCounters, WaitCategory, WorkerCtx};
use serde::{Deserialize, Serialize};
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

/// One input record that was not stored, with where it came from and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// File (or other source) the record came from.
    pub source: String,
    /// 1-based line number inside `source`.
    pub line: u64,
    /// Why the record was rejected, in words a user understands.
    pub reason: String,
}

/// What one unit of work produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitOutcome {
    /// Records processed successfully.
    pub items: u64,
    /// Input bytes consumed.
    pub bytes: u64,
    /// Records rejected, each with its line and reason.
    pub rejected: Vec<Rejection>,
    /// Deterministic digest of this unit's *result* (not of timing or order of execution).
    pub digest: u64,
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
}

/// A workload split into independent units (files, chunks, requests).
///
/// The engine decides *how* units run (sequentially, on threads, rayon, tokio, child
/// processes); the workload only says what one unit does. Units must be independent and
/// their outcomes deterministic, so that every mode produces the same checksum.
pub trait Workload: Send + Sync {
    /// The workload's command-line name (`json-parse`, ...).
    fn name(&self) -> &'static str;
    /// How many units of work there are.
    fn unit_count(&self) -> usize;
    /// A short label for one unit (a file name), used in errors.
    fn unit_label(&self, unit: usize) -> String;
    /// Does unit `unit`. Blocking waits must go through `ctx.wait(..)`; long CPU loops
    /// should call `ctx.checkpoint()` now and then (it lets a simulated GIL switch threads).
    fn run_unit(&self, unit: usize, ctx: &mut WorkerCtx) -> Result<UnitOutcome, WorkloadError>;
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
    /// After every unit ran: checks what the run stored (csv-import: stored + rejected ==
    /// input rows, table by table). `remote` holds the units' records when they ran in other
    /// processes (their outcomes say what was stored and rejected); `None` means this process
    /// ran them.
    fn verify(
        &self,
        _remote: Option<&[crate::exec::UnitRecord]>,
    ) -> Result<Option<csv::Verification>, WorkloadError> {
        Ok(None)
    }
    /// A plain sentence when part of the work's CPU time is spent outside boundscope's own
    /// processes and so is not in `cpu_s` (a database server's).
    fn external_cpu(&self) -> Option<String> {
        None
    }
    /// Workload-specific fields for the report (parser, output, ...).
    fn describe(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
}

/// Combines per-unit digests, in unit order, into the run's checksum (hex).
pub fn combine_digests(digests: impl IntoIterator<Item = (usize, u64)>) -> String {
    let mut sorted: Vec<(usize, u64)> = digests.into_iter().collect();
    sorted.sort_unstable();
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for (unit, digest) in sorted {
        hasher.update(&(unit as u64).to_le_bytes());
        hasher.update(&digest.to_le_bytes());
    }
    format!("{:016x}", hasher.digest())
}
