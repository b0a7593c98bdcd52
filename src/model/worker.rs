//! One worker's wall time split into CPU, run queue and waits, at one moment.

use super::wait::WaitCategory;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A worker's totals at one moment, in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkerSnapshot {
    pub name: String,
    pub wall_s: f64,
    pub cpu_s: f64,
    /// Runnable but waiting for a free core (from the kernel's scheduler statistics).
    pub runqueue_s: f64,
    pub waits: BTreeMap<WaitCategory, f64>,
}

impl WorkerSnapshot {
    pub fn wait_total(&self) -> f64 {
        self.waits.values().sum()
    }
    /// Wall time that neither CPU, waits nor the run queue explain.
    pub fn untracked_s(&self) -> f64 {
        self.wall_s - self.cpu_s - self.wait_total() - self.runqueue_s
    }
}
