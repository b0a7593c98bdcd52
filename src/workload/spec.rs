//! Which workload to run with which options: serializable, so children get the same one.

use super::api::{ApiFetch, ApiOptions};
use super::csv::{CsvImport, CsvOptions};
use super::etl::{EtlOptions, EtlPipeline};
use super::gen_progress::{GenObserver, Unobserved};
use super::json::{JsonOptions, JsonParse};
use super::{DynWorkload, WorkloadError};
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
    /// The workload's name, from its declaration.
    pub fn name(&self) -> &'static str {
        self.declaration().map_or("unknown", |w| w.name)
    }

    /// The declaration of this spec's workload (every variant has one; a test checks it).
    pub fn declaration(&self) -> Option<&'static super::WorkloadDecl> {
        super::workloads().iter().find(|w| w.is(self))
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
    pub fn build(&self) -> Result<Arc<dyn DynWorkload>, WorkloadError> {
        self.build_observed(&mut Unobserved)
    }

    /// [`WorkloadSpec::build`], reporting the generation of input data that is not cached
    /// yet to `observer` (nothing is reported when the data is cached or given).
    pub fn build_observed(
        &self,
        observer: &mut dyn GenObserver,
    ) -> Result<Arc<dyn DynWorkload>, WorkloadError> {
        match self {
            WorkloadSpec::JsonParse(options) => Ok(Arc::new(JsonParse::new_observed(
                options.clone(),
                observer,
            )?)),
            WorkloadSpec::ApiFetch(options) => Ok(Arc::new(ApiFetch::new(options.clone())?)),
            WorkloadSpec::CsvImport(options) => Ok(Arc::new(CsvImport::new_observed(
                options.clone(),
                observer,
            )?)),
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

/// One option of a run as the run list and export names show it (`parser typed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Knob {
    pub name: &'static str,
    pub value: String,
}

impl std::fmt::Display for Knob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.name, self.value)
    }
}

fn knob(name: &'static str, value: impl ToString) -> Knob {
    Knob {
        name,
        value: value.to_string(),
    }
}

/// A unit-like enum's serialized name (`typed`, `batch`), the name the CLI takes.
fn serde_name(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => "?".into(),
    }
}

/// Which kind of database a `--db` value names; never the URL itself (it may hold a password).
fn db_kind(db: &str) -> &'static str {
    match crate::db::DbTarget::parse(db) {
        Ok(crate::db::DbTarget::Postgres(_)) => "postgres",
        Ok(target) if target.is_memory() => "sqlite-memory",
        _ => "sqlite",
    }
}

impl WorkloadSpec {
    /// The options that tell two runs of this workload apart, in the order a reader wants
    /// them: what changes the work itself first (parser, database, latency), sizes last.
    pub fn knobs(&self) -> Vec<Knob> {
        match self {
            WorkloadSpec::JsonParse(json) => vec![
                knob("parser", serde_name(&json.parser)),
                knob("output", serde_name(&json.output)),
                knob("files", json.files),
            ],
            WorkloadSpec::ApiFetch(api) => api_knobs(api),
            WorkloadSpec::CsvImport(csv) => vec![
                knob("db", db_kind(&csv.db)),
                knob("insert", serde_name(&csv.insert)),
                knob("writer", serde_name(&csv.writer)),
                knob("records", csv.records),
            ],
            WorkloadSpec::EtlPipeline(etl) => {
                let mut knobs = vec![knob("db", db_kind(&etl.db)), knob("batch", etl.batch)];
                if etl.cache_profiles {
                    knobs.push(knob("cache-profiles", "on"));
                }
                knobs.extend(
                    api_knobs(&etl.api)
                        .into_iter()
                        .filter(|k| k.name == "latency"),
                );
                knobs
            }
        }
    }
}

fn api_knobs(api: &ApiOptions) -> Vec<Knob> {
    let latency_ms = api.server.latency.as_secs_f64() * 1e3;
    let mut knobs = vec![knob("latency", format!("{latency_ms}ms"))];
    if let Some(requests) = api.requests {
        knobs.push(knob("requests", requests));
    }
    if !api.reuse_connections {
        knobs.push(knob("reuse", "off"));
    }
    knobs
}

#[cfg(test)]
mod knob_tests {
    use super::*;
    use crate::workload::csv::CsvOptions;

    #[test]
    fn knobs_name_what_sets_runs_apart_and_never_a_password() {
        let csv = WorkloadSpec::CsvImport(CsvOptions {
            db: "postgres://me:secret@localhost/db".into(),
            ..CsvOptions::default()
        });
        let text: Vec<String> = csv.knobs().iter().map(Knob::to_string).collect();
        assert_eq!(text[0], "db postgres");
        assert!(text.iter().any(|k| k.starts_with("insert ")), "{text:?}");
        assert!(!text.join(" ").contains("secret"));

        let mut api = ApiOptions::default();
        api.server.latency = std::time::Duration::from_millis(20);
        api.requests = Some(200);
        let text: Vec<String> = WorkloadSpec::ApiFetch(api)
            .knobs()
            .iter()
            .map(Knob::to_string)
            .collect();
        assert_eq!(text, ["latency 20ms", "requests 200"]);

        let json = WorkloadSpec::JsonParse(JsonOptions::default());
        assert_eq!(json.knobs()[0].name, "parser");
    }
}
