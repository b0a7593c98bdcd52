//! The built-in data sets' tables, and turning a CSV header into column names.

use crate::db::{Column, ColumnType, TableSpec};
use serde::{Deserialize, Serialize};

/// Which generated data set to import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dataset {
    /// `customers.csv` and `products.csv`, `records` rows each.
    #[default]
    Default,
    /// `census.csv`: wide rows of ~100 numeric columns.
    Census,
}

impl Dataset {
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Default => "default",
            Dataset::Census => "census",
        }
    }

    /// The files of the data set and each file's PRNG seed.
    pub fn files(self) -> &'static [(&'static str, u64)] {
        match self {
            Dataset::Default => &[("customers.csv", 0xC057), ("products.csv", 0x960D)],
            Dataset::Census => &[("census.csv", 0xCE45)],
        }
    }
}

impl std::str::FromStr for Dataset {
    type Err = super::options::OptionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "default" | "customers" => Ok(Dataset::Default),
            "census" => Ok(Dataset::Census),
            _ => Err(super::options::OptionError::Dataset(s.to_string())),
        }
    }
}

fn col(name: &str, ty: ColumnType) -> Column {
    Column {
        name: name.to_string(),
        ty,
    }
}

pub fn customers(table: &str) -> TableSpec {
    use ColumnType::*;
    TableSpec {
        name: table.to_string(),
        columns: vec![
            col("id", Integer),
            col("first_name", Text),
            col("last_name", Text),
            col("email", Text),
            col("city", Text),
            col("country", Text),
            col("signup_date", Text),
            col("age", Integer),
            col("balance", Real),
        ],
        primary_key: Some(0),
    }
}

pub fn products(table: &str) -> TableSpec {
    use ColumnType::*;
    TableSpec {
        name: table.to_string(),
        columns: vec![
            col("id", Integer),
            col("name", Text),
            col("category", Text),
            col("price", Real),
            col("stock", Integer),
            col("weight_kg", Real),
            col("description", Text),
        ],
        primary_key: Some(0),
    }
}

/// 1 id + 100 measures: odd columns are counts (INTEGER), even ones rates (REAL).
pub fn census(table: &str) -> TableSpec {
    let mut columns = vec![col("id", ColumnType::Integer)];
    for i in 1..=100 {
        columns.push(if i % 2 == 1 {
            col(&format!("count_{i:03}"), ColumnType::Integer)
        } else {
            col(&format!("rate_{i:03}"), ColumnType::Real)
        });
    }
    TableSpec {
        name: table.to_string(),
        columns,
        primary_key: Some(0),
    }
}

/// The built-in table whose columns are exactly `names`, renamed to `table`.
pub fn builtin_for(names: &[String], table: &str) -> Option<TableSpec> {
    [customers(table), products(table), census(table)]
        .into_iter()
        .find(|spec| spec.columns.iter().map(|c| &c.name).eq(names.iter()))
}

/// The CSV header line of `spec`.
pub fn header(spec: &TableSpec) -> String {
    let names: Vec<&str> = spec.columns.iter().map(|c| c.name.as_str()).collect();
    names.join(",")
}

/// Name prefixes a table may not have: the databases' own catalogs (`sqlite_master`,
/// `pg_class`) and boundscope's bookkeeping tables. Creating or dropping one fails late, in
/// the middle of a run, so the name is refused up front.
pub const RESERVED_TABLE_PREFIXES: [&str; 3] = ["sqlite_", "pg_", "boundscope_"];

/// Why `table` (a sanitised name) cannot be imported into, if it cannot. `given` is what the
/// user typed (`--table` or the file name), for the message.
pub fn table_name_problem(table: &str, given: &str) -> Option<String> {
    let reserved = RESERVED_TABLE_PREFIXES
        .iter()
        .find(|p| table.starts_with(*p))?;
    Some(format!(
        "table name `{given}` is reserved (names starting with `{reserved}` belong to the \
         database or to boundscope); choose another with --table"
    ))
}

/// A safe SQL name: lower case ASCII letters, digits and `_`, not starting with a digit.
pub fn sanitize(raw: &str, fallback: &str) -> String {
    let mut out = String::new();
    for ch in raw.trim().chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    match out.chars().next() {
        None => fallback.to_string(),
        Some(c) if c.is_ascii_digit() => format!("c_{out}"),
        Some(_) => out,
    }
}

/// Column names from a header: sanitised, empty ones named `col_N`, duplicates numbered.
pub fn column_names(header: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(header.len());
    for (i, raw) in header.iter().enumerate() {
        let base = sanitize(raw, &format!("col_{}", i + 1));
        let mut name = base.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        names.push(name);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_sanitised_and_unique() {
        let header: Vec<String> = ["Customer ID", "e-mail", "", "2nd", "e mail", "Größe"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            column_names(&header),
            [
                "customer_id",
                "e_mail",
                "col_3",
                "c_2nd",
                "e_mail_2",
                "gr_e"
            ]
        );
    }

    #[test]
    fn a_builtin_header_gets_the_builtin_schema() {
        let names: Vec<String> = customers("x").columns.into_iter().map(|c| c.name).collect();
        let spec = builtin_for(&names, "mine").expect("customers schema");
        assert_eq!((spec.name.as_str(), spec.primary_key), ("mine", Some(0)));
        assert!(builtin_for(&names[1..], "mine").is_none());
        assert_eq!(census("c").columns.len(), 101);
    }
}
