//! What a workload found out beyond its units' outcomes, typed: the one hook a run calls
//! after its units ([`Workload::result`](super::Workload::result)) answers with it.

use super::WorkloadError;
use crate::model::UnitRecord;
use crate::model::Verification;

/// How the run ended, as the result hook needs to know it.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunEnd<'a> {
    /// Check what the run stored. False when the run was interrupted or ran one shard of
    /// the work (a `processes` child): part of the input was then not meant to be stored.
    pub check: bool,
    /// The units' records when they ran in other processes (`processes` mode: their
    /// outcomes say what was stored and rejected); `None` when this process ran them.
    pub remote: Option<&'a [UnitRecord]>,
}

/// One stage of a DAG workload as it ran (the report's stage timeline is built from these
/// and the units' records, whose labels are the stage names).
#[derive(Debug, Clone, PartialEq)]
pub struct StageRun {
    pub name: String,
    /// The stages it runs after.
    pub after: Vec<String>,
    /// When the stage's own work began and ended, in seconds since the run began: without
    /// its wait for dependencies, which its unit's span includes. `None` if it did not run.
    pub span: Option<(f64, f64)>,
}

/// The typed parts a workload adds to its report; each kind of workload fills its own.
#[derive(Debug, Default)]
pub struct WorkloadResult {
    /// DAG workloads (`etl-pipeline`): every stage, in the pipeline's order.
    pub stages: Vec<StageRun>,
    /// Import workloads (`csv-import`): the check that every input row was stored or
    /// rejected; `Some(Err)` when the check itself failed (the run then fails late), `None`
    /// when there is nothing to check or [`RunEnd::check`] said not to.
    pub verification: Option<Result<Verification, WorkloadError>>,
    /// A plain sentence when part of the work's CPU time is spent outside boundscope's own
    /// processes and so is not in `cpu_s` (a database server's).
    pub cpu_not_counted: Option<String>,
}
