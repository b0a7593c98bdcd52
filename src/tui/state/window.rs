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

    /// The header's figures over `window`: (items/s, busy cores, samples); rates are over
    /// the ticks the window's items and CPU time are taken between.
    pub fn window_figures(&self, window: Window) -> (f64, f64, u64) {
        let (from, to) = self.history.tick_span(window);
        let seconds = (to - from).max(1e-9);
        let items = self.history.items(window) as f64;
        // A fold from +0: the sum of no floats is -0, which would print as "-0.00".
        let workers = self.history.workers(window);
        let cpu = workers.iter().fold(0.0, |sum, w| sum + w.cpu_s);
        let samples = self.history.samples(window);
        (items / seconds, cpu / seconds, samples)
    }
}
