//! SQLite back end: opening with journal/sync options, and a lock wait that shows as `db-lock`.
//!
//! Accounting choice: SQLite runs inside this process, so executing a statement is CPU work of
//! the worker and is *not* wrapped in a wait span (with `--gil` the simulated lock stays held;
//! CPython's sqlite3 module would release it, which makes threads look better than they are).
//! What *is* waiting: the commit (fsync of the journal or WAL, `db`) and time spent waiting for
//! another connection's write lock (`db-lock`). Connections use a zero busy timeout and
//! `BEGIN IMMEDIATE`; on `SQLITE_BUSY` the worker sleeps inside a `db-lock` span and retries,
//! giving up after [`LOCK_TIMEOUT`].

use super::schema::{Dialect, Row, TableSpec, Value};
use super::{DbError, Refused};
use crate::measure::{in_phase, WorkerCtx};
use crate::model::WaitCategory;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, Statement};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long a writer waits for another writer's lock before its unit fails.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(30);
/// SQLite's bound-parameter limit in the bundled build (3.32 and later).
pub const MAX_VARIABLES: usize = 32_766;

/// SQLite's `journal_mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Journal {
    #[default]
    Wal,
    Delete,
    Off,
}

/// SQLite's `synchronous` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncMode {
    Full,
    #[default]
    Normal,
    Off,
}

impl std::str::FromStr for Journal {
    type Err = DbError;
    fn from_str(s: &str) -> Result<Self, DbError> {
        match s.to_ascii_lowercase().as_str() {
            "wal" => Ok(Journal::Wal),
            "delete" => Ok(Journal::Delete),
            "off" => Ok(Journal::Off),
            _ => Err(DbError::BadOption(format!(
                "unknown journal mode `{s}`; accepted: wal, delete, off"
            ))),
        }
    }
}

impl std::str::FromStr for SyncMode {
    type Err = DbError;
    fn from_str(s: &str) -> Result<Self, DbError> {
        match s.to_ascii_lowercase().as_str() {
            "full" => Ok(SyncMode::Full),
            "normal" => Ok(SyncMode::Normal),
            "off" => Ok(SyncMode::Off),
            _ => Err(DbError::BadOption(format!(
                "unknown sync mode `{s}`; accepted: full, normal, off"
            ))),
        }
    }
}

/// Journal and sync settings applied to every connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SqliteOptions {
    pub journal: Journal,
    pub sync: SyncMode,
}

/// Opens a file (or, with `None`, a private in-memory database) and applies `options`.
pub fn open(path: Option<&Path>, options: SqliteOptions) -> Result<Connection, DbError> {
    if let Some(path) = path {
        super::target::check_sqlite_file(path)?;
    }
    let shown = path.map_or(":memory:".to_string(), |p| p.display().to_string());
    let fail = |e: rusqlite::Error| DbError::Connect {
        target: format!("SQLite database {shown}"),
        reason: e.to_string(),
    };
    let conn = match path {
        Some(p) => Connection::open(p).map_err(fail)?,
        None => Connection::open_in_memory().map_err(fail)?,
    };
    // Switching journal modes needs the database to itself for a moment: allow a wait here.
    conn.busy_timeout(Duration::from_secs(10)).map_err(fail)?;
    let journal = match options.journal {
        Journal::Wal => "WAL",
        Journal::Delete => "DELETE",
        Journal::Off => "OFF",
    };
    let sync = match options.sync {
        SyncMode::Full => "FULL",
        SyncMode::Normal => "NORMAL",
        SyncMode::Off => "OFF",
    };
    retry_busy(|| conn.query_row(&format!("PRAGMA journal_mode={journal}"), [], |_| Ok(())))
        .map_err(fail)?;
    // Temporary b-trees in memory and a 64 MiB page cache: an import touches many pages
    // between commits, and re-reading them from the OS cache costs more than keeping them.
    retry_busy(|| {
        conn.execute_batch(&format!(
            "PRAGMA synchronous={sync}; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536"
        ))
    })
    .map_err(fail)?;
    conn.busy_timeout(Duration::ZERO).map_err(fail)?;
    Ok(conn)
}

/// Runs a step of opening until it is not refused as busy, for up to [`LOCK_TIMEOUT`].
/// SQLite answers "database is locked" at once, without calling the busy handler, where
/// waiting could deadlock: two connections switching a new file to WAL at the same moment
/// both hold a read lock and want the write lock. One of them must let go and try again.
fn retry_busy<T>(mut step: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let started = Instant::now();
    let mut backoff = Duration::from_millis(1);
    loop {
        match step() {
            Err(e) if is_busy(&e) && started.elapsed() < LOCK_TIMEOUT => {
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked)
    )
}

/// Runs `sql` (a BEGIN or COMMIT), sleeping in `db-lock` spans while another writer holds
/// the lock. `category` is the span used for the statement itself.
fn run_with_lock_wait(
    conn: &Connection,
    ctx: &mut WorkerCtx,
    sql: &str,
    category: Option<WaitCategory>,
) -> Result<(), DbError> {
    let started = Instant::now();
    let mut backoff = Duration::from_micros(50);
    loop {
        let result = match category {
            Some(c) => ctx.wait(c, || conn.execute_batch(sql)),
            None => conn.execute_batch(sql),
        };
        match result {
            Ok(()) => return Ok(()),
            Err(e) if is_busy(&e) => {
                if started.elapsed() >= LOCK_TIMEOUT {
                    return Err(DbError::LockTimeout(LOCK_TIMEOUT.as_secs()));
                }
                ctx.wait(WaitCategory::DbLock, || std::thread::sleep(backoff));
                backoff = (backoff * 2).min(Duration::from_millis(5));
            }
            Err(e) => return Err(DbError::query(sql, e)),
        }
    }
}

/// SQLite with one open connection.
pub struct SqliteConn {
    pub(crate) conn: Connection,
    /// False with `journal_mode=OFF`: a failed multi-row statement then leaves the rows it
    /// wrote before failing, so the bad row cannot be found by redoing it row by row.
    can_undo_statements: bool,
    /// INSERT texts already built: (table, rows per statement, SQL). Building one is a few
    /// hundred small string pushes; an import needs two or three different ones.
    sql: Vec<(String, usize, Rc<str>)>,
}

impl SqliteConn {
    pub fn new(conn: Connection, options: SqliteOptions) -> Self {
        // Enough cached statements for every table's row, full and last-group statements.
        conn.set_prepared_statement_cache_capacity(32);
        SqliteConn {
            conn,
            can_undo_statements: options.journal != Journal::Off,
            sql: Vec::new(),
        }
    }

    /// Opens `path` (`None`: in memory) with `options`.
    pub fn open(path: Option<&Path>, options: SqliteOptions) -> Result<Self, DbError> {
        Ok(Self::new(open(path, options)?, options))
    }

    /// `BEGIN IMMEDIATE`: takes the write lock now, waiting (as `db-lock`) while it is taken.
    pub fn begin(&mut self, ctx: &mut WorkerCtx) -> Result<(), DbError> {
        run_with_lock_wait(&self.conn, ctx, "BEGIN IMMEDIATE", None)
    }

    /// `COMMIT`, counted as a `db` wait (the journal or WAL is written and maybe synced), in
    /// phase `commit` (of the step it ends).
    pub fn commit(&mut self, ctx: &mut WorkerCtx) -> Result<(), DbError> {
        in_phase("commit", || {
            run_with_lock_wait(&self.conn, ctx, "COMMIT", Some(WaitCategory::Db))
        })
    }

    pub fn rollback(&mut self) {
        // Best effort: if there is no transaction open there is nothing to undo.
        let _ = self.conn.execute_batch("ROLLBACK");
    }

    /// The INSERT text for `rows` rows of `spec`'s table (built once per connection).
    fn insert_sql(&mut self, spec: &TableSpec, rows: usize) -> Rc<str> {
        let known = self
            .sql
            .iter()
            .find(|(table, n, _)| *n == rows && *table == spec.name);
        if let Some((_, _, sql)) = known {
            return sql.clone();
        }
        let sql: Rc<str> = spec.insert_sql(Dialect::Sqlite, rows).into();
        self.sql.push((spec.name.clone(), rows, sql.clone()));
        sql
    }

    /// Inserts `rows` with one cached multi-row statement per group;
    /// `Ok(Err(reason))` when the database rejected the group (a constraint), `Err` when the
    /// database failed.
    pub fn insert(
        &mut self,
        spec: &TableSpec,
        rows: &[Row],
    ) -> Result<Result<(), Refused>, DbError> {
        let sql = self.insert_sql(spec, rows.len());
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(|e| DbError::query(&sql, e))?;
        execute_rows(&mut stmt, rows, &sql)
    }

    /// Inserts `rows` in statements of `per` rows (inside the caller's transaction). The
    /// statements are prepared once and every value is bound in place (no parameter list is
    /// built). A refused multi-row statement is redone row by row to find the bad rows;
    /// returns (index in `rows`, reason) of every refused row.
    pub fn insert_rows(
        &mut self,
        ctx: &mut WorkerCtx,
        spec: &TableSpec,
        rows: &[Row],
        per: usize,
    ) -> Result<Vec<(usize, String)>, DbError> {
        let per = per.max(1);
        let full = rows.len() / per * per;
        let sql_full = self.insert_sql(spec, per);
        let sql_one = self.insert_sql(spec, 1);
        let sql_rest = self.insert_sql(spec, (rows.len() - full).max(1));
        let prepare = |sql: &str| {
            self.conn
                .prepare_cached(sql)
                .map_err(|e| DbError::query(sql, e))
        };
        let mut rejected = Vec::new();
        let mut stmt = prepare(&sql_full)?;
        for (s, group) in rows.chunks(per).enumerate() {
            if s % 64 == 0 {
                ctx.checkpoint();
            }
            let result = if group.len() == per {
                execute_rows(&mut stmt, group, &sql_full)?
            } else {
                let mut rest = prepare(&sql_rest)?;
                execute_rows(&mut rest, group, &sql_rest)?
            };
            let Err(reason) = result else {
                continue;
            };
            if group.len() == 1 {
                rejected.push((s * per, reason.to_string()));
                continue;
            }
            let mut one = prepare(&sql_one)?;
            for (i, row) in group.iter().enumerate() {
                if let Err(reason) = execute_rows(&mut one, std::slice::from_ref(row), &sql_one)? {
                    rejected.push((s * per + i, reason.to_string()));
                }
            }
        }
        Ok(rejected)
    }

    /// Rows per multi-row statement: within SQLite's parameter limit, and one when a failed
    /// statement cannot be undone (`journal: off`).
    pub fn max_rows_per_statement(&self, spec: &TableSpec) -> usize {
        if !self.can_undo_statements {
            return 1;
        }
        (MAX_VARIABLES / spec.columns.len().max(1)).max(1)
    }

    pub fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.conn
            .execute_batch(sql)
            .map_err(|e| DbError::query(sql, e))
    }

    /// Runs `sql` and returns the first column of the first row.
    pub fn query_i64(&mut self, sql: &str) -> Result<Option<i64>, DbError> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| DbError::query(sql, e))?;
        let mut rows = stmt.query([]).map_err(|e| DbError::query(sql, e))?;
        match rows.next().map_err(|e| DbError::query(sql, e))? {
            Some(row) => Ok(Some(row.get(0).map_err(|e| DbError::query(sql, e))?)),
            None => Ok(None),
        }
    }

    /// Runs `sql` and returns every row, each cell as text (reals with 6 decimals).
    pub fn query_text(&mut self, sql: &str) -> Result<Vec<Vec<String>>, DbError> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| DbError::query(sql, e))?;
        let width = stmt.column_count();
        let mut rows = stmt.query([]).map_err(|e| DbError::query(sql, e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| DbError::query(sql, e))? {
            let mut cells = Vec::with_capacity(width);
            for i in 0..width {
                let cell = row.get_ref(i).map_err(|e| DbError::query(sql, e))?;
                cells.push(match cell {
                    ValueRef::Null => "NULL".to_string(),
                    ValueRef::Integer(n) => n.to_string(),
                    ValueRef::Real(x) => format!("{x:.6}"),
                    ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    ValueRef::Blob(b) => format!("<{} bytes>", b.len()),
                });
            }
            out.push(cells);
        }
        Ok(out)
    }
}

/// Binds every value of `rows` to `stmt`'s parameters in order and runs it once.
fn execute_rows(
    stmt: &mut Statement<'_>,
    rows: &[Row],
    sql: &str,
) -> Result<Result<(), Refused>, DbError> {
    let mut index = 1;
    for row in rows {
        for value in row {
            stmt.raw_bind_parameter(index, value)
                .map_err(|e| DbError::query(sql, e))?;
            index += 1;
        }
    }
    match stmt.raw_execute() {
        Ok(_) => Ok(Ok(())),
        Err(e) if is_rejection(&e) => Ok(Err(Refused::Sqlite(e))),
        Err(e) => Err(DbError::query(sql, e)),
    }
}

fn is_rejection(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::ConstraintViolation) | Some(ErrorCode::TooBig)
    )
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_row_keeps_sqlite_s_error_as_its_source() {
        use crate::db::{Column, ColumnType};
        let spec = TableSpec {
            name: "t".into(),
            columns: vec![Column {
                name: "id".into(),
                ty: ColumnType::Integer,
            }],
            primary_key: Some(0),
        };
        let mut conn = SqliteConn::open(None, SqliteOptions::default()).expect("in memory");
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            .expect("table");
        let rows = vec![vec![Value::Int(1)], vec![Value::Int(1)]];
        let refused = conn
            .insert(&spec, &rows)
            .expect("no failure")
            .expect_err("duplicate");
        let source = std::error::Error::source(&refused).expect("sqlite's error is kept");
        assert_eq!(
            refused.to_string(),
            format!("rejected by the database: {source}")
        );
        assert!(source.to_string().contains("UNIQUE"), "{source}");
    }

    fn db_lock_s(meter: &crate::measure::WorkerMeter) -> f64 {
        let waits = meter.snapshot().waits;
        waits.get(&WaitCategory::DbLock).copied().unwrap_or(0.0)
    }

    #[test]
    fn a_second_writer_waits_for_the_lock_as_db_lock_and_then_gets_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("lock.db");
        let mut first = SqliteConn::open(Some(&path), SqliteOptions::default()).expect("open");
        let mut ctx = WorkerCtx::standalone("first");
        first.begin(&mut ctx).expect("first begin");
        let (meter_tx, meter_rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let meter = std::sync::Arc::new(crate::measure::WorkerMeter::for_current_thread(
                "second",
                Instant::now(),
            ));
            meter_tx.send(meter.clone()).expect("send");
            let mut ctx = WorkerCtx::new(meter.clone(), Default::default(), None);
            let mut second = SqliteConn::open(Some(&path), SqliteOptions::default()).expect("open");
            second.begin(&mut ctx).expect("second begin");
            second.commit(&mut ctx).expect("second commit");
            db_lock_s(&meter)
        });
        // Hold the lock until the second writer has accounted 0.1 s of waiting for it. Not a
        // fixed hold time: on a loaded machine its wake-ups after each retry's sleep count as
        // run queue, not db-lock, so a fixed hold would accrue less. Without the accounting the
        // deadline passes and the assertion below fails.
        let meter = meter_rx.recv().expect("meter");
        let deadline = Instant::now() + Duration::from_secs(20);
        while db_lock_s(&meter) < 0.1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        first.commit(&mut ctx).expect("first commit");
        let waited = waiter.join().expect("join");
        assert!(waited >= 0.1, "db-lock wait {waited}");
    }

    #[test]
    fn options_parse_and_name_the_accepted_values() {
        assert_eq!("WAL".parse::<Journal>().expect("wal"), Journal::Wal);
        assert_eq!("full".parse::<SyncMode>().expect("full"), SyncMode::Full);
        let err = "fast".parse::<SyncMode>().expect_err("fast").to_string();
        assert!(
            err.contains("`fast`") && err.contains("full, normal, off"),
            "{err}"
        );
    }
}
