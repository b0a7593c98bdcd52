//! Two runs side by side: their figures, speedup, and the differential flamegraph of their
//! profiles with worker threads merged, and the frame selected in it.

pub mod render;
pub mod update;

use crate::exec::EngineFrames;
use crate::flame::{merge_worker_roots, DiffTree, EngineFold, FrameNode, FrameTree};
use crate::flame::{NodeId, Normalize, Weight};
use crate::tui::state::profiles::Profile;
use crate::tui::state::runs::Run;
use crate::tui::state::Action;

/// A comparison of run `a` (the baseline) with run `b`.
#[derive(Debug, Clone)]
pub struct Compare {
    pub a: usize,
    pub b: usize,
    /// `b`'s profile against `a`'s, both lined up at the workload (the engines' frames above
    /// it dropped) with their worker threads merged into one `workers` root, not rescaled
    /// (total worker time).
    pub diff: DiffTree,
    /// What the profiles weigh: wall-clock nanoseconds when both runs have phases or a wall
    /// profile, CPU samples otherwise.
    pub weight: Weight,
    /// The diff is of the job's phases (both runs have them): the modes meet by name.
    pub phases: bool,
    /// The selected frame of `diff.tree`.
    pub selected: NodeId,
}

impl Compare {
    pub fn new(runs: &[Run], a: usize, b: usize) -> Compare {
        let phases = runs[a].has_phases() && runs[b].has_phases();
        let weight = if !phases && (runs[a].wall.is_empty() || runs[b].wall.is_empty()) {
            Weight::Samples
        } else {
            Weight::Nanoseconds
        };
        let tree = |run: &Run| {
            let lined_up = match weight {
                Weight::Nanoseconds if phases => run.profile_tree(Profile::Phases).to_folded(),
                Weight::Nanoseconds => run.wall.fold_engines(&EngineFrames, EngineFold::Drop),
                Weight::Samples => run
                    .tree()
                    .to_folded()
                    .fold_engines(&EngineFrames, EngineFold::Drop),
            };
            FrameTree::from_stacks(&merge_worker_roots(&lined_up))
        };
        let diff = tree(&runs[b]).diff_unscaled(&tree(&runs[a]));
        Compare {
            a,
            b,
            selected: diff.tree.root(),
            diff,
            weight,
            phases,
        }
    }

    /// How the profiles are normalized (the UI compares total worker time).
    pub fn normalize(&self) -> Normalize {
        Normalize::Total
    }

    /// Moves the selection in the flamegraph (drawn roots on top): up to the caller, down to
    /// the heaviest callee (in either run), left and right to the neighbouring callees.
    pub fn navigate(&mut self, action: &Action) {
        let target = match action {
            Action::Up => self.node(self.selected).parent,
            Action::Down => self.heaviest_child(),
            Action::Left => self.sibling(-1),
            Action::Right => self.sibling(1),
            _ => None,
        };
        if let Some(id) = target {
            self.selected = id;
        }
    }

    /// The selected frame's name and its before (A), after (B) and change, in the weight's
    /// units; `None` if the selection is not in the tree.
    pub fn selected_figures(&self) -> Option<(&str, f64, f64, f64)> {
        let node = self.diff.tree.node(self.selected)?;
        let entry = self.diff.entry(self.selected)?;
        Some((
            &node.name,
            entry.baseline_total,
            node.total as f64,
            entry.delta_total,
        ))
    }

    fn node(&self, id: NodeId) -> &FrameNode {
        &self.diff.tree.nodes()[id]
    }

    /// Whether frame `id` is drawn: the flamegraph has B's widths, so a frame only in A
    /// (no time in B) is not.
    fn drawn(&self, id: NodeId) -> bool {
        self.node(id).total > 0
    }

    /// The drawn callees of `id`.
    fn drawn_children(&self, id: NodeId) -> Vec<NodeId> {
        let kids = self.node(id).children.iter().copied();
        kids.filter(|&k| self.drawn(k)).collect()
    }

    fn heaviest_child(&self) -> Option<NodeId> {
        let weight = |id: NodeId| {
            let before = self.diff.entry(id).map_or(0.0, |e| e.baseline_total);
            (self.node(id).total as f64).max(before)
        };
        self.drawn_children(self.selected)
            .into_iter()
            .max_by(|&x, &y| weight(x).total_cmp(&weight(y)).then(y.cmp(&x)))
    }

    fn sibling(&self, step: isize) -> Option<NodeId> {
        let parent = self.node(self.selected).parent?;
        let kids = self.drawn_children(parent);
        let i = kids.iter().position(|&k| k == self.selected)?;
        kids.get(i.checked_add_signed(step)?).copied()
    }

    /// Makes `b` the baseline and `a` the current run.
    /// The selected frame stays selected when it is in both.
    pub fn swap(&mut self, runs: &[Run]) {
        let path: Vec<String> = (self.diff.tree.path(self.selected))
            .unwrap_or_default()
            .iter()
            .map(|s| s.to_string())
            .collect();
        *self = Compare::new(runs, self.b, self.a);
        // The same frame when it is drawn in the new B, else its nearest drawn caller.
        for depth in (1..=path.len()).rev() {
            let prefix: Vec<&str> = path[..depth].iter().map(String::as_str).collect();
            if let Some(id) = self.diff.tree.find(&prefix).filter(|&id| self.drawn(id)) {
                self.selected = id;
                return;
            }
        }
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
    use crate::flame::FoldedStacks;

    fn profiled(number: usize, mode: &str, wall: &str, cpu: &str) -> Run {
        let mut run = Run::new(number, "json-parse", mode, 2, false);
        run.wall = FoldedStacks::parse(wall).expect("wall profile");
        run.set_stacks(FoldedStacks::parse(cpu).expect("cpu profile"));
        run
    }

    const SEQ_WALL: &str = "bs-seq-0;parse 800\nbs-seq-0;parse;[gil wait] 100\n";
    const THREADS_WALL: &str = "bs-threads-0;parse 400\nbs-threads-0;parse;[gil wait] 300\n\
                                bs-threads-1;parse 400\nbs-threads-1;parse;[gil wait] 300\n";

    #[test]
    fn the_diff_merges_workers_and_prefers_the_wall_profile() {
        let runs = [
            profiled(1, "sequential", SEQ_WALL, "bs-seq-0;parse 8\n"),
            profiled(
                2,
                "threads",
                THREADS_WALL,
                "bs-threads-0;parse 4\nbs-threads-1;parse 4\n",
            ),
        ];
        let mut cmp = Compare::new(&runs, 0, 1);
        assert_eq!(cmp.weight, Weight::Nanoseconds);
        assert_eq!(cmp.normalize(), Normalize::Total);
        for action in [Action::Down, Action::Down, Action::Down] {
            cmp.navigate(&action);
        }
        assert_eq!(
            cmp.selected_figures(),
            Some(("[gil wait]", 100.0, 600.0, 500.0))
        );
        cmp.navigate(&Action::Up);
        assert_eq!(
            cmp.selected_figures(),
            Some(("parse", 900.0, 1400.0, 500.0))
        );
        cmp.navigate(&Action::Right);
        assert_eq!(
            cmp.selected_figures().map(|f| f.0),
            Some("parse"),
            "no sibling"
        );
        cmp.swap(&runs);
        assert_eq!((cmp.a, cmp.b), (1, 0));
        assert_eq!(
            cmp.selected_figures(),
            Some(("parse", 1400.0, 900.0, -500.0))
        );
        // Same CPU work on other threads: no change at all.
        let mut no_wall = runs.clone();
        no_wall[1].wall = FoldedStacks::new();
        let cpu = Compare::new(&no_wall, 0, 1);
        assert_eq!(cpu.weight, Weight::Samples);
        assert!(cpu.diff.entries.iter().all(|e| e.delta_total == 0.0));
        assert_eq!(cpu.diff.tree.total(), 8);
    }

    #[test]
    fn after_a_swap_the_selection_and_the_arrows_stay_on_frames_that_are_drawn() {
        let a_only = "bs-seq-0;parse 800\nbs-seq-0;read;[disk wait] 300\n";
        let b_only = "bs-threads-0;parse 700\nbs-threads-0;write 100\n";
        let runs = [
            profiled(1, "sequential", a_only, "bs-seq-0;parse 8\n"),
            profiled(2, "threads", b_only, "bs-threads-0;parse 7\n"),
        ];
        let mut cmp = Compare::new(&runs, 0, 1);
        let name = |cmp: &Compare| cmp.selected_figures().map(|f| f.0.to_string());
        cmp.navigate(&Action::Down);
        cmp.navigate(&Action::Down);
        assert_eq!(name(&cmp).as_deref(), Some("parse"));
        // `read` is only in A: it is not drawn, so the arrows pass over it.
        cmp.navigate(&Action::Right);
        assert_eq!(name(&cmp).as_deref(), Some("write"));
        // After the swap B is the run without `write`: the selection goes to its caller.
        cmp.swap(&runs);
        assert_eq!(name(&cmp).as_deref(), Some("workers"));
        cmp.navigate(&Action::Down);
        assert_eq!(name(&cmp).as_deref(), Some("parse"));
        cmp.navigate(&Action::Left);
        cmp.navigate(&Action::Right);
        let drawn = |c: &Compare| c.diff.tree.nodes()[c.selected].total > 0;
        assert!(drawn(&cmp), "{:?}", name(&cmp));
    }

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
