//! Two runs side by side: their figures, speedup, and the differential flamegraph.

use super::runs::Run;
use crate::flame::DiffTree;

/// A comparison of run `a` (the baseline) with run `b`.
#[derive(Debug, Clone)]
pub struct Compare {
    pub a: usize,
    pub b: usize,
    /// `b`'s profile against `a`'s.
    pub diff: DiffTree,
}

impl Compare {
    pub fn new(runs: &[Run], a: usize, b: usize) -> Compare {
        let current = runs[b].tree();
        let baseline = runs[a].tree();
        Compare {
            a,
            b,
            diff: current.diff(&baseline),
        }
    }

    /// Makes `b` the baseline and `a` the current run.
    pub fn swap(&mut self, runs: &[Run]) {
        *self = Compare::new(runs, self.b, self.a);
    }

    /// How many times faster `b` is than `a` (by wall time), if both have one.
    pub fn speedup(&self, runs: &[Run]) -> Option<f64> {
        let (wa, wb) = (runs[self.a].elapsed(), runs[self.b].elapsed());
        (wa > 0.0 && wb > 0.0).then(|| wa / wb)
    }
}
