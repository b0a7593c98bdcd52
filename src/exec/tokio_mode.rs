//! `async`: a tokio runtime; each unit is a task, at most `in_flight` at once.
//!
//! Workloads with a non-blocking version (`run_unit_async`) run as real futures: runtime
//! threads park while requests are in flight, and that parked time is their `net` (or `db`)
//! wait. Workloads that ask for it (`async_blocking_pool`: a database with no async driver)
//! run `run_unit` in the runtime's blocking pool, as asyncio's `run_in_executor` does; those
//! pool threads are then the lanes (`bs-blocking-<n>`), and the runtime threads, which only
//! hand units over, are not. Other workloads run `run_unit` on a runtime thread, blocking it,
//! as CPU work blocks an asyncio event loop. With `--gil`, a runtime thread holds the lock
//! only while it polls a task; a blocking-pool thread holds it like a plain thread does.

use super::{run_unit, ExecError, ExecSpec, RunEnv};
use crate::measure::{
    set_thread_task_waits, Gil, MeterRegistry, RunCounters, TaskWaits, WorkerCtx,
};
use crate::model::WaitCategory;
use crate::model::{Mode, UnitFailure, UnitRecord};
use crate::workload::{AsyncCtx, DynWorkload, UnitFuture};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::Semaphore;

thread_local! {
    static TASK_CTX: RefCell<Option<WorkerCtx>> = const { RefCell::new(None) };
}

pub(super) fn run(
    workload: &Arc<dyn DynWorkload>,
    units: &[usize],
    spec: &ExecSpec,
    env: &RunEnv,
) -> Result<Vec<UnitRecord>, ExecError> {
    let in_flight_now = Arc::new(AtomicUsize::new(0));
    let limit = spec.in_flight.unwrap_or(spec.workers).max(1);
    let in_pool = workload.async_blocking_pool();
    let task_waits = Arc::new(TaskWaits::default());
    let runtime = build_runtime(
        spec.workers,
        limit,
        workload.async_wait(),
        in_flight_now.clone(),
        (task_waits, env.registry.walks_stacks()),
    )?;
    // Register every runtime thread as a worker before any task runs, unless the units run
    // in the blocking pool: then the runtime threads only hand them over, and the pool's
    // threads (registered as they take their first unit) are the lanes.
    if !in_pool {
        runtime.block_on(register_workers(spec.workers, env));
    }
    let tasks = Tasks {
        workload,
        env,
        limit,
        in_flight_now,
        in_pool,
        pool_lanes: Arc::default(),
    };
    let records = runtime.block_on(tasks.run(units));
    env.registry.finish_all();
    drop(runtime);
    Ok(records)
}

fn build_runtime(
    workers: usize,
    blocking_threads: usize,
    waits_on: WaitCategory,
    in_flight: Arc<AtomicUsize>,
    (task_waits, walk_stacks): (Arc<TaskWaits>, bool),
) -> Result<tokio::runtime::Runtime, ExecError> {
    let next = Arc::new(AtomicUsize::new(0));
    // Without stack walks, tasks are not entered where they wait: a parked thread's time
    // then stays under the thread.
    let for_tasks = walk_stacks.then(|| task_waits.clone());
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        // The blocking pool never needs more threads than units in flight.
        .max_blocking_threads(blocking_threads)
        .thread_name_fn(move || super::lane_name(Mode::Async, next.fetch_add(1, Ordering::Relaxed)))
        .on_thread_park(move || {
            let category = match in_flight.load(Ordering::Relaxed) {
                0 => WaitCategory::Queue,
                _ => waits_on,
            };
            with_ctx(|ctx| ctx.park(category, &task_waits));
        })
        .on_thread_start(move || set_thread_task_waits(for_tasks.clone()))
        .on_thread_unpark(|| with_ctx(WorkerCtx::unpark))
        .enable_all()
        .build()
        .map_err(ExecError::Spawn)
}

/// Lane name prefix of the blocking pool's threads.
pub const BLOCKING_LANE: &str = "bs-blocking";

/// Runs `f` on this thread's worker context, if it has one and it is not in use.
fn with_ctx(f: impl FnOnce(&mut WorkerCtx)) {
    TASK_CTX.with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            if let Some(ctx) = slot.as_mut() {
                f(ctx);
            }
        }
    });
}

/// Gives every runtime thread its worker context (a task parks until all have one).
async fn register_workers(workers: usize, env: &RunEnv) {
    let barrier = Arc::new(std::sync::Barrier::new(workers));
    let mut handles = Vec::new();
    for _ in 0..workers {
        let barrier = barrier.clone();
        let registry = env.registry.clone();
        let counters = env.counters.clone();
        let gil = env.gil.clone();
        handles.push(tokio::spawn(async move {
            let name = std::thread::current()
                .name()
                .unwrap_or("bs-tokio")
                .to_string();
            let meter = registry.register_current(&name);
            let ctx = WorkerCtx::new(meter, counters, gil.as_ref());
            TASK_CTX.with(|slot| *slot.borrow_mut() = Some(ctx));
            // Holding every runtime thread at once guarantees each registers exactly once.
            barrier.wait();
        }));
    }
    for handle in handles {
        // A task that failed to register leaves its thread without a context; units that
        // land there are then skipped and show up as missing in the report.
        let _ = handle.await;
    }
}

struct Tasks<'a> {
    workload: &'a Arc<dyn DynWorkload>,
    env: &'a RunEnv,
    limit: usize,
    in_flight_now: Arc<AtomicUsize>,
    /// Units without a future run in the blocking pool (else on a runtime thread).
    in_pool: bool,
    /// How many blocking-pool threads have become lanes.
    pool_lanes: Arc<AtomicUsize>,
}

impl Tasks<'_> {
    async fn run(&self, units: &[usize]) -> Vec<UnitRecord> {
        let permits = Arc::new(Semaphore::new(self.limit));
        let mut handles = Vec::with_capacity(units.len());
        for &unit in units {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                break;
            };
            if self.env.cancelled() {
                break;
            }
            let in_flight = InFlight::enter(&self.in_flight_now);
            let task = self.unit_task(unit);
            let handle = tokio::spawn(async move {
                let record = task.await;
                drop((in_flight, permit));
                record
            });
            handles.push((unit, handle));
        }
        let mut records = Vec::with_capacity(handles.len());
        for (unit, handle) in handles {
            match handle.await {
                Ok(Some(record)) => records.push(record),
                Ok(None) => {}
                Err(join) => records.push(self.failed(unit, join)),
            }
        }
        records
    }

    /// The record of a unit whose task panicked (or was cancelled): failed, not lost.
    fn failed(&self, unit: usize, join: tokio::task::JoinError) -> UnitRecord {
        failed_record(self.workload.as_ref(), &self.env.counters, unit, join)
    }

    /// The unit as a task: the workload's future, or its blocking `run_unit` (in the
    /// blocking pool, or on this runtime thread).
    fn unit_task(&self, unit: usize) -> Pin<Box<dyn Future<Output = Option<UnitRecord>> + Send>> {
        let workload = self.workload.clone();
        let ctx = AsyncCtx::new(self.env.counters.clone());
        if let Some(future) = workload.clone().run_unit_async(unit, ctx) {
            return Box::pin(self.future_task(unit, future));
        }
        if self.in_pool {
            let pool = PoolLanes::new(self.env, &self.pool_lanes);
            let counters = self.env.counters.clone();
            return Box::pin(async move {
                let runner = workload.clone();
                let joined = tokio::task::spawn_blocking(move || pool.run(runner.as_ref(), unit));
                Some(match joined.await {
                    Ok(record) => record,
                    Err(join) => failed_record(workload.as_ref(), &counters, unit, join),
                })
            });
        }
        Box::pin(async move {
            TASK_CTX.with(|slot| {
                let mut slot = slot.borrow_mut();
                slot.as_mut()
                    .map(|ctx| run_unit(workload.as_ref(), unit, ctx))
            })
        })
    }

    /// A unit's future, polled with the GIL held and recorded when it ends.
    fn future_task(
        &self,
        unit: usize,
        future: UnitFuture,
    ) -> impl Future<Output = Option<UnitRecord>> + Send + 'static {
        let workload = self.workload.clone();
        let epoch = self.env.registry.epoch();
        async move {
            let start_s = epoch.elapsed().as_secs_f64();
            let outcome = HoldGilWhilePolled(future).await;
            self_count_unit(outcome.is_err());
            let label = workload.unit_label(unit);
            Some(UnitRecord {
                unit,
                outcome: outcome.map_err(|e| UnitFailure::new(&label, &e)),
                label,
                // A future moves between runtime threads: no single lane ran it.
                worker: "bs-tokio".to_string(),
                start_s,
                end_s: epoch.elapsed().as_secs_f64(),
            })
        }
    }
}

/// The record of a unit whose task panicked (or was cancelled): failed, not lost.
fn failed_record(
    workload: &dyn DynWorkload,
    counters: &RunCounters,
    unit: usize,
    join: tokio::task::JoinError,
) -> UnitRecord {
    let label = workload.unit_label(unit);
    let why = match join.try_into_panic() {
        Ok(panic) => super::panic_text(panic.as_ref()),
        Err(_) => "the unit's task was cancelled".to_string(),
    };
    counters.units_done.fetch_add(1, Ordering::Relaxed);
    counters.errors.fetch_add(1, Ordering::Relaxed);
    UnitRecord {
        unit,
        outcome: Err(UnitFailure::new(&label, &why)),
        label,
        worker: "bs-tokio".to_string(),
        start_s: 0.0,
        end_s: 0.0,
    }
}

/// What a blocking-pool thread needs to become a lane the first time it runs a unit.
struct PoolLanes {
    registry: MeterRegistry,
    counters: Arc<RunCounters>,
    gil: Option<Gil>,
    next_lane: Arc<AtomicUsize>,
}

impl PoolLanes {
    fn new(env: &RunEnv, next_lane: &Arc<AtomicUsize>) -> PoolLanes {
        PoolLanes {
            registry: env.registry.clone(),
            counters: env.counters.clone(),
            gil: env.gil.clone(),
            next_lane: next_lane.clone(),
        }
    }

    /// Runs `unit` on this pool thread, registering the thread as a lane on its first unit
    /// (the pool starts threads on demand, so they cannot be registered up front).
    fn run(self, workload: &dyn DynWorkload, unit: usize) -> UnitRecord {
        TASK_CTX.with(|slot| {
            let mut slot = slot.borrow_mut();
            let ctx = slot.get_or_insert_with(|| {
                // The pool's threads carry the runtime's thread names, handed out in start
                // order whatever each thread ends up doing; a lane gets a name of its own.
                let name = format!(
                    "{BLOCKING_LANE}-{}",
                    self.next_lane.fetch_add(1, Ordering::Relaxed)
                );
                set_current_thread_name(&name);
                let meter = self.registry.register_current(&name);
                WorkerCtx::new(meter, self.counters, self.gil.as_ref())
            });
            run_unit(workload, unit, ctx)
        })
    }
}

/// Renames the calling thread (as `ps`, `top` and the profiler show it).
fn set_current_thread_name(name: &str) {
    let Ok(name) = std::ffi::CString::new(name) else {
        return;
    };
    // SAFETY: PR_SET_NAME reads a NUL-terminated string of at most 16 bytes (longer names
    // are cut); `name` outlives the call.
    unsafe { libc::prctl(libc::PR_SET_NAME, name.as_ptr()) };
}

/// Counts a task as in flight until it is dropped, even when it panics.
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn enter(count: &Arc<AtomicUsize>) -> InFlight {
        count.fetch_add(1, Ordering::Relaxed);
        InFlight(count.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Counts a finished async unit on the run's counters (the sync path does it in `run_unit`).
fn self_count_unit(failed: bool) {
    with_ctx(|ctx| ctx.count_unit(failed));
}

/// Polls a unit future with the simulated GIL held (when there is one), releasing it
/// between polls: the event loop holds the GIL while it runs Python code, not while it
/// waits in `select`.
struct HoldGilWhilePolled(UnitFuture);

impl Future for HoldGilWhilePolled {
    type Output = <UnitFuture as Future>::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        with_ctx(WorkerCtx::acquire_gil);
        let result = self.0.as_mut().poll(cx);
        with_ctx(WorkerCtx::release_gil);
        result
    }
}
