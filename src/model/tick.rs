//! Live totals of a run at one moment, with every worker's lane.

use super::worker::WorkerSnapshot;
use serde::{Deserialize, Serialize};

/// Live totals at one moment of a run.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Tick {
    pub elapsed_s: f64,
    pub items: u64,
    pub bytes: u64,
    pub errors: u64,
    pub rejected: u64,
    pub units_done: u64,
    pub units_total: u64,
    pub workers: Vec<WorkerSnapshot>,
}
