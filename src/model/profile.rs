//! What a run's profiles say in its report: the costliest functions, and where the workers'
//! wall time went.

use serde::{Deserialize, Serialize};

/// How expensive one function is across a stack set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionCost {
    /// The frame name.
    pub name: String,
    /// Samples where this function was the leaf (running itself).
    pub self_samples: u64,
    /// Samples where this function was anywhere on the stack (counted once per stack).
    pub total_samples: u64,
}

/// Where part of a wall profile's time went: a kind of time at a place in the code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WallPlace {
    /// `cpu`, or the off-CPU leaf (`[net wait]`, `[idle]`, `[run queue]`, ...).
    pub what: String,
    /// The innermost code frame: the function running, or the one that waited (empty when
    /// the profile knows no place, as for run-queue time).
    pub place: String,
    /// Nanoseconds.
    pub ns: u64,
    /// Share of the whole profile.
    pub share: f64,
}

/// The workers' wall time in one phase of the job, summed over workers, by cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseTime {
    /// The phase path, outermost first, joined by `/` (`load/insert`); empty for time
    /// outside every phase (engine work, idle time between units).
    pub phase: String,
    /// Seconds in the phase and its nested phases.
    pub seconds: f64,
    /// Seconds by cause spent in the phase itself: `cpu`, `run queue`, `net wait`,
    /// `idle`, `untracked`…
    pub causes: std::collections::BTreeMap<String, f64>,
}
