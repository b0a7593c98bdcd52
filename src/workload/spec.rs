//! Which workload to run with which options: serializable, so children get the same one.

use super::api::{ApiFetch, ApiOptions};
use super::csv::{CsvImport, CsvOptions};
use super::etl::{EtlOptions, EtlPipeline};
use super::json::{JsonOptions, JsonParse};
use super::{Workload, WorkloadError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "kebab-case")]
pub enum WorkloadSpec {
    JsonParse(JsonOptions),
    ApiFetch(ApiOptions),
    EtlPipeline(EtlOptions),
    CsvImport(CsvOptions),
}

impl WorkloadSpec {
    pub fn name(&self) -> &'static str {
        match self {
            WorkloadSpec::JsonParse(_) => "json-parse",
            WorkloadSpec::ApiFetch(_) => "api-fetch",
            WorkloadSpec::EtlPipeline(_) => "etl-pipeline",
            WorkloadSpec::CsvImport(_) => "csv-import",
        }
    }

    /// The `--db` value of a workload that writes to a database.
    pub fn db_mut(&mut self) -> Option<&mut String> {
        match self {
            WorkloadSpec::CsvImport(options) => Some(&mut options.db),
            WorkloadSpec::EtlPipeline(options) => Some(&mut options.db),
            _ => None,
        }
    }

    /// Builds the workload; bad options or missing input give `WorkloadError::Input`.
    pub fn build(&self) -> Result<Arc<dyn Workload>, WorkloadError> {
        match self {
            WorkloadSpec::JsonParse(options) => Ok(Arc::new(JsonParse::new(options.clone())?)),
            WorkloadSpec::ApiFetch(options) => Ok(Arc::new(ApiFetch::new(options.clone())?)),
            WorkloadSpec::CsvImport(options) => Ok(Arc::new(CsvImport::new(options.clone())?)),
            WorkloadSpec::EtlPipeline(options) => Ok(Arc::new(EtlPipeline::new(options.clone())?)),
        }
    }

    /// This spec as it may be shown or recorded: a database URL's password is masked.
    pub fn redacted(&self) -> WorkloadSpec {
        let mut spec = self.clone();
        match &mut spec {
            WorkloadSpec::CsvImport(csv) => csv.db = crate::db::mask_password(&csv.db),
            WorkloadSpec::EtlPipeline(etl) => etl.db = crate::db::mask_password(&etl.db),
            WorkloadSpec::JsonParse(_) | WorkloadSpec::ApiFetch(_) => {}
        }
        spec
    }

    /// `Err` (bad usage) when this workload cannot run under `processes` mode.
    pub fn check_processes(&self) -> Result<(), WorkloadError> {
        match self {
            WorkloadSpec::EtlPipeline(_) => Err(WorkloadError::Input(
                "etl-pipeline cannot run with --mode processes: its stages share one database \
                 and the rows fetched in memory, and wait for each other across stages, which \
                 separate processes cannot do; use --mode threads, rayon or async"
                    .into(),
            )),
            WorkloadSpec::CsvImport(csv) if csv.db_is_memory() => Err(WorkloadError::Input(
                "--db sqlite::memory: cannot be used with --mode processes: an in-memory \
                 database lives inside one process; use --db sqlite (a file) or postgres://..."
                    .into(),
            )),
            _ => Ok(()),
        }
    }
}
