//! What every screen shares: the session's runs, the status line, the effects asked of the
//! event loop, the terminal's size, and a screen's request to show another.

use super::action::{Effect, Goto};
use super::runs::{Run, RunStatus};
use std::path::PathBuf;

/// The state every screen reads and may change; each screen keeps the rest of its own.
#[derive(Debug, Clone)]
pub struct Shared {
    /// Every run of the session, in the order started or opened.
    pub runs: Vec<Run>,
    /// The status line under every screen.
    pub status: String,
    /// Work for the event loop that `update` cannot do itself.
    pub effects: Vec<Effect>,
    /// Columns and rows of the terminal.
    pub size: (u16, u16),
    pub color: bool,
    /// Where exports are written.
    pub export_dir: PathBuf,
    /// Set by a screen's update when it wants another screen shown.
    pub goto: Option<Goto>,
}

impl Shared {
    pub fn new(color: bool, export_dir: PathBuf) -> Shared {
        Shared {
            runs: Vec::new(),
            status: String::new(),
            effects: Vec::new(),
            size: (80, 24),
            color,
            export_dir,
            goto: None,
        }
    }

    /// The run whose child is still going, if any.
    pub fn live_run(&self) -> Option<usize> {
        self.runs
            .iter()
            .position(|r| r.status == RunStatus::Running)
    }
}
