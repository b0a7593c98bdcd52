//! The async PostgreSQL path (`async` mode): tokio-postgres connections in a small pool.
//!
//! Each connection's protocol driver is a task on the current tokio runtime, so a unit waiting
//! for the server holds no runtime thread. Inserts follow the blocking path exactly (same
//! statements, parameters, COPY data, batches and row-by-row fallback), so both store the same
//! rows and reject the same ones.

use super::conn::{InsertMode, InsertPlan, RowRejection};
use super::pg_client;
use super::postgres as pg;
use super::schema::{Dialect, Row, TableSpec};
use super::{DbError, Refused};
use crate::interrupt::Interrupt;
use crate::measure::{in_phase_async, wait_async};
use crate::model::WaitCategory;
use parking_lot::Mutex;
use std::collections::HashMap;
use tokio_postgres::{Client, Statement};

/// The driver's name, for reports.
pub const DRIVER: &str = "tokio-postgres";

/// One async connection and its prepared statements, keyed by SQL text.
pub struct AsyncPgConn {
    client: Client,
    statements: HashMap<String, Statement>,
}

/// Idle connections to one server. A unit takes one (or opens one) and gives it back when it
/// is done, so there are never more connections than units in flight.
pub struct AsyncPgPool {
    url: String,
    idle: Mutex<Vec<AsyncPgConn>>,
    opened: std::sync::atomic::AtomicUsize,
}

impl AsyncPgPool {
    pub fn new(url: &str) -> AsyncPgPool {
        AsyncPgPool {
            url: url.to_string(),
            idle: Mutex::new(Vec::new()),
            opened: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// An idle connection, or a new one (its driver spawned onto the current runtime).
    pub async fn get(&self) -> Result<AsyncPgConn, DbError> {
        loop {
            let Some(conn) = self.idle.lock().pop() else {
                break;
            };
            // A connection whose runtime ended (an earlier run) is closed: drop it.
            if !conn.client.is_closed() {
                return Ok(conn);
            }
        }
        let target = pg_client::Target::parse(&self.url)?;
        let (client, connection) = pg_client::connect(&target).await?;
        tokio::spawn(async move {
            // Ends when the client is dropped; an error shows up in the client's next call.
            let _ = connection.await;
        });
        self.opened
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(AsyncPgConn {
            client,
            statements: HashMap::new(),
        })
    }

    /// Gives a healthy connection back (drop it instead after a failure).
    pub fn put(&self, conn: AsyncPgConn) {
        self.idle.lock().push(conn);
    }

    /// How many connections this pool has opened so far.
    pub fn opened(&self) -> usize {
        self.opened.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl AsyncPgConn {
    /// Awaits a call on the server, or the first Ctrl-C (see `pg_client::or_interrupted`).
    async fn cut<F: std::future::Future>(&self, call: F) -> Result<F::Output, DbError> {
        pg_client::or_interrupted(&self.client, &Interrupt::process(), call).await
    }

    /// `COMMIT`, in phase `commit` (of the step it ends).
    async fn commit(&mut self) -> Result<(), DbError> {
        in_phase_async("commit", self.execute("COMMIT")).await
    }

    /// Runs statements without results (`BEGIN`, `COMMIT`) as one round trip.
    async fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.cut(self.client.batch_execute(sql))
            .await?
            .map_err(|e| DbError::query(sql, pg::error_text(&e)))
    }

    /// Like `PgConn::insert`: one prepared multi-row statement.
    async fn insert_rows(
        &mut self,
        spec: &TableSpec,
        rows: &[Row],
    ) -> Result<Result<(), Refused>, DbError> {
        let sql = spec.insert_sql(Dialect::Postgres, rows.len());
        let statement = self.prepare(&sql).await?;
        let params = pg::insert_params(spec, rows);
        let result = self.cut(self.client.execute(&statement, &params)).await?;
        pg::classify(result.map(|_| ()), &sql)
    }

    /// Like `PgConn::copy`: `COPY ... FROM STDIN` with the same CSV data.
    async fn copy(
        &mut self,
        spec: &TableSpec,
        rows: &[Row],
    ) -> Result<Result<(), Refused>, DbError> {
        let sql = pg::copy_sql(spec);
        let data = bytes::Bytes::from(pg::copy_csv(rows));
        let result = self.cut(pg::copy_in(&self.client, &sql, data)).await?;
        pg::classify(result.map(|_| ()), &sql)
    }

    async fn prepare(&mut self, sql: &str) -> Result<Statement, DbError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self
            .cut(self.client.prepare(sql))
            .await?
            .map_err(|e| DbError::query(sql, pg::error_text(&e)))?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    async fn send(
        &mut self,
        spec: &TableSpec,
        rows: &[Row],
        mode: InsertMode,
    ) -> Result<Result<(), Refused>, DbError> {
        match mode {
            InsertMode::Copy => self.copy(spec, rows).await,
            InsertMode::Row | InsertMode::Multi => self.insert_rows(spec, rows).await,
        }
    }

    /// Inserts `rows` into `spec`'s table as `DbConn::insert` does for PostgreSQL: groups of
    /// `batch` rows in one transaction each, a refused group redone row by row with a savepoint
    /// around each row. Returns the rows the server refused.
    pub async fn insert(
        &mut self,
        spec: &TableSpec,
        rows: &[Row],
        plan: InsertPlan,
    ) -> Result<Vec<RowRejection>, DbError> {
        let batch = plan.batch.max(1);
        let mut rejected = Vec::new();
        for (g, group) in rows.chunks(batch).enumerate() {
            let found = wait_async(WaitCategory::Db, self.group(spec, group, plan)).await?;
            rejected.extend(found.into_iter().map(|mut r| {
                r.index += g * batch;
                r
            }));
        }
        Ok(rejected)
    }

    async fn group(
        &mut self,
        spec: &TableSpec,
        rows: &[Row],
        plan: InsertPlan,
    ) -> Result<Vec<RowRejection>, DbError> {
        if plan.batch <= 1 {
            let mut rejected = Vec::new();
            for (index, row) in rows.iter().enumerate() {
                let one = std::slice::from_ref(row);
                if let Err(reason) = self.send(spec, one, plan.mode).await? {
                    rejected.push(RowRejection {
                        index,
                        reason: reason.to_string(),
                    });
                }
            }
            return Ok(rejected);
        }
        self.execute("BEGIN").await?;
        match self.send_all(spec, rows, plan.mode).await {
            Ok(Ok(())) => self.commit().await.map(|()| Vec::new()),
            Ok(Err(_)) => {
                self.execute("ROLLBACK").await?;
                self.row_by_row(spec, rows, plan.mode).await
            }
            Err(e) => {
                let _ignored = self.execute("ROLLBACK").await;
                Err(e)
            }
        }
    }

    async fn send_all(
        &mut self,
        spec: &TableSpec,
        rows: &[Row],
        mode: InsertMode,
    ) -> Result<Result<(), Refused>, DbError> {
        let per = match mode {
            InsertMode::Row => 1,
            InsertMode::Multi => pg::PgConn::max_rows_per_statement(spec),
            InsertMode::Copy => rows.len().max(1),
        };
        for statement_rows in rows.chunks(per) {
            let result = self.send(spec, statement_rows, mode).await?;
            if result.is_err() {
                return Ok(result);
            }
        }
        Ok(Ok(()))
    }

    async fn row_by_row(
        &mut self,
        spec: &TableSpec,
        rows: &[Row],
        mode: InsertMode,
    ) -> Result<Vec<RowRejection>, DbError> {
        let mut rejected = Vec::new();
        self.execute("BEGIN").await?;
        for (index, row) in rows.iter().enumerate() {
            self.execute(pg::SAVEPOINT).await?;
            match self.send(spec, std::slice::from_ref(row), mode).await? {
                Ok(()) => self.execute(pg::RELEASE_SAVEPOINT).await?,
                Err(reason) => {
                    self.execute(pg::ROLLBACK_TO_SAVEPOINT).await?;
                    rejected.push(RowRejection {
                        index,
                        reason: reason.to_string(),
                    });
                }
            }
        }
        self.commit().await?;
        Ok(rejected)
    }
}
