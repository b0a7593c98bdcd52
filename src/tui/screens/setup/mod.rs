//! The setup screen: the form that composes a run (workload, mode, workers, the workload's
//! options) and the session's run list, where runs are opened and marked for comparison.

pub mod fields;
pub mod form;
pub mod render;
pub mod text;
pub mod update;

use form::SetupForm;

/// Which part of the setup screen gets the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Form,
    Runs,
}

/// The setup screen's state.
#[derive(Debug, Clone)]
pub struct SetupScreen {
    pub form: SetupForm,
    pub focus: Focus,
    /// Highlighted row of the run list.
    pub run_cursor: usize,
    /// Runs marked for comparison (at most two).
    pub marked: Vec<usize>,
}

impl SetupScreen {
    pub fn new(cores: usize) -> SetupScreen {
        SetupScreen {
            form: SetupForm::new(cores),
            focus: Focus::Form,
            run_cursor: 0,
            marked: Vec::new(),
        }
    }

    /// The two runs to compare: the two marked, or the marked one and the highlighted one
    /// (of a list of `runs` runs).
    pub fn compare_pair(&self, runs: usize) -> Option<(usize, usize)> {
        match self.marked[..] {
            [a, b] => Some((a, b)),
            [a] if a != self.run_cursor && self.run_cursor < runs => Some((a, self.run_cursor)),
            _ => None,
        }
    }
}
