//! PostgreSQL back end: fail-fast connections, cached prepared inserts and COPY FROM STDIN.
//!
//! Every round trip to the server runs inside a `db` wait span; the span only counts the
//! off-CPU part, so encoding rows on the client still shows as CPU.

use super::pg_client::{BlockingClient, Target};
use super::schema::{quote_ident, ColumnType, Dialect, Row, TableSpec, Value};
use super::{DbError, Refused};
use crate::measure::{in_phase, WorkerCtx};
use crate::model::WaitCategory;
use futures_util::SinkExt;
use postgres::types::ToSql;
use postgres::Statement;
use std::collections::HashMap;

/// PostgreSQL's bound-parameter limit per statement.
pub const MAX_PARAMS: usize = 65_535;

/// A connected client and its prepared statements, keyed by SQL text.
pub struct PgConn {
    client: BlockingClient,
    statements: HashMap<String, Statement>,
}

/// Connects to `url` (without TLS), failing within its `connect_timeout` (see
/// [`super::pg_client`]).
pub fn connect(url: &str) -> Result<PgConn, DbError> {
    Ok(PgConn {
        client: BlockingClient::connect(&Target::parse(url)?)?,
        statements: HashMap::new(),
    })
}

/// The most specific message of a postgres error (the server's own text when there is one).
pub(super) fn error_text(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => {
            let source = std::error::Error::source(e).map(|s| s.to_string());
            match source {
                Some(s) if !e.to_string().contains(&s) => format!("{e}: {s}"),
                _ => e.to_string(),
            }
        }
    }
}

/// Integrity (23xxx) and data (22xxx) errors reject rows; anything else fails the unit.
fn is_rejection(e: &postgres::Error) -> bool {
    e.code()
        .is_some_and(|c| c.code().starts_with("23") || c.code().starts_with("22"))
}

/// Statements of the row-by-row fallback, shared by the blocking and the async paths.
pub(super) const SAVEPOINT: &str = "SAVEPOINT bs_row";
pub(super) const RELEASE_SAVEPOINT: &str = "RELEASE SAVEPOINT bs_row";
pub(super) const ROLLBACK_TO_SAVEPOINT: &str = "ROLLBACK TO SAVEPOINT bs_row";

static NULL_INT: Option<i64> = None;
static NULL_REAL: Option<f64> = None;
static NULL_TEXT: Option<String> = None;

fn param(value: &Value, ty: ColumnType) -> &(dyn ToSql + Sync) {
    match (value, ty) {
        (Value::Int(i), _) => i,
        (Value::Real(f), _) => f,
        (Value::Text(s), _) => s,
        (Value::Null, ColumnType::Integer) => &NULL_INT,
        (Value::Null, ColumnType::Real) => &NULL_REAL,
        (Value::Null, ColumnType::Text) => &NULL_TEXT,
    }
}

impl PgConn {
    /// Runs statements without results (`BEGIN`, `COMMIT`, DDL) as one round trip.
    pub fn execute(&mut self, ctx: &mut WorkerCtx, sql: &str) -> Result<(), DbError> {
        let client = &self.client;
        ctx.wait(WaitCategory::Db, || client.call(|c| c.batch_execute(sql)))?
            .map_err(|e| DbError::query(sql, error_text(&e)))
    }

    /// `COMMIT`, in phase `commit` (of the step it ends).
    pub fn commit(&mut self, ctx: &mut WorkerCtx) -> Result<(), DbError> {
        in_phase("commit", || self.execute(ctx, "COMMIT"))
    }

    /// Inserts `rows` with one prepared multi-row statement; `Ok(Err(reason))` when the
    /// server rejected them (a constraint or bad value).
    pub fn insert(
        &mut self,
        ctx: &mut WorkerCtx,
        spec: &TableSpec,
        rows: &[Row],
    ) -> Result<Result<(), Refused>, DbError> {
        let sql = spec.insert_sql(Dialect::Postgres, rows.len());
        let statement = self.prepare(ctx, &sql)?;
        let params = insert_params(spec, rows);
        let client = &self.client;
        let result = ctx.wait(WaitCategory::Db, || {
            client.call(|c| c.execute(&statement, &params))
        })?;
        classify(result.map(|_| ()), &sql)
    }

    /// Sends `rows` with `COPY ... FROM STDIN` (CSV format).
    pub fn copy(
        &mut self,
        ctx: &mut WorkerCtx,
        spec: &TableSpec,
        rows: &[Row],
    ) -> Result<Result<(), Refused>, DbError> {
        let sql = copy_sql(spec);
        let data = bytes::Bytes::from(copy_csv(rows));
        let client = &self.client;
        let result = ctx.wait(WaitCategory::Db, || client.call(|c| copy_in(c, &sql, data)))?;
        classify(result.map(|_| ()), &sql)
    }

    /// Max rows per multi-row statement within the server's parameter limit.
    pub fn max_rows_per_statement(spec: &TableSpec) -> usize {
        (MAX_PARAMS / spec.columns.len().max(1)).max(1)
    }

    /// Runs `sql` and returns the first column of the first row.
    pub fn query_i64(&mut self, ctx: &mut WorkerCtx, sql: &str) -> Result<Option<i64>, DbError> {
        let client = &self.client;
        let rows = ctx.wait(WaitCategory::Db, || client.call(|c| c.query(sql, &[])))?;
        let rows = rows.map_err(|e| DbError::query(sql, error_text(&e)))?;
        match rows.first() {
            Some(row) => row
                .try_get::<_, i64>(0)
                .map(Some)
                .map_err(|e| DbError::query(sql, error_text(&e))),
            None => Ok(None),
        }
    }

    /// Runs `sql` (simple protocol) and returns every row, each cell as the server's text.
    pub fn query_text(
        &mut self,
        ctx: &mut WorkerCtx,
        sql: &str,
    ) -> Result<Vec<Vec<String>>, DbError> {
        let client = &self.client;
        let messages = ctx
            .wait(WaitCategory::Db, || client.call(|c| c.simple_query(sql)))?
            .map_err(|e| DbError::query(sql, error_text(&e)))?;
        let mut out = Vec::new();
        for message in messages {
            if let postgres::SimpleQueryMessage::Row(row) = message {
                let cells = (0..row.len())
                    .map(|i| row.get(i).unwrap_or("NULL").to_string())
                    .collect();
                out.push(cells);
            }
        }
        Ok(out)
    }

    fn prepare(&mut self, ctx: &mut WorkerCtx, sql: &str) -> Result<Statement, DbError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let client = &self.client;
        let statement = ctx
            .wait(WaitCategory::Db, || client.call(|c| c.prepare(sql)))?
            .map_err(|e| DbError::query(sql, error_text(&e)))?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }
}

/// The bound parameters of `spec.insert_sql(Dialect::Postgres, rows.len())`, row after row.
pub(super) fn insert_params<'a>(spec: &TableSpec, rows: &'a [Row]) -> Vec<&'a (dyn ToSql + Sync)> {
    rows.iter()
        .flat_map(|row| row.iter().zip(&spec.columns).map(|(v, c)| param(v, c.ty)))
        .collect()
}

/// The `COPY ... FROM STDIN` statement for `spec`'s table (data as [`copy_csv`]).
pub(super) fn copy_sql(spec: &TableSpec) -> String {
    format!(
        "COPY {} {} FROM STDIN (FORMAT csv)",
        quote_ident(&spec.name),
        spec.column_list()
    )
}

/// Sends `data` with `sql` (a `COPY ... FROM STDIN`); the rows the server stored.
pub(super) async fn copy_in(
    client: &tokio_postgres::Client,
    sql: &str,
    data: bytes::Bytes,
) -> Result<u64, postgres::Error> {
    let sink = client.copy_in::<_, bytes::Bytes>(sql).await?;
    futures_util::pin_mut!(sink);
    // A failed send means the server ended the COPY; finish() returns its reason.
    let _sent = sink.send(data).await;
    sink.as_mut().finish().await
}

/// `Ok(Err(reason))` for a refused row (constraint, bad value), `Err` for any other failure.
pub(super) fn classify(
    result: Result<(), postgres::Error>,
    sql: &str,
) -> Result<Result<(), Refused>, DbError> {
    match result {
        Ok(()) => Ok(Ok(())),
        Err(e) if is_rejection(&e) => Ok(Err(Refused::Postgres(e))),
        Err(e) => Err(DbError::query(sql, error_text(&e))),
    }
}

/// Rows as COPY CSV: NULL is an empty unquoted field, text is always quoted.
pub(super) fn copy_csv(rows: &[Row]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 64);
    for row in rows {
        for (i, value) in row.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match value {
                Value::Null => {}
                Value::Int(v) => out.extend_from_slice(v.to_string().as_bytes()),
                Value::Real(v) => out.extend_from_slice(format!("{v:?}").as_bytes()),
                Value::Text(s) => {
                    out.push(b'"');
                    out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
                    out.push(b'"');
                }
            }
        }
        out.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_csv_quotes_text_and_leaves_null_empty() {
        let rows = vec![vec![
            Value::Int(1),
            Value::Real(0.1),
            Value::Text("a \"b\", c".into()),
            Value::Null,
            Value::Text(String::new()),
        ]];
        assert_eq!(
            String::from_utf8(copy_csv(&rows)).expect("utf8"),
            "1,0.1,\"a \"\"b\"\", c\",,\"\"\n"
        );
    }
}
