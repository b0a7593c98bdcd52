//! Which workload to run with which options: serializable, so children get the same one.

use super::api::{ApiFetch, ApiOptions};
use super::csv::{CsvImport, CsvOptions};
use super::json::{JsonOptions, JsonParse};
use super::{Workload, WorkloadError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "kebab-case")]
pub enum WorkloadSpec {
    JsonParse(JsonOptions),
    ApiFetch(ApiOptions),
    CsvImport(CsvOptions),
}

impl WorkloadSpec {
    pub fn name(&self) -> &'static str {
        match self {
            WorkloadSpec::JsonParse(_) => "json-parse",
            WorkloadSpec::ApiFetch(_) => "api-fetch",
            WorkloadSpec::CsvImport(_) => "csv-import",
        }
    }

    /// Builds the workload; bad options or missing input give `WorkloadError::Input`.
    pub fn build(&self) -> Result<Arc<dyn Workload>, WorkloadError> {
        match self {
            WorkloadSpec::JsonParse(options) => Ok(Arc::new(JsonParse::new(options.clone())?)),
            WorkloadSpec::ApiFetch(options) => Ok(Arc::new(ApiFetch::new(options.clone())?)),
            WorkloadSpec::CsvImport(options) => Ok(Arc::new(CsvImport::new(options.clone())?)),
        }
    }
}
