//! Concurrency modes: how a run's units are spread over workers.

use serde::{Deserialize, Serialize};

/// How units run.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// One worker thread, one unit after another.
    // The default only of a report whose run has not said its mode yet (not a user's
    // default: the CLI declares its own).
    #[default]
    Sequential,
    /// A fixed pool of named OS threads pulling from one queue (ThreadPoolExecutor).
    Threads,
    /// A rayon work-stealing pool.
    Rayon,
    /// A tokio runtime with an in-flight limit (asyncio).
    Async,
    /// Child processes of this binary, each over a shard of the units (ProcessPoolExecutor).
    Processes,
    /// Any program (`boundscope exec`), observed from outside: its concurrency is its own.
    /// Not a mode a built-in workload runs in, so not in [`Mode::ALL`] nor `--mode`.
    #[value(skip)]
    Exec,
}

impl Mode {
    pub const ALL: [Mode; 5] = [
        Mode::Sequential,
        Mode::Threads,
        Mode::Rayon,
        Mode::Async,
        Mode::Processes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Sequential => "sequential",
            Mode::Threads => "threads",
            Mode::Rayon => "rayon",
            Mode::Async => "async",
            Mode::Processes => "processes",
            Mode::Exec => "exec",
        }
    }

    /// Prefix of worker thread names (`bs-<prefix>-<n>`), at most 15 bytes in all.
    pub fn lane_prefix(self) -> &'static str {
        match self {
            Mode::Sequential => "bs-seq",
            Mode::Threads => "bs-threads",
            Mode::Rayon => "bs-rayon",
            Mode::Async => "bs-tokio",
            Mode::Processes => "bs-proc",
            Mode::Exec => "exec",
        }
    }

    pub fn parse(text: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
