//! The setup form's run as a typed [`RunSpec`], with the CLI's defaults for every option the
//! form does not show (a stand-in until the form derives its spec from the workloads'
//! option declarations).

use super::setup::SetupForm;
use super::setup_fields::{Field, DATASETS, INSERTS, WRITERS};
use crate::db::DbError;
use crate::model::Mode;
use crate::session::RunSpec;
use crate::workload::api::ApiOptions;
use crate::workload::csv::{CsvOptions, OptionError};
use crate::workload::etl::EtlOptions;
use crate::workload::json::JsonOptions;
use crate::workload::WorkloadSpec;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum SetupSpecError {
    /// What [`SetupForm::problem`] says stops the run.
    #[error("{0}")]
    Problem(String),
    #[error("the form has no workload {0:?}")]
    Workload(String),
    #[error("bad {field} choice: {source}")]
    Choice {
        field: &'static str,
        #[source]
        source: ChoiceError,
    },
}

/// Why a choice of the form did not parse as its option.
#[derive(Debug, thiserror::Error)]
pub enum ChoiceError {
    #[error(transparent)]
    Option(#[from] OptionError),
    #[error(transparent)]
    Db(#[from] DbError),
}

fn choice<T, E: Into<ChoiceError>>(
    field: Field,
    parsed: Result<T, E>,
) -> Result<T, SetupSpecError> {
    parsed.map_err(|e| SetupSpecError::Choice {
        field: field.label(),
        source: e.into(),
    })
}

/// The run the form describes, as `boundscope run` would build it from the form's flags.
pub fn run_spec(form: &SetupForm) -> Result<RunSpec, SetupSpecError> {
    if let Some(problem) = form.problem() {
        return Err(SetupSpecError::Problem(problem));
    }
    let mut spec = RunSpec::new(workload_spec(form)?, form.mode, form.workers_for_run());
    // 0 stands for the CLI's default (as many in flight as workers).
    spec.in_flight = (form.mode == Mode::Async && form.in_flight > 0).then_some(form.in_flight);
    spec.gil = form.gil;
    Ok(spec)
}

fn workload_spec(form: &SetupForm) -> Result<WorkloadSpec, SetupSpecError> {
    match form.workload_name() {
        "json-parse" => Ok(WorkloadSpec::JsonParse(JsonOptions {
            files: form.files,
            records: form.records,
            parser: form.parser,
            output: form.output,
            ..JsonOptions::default()
        })),
        "api-fetch" => Ok(WorkloadSpec::ApiFetch(ApiOptions {
            requests: (form.requests > 0).then_some(form.requests),
            ..api_options(form)
        })),
        "csv-import" => csv_options(form).map(WorkloadSpec::CsvImport),
        "etl-pipeline" => Ok(WorkloadSpec::EtlPipeline(EtlOptions {
            pipeline: (!form.pipeline.is_empty()).then(|| form.pipeline.clone().into()),
            db: db(form),
            api: api_options(form),
            ..EtlOptions::default()
        })),
        other => Err(SetupSpecError::Workload(other.to_string())),
    }
}

/// The API options the form sets (latency, symbols per request); the rest as the CLI's.
fn api_options(form: &SetupForm) -> ApiOptions {
    let mut api = ApiOptions::default();
    api.server.latency = Duration::from_millis(form.latency_ms as u64);
    if form.batch > 0 {
        api.batch = form.batch;
    }
    api
}

fn db(form: &SetupForm) -> String {
    form.db_choices()[form.db].to_string()
}

fn csv_options(form: &SetupForm) -> Result<CsvOptions, SetupSpecError> {
    let defaults = CsvOptions::default();
    Ok(CsvOptions {
        dataset: choice(Field::Dataset, DATASETS[form.dataset].parse())?,
        records: form.csv_records as u64,
        db: db(form),
        // The CLI keeps the tables unless told `--fresh`.
        fresh: false,
        batch: if form.batch > 0 {
            form.batch
        } else {
            defaults.batch
        },
        insert: choice(Field::Insert, INSERTS[form.insert].parse())?,
        writer: choice(Field::Writer, WRITERS[form.writer].parse())?,
        ..defaults
    })
}
