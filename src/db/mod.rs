//! Database access for the workloads: SQLite (embedded) and PostgreSQL (a real server).

pub mod activity;
mod conn;
pub mod pg_async;
pub mod pg_client;
pub mod postgres;
mod schema;
pub mod sqlite;
#[cfg(test)]
mod sqlite_race_tests;
pub mod target;

pub use conn::{DbConn, InsertMode, InsertPlan, RowRejection};
pub use schema::{quote_ident, Column, ColumnType, Row, TableSpec, Value};
pub use sqlite::{Journal, SqliteOptions, SyncMode};
pub use target::{
    mask_password, with_env_password, DbTarget, SqlitePath, DEFAULT_SQLITE_FILE, PASSWORD_ENV,
};

/// A database failure, worded for the person running the tool (passwords are masked).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{0}")]
    BadTarget(String),
    #[error("{0}")]
    BadOption(String),
    #[error("cannot connect to {target}: {reason}")]
    Connect { target: String, reason: String },
    /// A server that took the connection but did not finish the handshake in time.
    #[error(
        "PostgreSQL at {server} did not answer within {seconds} s (connect_timeout; set it in \
         the URL, e.g. ?connect_timeout=30)"
    )]
    ConnectTimeout { server: String, seconds: f64 },
    #[error("database statement failed ({reason}): {sql}")]
    Query { sql: String, reason: String },
    #[error("gave up waiting for the SQLite write lock after {0} s (another writer held it)")]
    LockTimeout(u64),
    #[error("{0}")]
    Unsupported(String),
    /// Ctrl-C came while a statement was waiting for the server: it was cancelled.
    #[error("interrupted while waiting for the database (the statement was cancelled)")]
    Interrupted,
    /// The process's own machinery failed (a thread could not start or stopped).
    #[error("{0}")]
    Internal(String),
}

/// Rows the database refused (a constraint, a bad value): they are rejected and the run goes
/// on, unlike a [`DbError`].
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("rejected by the database: {0}")]
    Sqlite(#[source] rusqlite::Error),
    #[error("rejected by the database: {}", postgres::error_text(.0))]
    Postgres(#[source] ::postgres::Error),
}

impl DbError {
    pub(crate) fn query(sql: &str, reason: impl ToString) -> Self {
        let mut sql = sql.to_string();
        if sql.len() > 160 {
            let mut cut = 160;
            while !sql.is_char_boundary(cut) {
                cut -= 1;
            }
            sql.truncate(cut);
            sql.push_str(" ...");
        }
        DbError::Query {
            sql,
            reason: reason.to_string(),
        }
    }

    /// True when the cause is the user's input (a bad `--db` value, an unreachable server).
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            DbError::BadTarget(_)
                | DbError::BadOption(_)
                | DbError::Connect { .. }
                | DbError::ConnectTimeout { .. }
                | DbError::Unsupported(_)
        )
    }
}
