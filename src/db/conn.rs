//! One connection to either database, and the insert strategies built on it.
//!
//! Strategies: `row` (one cached prepared statement per row), `multi` (multi-row VALUES within
//! the parameter limit), `copy` (PostgreSQL COPY FROM STDIN). Rows go in transactions of
//! `batch` rows (`1` = every row commits on its own). A row the database refuses (a duplicate
//! key, a value out of range) is rejected with the database's reason; when a whole batch was
//! refused it is redone row by row to find the bad rows.

use super::postgres::{self as pg, PgConn};
use super::schema::{quote_ident, Row, TableSpec};
use super::sqlite::{SqliteConn, SqliteOptions};
use super::{DbError, DbTarget, Refused, SqlitePath};
use crate::measure::WorkerCtx;
use serde::{Deserialize, Serialize};

/// How rows are sent to the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InsertMode {
    #[default]
    Row,
    Multi,
    Copy,
}

impl std::str::FromStr for InsertMode {
    type Err = DbError;
    fn from_str(s: &str) -> Result<Self, DbError> {
        match s.to_ascii_lowercase().as_str() {
            "row" => Ok(InsertMode::Row),
            "multi" => Ok(InsertMode::Multi),
            "copy" => Ok(InsertMode::Copy),
            _ => Err(DbError::BadOption(format!(
                "unknown insert mode `{s}`; accepted: row, multi, copy"
            ))),
        }
    }
}

/// An insert strategy and the number of rows per transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsertPlan {
    pub mode: InsertMode,
    pub batch: usize,
}

/// A row the database refused: its index in the rows handed to `insert`, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRejection {
    pub index: usize,
    pub reason: String,
}

/// Table remembering which run created which table, so that child processes of one run
/// do not drop each other's rows, and how many rows a table held before the run.
const RUNS_TABLE: &str = "boundscope_import_runs";

/// An open connection.
pub enum DbConn {
    Sqlite(SqliteConn),
    Postgres(Box<PgConn>),
}

impl DbConn {
    /// Opens `target`; `sqlite` options only apply to SQLite.
    pub fn open(target: &DbTarget, sqlite: SqliteOptions) -> Result<DbConn, DbError> {
        match target {
            DbTarget::Sqlite(SqlitePath::File(path)) => {
                Ok(DbConn::Sqlite(SqliteConn::open(Some(path), sqlite)?))
            }
            DbTarget::Sqlite(SqlitePath::Memory) => {
                Ok(DbConn::Sqlite(SqliteConn::open(None, sqlite)?))
            }
            DbTarget::Postgres(url) => Ok(DbConn::Postgres(Box::new(pg::connect(url)?))),
        }
    }

    /// Fails early for a strategy this database cannot do.
    pub fn check_plan(target: &DbTarget, plan: InsertPlan) -> Result<(), DbError> {
        if plan.mode == InsertMode::Copy && target.is_sqlite() {
            return Err(DbError::Unsupported(
                "insert mode `copy` needs PostgreSQL (COPY FROM STDIN); with SQLite use `row` or `multi`"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Inserts `rows` into `spec`'s table; returns the rows the database refused.
    pub fn insert(
        &mut self,
        ctx: &mut WorkerCtx,
        spec: &TableSpec,
        rows: &[Row],
        plan: InsertPlan,
    ) -> Result<Vec<RowRejection>, DbError> {
        let batch = plan.batch.max(1);
        let mut rejected = Vec::new();
        for (g, group) in rows.chunks(batch).enumerate() {
            let found = match self {
                DbConn::Sqlite(c) => sqlite_group(c, ctx, spec, group, plan.mode)?,
                DbConn::Postgres(c) => pg_group(c, ctx, spec, group, plan)?,
            };
            rejected.extend(found.into_iter().map(|mut r| {
                r.index += g * batch;
                r
            }));
        }
        Ok(rejected)
    }

    /// Creates `spec`'s table (dropping it first when `fresh`) unless this run already did;
    /// returns how many rows it held before the run.
    pub fn setup_table(
        &mut self,
        ctx: &mut WorkerCtx,
        spec: &TableSpec,
        fresh: bool,
        run_id: &str,
    ) -> Result<u64, DbError> {
        match self {
            DbConn::Sqlite(c) => c.begin(ctx)?,
            DbConn::Postgres(c) => {
                c.execute(ctx, "BEGIN; SELECT pg_advisory_xact_lock(7303535373)")?
            }
        }
        let result = self.setup_in_transaction(ctx, spec, fresh, run_id);
        match (&result, &mut *self) {
            (Ok(_), DbConn::Sqlite(c)) => c.commit(ctx)?,
            (Ok(_), DbConn::Postgres(c)) => c.commit(ctx)?,
            (Err(_), DbConn::Sqlite(c)) => c.rollback(),
            (Err(_), DbConn::Postgres(c)) => {
                let _ignored = c.execute(ctx, "ROLLBACK");
            }
        }
        result
    }

    fn setup_in_transaction(
        &mut self,
        ctx: &mut WorkerCtx,
        spec: &TableSpec,
        fresh: bool,
        run_id: &str,
    ) -> Result<u64, DbError> {
        self.exec(
            ctx,
            &format!(
                "CREATE TABLE IF NOT EXISTS {RUNS_TABLE} (run_id TEXT NOT NULL, table_name TEXT \
             NOT NULL, baseline BIGINT NOT NULL, PRIMARY KEY (run_id, table_name))"
            ),
        )?;
        let known = format!(
            "SELECT baseline FROM {RUNS_TABLE} WHERE run_id = {} AND table_name = {}",
            quote_literal(run_id),
            quote_literal(&spec.name)
        );
        if let Some(baseline) = self.query_i64(ctx, &known)? {
            return Ok(baseline.max(0) as u64);
        }
        self.create_table(ctx, spec, fresh)?;
        let baseline = self.count(ctx, &spec.name)?;
        self.exec(
            ctx,
            &format!(
            "INSERT INTO {RUNS_TABLE} (run_id, table_name, baseline) VALUES ({}, {}, {baseline})",
            quote_literal(run_id),
            quote_literal(&spec.name)
        ),
        )?;
        Ok(baseline)
    }

    fn create_table(
        &mut self,
        ctx: &mut WorkerCtx,
        spec: &TableSpec,
        fresh: bool,
    ) -> Result<(), DbError> {
        if fresh {
            self.exec(
                ctx,
                &format!("DROP TABLE IF EXISTS {}", quote_ident(&spec.name)),
            )?;
        }
        let dialect = match self {
            DbConn::Sqlite(_) => super::schema::Dialect::Sqlite,
            DbConn::Postgres(_) => super::schema::Dialect::Postgres,
        };
        self.exec(ctx, &spec.create_sql(dialect))
    }

    /// Drops `spec`'s table if it exists and creates it empty, in one transaction.
    pub fn recreate_table(&mut self, ctx: &mut WorkerCtx, spec: &TableSpec) -> Result<(), DbError> {
        let dialect = match self {
            DbConn::Sqlite(_) => super::schema::Dialect::Sqlite,
            DbConn::Postgres(_) => super::schema::Dialect::Postgres,
        };
        let script = format!(
            "DROP TABLE IF EXISTS {}; {}",
            quote_ident(&spec.name),
            spec.create_sql(dialect)
        );
        self.run_script(ctx, &script, None).map(drop)
    }

    /// Runs `script` (one or more statements) in one write transaction, then `select` inside
    /// the same transaction; returns `select`'s rows with every cell as text (SQLite reals
    /// with 6 decimals, NULL as `NULL`), in the order the database gave them.
    pub fn run_script(
        &mut self,
        ctx: &mut WorkerCtx,
        script: &str,
        select: Option<&str>,
    ) -> Result<Vec<Vec<String>>, DbError> {
        match self {
            DbConn::Sqlite(c) => {
                c.begin(ctx)?;
                let result = c
                    .execute(script)
                    .and_then(|()| select.map_or(Ok(Vec::new()), |q| c.query_text(q)));
                match result {
                    Ok(rows) => c.commit(ctx).map(|()| rows),
                    Err(e) => {
                        c.rollback();
                        Err(e)
                    }
                }
            }
            DbConn::Postgres(c) => {
                c.execute(ctx, "BEGIN")?;
                let result = c
                    .execute(ctx, script)
                    .and_then(|()| select.map_or(Ok(Vec::new()), |q| c.query_text(ctx, q)));
                match result {
                    Ok(rows) => c.commit(ctx).map(|()| rows),
                    Err(e) => {
                        let _ignored = c.execute(ctx, "ROLLBACK");
                        Err(e)
                    }
                }
            }
        }
    }

    /// Rows in `table` now.
    pub fn count(&mut self, ctx: &mut WorkerCtx, table: &str) -> Result<u64, DbError> {
        let sql = format!("SELECT COUNT(*) FROM {}", quote_ident(table));
        Ok(self.query_i64(ctx, &sql)?.unwrap_or(0).max(0) as u64)
    }

    fn exec(&mut self, ctx: &mut WorkerCtx, sql: &str) -> Result<(), DbError> {
        match self {
            DbConn::Sqlite(c) => c.execute(sql),
            DbConn::Postgres(c) => c.execute(ctx, sql),
        }
    }

    fn query_i64(&mut self, ctx: &mut WorkerCtx, sql: &str) -> Result<Option<i64>, DbError> {
        match self {
            DbConn::Sqlite(c) => c.query_i64(sql),
            DbConn::Postgres(c) => c.query_i64(ctx, sql),
        }
    }
}

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// One SQLite transaction. A refused statement only undoes itself, so the transaction goes on.
fn sqlite_group(
    c: &mut SqliteConn,
    ctx: &mut WorkerCtx,
    spec: &TableSpec,
    rows: &[Row],
    mode: InsertMode,
) -> Result<Vec<RowRejection>, DbError> {
    let per = match mode {
        InsertMode::Row => 1,
        InsertMode::Multi => c.max_rows_per_statement(spec),
        InsertMode::Copy => {
            return Err(DbError::Unsupported(
                "insert mode `copy` needs PostgreSQL".into(),
            ))
        }
    };
    c.begin(ctx)?;
    match sqlite_statements(c, ctx, spec, rows, per) {
        Ok(rejected) => c.commit(ctx).map(|()| rejected),
        Err(e) => {
            c.rollback();
            Err(e)
        }
    }
}

fn sqlite_statements(
    c: &mut SqliteConn,
    ctx: &mut WorkerCtx,
    spec: &TableSpec,
    rows: &[Row],
    per: usize,
) -> Result<Vec<RowRejection>, DbError> {
    let refused = c.insert_rows(ctx, spec, rows, per)?;
    Ok(refused
        .into_iter()
        .map(|(index, reason)| RowRejection { index, reason })
        .collect())
}

/// One PostgreSQL transaction (or, with batch 1, autocommitted rows). The server aborts a
/// transaction at the first refused row, so a refused batch is rolled back and redone row by
/// row with a savepoint around each row.
fn pg_group(
    c: &mut PgConn,
    ctx: &mut WorkerCtx,
    spec: &TableSpec,
    rows: &[Row],
    plan: InsertPlan,
) -> Result<Vec<RowRejection>, DbError> {
    if plan.batch <= 1 {
        let mut rejected = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            if let Err(reason) = pg_send(c, ctx, spec, std::slice::from_ref(row), plan.mode)? {
                rejected.push(RowRejection {
                    index,
                    reason: reason.to_string(),
                });
            }
        }
        return Ok(rejected);
    }
    c.execute(ctx, "BEGIN")?;
    match pg_send_all(c, ctx, spec, rows, plan.mode) {
        Ok(Ok(())) => c.commit(ctx).map(|()| Vec::new()),
        Ok(Err(_)) => {
            c.execute(ctx, "ROLLBACK")?;
            pg_row_by_row(c, ctx, spec, rows, plan.mode)
        }
        Err(e) => {
            let _ignored = c.execute(ctx, "ROLLBACK");
            Err(e)
        }
    }
}

fn pg_send(
    c: &mut PgConn,
    ctx: &mut WorkerCtx,
    spec: &TableSpec,
    rows: &[Row],
    mode: InsertMode,
) -> Result<Result<(), Refused>, DbError> {
    match mode {
        InsertMode::Copy => c.copy(ctx, spec, rows),
        InsertMode::Row | InsertMode::Multi => c.insert(ctx, spec, rows),
    }
}

fn pg_send_all(
    c: &mut PgConn,
    ctx: &mut WorkerCtx,
    spec: &TableSpec,
    rows: &[Row],
    mode: InsertMode,
) -> Result<Result<(), Refused>, DbError> {
    let per = match mode {
        InsertMode::Row => 1,
        InsertMode::Multi => PgConn::max_rows_per_statement(spec),
        InsertMode::Copy => rows.len().max(1),
    };
    for statement_rows in rows.chunks(per) {
        let result = pg_send(c, ctx, spec, statement_rows, mode)?;
        if result.is_err() {
            return Ok(result);
        }
    }
    Ok(Ok(()))
}

fn pg_row_by_row(
    c: &mut PgConn,
    ctx: &mut WorkerCtx,
    spec: &TableSpec,
    rows: &[Row],
    mode: InsertMode,
) -> Result<Vec<RowRejection>, DbError> {
    let mut rejected = Vec::new();
    c.execute(ctx, "BEGIN")?;
    for (index, row) in rows.iter().enumerate() {
        c.execute(ctx, pg::SAVEPOINT)?;
        match pg_send(c, ctx, spec, std::slice::from_ref(row), mode)? {
            Ok(()) => c.execute(ctx, pg::RELEASE_SAVEPOINT)?,
            Err(reason) => {
                c.execute(ctx, pg::ROLLBACK_TO_SAVEPOINT)?;
                rejected.push(RowRejection {
                    index,
                    reason: reason.to_string(),
                });
            }
        }
    }
    c.commit(ctx)?;
    Ok(rejected)
}
