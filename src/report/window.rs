//! Time windows of a run: what happened between two moments (stacks, worker ledgers, items),
//! from the event stream's per-tick worker snapshots and its stack deltas.
//!
//! A window is the half-open stretch `(from_s, to_s]` (a window that starts at 0 also holds
//! time 0), so windows side by side never count anything twice and add up to their union.
//! A stack delta covers the time since the delta before it; it belongs to the window that holds
//! the middle of that stretch. A worker's ledger over a window is its snapshot at the window's
//! end minus its snapshot at the start (the latest snapshots at or before those moments).

use crate::flame::FoldedStacks;
use crate::model::{WaitCategory, WorkerSnapshot};
use std::collections::HashMap;

/// A stretch of a run's time, in seconds since it began.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub from_s: f64,
    pub to_s: f64,
}

impl Window {
    /// The whole run, however long.
    pub const WHOLE: Window = Window {
        from_s: 0.0,
        to_s: f64::INFINITY,
    };

    /// The window between two moments, in either order; negative times count as 0.
    pub fn new(a: f64, b: f64) -> Window {
        Window {
            from_s: a.min(b).max(0.0),
            to_s: a.max(b).max(0.0),
        }
    }

    /// True when moment `t` is in the window.
    pub fn holds(&self, t: f64) -> bool {
        let after_start = t > self.from_s || (self.from_s <= 0.0 && t >= 0.0);
        after_start && t <= self.to_s
    }

    /// How titles name it: `3.0–4.0 s`.
    pub fn label(&self) -> String {
        format!("{:.1}–{:.1} s", self.from_s, self.to_s)
    }
}

/// One `stacks` event: CPU samples and wall-clock nanoseconds since the previous one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StackDelta {
    /// The stretch the delta covers: from the previous delta's end to the latest tick.
    pub from_s: f64,
    pub to_s: f64,
    pub samples: u64,
    pub cpu: FoldedStacks,
    pub wall: FoldedStacks,
    pub phases: FoldedStacks,
}

/// One stack delta's profiles: CPU samples, wall time on stacks, wall time on phases.
pub type StackParts<'a> = (&'a FoldedStacks, &'a FoldedStacks, &'a FoldedStacks);

impl StackDelta {
    /// The moment that decides which window the delta belongs to.
    fn middle(&self) -> f64 {
        (self.from_s + self.to_s) / 2.0
    }
}

/// One tick: the run's item count and every worker's totals at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
struct TickPoint {
    at_s: f64,
    items: u64,
    workers: Box<[Ledger]>,
}

/// One worker's totals at a tick, as the history keeps them: a long run (a recording of a
/// million ticks) repeats every worker at every tick, so the name is an index into the
/// history's names and the waits a short list, not a string and a map each time.
#[derive(Debug, Clone, PartialEq)]
struct Ledger {
    name: usize,
    wall_s: f64,
    cpu_s: f64,
    runqueue_s: f64,
    waits: Box<[(WaitCategory, f64)]>,
}

/// The stacks of a window, summed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowStacks {
    pub samples: u64,
    pub cpu: FoldedStacks,
    pub wall: FoldedStacks,
    pub phases: FoldedStacks,
    /// The stretch the summed deltas cover (`None` when none falls in the window): stacks
    /// arrive about once a second, so a short window may hold none.
    pub covered: Option<(f64, f64)>,
}

/// Everything a run's windows are computed from, kept as the events arrive: each tick's
/// snapshots and each stack delta, neighbours merged past a bound (see `compact`), so a
/// long run's history stays bounded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    ticks: Vec<TickPoint>,
    deltas: Vec<StackDelta>,
    /// The workers' names, in first-seen order (`Ledger::name` indexes it).
    names: Vec<String>,
}

impl History {
    /// Records a tick. Ticks arrive in time order (a recording with times going back is
    /// refused before it gets here).
    pub fn push_tick(&mut self, at_s: f64, items: u64, workers: &[WorkerSnapshot]) {
        let workers = workers
            .iter()
            .map(|w| Ledger {
                name: self.name_index(&w.name),
                wall_s: w.wall_s,
                cpu_s: w.cpu_s,
                runqueue_s: w.runqueue_s,
                waits: w.waits.iter().map(|(c, s)| (*c, *s)).collect(),
            })
            .collect();
        self.ticks.push(TickPoint {
            at_s,
            items,
            workers,
        });
        self.keep_bounded();
    }

    /// The index of `name` among the workers' names (added when new).
    fn name_index(&mut self, name: &str) -> usize {
        match self.names.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                self.names.push(name.to_string());
                self.names.len() - 1
            }
        }
    }

    /// Records a stack delta, which covers the time since the previous delta up to the
    /// latest tick.
    pub fn push_stacks(&mut self, samples: u64, (cpu, wall, phases): StackParts) {
        let from_s = self.deltas.last().map_or(0.0, |d| d.to_s);
        let to_s = self.end_s().max(from_s);
        self.deltas.push(StackDelta {
            from_s,
            to_s,
            samples,
            cpu: cpu.clone(),
            wall: wall.clone(),
            phases: phases.clone(),
        });
        self.keep_bounded();
    }

    /// The latest tick's time (0 before the first).
    pub fn end_s(&self) -> f64 {
        self.ticks.last().map_or(0.0, |t| t.at_s)
    }

    /// True when nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.ticks.is_empty() && self.deltas.is_empty()
    }

    /// The deltas of `window`, summed.
    pub fn stacks(&self, window: Window) -> WindowStacks {
        let mut out = WindowStacks::default();
        for delta in self.deltas.iter().filter(|d| window.holds(d.middle())) {
            out.samples += delta.samples;
            out.cpu.merge(&delta.cpu);
            out.wall.merge(&delta.wall);
            out.phases.merge(&delta.phases);
            out.covered = Some(match out.covered {
                None => (delta.from_s, delta.to_s),
                Some((from, _)) => (from, delta.to_s),
            });
        }
        out
    }

    /// CPU samples in `window`.
    pub fn samples(&self, window: Window) -> u64 {
        let held = self.deltas.iter().filter(|d| window.holds(d.middle()));
        held.map(|d| d.samples).sum()
    }

    /// The stretch the deltas of `window` cover (what [`History::stacks`] reports, without
    /// summing them).
    pub fn covered(&self, window: Window) -> Option<(f64, f64)> {
        let mut held = self.deltas.iter().filter(|d| window.holds(d.middle()));
        let first = held.next()?;
        let last = held.next_back().unwrap_or(first);
        Some((first.from_s, last.to_s))
    }

    /// The run's items at moment `t` (the latest tick at or before it).
    fn items_at(&self, t: f64) -> u64 {
        self.ticks_until(t).last().map_or(0, |p| p.items)
    }

    /// Items finished in `window`.
    pub fn items(&self, window: Window) -> u64 {
        let start = self.start_moment(window);
        self.items_at(window.to_s)
            .saturating_sub(start.map_or(0, |t| self.items_at(t)))
    }

    /// Every worker's ledger over `window` (workers in the order they first appear; workers
    /// with no time in the window left out).
    pub fn workers(&self, window: Window) -> Vec<WorkerSnapshot> {
        let before = self
            .start_moment(window)
            .map(|t| self.snapshots_at(t))
            .unwrap_or_default();
        let before: HashMap<&str, &WorkerSnapshot> =
            before.iter().map(|w| (w.name.as_str(), w)).collect();
        self.snapshots_at(window.to_s)
            .into_iter()
            .map(|now| match before.get(now.name.as_str()) {
                Some(then) => difference(&now, then),
                None => now,
            })
            .filter(|w| w.wall_s > 0.0)
            .collect()
    }

    /// The moments of the ticks a window's items and ledgers are taken between: ticks come a
    /// few times a second, so these are the window's edges rounded down to a tick.
    pub fn tick_span(&self, window: Window) -> (f64, f64) {
        let at = |t: f64| self.ticks_until(t).last().map_or(0.0, |p| p.at_s);
        (self.start_moment(window).map_or(0.0, at), at(window.to_s))
    }

    /// The window's rates, (items/s, busy cores), with each tick's counts spread evenly over
    /// the stretch since the tick before (the run starts from nothing at 0): a window
    /// narrower than a tick reads that tick's rate, not zero. The window is cut to the time
    /// the ticks cover; a window wholly past the last tick reads (0, 0).
    pub fn rates(&self, window: Window) -> (f64, f64) {
        let (from, to) = (window.from_s.max(0.0), window.to_s.min(self.end_s()));
        if to <= from {
            return (0.0, 0.0);
        }
        let ((items_from, cpu_from), (items_to, cpu_to)) = (self.prorated(from), self.prorated(to));
        let seconds = to - from;
        (
            (items_to - items_from) / seconds,
            (cpu_to - cpu_from) / seconds,
        )
    }

    /// The run's (items, CPU seconds) by moment `t`, prorated between the ticks around it.
    fn prorated(&self, t: f64) -> (f64, f64) {
        let next = self.ticks.partition_point(|p| p.at_s <= t);
        let (at, items, cpu) = match next.checked_sub(1) {
            Some(i) => self.totals(i),
            None => (0.0, 0.0, 0.0),
        };
        let Some((next_at, next_items, next_cpu)) = self.ticks.get(next).map(|_| self.totals(next))
        else {
            return (items, cpu);
        };
        let share = if next_at > at {
            (t - at) / (next_at - at)
        } else {
            1.0
        };
        let between = |a: f64, b: f64| a + (b - a) * share.clamp(0.0, 1.0);
        (between(items, next_items), between(cpu, next_cpu))
    }

    /// Tick `i`'s moment, items and all workers' CPU seconds so far.
    fn totals(&self, i: usize) -> (f64, f64, f64) {
        let point = &self.ticks[i];
        let workers = self.snapshots_at(point.at_s);
        let cpu = workers.iter().fold(0.0, |sum, w| sum + w.cpu_s);
        (point.at_s, point.items as f64, cpu)
    }

    /// The moment whose snapshots a window's figures start from: `None` (nothing yet) for a
    /// window that starts at 0, which holds time 0.
    fn start_moment(&self, window: Window) -> Option<f64> {
        (window.from_s > 0.0).then_some(window.from_s)
    }

    fn ticks_until(&self, t: f64) -> &[TickPoint] {
        &self.ticks[..self.ticks.partition_point(|p| p.at_s <= t)]
    }

    /// Each worker's latest snapshot at or before `t`, in first-seen order.
    fn snapshots_at(&self, t: f64) -> Vec<WorkerSnapshot> {
        let mut order: Vec<usize> = Vec::new();
        let mut latest: Vec<Option<&Ledger>> = vec![None; self.names.len()];
        for point in self.ticks_until(t) {
            for w in point.workers.iter() {
                if latest[w.name].replace(w).is_none() {
                    order.push(w.name);
                }
            }
        }
        order
            .iter()
            .filter_map(|&name| latest[name])
            .map(|w| WorkerSnapshot {
                name: self.names[w.name].clone(),
                wall_s: w.wall_s,
                cpu_s: w.cpu_s,
                runqueue_s: w.runqueue_s,
                waits: w.waits.iter().copied().collect(),
            })
            .collect()
    }
}

/// `now - then`, field by field (never below 0: a counter that went back reads as none).
fn difference(now: &WorkerSnapshot, then: &WorkerSnapshot) -> WorkerSnapshot {
    let less = |a: f64, b: f64| (a - b).max(0.0);
    let waits = now
        .waits
        .iter()
        .map(|(category, &s)| {
            let was = then.waits.get(category).copied().unwrap_or(0.0);
            (*category, less(s, was))
        })
        .collect();
    WorkerSnapshot {
        name: now.name.clone(),
        wall_s: less(now.wall_s, then.wall_s),
        cpu_s: less(now.cpu_s, then.cpu_s),
        runqueue_s: less(now.runqueue_s, then.runqueue_s),
        waits,
    }
}

#[path = "window_compact.rs"]
mod compact;
pub use compact::{MAX_DELTAS, MAX_TICKS};

#[cfg(test)]
#[path = "window_tests.rs"]
mod tests;
