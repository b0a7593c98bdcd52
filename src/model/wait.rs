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
    /// Asleep on a lock, a condition or a queue of the program's own (`exec`: a futex).
    Lock,
    /// A deliberate sleep (a timer, a rate limit).
    Sleep,
    /// Waiting on a pipe: another process's output or input.
    Pipe,
    /// Waiting for a child process to end.
    Child,
    /// Off the CPU for a reason that could not be told (`exec`: said plainly, never guessed).
    Unknown,
}

/// How many wait categories there are: the length of every per-category array.
pub const WAIT_COUNT: usize = 11;

pub const WAIT_CATEGORIES: [WaitCategory; WAIT_COUNT] = [
    WaitCategory::Net,
    WaitCategory::Db,
    WaitCategory::DbLock,
    WaitCategory::Gil,
    WaitCategory::Queue,
    WaitCategory::Disk,
    WaitCategory::Lock,
    WaitCategory::Sleep,
    WaitCategory::Pipe,
    WaitCategory::Child,
    WaitCategory::Unknown,
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
            WaitCategory::Lock => "lock",
            WaitCategory::Sleep => "sleep",
            WaitCategory::Pipe => "pipe",
            WaitCategory::Child => "child",
            WaitCategory::Unknown => "unknown",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}
