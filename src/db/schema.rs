//! Table descriptions and cell values shared by the SQLite and PostgreSQL back ends.

use serde::{Deserialize, Serialize};

/// A column's storage type (INTEGER is 64-bit in both databases, REAL is a double).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Integer,
    Real,
    Text,
}

impl ColumnType {
    pub fn sqlite_name(self) -> &'static str {
        match self {
            ColumnType::Integer => "INTEGER",
            ColumnType::Real => "REAL",
            ColumnType::Text => "TEXT",
        }
    }

    pub fn postgres_name(self) -> &'static str {
        match self {
            ColumnType::Integer => "BIGINT",
            ColumnType::Real => "DOUBLE PRECISION",
            ColumnType::Text => "TEXT",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
}

/// A table the workload creates: its columns and (optionally) its primary key column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSpec {
    pub name: String,
    pub columns: Vec<Column>,
    /// Index of the primary key column, if any.
    pub primary_key: Option<usize>,
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

/// One row, in the table's column order.
pub type Row = Vec<Value>;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl TableSpec {
    /// `CREATE TABLE IF NOT EXISTS ...` in the given dialect.
    pub(crate) fn create_sql(&self, dialect: Dialect) -> String {
        let cols: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let ty = match dialect {
                    Dialect::Sqlite => c.ty.sqlite_name(),
                    Dialect::Postgres => c.ty.postgres_name(),
                };
                let pk = if self.primary_key == Some(i) {
                    " PRIMARY KEY"
                } else {
                    ""
                };
                format!("{} {ty}{pk}", quote_ident(&c.name))
            })
            .collect();
        format!(
            "CREATE TABLE IF NOT EXISTS {} ({})",
            quote_ident(&self.name),
            cols.join(", ")
        )
    }

    /// The quoted column list `("a", "b")`.
    pub(crate) fn column_list(&self) -> String {
        let names: Vec<String> = self.columns.iter().map(|c| quote_ident(&c.name)).collect();
        format!("({})", names.join(", "))
    }

    /// `INSERT INTO t (cols) VALUES (..), (..)` with `rows` row groups of placeholders.
    pub(crate) fn insert_sql(&self, dialect: Dialect, rows: usize) -> String {
        let width = self.columns.len();
        let mut sql = format!(
            "INSERT INTO {} {} VALUES ",
            quote_ident(&self.name),
            self.column_list()
        );
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..width {
                if c > 0 {
                    sql.push_str(", ");
                }
                let n = r * width + c + 1;
                match dialect {
                    Dialect::Sqlite => sql.push_str(&format!("?{n}")),
                    Dialect::Postgres => sql.push_str(&format!("${n}")),
                }
            }
            sql.push(')');
        }
        sql
    }
}

/// Quotes an identifier for both SQLite and PostgreSQL.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> TableSpec {
        TableSpec {
            name: "t".into(),
            columns: vec![
                Column {
                    name: "id".into(),
                    ty: ColumnType::Integer,
                },
                Column {
                    name: "x".into(),
                    ty: ColumnType::Real,
                },
            ],
            primary_key: Some(0),
        }
    }

    #[test]
    fn builds_dialect_specific_sql() {
        let s = spec();
        assert_eq!(
            s.create_sql(Dialect::Postgres),
            "CREATE TABLE IF NOT EXISTS \"t\" (\"id\" BIGINT PRIMARY KEY, \"x\" DOUBLE PRECISION)"
        );
        assert_eq!(
            s.insert_sql(Dialect::Sqlite, 2),
            "INSERT INTO \"t\" (\"id\", \"x\") VALUES (?1, ?2), (?3, ?4)"
        );
        assert!(s.insert_sql(Dialect::Postgres, 1).ends_with("($1, $2)"));
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
