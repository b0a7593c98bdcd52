//! Keeping a long run's history bounded: past a number of stack deltas (or ticks), each two
//! neighbours merge into one, so an hour-long run keeps as much as a few minutes' did, at a
//! coarser grain. A merged delta covers the two stretches together and holds both sums, so
//! the stacks of any window are still exact at the edges of the stretches it covers (which
//! [`History::covered`] reports); a merged tick is the later one, with any worker only the
//! earlier one had, so a worker's latest snapshot at any kept moment is what it was.

use super::{History, StackDelta, TickPoint};

/// Stack deltas kept at most (about 34 minutes of one a second before the first merge).
pub const MAX_DELTAS: usize = 2048;
/// Ticks kept at most (about 34 minutes of four a second before the first merge).
pub const MAX_TICKS: usize = 8192;

impl History {
    /// Merges neighbouring deltas and ticks once there are more than the bounds allow.
    pub(super) fn keep_bounded(&mut self) {
        if self.deltas.len() > MAX_DELTAS {
            let deltas = std::mem::take(&mut self.deltas);
            self.deltas = merge_pairs(deltas, merge_deltas);
        }
        if self.ticks.len() > MAX_TICKS {
            let ticks = std::mem::take(&mut self.ticks);
            self.ticks = merge_pairs(ticks, merge_ticks);
        }
    }
}

/// `items` with each two neighbours merged into one (an odd last one kept as it is).
fn merge_pairs<T>(items: Vec<T>, merge: fn(T, T) -> T) -> Vec<T> {
    let mut merged = Vec::with_capacity(items.len().div_ceil(2));
    let mut items = items.into_iter();
    while let Some(first) = items.next() {
        merged.push(match items.next() {
            Some(second) => merge(first, second),
            None => first,
        });
    }
    merged
}

/// Two deltas side by side as one over both stretches.
fn merge_deltas(mut first: StackDelta, second: StackDelta) -> StackDelta {
    first.to_s = second.to_s;
    first.samples += second.samples;
    first.cpu.merge(&second.cpu);
    first.wall.merge(&second.wall);
    first.phases.merge(&second.phases);
    first
}

/// The later tick, with the workers only the earlier one had (their snapshots then).
fn merge_ticks(earlier: TickPoint, later: TickPoint) -> TickPoint {
    let missing = earlier
        .workers
        .iter()
        .filter(|w| !later.workers.iter().any(|l| l.name == w.name))
        .cloned();
    let workers: Vec<_> = missing.chain(later.workers.iter().cloned()).collect();
    TickPoint {
        workers: workers.into_boxed_slice(),
        ..later
    }
}

#[cfg(test)]
mod tests {
    use super::super::Window;
    use super::*;
    use crate::flame::FoldedStacks;
    use crate::model::WorkerSnapshot;

    fn worker(name: &str, t: f64) -> WorkerSnapshot {
        WorkerSnapshot {
            name: name.into(),
            wall_s: t,
            cpu_s: t / 2.0,
            ..WorkerSnapshot::default()
        }
    }

    /// A run of `n` ticks a quarter second apart, a stack delta after each: one sample and
    /// one millisecond of wall time on `w;work`.
    fn long_run(n: usize) -> History {
        let mut history = History::default();
        let one = FoldedStacks::parse("w;work 1\n").expect("folded");
        let wall = FoldedStacks::parse("w;work 1000000\n").expect("folded");
        for i in 1..=n {
            let t = i as f64 * 0.25;
            let mut workers = vec![worker("w", t)];
            // A worker that lived only through the first few ticks.
            if i <= 3 {
                workers.push(worker("early", t));
            }
            history.push_tick(t, i as u64, &workers);
            history.push_stacks(1, (&one, &wall, &FoldedStacks::new()));
        }
        history
    }

    #[test]
    fn a_long_run_stays_bounded_and_its_whole_stays_exact() {
        let n = 3 * MAX_TICKS;
        let history = long_run(n);
        assert!(
            history.deltas.len() <= MAX_DELTAS,
            "{}",
            history.deltas.len()
        );
        assert!(history.ticks.len() <= MAX_TICKS, "{}", history.ticks.len());
        let whole = history.stacks(Window::WHOLE);
        assert_eq!(whole.samples, n as u64);
        assert_eq!(whole.wall.total(), n as u64 * 1_000_000);
        assert_eq!(history.items(Window::WHOLE), n as u64);
        let workers = history.workers(Window::WHOLE);
        let early = workers.iter().find(|w| w.name == "early").expect("kept");
        assert_eq!(early.wall_s, 0.75);
    }

    #[test]
    fn a_window_to_the_edge_of_a_merged_stretch_holds_exactly_the_deltas_before_it() {
        let n = 3 * MAX_DELTAS;
        let history = long_run(n);
        let (_, edge) = history
            .covered(Window::new(0.0, n as f64 * 0.25 / 3.0))
            .expect("covered");
        let samples = history.stacks(Window::new(0.0, edge)).samples;
        // One delta per quarter second up to the edge.
        assert_eq!(samples as f64, (edge / 0.25).round());
    }
}
