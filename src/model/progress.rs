//! How far the generation of a run's input data got (sent before the run starts).

use super::thousands;
use serde::{Deserialize, Serialize};

/// How far the generation of one data set got.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GenProgress {
    /// What is generated: the workload and its data set (`json-parse ticks`).
    pub what: String,
    pub files_done: u64,
    pub files_total: u64,
    pub records_done: u64,
    pub records_total: u64,
    /// Bytes written so far.
    pub bytes: u64,
    /// Seconds since the generation began.
    pub elapsed_s: f64,
}

impl GenProgress {
    /// The share done, 0 to 1, counted in records (finer than files).
    pub fn fraction(&self) -> f64 {
        if self.records_total == 0 {
            return if self.files_done >= self.files_total {
                1.0
            } else {
                0.0
            };
        }
        (self.records_done as f64 / self.records_total as f64).clamp(0.0, 1.0)
    }

    /// `7 of 16 files (12.3 MB)`.
    pub fn files_text(&self) -> String {
        format!(
            "{} of {} files ({:.1} MB)",
            self.files_done,
            self.files_total,
            self.bytes as f64 / 1e6
        )
    }

    /// `generating input data: 7 of 16 files (12.3 MB) · 2.1 s`, for status lines.
    pub fn line(&self) -> String {
        format!(
            "generating input data: {} · {:.1} s",
            self.files_text(),
            self.elapsed_s
        )
    }

    /// `140,000 of 320,000 records`.
    pub fn records_text(&self) -> String {
        format!(
            "{} of {} records",
            thousands(self.records_done),
            thousands(self.records_total)
        )
    }
}
