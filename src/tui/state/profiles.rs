//! A run's five profiles (its phases, their code, wall time, CPU samples, off-CPU time): which one the
//! flame pane shows, how its weights read, and each kept as a tree that grows with the
//! streamed deltas.

use crate::flame::wall::stack_kind;
use crate::flame::{FoldedStacks, FrameTree, LiveTree};
use std::cell::OnceCell;
use std::sync::Arc;

/// Which profile of a run the flame pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Every nanosecond of the workers on the job's own phases, by cause (`[cpu]`,
    /// `[net wait]`…): the job's picture, the same in every mode.
    Phases,
    /// The code of each phase: the wall profile's stacks hung under the phase view's paths
    /// (`worker;parse;<frames called in parse>;leaf`), from the `[phase …]` tags in them.
    PhaseCode,
    /// Every nanosecond of the workers: CPU on the sampled stacks, waits in bracketed leaves.
    Wall,
    /// CPU samples (counts).
    #[default]
    Cpu,
    /// The wall profile's stacks that end in off-CPU time (waits, idle, run queue).
    OffCpu,
}

impl Profile {
    /// The next profile in the view key's cycle: phases → code by phase → wall → CPU →
    /// off-CPU → phases.
    pub fn next(self) -> Profile {
        match self {
            Profile::Phases => Profile::PhaseCode,
            Profile::PhaseCode => Profile::Wall,
            Profile::Wall => Profile::Cpu,
            Profile::Cpu => Profile::OffCpu,
            Profile::OffCpu => Profile::Phases,
        }
    }

    /// The profile's name in titles.
    pub fn title(self) -> &'static str {
        match self {
            Profile::Phases => "phases",
            Profile::PhaseCode => "code by phase",
            Profile::Wall => "wall time",
            Profile::Cpu => "CPU samples",
            Profile::OffCpu => "off-CPU",
        }
    }

    /// What a share of the profile is a share of (`65% of wall time`).
    pub fn whole(self) -> &'static str {
        match self {
            Profile::Phases | Profile::PhaseCode | Profile::Wall => "wall time",
            Profile::Cpu => "samples",
            Profile::OffCpu => "off-CPU time",
        }
    }

    /// True when weights are nanoseconds of wall-clock time.
    pub fn is_time(self) -> bool {
        self != Profile::Cpu
    }

    /// A weight for a table cell: seconds (`2.41s`) or a sample count.
    pub fn weight(self, w: u64) -> String {
        if self.is_time() {
            format!("{}s", seconds(w))
        } else {
            w.to_string()
        }
    }

    /// The profile's total for a title: `3.20 s wall time`, `100 CPU samples`.
    pub fn total_label(self, w: u64) -> String {
        match self {
            Profile::Cpu => format!("{} {}", crate::model::thousands(w), self.title()),
            Profile::Phases => format!("{} s wall time by phase", seconds(w)),
            Profile::PhaseCode => format!("{} s wall time, code by phase", seconds(w)),
            _ => format!("{} s {}", seconds(w), self.title()),
        }
    }

    /// Whether a run with the profiles `has` has this one.
    pub fn available(self, has: Has) -> bool {
        match self {
            Profile::Phases => has.phases,
            Profile::PhaseCode => has.phase_code,
            Profile::Wall | Profile::OffCpu => has.wall,
            Profile::Cpu => true,
        }
    }

    /// The profile shown for a run with `has`: the user's `chosen` one when the run has it,
    /// else its phases, else its wall time, else CPU samples.
    pub fn shown(chosen: Option<Profile>, has: Has) -> Profile {
        let first = [Profile::Phases, Profile::Wall, Profile::Cpu]
            .into_iter()
            .find(|p| p.available(has));
        match chosen {
            Some(p) if p.available(has) => p,
            _ => first.unwrap_or(Profile::Cpu),
        }
    }

    /// The next profile after this one that a run with `has` has.
    pub fn next_available(self, has: Has) -> Profile {
        let mut next = self.next();
        while !next.available(has) {
            next = next.next();
        }
        next
    }
}

/// Which time profiles a run has (CPU samples it always has).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Has {
    /// Time on the job's phases.
    pub phases: bool,
    /// A wall-clock profile.
    pub wall: bool,
    /// Wall-clock stacks tagged with the phases they ran in (see `flame::phase_tag`).
    pub phase_code: bool,
}

/// Nanoseconds as seconds with three significant-ish digits: `0.012`, `2.41`, `38.2`, `613`.
pub fn seconds(ns: u64) -> String {
    let s = ns as f64 / 1e9;
    match s {
        s if s >= 99.95 => format!("{s:.0}"),
        s if s >= 9.995 => format!("{s:.1}"),
        s if s >= 0.9995 => format!("{s:.2}"),
        s => format!("{s:.3}"),
    }
}

/// The stacks of a wall profile that end in off-CPU time.
pub fn off_cpu(wall: &FoldedStacks) -> FoldedStacks {
    wall.iter()
        .filter(|(stack, _)| stack_kind(stack).is_off_cpu())
        .collect()
}

/// A frame tree that grows with stack deltas, and its latest snapshot built on first use after
/// a change (so a burst of deltas costs one snapshot, and views not shown cost none).
#[derive(Debug, Clone, Default)]
pub struct GrowingTree {
    live: LiveTree,
    snapshot: OnceCell<Arc<FrameTree>>,
}

impl GrowingTree {
    /// A tree holding `stacks`.
    pub fn from_stacks(stacks: &FoldedStacks) -> GrowingTree {
        GrowingTree {
            live: LiveTree::from_stacks(stacks),
            snapshot: OnceCell::new(),
        }
    }

    /// A tree that is complete already (an opened file); it is not meant to grow.
    pub fn from_tree(tree: FrameTree) -> GrowingTree {
        GrowingTree {
            live: LiveTree::new(),
            snapshot: OnceCell::from(Arc::new(tree)),
        }
    }

    /// Merges `delta` in; returns false (and keeps the snapshot) when it is empty.
    pub fn add(&mut self, delta: &FoldedStacks) -> bool {
        if delta.is_empty() {
            return false;
        }
        self.live.add(delta);
        self.snapshot = OnceCell::new();
        true
    }

    /// Total weight so far (without building a snapshot).
    pub fn total(&self) -> u64 {
        self.snapshot
            .get()
            .map_or_else(|| self.live.total(), |t| t.total())
    }

    /// The current tree (shared, cached until the next non-empty delta).
    pub fn tree(&self) -> Arc<FrameTree> {
        self.snapshot
            .get_or_init(|| Arc::new(self.live.tree()))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stacks(text: &str) -> FoldedStacks {
        FoldedStacks::parse(text).unwrap()
    }

    #[test]
    fn the_view_key_cycles_and_runs_show_the_first_profile_they_have() {
        assert_eq!(Profile::Phases.next(), Profile::PhaseCode);
        assert_eq!(Profile::PhaseCode.next(), Profile::Wall);
        assert_eq!(Profile::Wall.next(), Profile::Cpu);
        assert_eq!(Profile::Cpu.next(), Profile::OffCpu);
        assert_eq!(Profile::OffCpu.next(), Profile::Phases);
        let has = |phases, wall, phase_code| Has {
            phases,
            wall,
            phase_code,
        };
        let (all, untagged) = (has(true, true, true), has(true, true, false));
        let (no_phases, cpu_only) = (has(false, true, false), has(false, false, false));
        assert_eq!(Profile::shown(None, all), Profile::Phases);
        assert_eq!(Profile::shown(None, no_phases), Profile::Wall);
        assert_eq!(Profile::shown(Some(Profile::OffCpu), all), Profile::OffCpu);
        assert_eq!(
            Profile::shown(Some(Profile::OffCpu), cpu_only),
            Profile::Cpu
        );
        assert_eq!(
            Profile::shown(Some(Profile::Phases), no_phases),
            Profile::Wall
        );
        assert_eq!(Profile::OffCpu.next_available(no_phases), Profile::Wall);
        assert_eq!(Profile::OffCpu.next_available(all), Profile::Phases);
        assert_eq!(Profile::Phases.next_available(all), Profile::PhaseCode);
        assert_eq!(Profile::Phases.next_available(untagged), Profile::Wall);
        assert_eq!(Profile::Cpu.next_available(cpu_only), Profile::Cpu);
    }

    #[test]
    fn weights_read_as_seconds_in_time_profiles() {
        assert_eq!(seconds(12_345_678), "0.012");
        assert_eq!(seconds(2_414_000_000), "2.41");
        assert_eq!(seconds(38_240_000_000), "38.2");
        assert_eq!(seconds(613_000_000_000), "613");
        assert_eq!(Profile::Wall.weight(2_414_000_000), "2.41s");
        assert_eq!(Profile::Cpu.weight(42), "42");
        assert_eq!(Profile::OffCpu.total_label(3_200_000_000), "3.20 s off-CPU");
        assert_eq!(Profile::Cpu.total_label(100), "100 CPU samples");
        assert_eq!(Profile::Cpu.total_label(2_473), "2,473 CPU samples");
    }

    #[test]
    fn off_cpu_keeps_only_stacks_ending_off_the_cpu() {
        let wall = stacks(
            "t;fetch;[net wait] 700\nt;fetch;parse 200\nt;[cpu, not sampled] 50\n\
             t;[idle] 40\nt;fetch;[run queue] 10\n",
        );
        let off = off_cpu(&wall);
        assert_eq!(off.total(), 750);
        assert_eq!(off.get("t;fetch;[net wait]"), 700);
        assert_eq!(off.get("t;fetch;parse"), 0);
        assert_eq!(off.get("t;[cpu, not sampled]"), 0);
    }

    #[test]
    fn a_growing_tree_keeps_its_snapshot_until_a_delta_changes_it() {
        let mut tree = GrowingTree::from_stacks(&stacks("t;a 3\n"));
        let first = tree.tree();
        assert!(!tree.add(&FoldedStacks::new()));
        assert!(Arc::ptr_eq(&first, &tree.tree()), "empty delta keeps it");
        assert!(tree.add(&stacks("t;b 2\nt;a 1\n")));
        assert_eq!(tree.total(), 6);
        let grown = tree.tree();
        assert_eq!(*grown, FrameTree::from_stacks(&stacks("t;a 4\nt;b 2\n")));
        let file = GrowingTree::from_tree(FrameTree::from_stacks(&stacks("x 9\n")));
        assert_eq!(file.total(), 9);
    }
}
