//! A worker's lane: its time per tick interval as shares of CPU, run queue and each wait.

use crate::model::{WaitCategory, WorkerSnapshot, WAIT_CATEGORIES, WAIT_COUNT};

/// One worker's time during one tick interval, as shares of the interval's wall time.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LaneCell {
    pub cpu: f64,
    /// Runnable but waiting for a free core.
    pub runqueue: f64,
    /// Indexed like [`WAIT_CATEGORIES`].
    pub waits: [f64; WAIT_COUNT],
}

impl LaneCell {
    /// Adds `other` weighted by `weight` (for averaging intervals of different lengths).
    pub fn add_scaled(&mut self, other: &LaneCell, weight: f64) {
        self.cpu += other.cpu * weight;
        self.runqueue += other.runqueue * weight;
        for (mine, theirs) in self.waits.iter_mut().zip(other.waits) {
            *mine += theirs * weight;
        }
    }

    /// Every share times `factor`.
    pub fn scaled(mut self, factor: f64) -> LaneCell {
        self.cpu *= factor;
        self.runqueue *= factor;
        for share in &mut self.waits {
            *share *= factor;
        }
        self
    }

    /// Each state with its share of the interval: CPU, run queue, then the waits.
    pub fn shares(&self) -> impl Iterator<Item = (LaneState, f64)> + '_ {
        let waits = WAIT_CATEGORIES
            .iter()
            .zip(self.waits)
            .map(|(c, share)| (LaneState::Wait(*c), share));
        [
            (LaneState::Cpu, self.cpu),
            (LaneState::RunQueue, self.runqueue),
        ]
        .into_iter()
        .chain(waits)
    }
}

/// What a worker mostly did in one interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneState {
    Cpu,
    RunQueue,
    Wait(WaitCategory),
    Unknown,
}

/// One worker's cells over time (`None` where the worker did not exist yet).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkerLane {
    pub name: String,
    pub cells: Vec<Option<LaneCell>>,
    pub last: WorkerSnapshot,
}

/// The shares of one worker's interval between two snapshots.
pub(super) fn lane_cell(before: &WorkerSnapshot, now: &WorkerSnapshot) -> Option<LaneCell> {
    let wall = now.wall_s - before.wall_s;
    if wall <= 1e-9 {
        return None;
    }
    let share = |a: f64, b: f64| ((a - b) / wall).clamp(0.0, 1.0);
    let mut cell = LaneCell {
        cpu: share(now.cpu_s, before.cpu_s),
        runqueue: share(now.runqueue_s, before.runqueue_s),
        waits: [0.0; WAIT_COUNT],
    };
    for (slot, category) in cell.waits.iter_mut().zip(WAIT_CATEGORIES) {
        let get = |s: &WorkerSnapshot| s.waits.get(&category).copied().unwrap_or(0.0);
        *slot = share(get(now), get(before));
    }
    Some(cell)
}
