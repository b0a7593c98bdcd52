//! `etl-pipeline`: the write-up's ETL run as a DAG of stages read from TOML
//! (`workloads/etl.toml` by default): company, price and financial fetches from the API →
//! one load into the database → TTM, ratios and market metrics computed in SQL.
//!
//! One unit is one stage, units in topological order. A stage first waits (a `queue` wait)
//! until every stage it runs after has finished; the engines hand units out in index order,
//! so in `sequential`, `threads`, `rayon` and `async` the stages it waits for have already
//! started and the wait ends. Stages with no dependency between them thus overlap as much
//! as the mode allows. A stage whose dependency failed fails at once, naming it.
//!
//! `processes` mode is refused: the stages share fetched rows in memory and one database,
//! and a child process cannot wait for a stage running in another.
//!
//! Each stage's digest covers its *result* (fetched rows; loaded rows; the SQL table read
//! back and sorted), so every mode gives the same checksum.

pub mod dag;
pub mod fetch;
pub mod options;
pub mod profile_cache;

#[cfg(test)]
mod tests;

use super::api::{
    check_health, normalise_base_url, setup_json, ApiOptions, Client, ClientSettings, WorkerAgent,
};
use super::{ReportOptions, RunEnd, StageRun, WorkloadError, WorkloadResult};
use crate::db::{
    quote_ident, DbConn, DbError, DbTarget, InsertMode, InsertPlan, SqliteOptions, Value,
};
use crate::measure::phase::phase_name;
use crate::measure::{in_phase, WorkerCtx};
use crate::model::Rejection;
use crate::model::UnitOutcome;
use crate::model::WaitCategory;
use crate::server::data::SymbolList;
use crate::workload::api::server_child::ServerChild;
use dag::{Pipeline, StageKind, BUILTIN_PIPELINE};
use fetch::{FetchPlan, FetchedTable};
use parking_lot::{Condvar, Mutex};
use profile_cache::ProfileCache;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The workload's name (the CLI's and the reports').
pub const NAME: &str = "etl-pipeline";

/// Symbols fetched when `--symbols` is not given.
pub const DEFAULT_SYMBOLS: usize = 40;
/// Rows per insert transaction of the load stage.
pub const DEFAULT_BATCH: usize = 1000;

/// Options of `etl-pipeline`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EtlOptions {
    /// A pipeline file; `None` uses the built-in `workloads/etl.toml`.
    pub pipeline: Option<PathBuf>,
    /// Symbols each fetch stage fetches (one request each).
    pub symbols: usize,
    /// `sqlite` (a file in a temporary run directory), `sqlite:PATH`, `postgres://...`.
    pub db: String,
    /// Rows per insert transaction of the load stage.
    pub batch: usize,
    /// The API: `base_url`, `retries`, `timeout`, `reuse_connections`, `cache`, `batch`
    /// (symbols per `/prices` request) and the faults of our own server apply (`requests`
    /// does not).
    pub api: ApiOptions,
    /// Keep company profiles between runs for 24 hours and answer from them (see
    /// `profile_cache`).
    pub cache_profiles: bool,
}

impl Default for EtlOptions {
    fn default() -> Self {
        EtlOptions {
            pipeline: None,
            symbols: DEFAULT_SYMBOLS,
            db: "sqlite".into(),
            batch: DEFAULT_BATCH,
            api: ApiOptions::default(),
            cache_profiles: false,
        }
    }
}

impl EtlOptions {
    /// Reads and checks the pipeline (the built-in one unless `pipeline` names a file).
    pub fn load_pipeline(&self) -> Result<(Pipeline, String), WorkloadError> {
        match &self.pipeline {
            None => {
                let source = "workloads/etl.toml (built in)".to_string();
                Ok((Pipeline::parse(BUILTIN_PIPELINE, &source)?, source))
            }
            Some(path) => {
                let source = path.display().to_string();
                let text = crate::toml_input::read_capped(path, "pipeline file")
                    .map_err(|e| WorkloadError::Input(e.to_string()))?;
                Ok((Pipeline::parse(&text, &source)?, source))
            }
        }
    }
}

/// Where a stage stands.
#[derive(Debug, Clone, PartialEq)]
enum StageState {
    Pending,
    Done,
    Failed,
}

/// The `etl-pipeline` workload.
pub struct EtlPipeline {
    options: EtlOptions,
    pipeline: Pipeline,
    source: String,
    client: Client,
    symbols: Vec<String>,
    target: DbTarget,
    states: Mutex<Vec<StageState>>,
    changed: Condvar,
    /// Rows of finished fetch stages, by stage index, for the load stage.
    fetched: Mutex<HashMap<usize, Arc<FetchedTable>>>,
    /// When each stage's own work began and ended (after its dependency wait), in seconds
    /// since the run began.
    spans: Mutex<Vec<Option<(f64, f64)>>>,
    /// Our own server, stopped when the workload is dropped.
    server: Option<ServerChild>,
    /// Company profiles kept between runs, with `cache_profiles`.
    profiles: Option<ProfileCache>,
    /// Holds the default SQLite file; removed when the workload is dropped.
    _run_dir: tempfile::TempDir,
}

fn db_error(e: DbError) -> WorkloadError {
    if e.is_input() {
        WorkloadError::Input(e.to_string())
    } else {
        WorkloadError::Other(e.to_string())
    }
}

impl EtlPipeline {
    /// Checks the pipeline and the database, starts (or finds) the API and lists the symbols.
    pub fn new(options: EtlOptions) -> Result<EtlPipeline, WorkloadError> {
        if options.symbols == 0 {
            return Err(WorkloadError::Input(
                "symbols 0 would fetch nothing; use 1 or more".into(),
            ));
        }
        if options.batch == 0 {
            return Err(WorkloadError::Input(
                "a load batch of 0 rows would insert nothing; use 1 or more".into(),
            ));
        }
        let (pipeline, source) = options.load_pipeline()?;
        let run_dir = tempfile::Builder::new()
            .prefix("boundscope-etl-")
            .tempdir()
            .map_err(|e| WorkloadError::io("cannot create a temporary run directory", e))?;
        let target = DbTarget::parse_in(&options.db, run_dir.path()).map_err(db_error)?;
        if target.is_memory() {
            return Err(WorkloadError::Input(format!(
                "--db {} gives every connection its own private database, but the stages \
                 share one; use `sqlite` (a temporary file), `sqlite:PATH` or `postgres://...`",
                target
            )));
        }
        DbConn::open(&target, SqliteOptions::default()).map_err(db_error)?;
        let mut api = options.api.clone();
        api.server.symbols = options.symbols;
        api.validate()?;
        let (server, base_url) = match &api.base_url {
            None => {
                let child = ServerChild::spawn(&api.server)?;
                let url = child.url().to_string();
                (Some(child), url)
            }
            Some(url) => (None, normalise_base_url(url)?),
        };
        let profiles = options
            .cache_profiles
            .then(|| ProfileCache::open(&api_identity(&api, &base_url)));
        let client = Client::new(ClientSettings {
            base_url,
            timeout: api.timeout,
            retries: api.retries,
            reuse_connections: api.reuse_connections,
            cache: api.cache,
        });
        check_health(&client)?;
        let listed: SymbolList = setup_json(&client, "/companies", api.retries)?;
        let symbols: Vec<String> = listed.symbols.into_iter().take(options.symbols).collect();
        if symbols.is_empty() {
            return Err(WorkloadError::Input(format!(
                "the API at {} lists no companies to fetch",
                client.base_url()
            )));
        }
        Ok(EtlPipeline {
            profiles,
            states: Mutex::new(vec![StageState::Pending; pipeline.stages.len()]),
            changed: Condvar::new(),
            fetched: Mutex::default(),
            spans: Mutex::new(vec![None; pipeline.stages.len()]),
            options,
            pipeline,
            source,
            client,
            symbols,
            target,
            server,
            _run_dir: run_dir,
        })
    }

    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// Every stage, in the pipeline's order, with when its own work ran (so far).
    fn stage_runs(&self) -> Vec<StageRun> {
        let spans = self.spans.lock().clone();
        let stages = &self.pipeline.stages;
        stages
            .iter()
            .zip(spans)
            .map(|(s, span)| StageRun {
                name: s.name.clone(),
                after: s.after.iter().map(|&d| stages[d].name.clone()).collect(),
                span,
            })
            .collect()
    }

    /// Waits (as `queue`) until every stage `unit` runs after has finished; `Err` names
    /// the first that failed.
    fn wait_for_dependencies(&self, unit: usize, ctx: &mut WorkerCtx) -> Result<(), WorkloadError> {
        let after = &self.pipeline.stages[unit].after;
        let failed = ctx.wait(WaitCategory::Queue, || {
            let mut states = self.states.lock();
            loop {
                if let Some(&d) = after.iter().find(|&&d| states[d] == StageState::Failed) {
                    return Some(d);
                }
                if after.iter().all(|&d| states[d] == StageState::Done) {
                    return None;
                }
                self.changed.wait(&mut states);
            }
        });
        match failed {
            None => Ok(()),
            Some(d) => Err(WorkloadError::Other(format!(
                "stage '{}' did not run because stage '{}', which it runs after, failed",
                self.pipeline.stages[unit].name, self.pipeline.stages[d].name
            ))),
        }
    }

    fn finish(&self, unit: usize, ok: bool) {
        let mut states = self.states.lock();
        states[unit] = if ok {
            StageState::Done
        } else {
            StageState::Failed
        };
        self.changed.notify_all();
    }

    fn open_db(&self, ctx: &mut WorkerCtx) -> Result<DbConn, WorkloadError> {
        let target = &self.target;
        ctx.wait(WaitCategory::Db, || {
            DbConn::open(target, SqliteOptions::default())
        })
        .map_err(db_error)
    }

    fn run_stage(
        &self,
        unit: usize,
        ctx: &mut WorkerCtx,
        agent: &mut WorkerAgent,
    ) -> Result<UnitOutcome, WorkloadError> {
        let stage = &self.pipeline.stages[unit];
        match stage.kind {
            StageKind::Load => self.load(unit, ctx),
            StageKind::Sql => self.sql(unit, ctx),
            kind => {
                let plan = FetchPlan {
                    batch: self.options.api.batch,
                    profiles: self.profiles.as_ref(),
                };
                let (table, bytes) = fetch::run(
                    kind,
                    &stage.table,
                    &self.client,
                    &self.symbols,
                    plan,
                    ctx,
                    agent,
                )?;
                if let (Some(cache), StageKind::FetchCompanies) = (&self.profiles, kind) {
                    // Saving is a disk write: a `disk` wait, like any other.
                    ctx.wait(WaitCategory::Disk, || cache.save())
                        .map_err(|e| WorkloadError::Other(e.to_string()))?;
                }
                let outcome = UnitOutcome {
                    items: table.rows.len() as u64,
                    bytes,
                    rejected: Vec::new(),
                    digest: digest_rows(table.rows.iter().map(|r| r.iter().map(cell_text))),
                };
                self.fetched.lock().insert(unit, Arc::new(table));
                Ok(outcome)
            }
        }
    }

    /// Writes the rows of every fetch stage this load stage runs after into fresh tables.
    fn load(&self, unit: usize, ctx: &mut WorkerCtx) -> Result<UnitOutcome, WorkloadError> {
        let tables: Vec<Arc<FetchedTable>> = {
            let fetched = self.fetched.lock();
            let mut tables = Vec::new();
            for f in self.pipeline.loaded_by(unit) {
                let table = fetched.get(&f).cloned().ok_or_else(|| {
                    WorkloadError::Other(format!(
                        "stage '{}' left no rows to load",
                        self.pipeline.stages[f].name
                    ))
                })?;
                tables.push(table);
            }
            tables
        };
        let mut conn = self.open_db(ctx)?;
        let plan = InsertPlan {
            mode: InsertMode::Multi,
            batch: self.options.batch,
        };
        let mut outcome = UnitOutcome::default();
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        for table in &tables {
            conn.recreate_table(ctx, &table.spec).map_err(db_error)?;
            let refused = in_phase("insert", || {
                conn.insert(ctx, &table.spec, &table.rows, plan)
            })
            .map_err(db_error)?;
            let stored = table.rows.len() - refused.len();
            ctx.progress(stored as u64, 0);
            outcome.items += stored as u64;
            outcome
                .rejected
                .extend(refused.into_iter().map(|r| Rejection {
                    source: table.spec.name.clone(),
                    line: r.index as u64 + 1,
                    reason: r.reason,
                }));
            hasher.update(table.spec.name.as_bytes());
            hasher.update(&(stored as u64).to_le_bytes());
        }
        outcome.digest = hasher.digest();
        Ok(outcome)
    }

    /// Runs a sql stage's statements (after dropping its table) and reads the table back.
    fn sql(&self, unit: usize, ctx: &mut WorkerCtx) -> Result<UnitOutcome, WorkloadError> {
        let stage = &self.pipeline.stages[unit];
        let sql = stage.sql.as_deref().unwrap_or_default();
        let table = quote_ident(&stage.table);
        let script = format!("DROP TABLE IF EXISTS {table};\n{sql}");
        let select = format!("SELECT * FROM {table}");
        let mut conn = self.open_db(ctx)?;
        let mut rows =
            in_phase("query", || conn.run_script(ctx, &script, Some(&select))).map_err(|e| {
                WorkloadError::Other(format!("the SQL of stage '{}' failed: {e}", stage.name))
            })?;
        ctx.checkpoint();
        rows.sort_unstable();
        ctx.progress(rows.len() as u64, 0);
        Ok(UnitOutcome {
            items: rows.len() as u64,
            bytes: 0,
            rejected: Vec::new(),
            digest: digest_rows(rows.iter().map(|r| r.iter().cloned())),
        })
    }
}

/// What makes an API's answers what they are: our own server's data depend only on this
/// build and the number of symbols; another server is known by its address.
fn api_identity(api: &ApiOptions, base_url: &str) -> String {
    match &api.base_url {
        None => format!(
            "boundscope {} own server, {} symbols",
            env!("CARGO_PKG_VERSION"),
            api.server.symbols
        ),
        Some(_) => base_url.to_string(),
    }
}

/// A cell as the text the digests use (reals with 6 decimals, like SQL results).
fn cell_text(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_string(),
        Value::Int(n) => n.to_string(),
        Value::Real(x) => format!("{x:.6}"),
        Value::Text(s) => s.clone(),
    }
}

/// Digest of rows of text cells, in the order given.
fn digest_rows<R, C>(rows: R) -> u64
where
    R: IntoIterator<Item = C>,
    C: IntoIterator<Item = String>,
{
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for row in rows {
        for cell in row {
            hasher.update(cell.as_bytes());
            hasher.update(&[0x1f]);
        }
        hasher.update(&[0x1e]);
    }
    hasher.digest()
}

/// Each worker keeps its HTTP agent (`Local`) from stage to stage, as `api-fetch` does.
impl crate::workload::Workload for EtlPipeline {
    type Local = WorkerAgent;

    fn name(&self) -> &'static str {
        NAME
    }

    fn unit_count(&self) -> usize {
        self.pipeline.stages.len()
    }

    fn unit_label(&self, unit: usize) -> String {
        match self.pipeline.stages.get(unit) {
            Some(stage) => stage.name.clone(),
            None => format!("stage {unit}"),
        }
    }

    fn run_unit(
        &self,
        unit: usize,
        ctx: &mut WorkerCtx,
        agent: &mut WorkerAgent,
    ) -> Result<UnitOutcome, WorkloadError> {
        if unit >= self.pipeline.stages.len() {
            return Err(WorkloadError::Other(format!(
                "unit {unit} is beyond the {} stages",
                self.pipeline.stages.len()
            )));
        }
        let result = self.wait_for_dependencies(unit, ctx).and_then(|()| {
            let started = ctx.run_elapsed_s();
            // A stage is a phase of the job, named as the pipeline names it.
            let stage = phase_name(&self.pipeline.stages[unit].name);
            let result = in_phase(stage, || self.run_stage(unit, ctx, agent));
            self.spans.lock()[unit] = Some((started, ctx.run_elapsed_s()));
            result
        });
        self.finish(unit, result.is_ok());
        result
    }

    /// The stages as they ran: the report's stage timeline is built from them.
    fn result(&self, _end: RunEnd<'_>) -> WorkloadResult {
        WorkloadResult {
            stages: self.stage_runs(),
            ..WorkloadResult::default()
        }
    }

    fn describe(&self, options: &mut ReportOptions) {
        let stages: Vec<serde_json::Value> = self
            .pipeline
            .stages
            .iter()
            .zip(self.stage_runs())
            .map(|(s, run)| {
                serde_json::json!({
                    "name": run.name,
                    "kind": s.kind.as_str(),
                    "after": run.after,
                    "table": s.table,
                    // The stage's own work, without its wait for dependencies (the unit's
                    // start and end in `units` include that wait).
                    "start_s": run.span.map(|(start, _)| start),
                    "end_s": run.span.map(|(_, end)| end),
                })
            })
            .collect();
        options.extend([
            ("stages".into(), json!(stages)),
            ("pipeline".into(), json!(self.source)),
            ("symbols".into(), json!(self.symbols.len())),
            ("db".into(), json!(self.target.to_string())),
            // The load stage's rows per transaction (not an option; `batch_prices` is).
            ("batch".into(), json!(self.options.batch)),
            ("base_url".into(), json!(self.client.base_url())),
            ("own_server".into(), json!(self.server.is_some())),
            (
                "server_pid".into(),
                json!(self.server.as_ref().map(ServerChild::pid)),
            ),
            (
                "profiles_from_cache".into(),
                json!(self.profiles.as_ref().map(ProfileCache::hits)),
            ),
            ("totals".into(), json!(self.client.totals.snapshot())),
        ]);
    }
}
