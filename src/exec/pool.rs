//! `rayon`: a work-stealing pool of named threads, one task per unit.

use super::{run_unit, ExecError, ExecSpec, RunEnv};
use crate::measure::WorkerCtx;
use crate::model::{Mode, UnitRecord};
use crate::workload::DynWorkload;
use rayon::prelude::*;
use std::cell::RefCell;
use std::sync::Arc;

thread_local! {
    static POOL_CTX: RefCell<Option<WorkerCtx>> = const { RefCell::new(None) };
}

pub(super) fn rayon(
    workload: &Arc<dyn DynWorkload>,
    units: &[usize],
    spec: &ExecSpec,
    env: &RunEnv,
) -> Result<Vec<UnitRecord>, ExecError> {
    let pool = build_pool(spec.workers)?;
    // Each pool thread registers its own meter, so its CPU clock is the right one.
    pool.broadcast(|b| {
        let name = super::lane_name(Mode::Rayon, b.index());
        let ctx = env.worker_ctx(&name);
        POOL_CTX.with(|slot| *slot.borrow_mut() = Some(ctx));
    });
    let records: Vec<UnitRecord> = pool.install(|| {
        units
            .par_iter()
            .with_max_len(1)
            .filter(|_| !env.cancelled())
            .filter_map(|&unit| {
                POOL_CTX.with(|slot| {
                    let mut slot = slot.borrow_mut();
                    let ctx = slot.as_mut()?;
                    Some(run_unit(workload.as_ref(), unit, ctx))
                })
            })
            .collect()
    });
    pool.broadcast(|_| {
        POOL_CTX.with(|slot| {
            if let Some(mut ctx) = slot.borrow_mut().take() {
                ctx.finish();
            }
        })
    });
    Ok(records)
}

fn build_pool(workers: usize) -> Result<rayon::ThreadPool, ExecError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(|i| super::lane_name(Mode::Rayon, i))
        .build()
        .map_err(ExecError::Pool)
}
