//! How a program that `boundscope exec` ran ended: its exit code or the signal that ended it.

use serde::{Deserialize, Serialize};

/// A program's end, as its parent saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProgramExit {
    /// It exited with this code.
    Code(i32),
    /// A signal ended it (its number).
    Signal(i32),
}

impl ProgramExit {
    /// Whether it ended well (exit code 0).
    pub fn success(self) -> bool {
        self == ProgramExit::Code(0)
    }
}

impl std::fmt::Display for ProgramExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProgramExit::Code(code) => write!(f, "exited with status {code}"),
            ProgramExit::Signal(signal) => write!(f, "was ended by signal {signal}"),
        }
    }
}
