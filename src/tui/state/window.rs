//! A run's figures over a selected window of time: its stacks as a tree, its wall total, and
//! its rate, busy cores and samples.

use super::profiles::{off_cpu, Profile};
use super::runs::Run;
use crate::flame::FrameTree;
use crate::report::window::Window;
use std::sync::Arc;

impl Run {
    /// The frame tree of `profile` over `window`, from the stack deltas that fall in it.
    pub fn window_tree(&self, profile: Profile, window: Window) -> Arc<FrameTree> {
        let stacks = self.history.stacks(window);
        let folded = match profile {
            Profile::Phases => stacks.phases,
            Profile::PhaseCode => stacks.wall.code_by_phase(),
            Profile::Wall => stacks.wall,
            Profile::Cpu => stacks.cpu,
            Profile::OffCpu => off_cpu(&stacks.wall),
        };
        Arc::new(FrameTree::from_stacks(&folded))
    }

    /// The workers' wall time (nanoseconds) in the wall profile over `window`.
    pub fn window_wall_total(&self, window: Window) -> u64 {
        self.history.stacks(window).wall.total()
    }

    /// The header's figures over `window`: (items/s, busy cores, samples); the rates are
    /// prorated from the ticks the window overlaps, so a window narrower than a tick still
    /// reads the rate of its tick.
    pub fn window_figures(&self, window: Window) -> (f64, f64, u64) {
        let (rate, busy) = self.history.rates(window);
        (rate, busy, self.history.samples(window))
    }
}
