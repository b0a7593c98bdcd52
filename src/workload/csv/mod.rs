//! The `csv-import` workload: parse CSV chunks, validate them and insert them into a database.
//!
//! Units are fixed chunks of `chunk_rows` records of each input file. A unit reads its bytes
//! (`disk` wait), parses and validates them (CPU), and stores the good rows through this
//! worker's own connection (`writer: each`) or through the one writer thread (`writer: single`,
//! the unit waits for the commit as `db`). Rows that fail validation or that the database
//! refuses become rejections; `verify` checks that stored + rejected == input rows (the
//! report's `verification`). A worker keeps its connection from unit to unit (`Local`).
//!
//! In `async` mode PostgreSQL (`writer: each`) goes through the async driver (tokio-postgres,
//! one pooled connection per unit in flight); SQLite has no async driver, so its units run in
//! the runtime's blocking pool (each pool thread a lane with its own connection), and the
//! report says so (`options.async`).

mod capped;
mod gen;
pub mod options;
mod parse;
mod quotes;
mod scan;
mod schemas;
#[cfg(test)]
mod tests;
mod writer;

pub use crate::model::{TableCheck, Verification};
pub use gen::{cache_dir, ensure_cached, generate, generate_observed};
pub use options::{new_run_id, CsvOptions, OptionError, WriterMode};
pub use schemas::Dataset;

use crate::db::pg_async::{self, AsyncPgPool};
use crate::db::{DbConn, DbError, DbTarget, InsertPlan, Row, RowRejection, SqliteOptions};
use crate::measure::{in_phase, in_phase_async, WorkerCtx};
use crate::model::UnitRecord;
use crate::model::WaitCategory;
use crate::model::{Rejection, UnitOutcome};
use crate::workload::data::once;
use crate::workload::data::progress::{GenObserver, Unobserved};
use crate::workload::{AsyncCtx, ReportOptions, RunEnd, UnitFuture, WorkloadError, WorkloadResult};
use parking_lot::Mutex;
use scan::InputFile;
use serde_json::json;
use std::io::{Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use writer::{Writer, WriterClient};

/// State set up by `prepare` (lazily, if the engine did not call it).
#[derive(Default)]
struct Prepared {
    done: bool,
    baselines: Vec<u64>,
    client: Option<WriterClient>,
    writer: Option<Writer>,
}

/// What one worker keeps from unit to unit: its own connection (`writer: each`), or, for
/// PostgreSQL on a tokio thread, its own writer thread (see `store_off_runtime`).
#[derive(Default)]
pub struct WorkerConnection {
    conn: Option<DbConn>,
    writer: Option<Writer>,
}

/// The `csv-import` workload.
pub struct CsvImport {
    options: CsvOptions,
    target: DbTarget,
    inputs: Vec<InputFile>,
    /// (input index, chunk index) of every unit.
    units: Vec<(usize, usize)>,
    writer_mode: WriterMode,
    prepared: Mutex<Prepared>,
    /// Per input file: rows this process's finished units stored, and rows they rejected.
    stored: Vec<AtomicU64>,
    rejected: Vec<AtomicU64>,
    /// `async` mode with PostgreSQL and `writer: each`: the async driver's connections.
    pg_pool: Option<Arc<AsyncPgPool>>,
    /// The copy of an input that could be read only once (what every reader reads).
    input_copy: Option<once::Settled>,
}

/// What the report says about `async` mode with SQLite.
pub const SQLITE_ASYNC_NOTE: &str = "SQLite has no async driver: in async mode each unit runs \
     its blocking calls in the runtime's blocking pool (spawn_blocking, lanes bs-blocking-<n>, \
     at most --in-flight threads, one connection each), so runtime threads are not blocked";

fn db_error(e: DbError) -> WorkloadError {
    if e.is_input() {
        WorkloadError::Input(e.to_string())
    } else {
        WorkloadError::Other(e.to_string())
    }
}

impl CsvImport {
    /// Checks the options, generates (or finds) the data and scans every input file.
    pub fn new(options: CsvOptions) -> Result<CsvImport, WorkloadError> {
        Self::new_observed(options, &mut Unobserved)
    }

    /// [`CsvImport::new`], reporting the generation of the data set (if it is not cached)
    /// to `observer`.
    pub fn new_observed(
        options: CsvOptions,
        observer: &mut dyn GenObserver,
    ) -> Result<CsvImport, WorkloadError> {
        let base = options.data_dir.clone().unwrap_or_else(cache_dir);
        let target = DbTarget::parse_in(&options.db, &base).map_err(db_error)?;
        let plan = InsertPlan {
            mode: options.insert,
            batch: options.batch,
        };
        DbConn::check_plan(&target, plan).map_err(db_error)?;
        if let DbTarget::Sqlite(crate::db::SqlitePath::File(path)) = &target {
            crate::db::target::check_sqlite_file(path).map_err(db_error)?;
        }
        // Read once here if it can be read only once (a FIFO, /dev/stdin): see `data::once`.
        let input_copy = options.input.as_deref().map(once::settle).transpose()?;
        let read_from = input_copy.as_ref().map(|s| s.path.as_path());
        let inputs = load_inputs(&options, read_from, &base, observer)?;
        check_widths(&inputs, &target)?;
        if let DbTarget::Sqlite(crate::db::SqlitePath::File(path)) = &target {
            if let Some(parent) = path.parent().filter(|p| *p == base) {
                std::fs::create_dir_all(parent).map_err(|e| {
                    WorkloadError::io(format!("cannot create {}", parent.display()), e)
                })?;
            }
        }
        let units = inputs
            .iter()
            .enumerate()
            .flat_map(|(f, input)| (0..input.chunks.len()).map(move |c| (f, c)))
            .collect();
        // An in-memory database exists inside one connection, so it needs the single writer.
        let writer_mode = if target.is_memory() {
            WriterMode::Single
        } else {
            options.writer
        };
        let rejected = inputs.iter().map(|_| AtomicU64::new(0)).collect();
        let stored = inputs.iter().map(|_| AtomicU64::new(0)).collect();
        let pg_pool = match &target {
            DbTarget::Postgres(url) if writer_mode == WriterMode::Each => {
                Some(Arc::new(AsyncPgPool::new(url)))
            }
            _ => None,
        };
        Ok(CsvImport {
            options,
            target,
            inputs,
            units,
            writer_mode,
            prepared: Mutex::default(),
            stored,
            rejected,
            pg_pool,
            input_copy: input_copy.filter(once::Settled::is_copy),
        })
    }

    pub fn options(&self) -> &CsvOptions {
        &self.options
    }

    /// The database (print it with `Display`: the password is masked).
    pub fn target(&self) -> &DbTarget {
        &self.target
    }

    /// The writer mode in effect (`single` for an in-memory database whatever was asked).
    pub fn writer_mode(&self) -> WriterMode {
        self.writer_mode
    }

    /// What `async` mode does with this database (the report's `options.async`).
    pub fn async_text(&self) -> String {
        match (&self.target, self.writer_mode) {
            (DbTarget::Sqlite(_), _) => SQLITE_ASYNC_NOTE.to_string(),
            (DbTarget::Postgres(_), WriterMode::Each) => format!(
                "async driver ({}): in async mode each unit inserts over a pooled \
                 non-blocking connection (at most one per unit in flight), so runtime threads \
                 are free while the server works",
                pg_async::DRIVER
            ),
            (DbTarget::Postgres(_), WriterMode::Single) => "writer single: in async mode units \
                run in the runtime's blocking pool (spawn_blocking, lanes bs-blocking-<n>) and \
                wait there while the one writer thread commits their rows"
                .to_string(),
        }
    }

    /// Data rows over all input files.
    pub fn input_rows(&self) -> u64 {
        self.inputs.iter().map(|i| i.rows).sum()
    }

    fn plan(&self) -> InsertPlan {
        InsertPlan {
            mode: self.options.insert,
            batch: self.options.batch.max(1),
        }
    }

    fn sqlite_options(&self) -> SqliteOptions {
        SqliteOptions {
            journal: self.options.journal,
            sync: self.options.sync,
        }
    }

    fn open(&self) -> Result<DbConn, WorkloadError> {
        DbConn::open(&self.target, self.sqlite_options()).map_err(db_error)
    }

    /// Sets up tables (once) and returns the writer client in single-writer mode.
    fn ensure_prepared(&self) -> Result<Option<WriterClient>, WorkloadError> {
        let mut state = self.prepared.lock();
        if state.done {
            return Ok(state.client.clone());
        }
        let specs: Vec<_> = self.inputs.iter().map(|i| i.spec.clone()).collect();
        let (fresh, run_id) = (self.options.fresh, self.options.run_id.as_str());
        if self.writer_mode == WriterMode::Single {
            let writer = Writer::start(
                self.target.clone(),
                self.sqlite_options(),
                specs,
                self.plan(),
            )
            .map_err(db_error)?;
            let client = writer
                .sender()
                .ok_or_else(|| WorkloadError::Other("writer stopped".into()))?;
            state.baselines = client.setup(fresh, run_id).map_err(db_error)?;
            state.writer = Some(writer);
            state.client = Some(client);
        } else {
            let mut conn = self.open()?;
            let mut ctx = WorkerCtx::standalone("bs-csv-setup");
            state.baselines = specs
                .iter()
                .map(|spec| conn.setup_table(&mut ctx, spec, fresh, run_id))
                .collect::<Result<_, _>>()
                .map_err(db_error)?;
        }
        state.done = true;
        Ok(state.client.clone())
    }

    /// Checks stored + rejected == input rows, using what this process's units stored and
    /// rejected (threads, rayon, async, sequential), and that the tables grew by at least
    /// the rows stored.
    pub fn verify(&self) -> Result<Verification, WorkloadError> {
        let load = |v: &[AtomicU64]| v.iter().map(|r| r.load(Relaxed)).collect::<Vec<_>>();
        self.verify_counts(&load(&self.stored), &load(&self.rejected))
    }

    /// Like `verify`, with what was stored and rejected taken from the units' records
    /// (processes mode: the units ran in child processes).
    pub fn verify_with(&self, records: &[UnitRecord]) -> Result<Verification, WorkloadError> {
        let mut stored = vec![0u64; self.inputs.len()];
        let mut rejected = vec![0u64; self.inputs.len()];
        for record in records {
            let (Ok(outcome), Some(&(f, _))) = (&record.outcome, self.units.get(record.unit))
            else {
                continue;
            };
            stored[f] += outcome.items;
            rejected[f] += outcome.rejected.len() as u64;
        }
        self.verify_counts(&stored, &rejected)
    }

    /// Only this run's own rows are checked: another import into the same table at the same
    /// time (or rows a failed unit committed before it died) make the table grow by more,
    /// which the check reports but does not count as stored.
    fn verify_counts(
        &self,
        stored: &[u64],
        rejected: &[u64],
    ) -> Result<Verification, WorkloadError> {
        let client = self.ensure_prepared()?;
        let baselines = self.prepared.lock().baselines.clone();
        let counts = match client {
            Some(client) => client.count().map_err(db_error)?,
            None => {
                let mut conn = self.open()?;
                let mut ctx = WorkerCtx::standalone("bs-csv-verify");
                let names = self.inputs.iter().map(|i| i.spec.name.as_str());
                names
                    .map(|t| conn.count(&mut ctx, t))
                    .collect::<Result<_, _>>()
                    .map_err(db_error)?
            }
        };
        let checks = self.inputs.iter().enumerate().map(|(i, input)| {
            let now = counts.get(i).copied().unwrap_or(0);
            let growth = now.saturating_sub(baselines.get(i).copied().unwrap_or(0));
            TableCheck::new(
                &input.spec.name,
                &input.source,
                input.rows,
                [stored.get(i), rejected.get(i), Some(&growth)].map(|n| n.copied().unwrap_or(0)),
            )
        });
        Ok(Verification::new(checks.collect()))
    }

    /// Inserts `rows` into input `file`'s table; returns the rows and the refused ones.
    fn store(
        &self,
        file: usize,
        rows: Vec<Row>,
        ctx: &mut WorkerCtx,
        kept: &mut WorkerConnection,
    ) -> Result<(Vec<Row>, Vec<RowRejection>), WorkloadError> {
        if let Some(client) = self.ensure_prepared()? {
            let (rows, result) = ctx.wait(WaitCategory::Db, || client.insert(file, rows));
            return Ok((rows, result.map_err(db_error)?));
        }
        if !self.target.is_sqlite() && tokio::runtime::Handle::try_current().is_ok() {
            return self.store_off_runtime(file, rows, ctx, &mut kept.writer);
        }
        let mut conn = match kept.conn.take() {
            Some(conn) => conn,
            None => ctx.wait(WaitCategory::Db, || self.open())?,
        };
        // On a database failure the connection is dropped; the next unit opens a new one.
        let refused = conn
            .insert(ctx, &self.inputs[file].spec, &rows, self.plan())
            .map_err(db_error)?;
        kept.conn = Some(conn);
        Ok((rows, refused))
    }
}

impl CsvImport {
    /// The unit's outcome once its rows are stored: `refused` rows become rejections and
    /// the digest covers the stored rows (the same in every mode).
    fn outcome(
        &self,
        f: usize,
        bytes: usize,
        rows: &[Row],
        lines: &[u64],
        mut rejected: Vec<Rejection>,
        refused: Vec<RowRejection>,
    ) -> UnitOutcome {
        let source = &self.inputs[f].source;
        let mut stored = vec![true; rows.len()];
        for r in refused {
            if let (Some(flag), Some(&line)) = (stored.get_mut(r.index), lines.get(r.index)) {
                *flag = false;
                rejected.push(Rejection {
                    source: source.clone(),
                    line,
                    reason: r.reason,
                });
            }
        }
        rejected.sort_by_key(|r| r.line);
        let kept: Vec<&Row> = rows
            .iter()
            .zip(&stored)
            .filter(|(_, ok)| **ok)
            .map(|(r, _)| r)
            .collect();
        let outcome = UnitOutcome {
            items: kept.len() as u64,
            bytes: bytes as u64,
            digest: parse::digest_rows(kept),
            rejected,
        };
        self.rejected[f].fetch_add(outcome.rejected.len() as u64, Relaxed);
        self.stored[f].fetch_add(outcome.items, Relaxed);
        outcome
    }

    /// One unit in `async` mode with the async driver: read and parse (CPU on the runtime
    /// thread), then insert over a pooled tokio-postgres connection.
    async fn unit_async(
        self: &Arc<Self>,
        unit: usize,
        pool: &AsyncPgPool,
    ) -> Result<UnitOutcome, WorkloadError> {
        let &(f, c) = self
            .units
            .get(unit)
            .ok_or_else(|| WorkloadError::Other(format!("no unit {unit}")))?;
        if !self.prepared.lock().done {
            // Table setup uses the blocking client, which must not run on a runtime thread.
            let this = self.clone();
            tokio::task::spawn_blocking(move || this.ensure_prepared())
                .await
                .map_err(|e| WorkloadError::Other(format!("table setup stopped: {e}")))??;
        }
        let (input, chunk) = (&self.inputs[f], &self.inputs[f].chunks[c]);
        let data = in_phase("read", || read_range(input, chunk))?;
        let parsed = in_phase("parse", || {
            parse::parse_chunk(&data, input, chunk, &mut || {})
        });
        let insert = async {
            let mut conn = pool.get().await.map_err(db_error)?;
            // On a database failure the connection is dropped, not given back.
            let refused = conn
                .insert(&input.spec, &parsed.rows, self.plan())
                .await
                .map_err(db_error)?;
            Ok::<_, WorkloadError>((conn, refused))
        };
        let (conn, refused) = in_phase_async("insert", insert).await?;
        pool.put(conn);
        Ok(self.outcome(
            f,
            data.len(),
            &parsed.rows,
            &parsed.lines,
            parsed.rejected,
            refused,
        ))
    }

    /// A blocking `run_unit` on a tokio thread with PostgreSQL (only when `run_unit_async`
    /// did not take the unit; `async` mode with `writer: each` uses the async driver), where
    /// the synchronous client cannot block (it drives a runtime of its own): this worker's
    /// connection then lives on a plain thread of its own, and the worker waits as `db`.
    fn store_off_runtime(
        &self,
        file: usize,
        rows: Vec<Row>,
        ctx: &mut WorkerCtx,
        kept: &mut Option<Writer>,
    ) -> Result<(Vec<Row>, Vec<RowRejection>), WorkloadError> {
        let writer = match kept.take() {
            Some(writer) => writer,
            None => {
                let specs: Vec<_> = self.inputs.iter().map(|i| i.spec.clone()).collect();
                let (target, sqlite, plan) =
                    (self.target.clone(), self.sqlite_options(), self.plan());
                ctx.wait(WaitCategory::Db, || {
                    Writer::start(target, sqlite, specs, plan)
                })
                .map_err(db_error)?
            }
        };
        let client = writer
            .sender()
            .ok_or_else(|| WorkloadError::Other("writer stopped".into()))?;
        let (rows, result) = ctx.wait(WaitCategory::Db, || client.insert(file, rows));
        let refused = result.map_err(db_error)?;
        *kept = Some(writer);
        Ok((rows, refused))
    }
}

/// The inputs' scans: the given file (read from `read_from`, its copy if it has one) or
/// the generated data set.
fn load_inputs(
    options: &CsvOptions,
    read_from: Option<&std::path::Path>,
    base: &std::path::Path,
    observer: &mut dyn GenObserver,
) -> Result<Vec<InputFile>, WorkloadError> {
    let chunk_rows = options.chunk_rows.max(1);
    let cap = options.max_record_bytes.max(1);
    if let (Some(path), Some(read_from)) = (&options.input, read_from) {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let given = options.table.as_deref().unwrap_or(&stem);
        let table = checked_table(schemas::sanitize(given, "imported"), given)?;
        return Ok(vec![scan::scan(read_from, &table, chunk_rows, cap)?]);
    }
    let dir = ensure_cached(base, options.dataset, options.records, observer)?;
    options
        .dataset
        .files()
        .iter()
        .map(|(file, _)| {
            let stem = file.trim_end_matches(".csv");
            let table = match &options.table {
                Some(prefix) => {
                    let given = format!("{prefix}_{stem}");
                    checked_table(schemas::sanitize(&given, stem), &given)?
                }
                None => stem.to_string(),
            };
            scan::scan(&dir.join(file), &table, chunk_rows, cap)
        })
        .collect()
}

/// Refuses, before any table is made, an input with more columns than the database allows in
/// a table: bad input, not a run that fails at `CREATE TABLE` and leaves files behind.
fn check_widths(inputs: &[InputFile], target: &DbTarget) -> Result<(), WorkloadError> {
    let (database, most) = match target {
        // SQLite's SQLITE_MAX_COLUMN as built into the bundled library.
        DbTarget::Sqlite(_) => ("SQLite", 2000),
        DbTarget::Postgres(_) => ("PostgreSQL", 1600),
    };
    match inputs.iter().find(|i| i.spec.columns.len() > most) {
        Some(wide) => Err(WorkloadError::Input(format!(
            "CSV file {} has {} columns; a {database} table holds at most {most}",
            wide.path.display(),
            wide.spec.columns.len()
        ))),
        None => Ok(()),
    }
}

/// `table`, unless it is reserved (a usage error).
fn checked_table(table: String, given: &str) -> Result<String, WorkloadError> {
    match schemas::table_name_problem(&table, given) {
        Some(problem) => Err(WorkloadError::Input(problem)),
        None => Ok(table),
    }
}

fn read_range(input: &InputFile, chunk: &scan::Chunk) -> Result<Vec<u8>, WorkloadError> {
    let context = || format!("cannot read {}", input.path.display());
    let mut file = std::fs::File::open(&input.path).map_err(|e| WorkloadError::io(context(), e))?;
    file.seek(SeekFrom::Start(chunk.start))
        .map_err(|e| WorkloadError::io(context(), e))?;
    let mut data = vec![0u8; chunk.end.saturating_sub(chunk.start) as usize];
    file.read_exact(&mut data)
        .map_err(|e| WorkloadError::io(context(), e))?;
    Ok(data)
}

impl crate::workload::Workload for CsvImport {
    type Local = WorkerConnection;

    fn name(&self) -> &'static str {
        options::NAME
    }

    fn unit_count(&self) -> usize {
        self.units.len()
    }

    fn unit_label(&self, unit: usize) -> String {
        match self.units.get(unit) {
            Some(&(f, c)) => format!(
                "{} rows from line {}",
                self.inputs[f].source, self.inputs[f].chunks[c].first_line
            ),
            None => format!("unit {unit}"),
        }
    }

    fn prepare(&self) -> Result<(), WorkloadError> {
        self.ensure_prepared().map(|_| ())
    }

    /// Children of `processes` mode read the copy of an input that could be read only once.
    fn spec_for_children(&self) -> Option<crate::workload::WorkloadSpec> {
        let copy = self.input_copy.as_ref()?;
        Some(crate::workload::WorkloadSpec::CsvImport(CsvOptions {
            input: Some(copy.path.clone()),
            ..self.options.clone()
        }))
    }

    fn run_unit(
        &self,
        unit: usize,
        ctx: &mut WorkerCtx,
        kept: &mut WorkerConnection,
    ) -> Result<UnitOutcome, WorkloadError> {
        let &(f, c) = self
            .units
            .get(unit)
            .ok_or_else(|| WorkloadError::Other(format!("no unit {unit}")))?;
        let (input, chunk) = (&self.inputs[f], &self.inputs[f].chunks[c]);
        let data = in_phase("read", || {
            ctx.wait(WaitCategory::Disk, || read_range(input, chunk))
        })?;
        let parsed = in_phase("parse", || {
            parse::parse_chunk(&data, input, chunk, &mut || ctx.checkpoint())
        });
        let (lines, rejected) = (parsed.lines, parsed.rejected);
        let (rows, refused) = in_phase("insert", || self.store(f, parsed.rows, ctx, kept))?;
        let outcome = self.outcome(f, data.len(), &rows, &lines, rejected, refused);
        ctx.progress(outcome.items, outcome.bytes);
        ctx.rejected(outcome.rejected.len() as u64);
        Ok(outcome)
    }

    /// PostgreSQL with `writer: each`: the rows go through the async driver, so a unit
    /// waiting for the server frees its runtime thread. SQLite (no async driver) and the
    /// single writer run the blocking `run_unit` instead.
    fn run_unit_async(self: Arc<Self>, unit: usize, ctx: AsyncCtx) -> Option<UnitFuture> {
        let pool = self.pg_pool.clone()?;
        Some(Box::pin(async move {
            let outcome = self.unit_async(unit, &pool).await?;
            ctx.progress(outcome.items, outcome.bytes);
            ctx.rejected(outcome.rejected.len() as u64);
            Ok(outcome)
        }))
    }

    fn async_wait(&self) -> WaitCategory {
        WaitCategory::Db
    }

    /// Units the async driver does not take (SQLite, the single writer) make blocking
    /// database calls: they belong in the blocking pool, not on the runtime threads.
    fn async_blocking_pool(&self) -> bool {
        self.pg_pool.is_none()
    }

    /// Checks what the run stored (from the units' records when other processes ran
    /// them), and says that a PostgreSQL server's CPU is not counted.
    fn result(&self, end: RunEnd<'_>) -> WorkloadResult {
        let verification = end.check.then(|| match end.remote {
            Some(records) => self.verify_with(records),
            None => self.verify(),
        });
        let cpu_not_counted = match &self.target {
            DbTarget::Postgres(_) => Some(
                "the PostgreSQL server's CPU (its backend processes) is not counted: cpu_s is \
                 boundscope's own processes only, and the server's work shows as `db` waits"
                    .into(),
            ),
            DbTarget::Sqlite(_) => None,
        };
        WorkloadResult {
            verification,
            cpu_not_counted,
            ..WorkloadResult::default()
        }
    }

    fn describe(&self, options: &mut ReportOptions) {
        let tables: Vec<_> = self
            .inputs
            .iter()
            .map(|i| json!({"table": i.spec.name, "source": i.source, "rows": i.rows, "columns": i.spec.columns.len()}))
            .collect();
        // The values as the run used them: the database file, the writer `auto` chose,
        // sizes of 0 read as 1, a SQLite file always fresh.
        let o = &self.options;
        options.extend([
            ("db".into(), json!(self.target.to_string())),
            ("batch".into(), json!(o.batch.max(1))),
            ("writer".into(), json!(self.writer_mode)),
            ("chunk_rows".into(), json!(o.chunk_rows.max(1))),
            ("fresh".into(), json!(o.fresh)),
            (
                "dataset".into(),
                json!(if o.input.is_some() {
                    "input"
                } else {
                    o.dataset.name()
                }),
            ),
            ("tables".into(), json!(tables)),
            ("async".into(), json!(self.async_text())),
        ]);
        if o.input.is_some() {
            // A given file has the records it has.
            options.insert("records".into(), serde_json::Value::Null);
        }
        if !self.target.is_sqlite() {
            options.remove("journal");
            options.remove("sync");
        }
        if let Some(pool) = &self.pg_pool {
            options.insert("async_connections".into(), json!(pool.opened()));
        }
    }
}
