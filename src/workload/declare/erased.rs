//! The engine's view of a workload, [`DynWorkload`], for every [`Workload`]: each worker's
//! typed state is kept between units in the worker's context, and the one place that state
//! changes type is here, for one workload type at a time.

use crate::measure::WorkerCtx;
use crate::model::WaitCategory;
use crate::workload::{
    AsyncCtx, DynWorkload, RunEnd, UnitFuture, UnitOutcome, Workload, WorkloadError,
    WorkloadResult, WorkloadSpec,
};
use std::sync::Arc;

impl<W: Workload> DynWorkload for W {
    fn name(&self) -> &'static str {
        Workload::name(self)
    }

    fn unit_count(&self) -> usize {
        Workload::unit_count(self)
    }

    fn unit_label(&self, unit: usize) -> String {
        Workload::unit_label(self, unit)
    }

    /// A worker's context only ever runs one workload, so the state it holds is this
    /// workload's `Local`; were it another's (a context reused for a new run), that state
    /// is of no use here and a fresh one takes its place.
    fn run_unit(&self, unit: usize, ctx: &mut WorkerCtx) -> Result<UnitOutcome, WorkloadError> {
        let mut local: Box<W::Local> = ctx
            .take_state()
            .and_then(|state| state.downcast().ok())
            .unwrap_or_default();
        let result = Workload::run_unit(self, unit, ctx, &mut local);
        ctx.keep_state(local);
        result
    }

    fn run_unit_async(self: Arc<Self>, unit: usize, ctx: AsyncCtx) -> Option<UnitFuture> {
        Workload::run_unit_async(self, unit, ctx)
    }

    fn async_blocking_pool(&self) -> bool {
        Workload::async_blocking_pool(self)
    }

    fn async_wait(&self) -> WaitCategory {
        Workload::async_wait(self)
    }

    fn prepare(&self) -> Result<(), WorkloadError> {
        Workload::prepare(self)
    }

    fn spec_for_children(&self) -> Option<WorkloadSpec> {
        Workload::spec_for_children(self)
    }

    fn result(&self, end: RunEnd<'_>) -> WorkloadResult {
        Workload::result(self, end)
    }

    fn describe(&self, options: &mut crate::workload::ReportOptions) {
        Workload::describe(self, options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    /// Counts how many times a worker had to "connect": each `Default` state is a connect.
    static CONNECTS: AtomicUsize = AtomicUsize::new(0);

    struct Connection {
        units_served: usize,
    }

    impl Default for Connection {
        fn default() -> Self {
            CONNECTS.fetch_add(1, Relaxed);
            Connection { units_served: 0 }
        }
    }

    struct Counting;

    impl Workload for Counting {
        type Local = Connection;
        fn name(&self) -> &'static str {
            "counting"
        }
        fn unit_count(&self) -> usize {
            5
        }
        fn unit_label(&self, unit: usize) -> String {
            format!("u{unit}")
        }
        fn run_unit(
            &self,
            _unit: usize,
            _ctx: &mut WorkerCtx,
            local: &mut Connection,
        ) -> Result<UnitOutcome, WorkloadError> {
            local.units_served += 1;
            Ok(UnitOutcome {
                items: local.units_served as u64,
                ..UnitOutcome::default()
            })
        }
    }

    /// Another workload's state in the same slot: not this workload's to use.
    struct Other;

    impl Workload for Other {
        type Local = Option<String>;
        fn name(&self) -> &'static str {
            "other"
        }
        fn unit_count(&self) -> usize {
            1
        }
        fn unit_label(&self, _unit: usize) -> String {
            "o".into()
        }
        fn run_unit(
            &self,
            _unit: usize,
            _ctx: &mut WorkerCtx,
            local: &mut Option<String>,
        ) -> Result<UnitOutcome, WorkloadError> {
            local.get_or_insert_with(|| "other's".into());
            Ok(UnitOutcome::default())
        }
    }

    #[test]
    fn a_worker_keeps_its_state_from_unit_to_unit_through_the_erased_workload() {
        let workload: Arc<dyn DynWorkload> = Arc::new(Counting);
        let before = CONNECTS.load(Relaxed);
        let mut ctx = WorkerCtx::standalone("w");
        let served: Vec<u64> = (0..workload.unit_count())
            .map(|unit| workload.run_unit(unit, &mut ctx).expect("unit").items)
            .collect();
        assert_eq!(served, [1, 2, 3, 4, 5], "one connection served every unit");
        assert_eq!(
            CONNECTS.load(Relaxed) - before,
            1,
            "one connect for five units"
        );

        // A second worker has a state of its own.
        let mut other_ctx = WorkerCtx::standalone("w2");
        let first = workload.run_unit(0, &mut other_ctx).expect("unit");
        assert_eq!(first.items, 1);
        assert_eq!(CONNECTS.load(Relaxed) - before, 2);

        // Another workload's state in the slot is replaced, and this one starts afresh.
        DynWorkload::run_unit(&Other, 0, &mut ctx).expect("unit");
        let again = workload.run_unit(0, &mut ctx).expect("unit");
        assert_eq!(again.items, 1, "a fresh state, not another workload's");
        assert_eq!(CONNECTS.load(Relaxed) - before, 3);
    }
}
