//! The one workload the crate's own tests run (compiled for tests only): units labelled
//! `<prefix><n>` that either never run, for tests that only read units' names and counts
//! (assembly, the `processes` arithmetic), or each yield fixed counts and a digest, one of
//! them perhaps panicking, for the engines' tests. It lives here, at the workload layer, so
//! that every layer above can use it.

use crate::measure::WorkerCtx;
use crate::model::UnitOutcome;
use crate::workload::{ReportOptions, Workload, WorkloadError};

/// What running one unit does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    /// Units are never run: running one is a bug in the test.
    Idle,
    /// Unit `u` yields `items` items, `bytes` bytes and the digest `u * digest_step`; unit
    /// `panics_at` panics instead (to see a failed unit reported while the others go on).
    Yield {
        items: u64,
        bytes: u64,
        digest_step: u64,
        panics_at: Option<usize>,
    },
}

/// `units` units of a workload called `name`, labelled `label_prefix` + number.
pub struct TestWorkload {
    pub name: &'static str,
    pub units: usize,
    pub label_prefix: &'static str,
    pub runs: Units,
    /// What `describe` adds to the report's options.
    pub found: ReportOptions,
}

impl TestWorkload {
    /// `units` units labelled `u0` .. that are never run and describe nothing.
    pub fn idle(name: &'static str, units: usize) -> TestWorkload {
        TestWorkload {
            name,
            units,
            label_prefix: "u",
            runs: Units::Idle,
            found: ReportOptions::new(),
        }
    }

    /// The same workload, adding `key: value` to the report's options.
    pub fn describing(mut self, key: &str, value: serde_json::Value) -> TestWorkload {
        self.found.insert(key.to_string(), value);
        self
    }
}

impl Workload for TestWorkload {
    type Local = ();
    fn name(&self) -> &'static str {
        self.name
    }
    fn unit_count(&self) -> usize {
        self.units
    }
    fn unit_label(&self, unit: usize) -> String {
        format!("{}{unit}", self.label_prefix)
    }
    fn run_unit(
        &self,
        unit: usize,
        _ctx: &mut WorkerCtx,
        _local: &mut (),
    ) -> Result<UnitOutcome, WorkloadError> {
        let Units::Yield {
            items,
            bytes,
            digest_step,
            panics_at,
        } = self.runs
        else {
            unreachable!("{}: a test that runs no units ran unit {unit}", self.name)
        };
        assert!(
            panics_at != Some(unit),
            "{} unit {unit} always breaks",
            self.name
        );
        Ok(UnitOutcome {
            items,
            bytes,
            digest: unit as u64 * digest_step,
            ..UnitOutcome::default()
        })
    }
    fn describe(&self, options: &mut ReportOptions) {
        options.extend(self.found.clone());
    }
}
