//! The stage timeline of a DAG workload's run (`etl-pipeline`): when each stage ran, the
//! critical path, and what it would take to go faster.

use serde::{Deserialize, Serialize};

/// One stage on the timeline; times in seconds since the first stage began.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageSpan {
    pub name: String,
    pub after: Vec<String>,
    pub start_s: f64,
    pub end_s: f64,
    pub duration_s: f64,
    /// On the critical path.
    pub critical: bool,
    /// The stage failed (or did not run: then start and end are 0).
    pub failed: bool,
    /// The stage has no record in this run (interrupted before it ran).
    #[serde(default)]
    pub missing: bool,
    /// The worker (lane) that ran it.
    #[serde(default)]
    pub worker: String,
}

/// A DAG run's timeline and its speedups.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// In the pipeline's (topological) order.
    pub stages: Vec<StageSpan>,
    pub critical_path: Vec<String>,
    pub critical_path_s: f64,
    /// Sum of every stage's duration.
    pub stages_sum_s: f64,
    pub wall_s: f64,
    pub theoretical_speedup: f64,
    pub achieved_speedup: f64,
}

impl Timeline {
    /// The seconds the time axis spans: the last stage's end or the wall time, whichever is
    /// later (never 0, so columns can be computed).
    pub fn span_s(&self) -> f64 {
        self.stages
            .iter()
            .map(|st| st.end_s)
            .fold(self.wall_s, f64::max)
            .max(1e-9)
    }

    /// The columns of `stage`'s bar on an axis of `width` columns from 0 to
    /// [`span_s`](Timeline::span_s): at least one column, so short stages still show; `None`
    /// for a stage that did not run (or no room at all).
    pub fn bar_columns(&self, stage: &StageSpan, width: usize) -> Option<std::ops::Range<usize>> {
        if stage.missing || width == 0 {
            return None;
        }
        let span = self.span_s();
        let col = |x: f64| ((x / span) * width as f64).round().max(0.0) as usize;
        let from = col(stage.start_s).min(width - 1);
        let to = col(stage.end_s).clamp(from + 1, width);
        Some(from..to)
    }
}
