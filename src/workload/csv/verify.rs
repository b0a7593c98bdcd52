//! "Nothing lost": every input row is either stored or rejected, table by table.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One table's balance after an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableCheck {
    pub table: String,
    /// The input file the table was loaded from.
    pub source: String,
    /// Data rows in the input file (from the up-front scan).
    pub input_rows: u64,
    /// Rows this run added to the table (rows now minus rows before the run).
    pub stored: u64,
    pub rejected: u64,
    /// `stored + rejected == input_rows`.
    pub ok: bool,
}

/// The balance of every table of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub tables: Vec<TableCheck>,
    pub ok: bool,
}

impl Verification {
    pub fn new(tables: Vec<TableCheck>) -> Self {
        let ok = tables.iter().all(|t| t.ok);
        Verification { tables, ok }
    }

    pub fn stored(&self) -> u64 {
        self.tables.iter().map(|t| t.stored).sum()
    }

    pub fn rejected(&self) -> u64 {
        self.tables.iter().map(|t| t.rejected).sum()
    }
}

impl TableCheck {
    pub fn new(table: &str, source: &str, input_rows: u64, stored: u64, rejected: u64) -> Self {
        TableCheck {
            table: table.to_string(),
            source: source.to_string(),
            input_rows,
            stored,
            rejected,
            ok: stored + rejected == input_rows,
        }
    }
}

impl fmt::Display for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.tables.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let verdict = if t.ok {
                "ok"
            } else {
                "MISMATCH: rows were lost or duplicated"
            };
            write!(
                f,
                "{}: {} stored + {} rejected = {} of {} input rows from {} ({verdict})",
                t.table,
                t.stored,
                t.rejected,
                t.stored + t.rejected,
                t.input_rows,
                t.source
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_is_checked_per_table() {
        let v = Verification::new(vec![
            TableCheck::new("a", "a.csv", 10, 8, 2),
            TableCheck::new("b", "b.csv", 5, 5, 1),
        ]);
        assert!(!v.ok && v.tables[0].ok && !v.tables[1].ok);
        assert_eq!((v.stored(), v.rejected()), (13, 3));
        let text = v.to_string();
        assert!(
            text.contains("a: 8 stored + 2 rejected = 10 of 10 input rows from a.csv (ok)"),
            "{text}"
        );
        assert!(text.contains("MISMATCH"), "{text}");
    }
}
