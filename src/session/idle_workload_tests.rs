//! A workload for the session's tests that only names its units (`u0`, `u1`, ...): assembly
//! and the `processes` arithmetic read units' names and counts but never run one.

use crate::measure::WorkerCtx;
use crate::model::UnitOutcome;
use crate::workload::WorkloadError;

/// `units` units labelled `u0` ..; adds `found` to the report's options.
pub struct Idle {
    pub name: &'static str,
    pub units: usize,
    pub found: crate::workload::ReportOptions,
}

impl Idle {
    pub fn of(name: &'static str, units: usize) -> Idle {
        Idle {
            name,
            units,
            found: crate::workload::ReportOptions::new(),
        }
    }
}

impl crate::workload::Workload for Idle {
    type Local = ();
    fn name(&self) -> &'static str {
        self.name
    }
    fn unit_count(&self) -> usize {
        self.units
    }
    fn unit_label(&self, unit: usize) -> String {
        format!("u{unit}")
    }
    fn run_unit(
        &self,
        _unit: usize,
        _ctx: &mut WorkerCtx,
        _local: &mut (),
    ) -> Result<UnitOutcome, WorkloadError> {
        unreachable!("the session's tests run no units")
    }
    fn describe(&self, options: &mut crate::workload::ReportOptions) {
        options.extend(self.found.clone());
    }
}
