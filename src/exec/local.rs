//! `sequential` and `threads`: plain named OS threads.

use super::{run_unit, ExecError, ExecSpec, RunEnv, UnitFeed};
use crate::model::{Mode, UnitRecord};
use crate::workload::DynWorkload;
use std::sync::Arc;

/// Pulls units from `next` until it runs dry or the run is cancelled.
fn worker_loop(
    workload: &dyn DynWorkload,
    (env, feed): (&RunEnv, &UnitFeed),
    name: &str,
    mut next: impl FnMut() -> Option<usize>,
) -> Vec<UnitRecord> {
    let mut ctx = env.worker_ctx(name);
    let mut records = Vec::new();
    while !env.cancelled() {
        let Some(unit) = next() else { break };
        let record = run_unit(workload, unit, &mut ctx);
        feed.push(&record);
        records.push(record);
    }
    ctx.finish();
    records
}

pub(super) fn sequential(
    workload: &Arc<dyn DynWorkload>,
    units: &[usize],
    spec: &ExecSpec,
    (env, feed): (&RunEnv, &UnitFeed),
) -> Result<Vec<UnitRecord>, ExecError> {
    let name = spec
        .lane
        .clone()
        .unwrap_or_else(|| super::lane_name(Mode::Sequential, 0));
    let mut queue = units.iter().copied();
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name(name.clone())
            .spawn_scoped(scope, || {
                worker_loop(workload.as_ref(), (env, feed), &name, || queue.next())
            })
            .map_err(ExecError::Spawn)?;
        handle
            .join()
            .map_err(|_| ExecError::Panicked("the worker thread"))
    })
}

pub(super) fn threads(
    workload: &Arc<dyn DynWorkload>,
    units: &[usize],
    spec: &ExecSpec,
    (env, feed): (&RunEnv, &UnitFeed),
) -> Result<Vec<UnitRecord>, ExecError> {
    let (tx, rx) = crossbeam_channel::unbounded();
    for unit in units {
        // The receiver is alive until the end of this function, so sending cannot fail.
        let _ = tx.send(*unit);
    }
    drop(tx);
    std::thread::scope(|scope| {
        let mut handles = Vec::with_capacity(spec.workers);
        for index in 0..spec.workers {
            let name = super::lane_name(Mode::Threads, index);
            let rx = rx.clone();
            let handle = std::thread::Builder::new()
                .name(name.clone())
                .spawn_scoped(scope, move || {
                    worker_loop(workload.as_ref(), (env, feed), &name, || rx.recv().ok())
                })
                .map_err(ExecError::Spawn)?;
            handles.push(handle);
        }
        let mut records = Vec::new();
        for handle in handles {
            let part = handle
                .join()
                .map_err(|_| ExecError::Panicked("a worker thread"))?;
            records.extend(part);
        }
        Ok(records)
    })
}
