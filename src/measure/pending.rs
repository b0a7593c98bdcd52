//! Where async tasks are pending, over time: the weights a parked runtime thread's time is
//! shared by.
//!
//! A runtime thread parks while tasks wait at several places, and the set changes during the
//! park: tasks wake, new ones start waiting. Sharing the park by the tasks pending at its end
//! would miss a place whose tasks all woke just before (at the end of a run: every place).
//! So each place keeps its task-nanoseconds (tasks pending there × time, integrated at every
//! change), and a park is shared by how much each place grew over it.

use super::phase::{current_phase, PhaseId};
use super::raw_stack::{Interner, RawStack};
use crate::model::WaitCategory;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// A place: what the tasks wait for, the phase they wait in, the stack they wait at.
type PlaceKey = (WaitCategory, PhaseId, RawStack);

/// The stacks async tasks are pending at, and for how long, by wait category.
pub struct TaskWaits {
    epoch: Instant,
    state: Mutex<PendingState>,
}

impl Default for TaskWaits {
    fn default() -> Self {
        TaskWaits {
            epoch: Instant::now(),
            state: Mutex::default(),
        }
    }
}

struct Place {
    key: PlaceKey,
    pending: usize,
    task_ns: u128,
}

#[derive(Default)]
struct PendingState {
    interner: Interner,
    index: HashMap<PlaceKey, usize>,
    places: Vec<Place>,
    integrated_to_ns: u64,
}

impl PendingState {
    /// Adds each place's pending tasks × the time since the last change.
    fn integrate(&mut self, now_ns: u64) {
        let dt = now_ns.saturating_sub(self.integrated_to_ns);
        if dt == 0 {
            return;
        }
        for place in &mut self.places {
            place.task_ns += place.pending as u128 * u128::from(dt);
        }
        self.integrated_to_ns = now_ns;
    }

    fn task_ns(&self) -> Vec<u128> {
        self.places.iter().map(|p| p.task_ns).collect()
    }
}

/// Each place's task-nanoseconds at one moment; a park is shared by the growth since.
#[derive(Debug, Clone, Default)]
pub struct PendingMark(Vec<u128>);

/// A task's place in [`TaskWaits`] while it waits; leaving it (drop) ends the wait.
pub struct TaskWaitGuard {
    waits: Arc<TaskWaits>,
    place: usize,
}

impl TaskWaits {
    fn now_ns(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// A task starts waiting on `category` at `frames`, in the calling thread's phase (the
    /// task's own while it is polled).
    pub fn enter(self: &Arc<Self>, category: WaitCategory, frames: &[usize]) -> TaskWaitGuard {
        let phase = current_phase();
        let now = self.now_ns();
        let mut state = self.state.lock();
        state.integrate(now);
        let stack = state.interner.get(frames);
        let key = (category, phase, stack);
        let place = match state.index.get(&key) {
            Some(&place) => place,
            None => {
                let place = state.places.len();
                state.places.push(Place {
                    key: key.clone(),
                    pending: 0,
                    task_ns: 0,
                });
                state.index.insert(key, place);
                place
            }
        };
        state.places[place].pending += 1;
        TaskWaitGuard {
            waits: self.clone(),
            place,
        }
    }

    /// How many tasks wait right now.
    pub fn waiting_tasks(&self) -> usize {
        self.state.lock().places.iter().map(|p| p.pending).sum()
    }

    /// The task-nanoseconds of every place now, to share a park that starts now.
    pub(crate) fn mark(&self) -> PendingMark {
        let now = self.now_ns();
        let mut state = self.state.lock();
        state.integrate(now);
        PendingMark(state.task_ns())
    }

    /// Splits `ns` of a park over the places in proportion to their task-nanoseconds since
    /// `mark` (largest remainder, so the parts add up to `ns`), and moves `mark` to now. With
    /// no task pending meanwhile (or an idle park) it all stays `category` with no stack.
    pub(crate) fn share_since(
        &self,
        mark: &mut PendingMark,
        category: WaitCategory,
        ns: u64,
    ) -> Vec<(WaitCategory, PhaseId, RawStack, u64)> {
        let now = self.now_ns();
        let mut state = self.state.lock();
        state.integrate(now);
        let current = state.task_ns();
        let grown: Vec<u128> = current
            .iter()
            .enumerate()
            .map(|(i, &t)| t.saturating_sub(mark.0.get(i).copied().unwrap_or(0)))
            .collect();
        *mark = PendingMark(current);
        if category == WaitCategory::Queue || grown.iter().all(|&g| g == 0) {
            return vec![(category, super::phase::NO_PHASE, RawStack::from([]), ns)];
        }
        let parts = super::wall::split_proportionally_wide(ns, &grown);
        state
            .places
            .iter()
            .zip(parts)
            .filter(|(_, part)| *part > 0)
            .map(|(place, part)| (place.key.0, place.key.1, place.key.2.clone(), part))
            .collect()
    }
}

impl Drop for TaskWaitGuard {
    fn drop(&mut self) {
        let now = self.waits.now_ns();
        let mut state = self.waits.state.lock();
        state.integrate(now);
        if let Some(place) = state.places.get_mut(self.place) {
            place.pending = place.pending.saturating_sub(1);
        }
    }
}
