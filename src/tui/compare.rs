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

    /// The speedup's error: one run has no repeats, so each run's spread is taken from its
    /// per-tick throughput (the standard error of its mean rate), propagated to the ratio.
    pub fn speedup_error(&self, runs: &[Run]) -> Option<f64> {
        let speedup = self.speedup(runs)?;
        let rel_a = relative_error(&runs[self.a])?;
        let rel_b = relative_error(&runs[self.b])?;
        Some(speedup * (rel_a.powi(2) + rel_b.powi(2)).sqrt())
    }
}

/// Standard error of a run's mean per-tick throughput, relative to that mean.
fn relative_error(run: &Run) -> Option<f64> {
    let rates: Vec<f64> = run.throughput.iter().map(|(_, rate)| *rate).collect();
    let spread = crate::report::Spread::of(&rates);
    (spread.n >= 2 && spread.mean > 0.0)
        .then(|| spread.stddev / spread.mean / (spread.n as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(number: usize, wall: f64, rates: &[f64]) -> Run {
        let mut run = Run::new(number, "json-parse", "threads", 2, false);
        run.last_tick.elapsed_s = wall;
        run.throughput = rates
            .iter()
            .enumerate()
            .map(|(i, r)| (i as f64 * 0.25, *r))
            .collect();
        run
    }

    #[test]
    fn speedup_error_follows_the_throughput_spread() {
        let steady = [
            run(1, 2.0, &[100.0, 100.0, 100.0]),
            run(2, 1.0, &[200.0, 200.0, 200.0]),
        ];
        let cmp = Compare::new(&steady, 0, 1);
        assert_eq!(cmp.speedup(&steady), Some(2.0));
        assert_eq!(cmp.speedup_error(&steady), Some(0.0), "no spread, no error");
        let noisy = [
            run(1, 2.0, &[80.0, 120.0, 100.0]),
            run(2, 1.0, &[200.0, 200.0, 200.0]),
        ];
        let error = Compare::new(&noisy, 0, 1)
            .speedup_error(&noisy)
            .expect("an error");
        // sd 20 around 100 over 3 ticks: relative error 0.2 / √3 ≈ 0.115, times speedup 2.
        assert!((error - 2.0 * 0.2 / 3f64.sqrt()).abs() < 1e-9, "{error}");
        let one_tick = [run(1, 2.0, &[100.0]), run(2, 1.0, &[200.0])];
        assert_eq!(Compare::new(&one_tick, 0, 1).speedup_error(&one_tick), None);
    }
}
