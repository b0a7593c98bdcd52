//! What one run predicts for other modes and worker counts: the speedup each would reach
//! and the resource that would stop it (the report's `predictions`).

use super::Mode;
use serde::{Deserialize, Serialize};

/// One mode at one worker count, predicted from a run's ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub mode: Mode,
    pub workers: usize,
    /// With the simulated interpreter lock (as the run it was predicted from).
    pub gil: bool,
    /// Predicted wall time of the run it was predicted from ÷ predicted wall time of this one.
    pub speedup: f64,
    /// The resource whose demand ÷ capacity is largest: what limits this line.
    pub bottleneck: String,
    /// The limit after this one: `×16 would reach 14.1× (network)`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub next_limit: String,
}

impl Prediction {
    /// `threads ×8` (`async ×8`, `processes ×2`).
    pub fn line(&self) -> String {
        format!("{} ×{}", self.mode, self.workers)
    }
}
