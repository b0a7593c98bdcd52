//! Phase-view deltas: every worker's wall time on the job's own phases, by cause:
//! `worker;phase;…;[cause]`, with the causes `[cpu]`, `[run queue]`, each `[… wait]`,
//! `[idle]` and `[untracked]`.
//!
//! Between two readings a worker's wall time is its CPU time, its run-queue delay and its
//! waits (see `measure`). Each wait is booked on the phase it belongs to, exactly. The
//! worker's phase clock says how long it was in each phase; less the waits it began there,
//! that is the phase's work, and the worker's CPU and run-queue time are shared over its
//! phases in proportion to it. Idle time between units stays under the worker, and so does
//! what nothing explains: each worker's causes add up to its wall time, like its stacks.

use super::wall::leaf_of;
use crate::flame::wall::{RUN_QUEUE_LEAF, UNTRACKED_LEAF};
use crate::flame::FoldedStacks;
use crate::measure::phase::{phase_path, PhaseId, NO_PHASE};
use crate::measure::{split_proportionally, WaitEntry};
use crate::model::{PhaseTime, WaitCategory, WorkerSnapshot, WAIT_CATEGORIES};
use std::collections::{BTreeMap, HashMap};

/// The leaf of CPU time in the phase view (its stacks are in the code views).
pub const CPU_LEAF: &str = "[cpu]";

/// One worker's readings between two ticks, for its phase delta.
struct Interval<'a> {
    before: &'a WorkerSnapshot,
    now: &'a WorkerSnapshot,
    /// Wall time by the phase the worker was in.
    clock: &'a [(PhaseId, u64)],
    /// Its waits, by phase.
    waits: Vec<&'a WaitEntry>,
}

/// Turns successive worker readings into phase-view deltas.
#[derive(Debug, Default)]
pub struct PhaseAccount {
    previous: HashMap<String, WorkerSnapshot>,
}

fn ns(seconds: f64) -> u64 {
    (seconds.max(0.0) * 1e9).round() as u64
}

impl PhaseAccount {
    /// The phase view of the time since the previous call. `workers` are readings of every
    /// worker now, `clocks` each worker's wall time by phase meanwhile, `waits` their waits.
    pub fn delta(
        &mut self,
        workers: &[WorkerSnapshot],
        clocks: &[(String, Vec<(PhaseId, u64)>)],
        waits: &[(String, WaitEntry)],
    ) -> FoldedStacks {
        let mut out = FoldedStacks::new();
        for now in workers {
            let before = self.previous.get(&now.name).cloned().unwrap_or_default();
            let clock = clocks.iter().find(|(name, _)| *name == now.name);
            let interval = Interval {
                before: &before,
                now,
                clock: clock.map_or(&[][..], |(_, c)| c.as_slice()),
                waits: waits
                    .iter()
                    .filter(|(name, _)| *name == now.name)
                    .map(|(_, w)| w)
                    .collect(),
            };
            interval.book(&mut out);
            self.previous.insert(now.name.clone(), now.clone());
        }
        out
    }
}

/// `worker;phase;…;leaf`.
fn stack_of(worker: &str, phase: PhaseId, leaf: &str) -> String {
    let mut stack = String::from(worker);
    for name in phase_path(phase).iter() {
        stack.push(';');
        stack.push_str(name);
    }
    stack.push(';');
    stack.push_str(leaf);
    stack
}

impl Interval<'_> {
    fn waited(&self, category: WaitCategory) -> u64 {
        let of = |w: &WorkerSnapshot| w.waits.get(&category).copied().unwrap_or(0.0);
        ns(of(self.now) - of(self.before))
    }

    fn book(&self, out: &mut FoldedStacks) {
        let worker = self.now.name.as_str();
        let mut accounted = 0;
        for category in WAIT_CATEGORIES {
            accounted += self.book_waits(category, out);
        }
        let cpu = ns(self.now.cpu_s - self.before.cpu_s);
        let run_queue = ns(self.now.runqueue_s - self.before.runqueue_s);
        let work = self.work_by_phase();
        let phases: Vec<PhaseId> = work.keys().copied().collect();
        let weights: Vec<u64> = work.values().copied().collect();
        for (leaf, total) in [(CPU_LEAF, cpu), (RUN_QUEUE_LEAF, run_queue)] {
            let parts = match weights.iter().any(|&w| w > 0) {
                true => split_proportionally(total, &weights),
                false => vec![0; weights.len()],
            };
            let shared: u64 = parts.iter().sum();
            for (&phase, part) in phases.iter().zip(parts) {
                out.add(&stack_of(worker, phase, leaf), part);
            }
            out.add(&stack_of(worker, NO_PHASE, leaf), total - shared);
            accounted += total;
        }
        let wall = ns(self.now.wall_s - self.before.wall_s);
        out.add(
            &stack_of(worker, NO_PHASE, UNTRACKED_LEAF),
            wall.saturating_sub(accounted),
        );
    }

    /// Puts the worker's waits of one category on their phases and returns the time they
    /// cover: the meter's total, shared over the phases by the time placed there (an open
    /// wait is read at two slightly different moments, so the places' sum can differ a
    /// little; the meter's figure keeps the worker's causes adding up to its wall time).
    /// Waits with no place (idle between units) stay under the worker.
    fn book_waits(&self, category: WaitCategory, out: &mut FoldedStacks) -> u64 {
        let worker = self.now.name.as_str();
        let mut by_phase: BTreeMap<PhaseId, u64> = BTreeMap::new();
        for w in self.waits.iter().filter(|w| w.category == category) {
            *by_phase.entry(w.phase).or_default() += w.ns;
        }
        let waited = self.waited(category);
        let placed: u64 = by_phase.values().sum();
        if placed == 0 {
            out.add(&stack_of(worker, NO_PHASE, &leaf_of(category)), waited);
            return waited;
        }
        let weights: Vec<u64> = by_phase.values().copied().collect();
        for (phase, part) in by_phase.keys().zip(split_proportionally(waited, &weights)) {
            out.add(&stack_of(worker, *phase, &leaf_of(category)), part);
        }
        waited
    }

    /// Each phase's work: the worker's time in it, less the waits it began there; outside
    /// every phase, less the idle time no wait span covered either.
    fn work_by_phase(&self) -> BTreeMap<PhaseId, u64> {
        let mut work: BTreeMap<PhaseId, u64> = self.clock.iter().copied().collect();
        for w in &self.waits {
            let left = work.entry(w.own).or_default();
            *left = left.saturating_sub(w.ns);
        }
        let placed_idle: u64 = (self.waits.iter())
            .filter(|w| w.category == WaitCategory::Queue)
            .map(|w| w.ns)
            .sum();
        let unplaced_idle = self.waited(WaitCategory::Queue).saturating_sub(placed_idle);
        let outside = work.entry(NO_PHASE).or_default();
        *outside = outside.saturating_sub(unplaced_idle);
        work
    }
}

/// The report's phase table: every phase path's seconds, summed over the workers, with the
/// seconds by cause spent in the phase itself; largest phases first.
pub fn phase_table(phases: &FoldedStacks) -> Vec<PhaseTime> {
    let mut table: BTreeMap<String, PhaseTime> = BTreeMap::new();
    for (stack, ns) in phases.iter() {
        let mut frames: Vec<&str> = stack.split(';').skip(1).collect();
        let Some(leaf) = frames.pop() else { continue };
        let seconds = ns as f64 / 1e9;
        let cause = leaf.trim_start_matches('[').trim_end_matches(']');
        for depth in 0..=frames.len() {
            let row = table
                .entry(frames[..depth].join("/"))
                .or_insert_with(|| PhaseTime {
                    phase: frames[..depth].join("/"),
                    seconds: 0.0,
                    causes: BTreeMap::new(),
                });
            if depth > 0 || frames.is_empty() {
                row.seconds += seconds;
            }
            if depth == frames.len() {
                *row.causes.entry(cause.to_string()).or_default() += seconds;
            }
        }
    }
    let mut rows: Vec<PhaseTime> = table.into_values().filter(|r| r.seconds > 0.0).collect();
    rows.sort_by(|a, b| b.seconds.total_cmp(&a.seconds).then(a.phase.cmp(&b.phase)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::phase::current_phase;
    use crate::measure::phase::in_phase;
    use crate::measure::wall::RawStack;

    fn worker(name: &str, wall: f64, cpu: f64, waits: &[(WaitCategory, f64)]) -> WorkerSnapshot {
        WorkerSnapshot {
            name: name.into(),
            wall_s: wall,
            cpu_s: cpu,
            runqueue_s: 0.1,
            waits: waits.iter().copied().collect(),
        }
    }

    fn wait(phase: PhaseId, category: WaitCategory, ns: u64) -> (String, WaitEntry) {
        let entry = WaitEntry {
            category,
            phase,
            own: phase,
            stack: RawStack::from([]),
            ns,
        };
        ("w".to_string(), entry)
    }

    #[test]
    fn a_workers_phases_add_up_to_its_wall_time_with_waits_on_their_phase() {
        let (fetch, decode) = in_phase("fetch", || {
            (current_phase(), in_phase("decode", current_phase))
        });
        let now = worker(
            "w",
            1.0,
            0.3,
            &[(WaitCategory::Net, 0.5), (WaitCategory::Queue, 0.05)],
        );
        // 0.6 s in fetch (0.5 s of it the net wait), 0.3 s decoding, 0.1 s outside.
        let clocks = vec![(
            "w".to_string(),
            vec![
                (fetch, 600_000_000),
                (decode, 300_000_000),
                (NO_PHASE, 100_000_000),
            ],
        )];
        let waits = vec![wait(fetch, WaitCategory::Net, 500_000_000)];
        let out = PhaseAccount::default().delta(&[now], &clocks, &waits);
        assert_eq!(out.total(), 1_000_000_000, "{out:?}");
        assert_eq!(out.get("w;fetch;[net wait]"), 500_000_000);
        assert_eq!(out.get("w;[idle]"), 50_000_000);
        // Work: fetch 0.1 s, decode 0.3 s, outside 0.05 s (0.1 s less the idle time).
        let decode_cpu = out.get("w;fetch;decode;[cpu]");
        assert!((199_000_000..=201_000_000).contains(&decode_cpu), "{out:?}");
        assert_eq!(
            out.get("w;fetch;[cpu]") + decode_cpu + out.get("w;[cpu]"),
            300_000_000
        );
        assert_eq!(out.get("w;[untracked]"), 50_000_000);
    }

    #[test]
    fn the_phase_table_sums_workers_and_keeps_causes_per_phase() {
        let phases = FoldedStacks::parse(
            "w0;fetch;[net wait] 3000000000\nw1;fetch;[net wait] 1000000000\n\
             w0;fetch;decode;[cpu] 500000000\nw0;[idle] 250000000\n",
        )
        .expect("folded");
        let table = phase_table(&phases);
        let row = |name: &str| table.iter().find(|r| r.phase == name).expect(name);
        assert_eq!(table[0].phase, "fetch");
        assert_eq!(row("fetch").seconds, 4.5);
        assert_eq!(row("fetch").causes["net wait"], 4.0);
        assert!(!row("fetch").causes.contains_key("cpu"), "decode's own");
        assert_eq!(row("fetch/decode").causes["cpu"], 0.5);
        assert_eq!(row("").seconds, 0.25);
        assert_eq!(row("").causes["idle"], 0.25);
    }

    #[test]
    fn without_a_phase_clock_everything_stays_under_the_worker() {
        let now = worker("w", 0.5, 0.2, &[(WaitCategory::Disk, 0.1)]);
        let out = PhaseAccount::default().delta(&[now], &[], &[]);
        assert_eq!(out.get("w;[cpu]"), 200_000_000);
        assert_eq!(out.get("w;[run queue]"), 100_000_000);
        assert_eq!(out.get("w;[disk wait]"), 100_000_000);
        assert_eq!(out.get("w;[untracked]"), 100_000_000);
        assert_eq!(out.total(), 500_000_000);
    }
}
