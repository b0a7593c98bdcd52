//! The workload-specific parts of a report, typed: what a workload's result hook
//! ([`WorkloadResult`]) found, as the report keeps it (each part a top-level JSON field,
//! absent when the workload has none).

use super::timeline::{self, Timeline};
use super::RunReport;
use crate::workload::verification::Verification;
use crate::workload::{WorkloadError, WorkloadResult};
use serde::{Deserialize, Serialize};

/// Flattened into [`RunReport`]: the fields keep the names and places they had as the
/// report's own (`timeline`, `verification`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkloadFindings {
    /// Stage timeline of DAG workloads (`etl-pipeline`): critical path and speedups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
    /// Import workloads (`csv-import`): every input row stored or rejected, table by table
    /// (checked after the run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
}

impl RunReport {
    /// Takes in the workload's result, once the units are absorbed and the wall time is
    /// known (a stage timeline needs both). `Err` when the workload's check of what it
    /// stored could not be made: the run then fails late, its report still written.
    pub fn absorb_result(&mut self, result: WorkloadResult) -> Result<(), WorkloadError> {
        self.findings.timeline = timeline::compute(&self.units, &result.stages, self.wall_s);
        self.cpu_not_counted = result.cpu_not_counted;
        self.findings.verification = result.verification.transpose()?;
        Ok(())
    }
}
