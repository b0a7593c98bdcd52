//! `async`: a tokio runtime; each unit is a task, at most `in_flight` at once.

use super::{run_unit, ExecError, ExecSpec, Mode, RunEnv, UnitRecord};
use crate::measure::WorkerCtx;
use crate::workload::Workload;
use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;

thread_local! {
    static TASK_CTX: RefCell<Option<WorkerCtx>> = const { RefCell::new(None) };
}

pub(super) fn run(
    workload: &Arc<dyn Workload>,
    units: &[usize],
    spec: &ExecSpec,
    env: &RunEnv,
) -> Result<Vec<UnitRecord>, ExecError> {
    let runtime = build_runtime(spec.workers)?;
    // Register every runtime thread as a worker before any task runs.
    runtime.block_on(register_workers(spec.workers, env));
    let in_flight = spec.in_flight.unwrap_or(spec.workers).max(1);
    let records = runtime.block_on(run_tasks(workload, units, in_flight, env));
    env.registry.finish_all();
    drop(runtime);
    Ok(records)
}

fn build_runtime(workers: usize) -> Result<tokio::runtime::Runtime, ExecError> {
    let next = Arc::new(AtomicUsize::new(0));
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name_fn(move || super::lane_name(Mode::Async, next.fetch_add(1, Ordering::Relaxed)))
        .enable_all()
        .build()
        .map_err(|e| ExecError::Spawn(e.to_string()))
}

/// Gives every runtime thread its worker context (a task parks until all have one).
async fn register_workers(workers: usize, env: &RunEnv) {
    let barrier = Arc::new(std::sync::Barrier::new(workers));
    let registry = env.registry.clone();
    let counters = env.counters.clone();
    let gil = env.gil.clone();
    let mut handles = Vec::new();
    for _ in 0..workers {
        let (barrier, registry, counters, gil) = (
            barrier.clone(),
            registry.clone(),
            counters.clone(),
            gil.clone(),
        );
        handles.push(tokio::spawn(async move {
            let name = std::thread::current()
                .name()
                .unwrap_or("bs-tokio")
                .to_string();
            let meter = registry.register_current(&name);
            TASK_CTX.with(|slot| {
                *slot.borrow_mut() = Some(WorkerCtx::new(meter, counters, gil.as_ref()))
            });
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

async fn run_tasks(
    workload: &Arc<dyn Workload>,
    units: &[usize],
    in_flight: usize,
    env: &RunEnv,
) -> Vec<UnitRecord> {
    let limit = Arc::new(Semaphore::new(in_flight));
    let mut handles = Vec::with_capacity(units.len());
    for &unit in units {
        let Ok(permit) = limit.clone().acquire_owned().await else {
            break;
        };
        if env.cancelled() {
            break;
        }
        let workload = workload.clone();
        handles.push(tokio::spawn(async move {
            let record = TASK_CTX.with(|slot| {
                let mut slot = slot.borrow_mut();
                slot.as_mut()
                    .map(|ctx| run_unit(workload.as_ref(), unit, ctx))
            });
            drop(permit);
            record
        }));
    }
    let mut records = Vec::with_capacity(handles.len());
    for handle in handles {
        if let Ok(Some(record)) = handle.await {
            records.push(record);
        }
    }
    records
}
