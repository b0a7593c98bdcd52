//! "Nothing lost" after an import (csv-import): every input row is either stored or rejected,
//! table by table.
//!
//! "Stored" counts this run's own rows: those its finished units committed (the database
//! answered for each). The table is counted too: it must have grown by at least that many
//! rows. It may have grown by more: another import into the same table at the same time, or
//! rows that a unit committed before it failed (a killed child with `--batch 1`); the check
//! names the difference instead of counting those rows as this run's.

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
    /// Rows this run's finished units stored.
    pub stored: u64,
    pub rejected: u64,
    /// Rows the table gained during the run (rows now minus rows before the run): at least
    /// `stored`; more when a failed unit or another writer added rows.
    #[serde(default)]
    pub table_growth: u64,
    /// `stored + rejected == input_rows` and `table_growth >= stored`.
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
    /// `[stored, rejected, table_growth]` of `input_rows` rows of `source` into `table`.
    pub fn new(table: &str, source: &str, input_rows: u64, counts: [u64; 3]) -> Self {
        let [stored, rejected, table_growth] = counts;
        TableCheck {
            table: table.to_string(),
            source: source.to_string(),
            input_rows,
            stored,
            rejected,
            table_growth,
            ok: stored + rejected == input_rows && table_growth >= stored,
        }
    }

    /// What is wrong, or `ok`, and what else the table holds.
    fn verdict(&self) -> String {
        let counted = self.stored + self.rejected;
        let mut text = if self.table_growth < self.stored {
            format!(
                "MISMATCH: the table grew by {} rows, {} fewer than stored: rows were lost",
                self.table_growth,
                self.stored - self.table_growth
            )
        } else if counted < self.input_rows {
            format!(
                "MISMATCH: {} input rows were neither stored nor rejected by a finished unit",
                self.input_rows - counted
            )
        } else if counted > self.input_rows {
            "MISMATCH: rows were counted twice".to_string()
        } else {
            "ok".to_string()
        };
        if self.table_growth > self.stored {
            text += &format!(
                "; the table grew by {} rows, {} more than this run's finished units stored \
                 (committed by units that failed, or by another writer)",
                self.table_growth,
                self.table_growth - self.stored
            );
        }
        text
    }
}

impl fmt::Display for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.tables.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "{}: {} stored + {} rejected = {} of {} input rows from {} ({})",
                t.table,
                t.stored,
                t.rejected,
                t.stored + t.rejected,
                t.input_rows,
                t.source,
                t.verdict()
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
            TableCheck::new("a", "a.csv", 10, [8, 2, 8]),
            TableCheck::new("b", "b.csv", 5, [5, 1, 5]),
        ]);
        assert!(!v.ok && v.tables[0].ok && !v.tables[1].ok);
        assert_eq!((v.stored(), v.rejected()), (13, 3));
        let text = v.to_string();
        assert!(
            text.contains("a: 8 stored + 2 rejected = 10 of 10 input rows from a.csv (ok)"),
            "{text}"
        );
        assert!(text.contains("MISMATCH: rows were counted twice"), "{text}");
    }

    #[test]
    fn a_table_that_grew_by_more_is_reported_not_counted() {
        // Another import wrote 30 rows at the same time: this run's balance still holds.
        let other = TableCheck::new("t", "t.csv", 10, [6, 4, 36]);
        assert!(other.ok);
        let text = Verification::new(vec![other]).to_string();
        assert!(
            text.contains("(ok; the table grew by 36 rows, 30 more"),
            "{text}"
        );
        // A unit failed after committing 3 of its rows: 4 rows are unaccounted for.
        let failed = TableCheck::new("t", "t.csv", 10, [4, 2, 7]);
        assert!(!failed.ok);
        let text = Verification::new(vec![failed]).to_string();
        assert!(
            text.contains("4 input rows were neither stored nor rejected"),
            "{text}"
        );
        assert!(text.contains("grew by 7 rows, 3 more"), "{text}");
        // Rows the run stored are missing from the table.
        let lost = TableCheck::new("t", "t.csv", 10, [10, 0, 9]);
        assert!(!lost.ok);
        assert!(Verification::new(vec![lost])
            .to_string()
            .contains("rows were lost"));
    }
}
