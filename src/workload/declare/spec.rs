//! Which workload to run with which options: serializable, so children get the same one.

use crate::workload::api::{ApiFetch, ApiOptions};
use crate::workload::csv::{CsvImport, CsvOptions};
use crate::workload::data::progress::{GenObserver, Unobserved};
use crate::workload::etl::{EtlOptions, EtlPipeline};
use crate::workload::json::{JsonOptions, JsonParse};
use crate::workload::{DynWorkload, WorkloadError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "kebab-case")]
pub enum WorkloadSpec {
    JsonParse(JsonOptions),
    ApiFetch(ApiOptions),
    EtlPipeline(EtlOptions),
    CsvImport(CsvOptions),
    /// Not a built-in workload: any program, observed from outside (`boundscope exec`).
    Exec(crate::workload::program::ProgramOptions),
}

impl WorkloadSpec {
    /// The workload's name, from its declaration.
    pub fn name(&self) -> &'static str {
        self.declaration().map_or("unknown", |w| w.name)
    }

    /// The program of an `exec` run; `None` for a built-in workload.
    pub fn program(&self) -> Option<&crate::workload::program::ProgramOptions> {
        match self {
            WorkloadSpec::Exec(options) => Some(options),
            _ => None,
        }
    }

    /// The declaration of this spec's workload (every variant has one; a test checks it).
    pub fn declaration(&self) -> Option<&'static super::table::WorkloadDecl> {
        super::table::workloads()
            .iter()
            .chain([super::table::program()])
            .find(|w| w.is(self))
    }

    /// The `--db` value of a workload that writes to a database.
    pub fn db_mut(&mut self) -> Option<&mut String> {
        match self {
            WorkloadSpec::CsvImport(options) => Some(&mut options.db),
            WorkloadSpec::EtlPipeline(options) => Some(&mut options.db),
            _ => None,
        }
    }

    /// Claims the files this spec reads, or writes in place, so that no output of the run
    /// may be one of them: a given input (a CSV file, json-parse's directory, a pipeline) and
    /// a SQLite database file.
    pub fn claim_files(&self, claims: &mut crate::outfile::Claims) {
        let (input, db) = match self {
            WorkloadSpec::JsonParse(o) => (o.input.as_deref(), None),
            WorkloadSpec::CsvImport(o) => (o.input.as_deref(), Some(&o.db)),
            WorkloadSpec::EtlPipeline(o) => (o.pipeline.as_deref(), Some(&o.db)),
            WorkloadSpec::ApiFetch(_) | WorkloadSpec::Exec(_) => (None, None),
        };
        if let Some(path) = input {
            claims.input(&format!("{}'s input", self.name()), path);
        }
        if let Some(file) = db.and_then(|db| crate::db::DbTarget::named_file(db)) {
            claims.input(
                &format!("the database (--db sqlite:{})", file.display()),
                &file,
            );
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
            WorkloadSpec::Exec(_) => Err(WorkloadError::Other(
                "a program is observed from outside, not built as a workload".into(),
            )),
        }
    }

    /// This spec as it may be shown or recorded: a database URL's password is masked.
    pub fn redacted(&self) -> WorkloadSpec {
        let mut spec = self.clone();
        match &mut spec {
            WorkloadSpec::CsvImport(csv) => csv.db = crate::db::mask_password(&csv.db),
            WorkloadSpec::EtlPipeline(etl) => etl.db = crate::db::mask_password(&etl.db),
            WorkloadSpec::JsonParse(_) | WorkloadSpec::ApiFetch(_) | WorkloadSpec::Exec(_) => {}
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

pub use super::options::Knob;

impl WorkloadSpec {
    /// The options that tell two runs of this workload apart, as its declarations mark them.
    pub fn knobs(&self) -> Vec<Knob> {
        self.declaration().map_or_else(Vec::new, |w| w.knobs(self))
    }

    /// Every declared option with its value as the CLI spells it (`records=20000`; unset
    /// ones as `tables=`): two runs with equal settings do the same work, whatever their
    /// mode. Only what the options declare counts, not a run's own identity (csv's run id).
    pub fn settings(&self) -> Vec<String> {
        let Some(decl) = self.declaration() else {
            return Vec::new();
        };
        let setting = |o: &super::options::OptionDecl<WorkloadSpec>| {
            format!("{}={}", o.name, o.get(self).unwrap_or_default())
        };
        decl.options.iter().map(setting).collect()
    }
}

#[cfg(test)]
mod knob_tests {
    use super::*;

    fn shown(spec: WorkloadSpec) -> Vec<String> {
        spec.knobs().iter().map(Knob::to_string).collect()
    }

    #[test]
    fn knobs_name_what_sets_runs_apart_and_never_a_password() {
        let csv = WorkloadSpec::CsvImport(CsvOptions {
            db: "postgres://me:secret@localhost/db".into(),
            ..CsvOptions::default()
        });
        let text = shown(csv);
        assert_eq!(
            text,
            ["db postgres", "insert row", "writer each", "records 50000"]
        );
        assert!(!text.join(" ").contains("secret"));

        let mut api = ApiOptions::default();
        api.server.latency = std::time::Duration::from_millis(20);
        api.requests = Some(200);
        assert_eq!(
            shown(WorkloadSpec::ApiFetch(api.clone())),
            ["latency 20ms", "requests 200"]
        );
        api.reuse_connections = false;
        assert_eq!(
            shown(WorkloadSpec::ApiFetch(api)),
            ["latency 20ms", "requests 200", "reuse off"]
        );

        let json = WorkloadSpec::JsonParse(JsonOptions::default());
        assert_eq!(shown(json)[0], "parser typed");

        let mut etl = EtlOptions {
            db: "sqlite::memory:".into(),
            ..EtlOptions::default()
        };
        assert_eq!(
            shown(WorkloadSpec::EtlPipeline(etl.clone())),
            ["db sqlite-memory", "latency 0"]
        );
        etl.cache_profiles = true;
        assert_eq!(
            shown(WorkloadSpec::EtlPipeline(etl)),
            ["db sqlite-memory", "cache-profiles on", "latency 0"],
            "knobs set otherwise than by default first"
        );
    }

    /// The etl-phases scenario's steps (connection reuse, batching) and csv-sqlite's quick
    /// sizes: what differs from the defaults reads first, and an 80-column run list keeps it.
    #[test]
    fn knobs_show_every_step_and_the_real_size_first() {
        let mut etl = EtlOptions::default();
        etl.api.server.latency = std::time::Duration::from_millis(20);
        let base = shown(WorkloadSpec::EtlPipeline(etl.clone()));
        assert_eq!(base, ["latency 20ms", "db sqlite"]);
        etl.api.reuse_connections = false;
        let no_reuse = shown(WorkloadSpec::EtlPipeline(etl.clone()));
        assert_eq!(no_reuse, ["latency 20ms", "reuse off", "db sqlite"]);
        etl.api.reuse_connections = true;
        etl.api.batch = 10;
        let batched = shown(WorkloadSpec::EtlPipeline(etl));
        assert_eq!(batched, ["latency 20ms", "batch 10", "db sqlite"]);
        let api = ApiOptions {
            batch: 10,
            ..ApiOptions::default()
        };
        assert_eq!(
            shown(WorkloadSpec::ApiFetch(api)),
            ["batch 10", "latency 0"]
        );
        let csv = WorkloadSpec::CsvImport(CsvOptions {
            records: 200,
            ..CsvOptions::default()
        });
        assert_eq!(shown(csv)[0], "records 200");
    }
}
