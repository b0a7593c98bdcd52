//! Wait categories: why a worker was off the CPU, and how many kinds there are.

use serde::{Deserialize, Serialize};

/// Why a worker was not running on a CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaitCategory {
    /// Waiting on the network (HTTP requests).
    Net,
    /// Waiting inside a database call.
    Db,
    /// Waiting for a database lock (another writer).
    DbLock,
    /// Waiting for the simulated interpreter lock.
    Gil,
    /// Idle: no work was available for this worker.
    Queue,
    /// Waiting on file reads and writes.
    Disk,
}

/// How many wait categories there are: the length of every per-category array.
pub const WAIT_COUNT: usize = 6;

pub const WAIT_CATEGORIES: [WaitCategory; WAIT_COUNT] = [
    WaitCategory::Net,
    WaitCategory::Db,
    WaitCategory::DbLock,
    WaitCategory::Gil,
    WaitCategory::Queue,
    WaitCategory::Disk,
];

impl WaitCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            WaitCategory::Net => "net",
            WaitCategory::Db => "db",
            WaitCategory::DbLock => "db-lock",
            WaitCategory::Gil => "gil",
            WaitCategory::Queue => "queue",
            WaitCategory::Disk => "disk",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}
