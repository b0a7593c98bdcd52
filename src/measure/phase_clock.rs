//! A worker's wall time by phase: booked by the worker itself at every phase change, read
//! out by the ticker.
//!
//! A change is the hot path of phased async code (every poll of a phased task enters its
//! phase and leaves it again, twice when phases nest), so the worker's side is one tick
//! reading (see `clock::ticks`) and a few plain stores: no lock, no read-modify-write, no
//! `Instant`. The reader gets a consistent picture through a sequence counter and turns ticks
//! into nanoseconds by sharing out the wall time of its read interval (measured on the
//! meter's `Instant` clock) in proportion to each phase's ticks, so the phases' nanoseconds
//! add up to the worker's wall time exactly, whatever a tick is worth.

use super::clock::ticks;
use super::phase::PhaseId;
use super::wall::split_proportionally;
use parking_lot::Mutex;
use std::sync::atomic::{fence, AtomicU32, AtomicU64, Ordering};

/// Phase ids with a lock-free slot of their own; higher ones (a job with that many phase
/// paths) are booked under a lock.
const SLOTS: usize = 64;

/// Wall time by phase, written by one worker thread, read by any.
pub(crate) struct PhaseClock {
    /// Odd while the worker is changing phase (a reader then tries again).
    seq: AtomicU64,
    /// The phase the worker is in, and the tick it entered it at.
    current: AtomicU32,
    since: AtomicU64,
    /// Ticks spent in each phase before `since`, since the worker started.
    spent: [AtomicU64; SLOTS],
    /// The same for ids from `SLOTS` on, at `id - SLOTS`.
    overflow: Mutex<Vec<u64>>,
    /// How far the reader has read.
    read: Mutex<ReadState>,
}

struct ReadState {
    /// Each phase's ticks up to the previous read (the open phase's part included).
    spent: Vec<u64>,
    /// The meter's clock at the previous read.
    ns: u64,
}

/// One consistent reading of the worker's side.
struct Reading {
    current: PhaseId,
    since: u64,
    spent: Vec<u64>,
}

impl PhaseClock {
    /// A clock in phase `phase` from now, which is `now_ns` on the meter's clock.
    pub(crate) fn starting(phase: PhaseId, now_ns: u64) -> PhaseClock {
        PhaseClock {
            seq: AtomicU64::new(0),
            current: AtomicU32::new(phase),
            since: AtomicU64::new(ticks()),
            spent: std::array::from_fn(|_| AtomicU64::new(0)),
            overflow: Mutex::default(),
            read: Mutex::new(ReadState {
                spent: Vec::new(),
                ns: now_ns,
            }),
        }
    }

    /// The worker enters phase `id`; its time since the last change goes to the phase it
    /// leaves. Only the worker's own thread may call this (the one writer the sequence
    /// counter allows).
    pub(crate) fn switch(&self, id: PhaseId) {
        let now = ticks();
        let seq = self.seq.load(Ordering::Relaxed);
        self.seq.store(seq.wrapping_add(1), Ordering::Relaxed);
        fence(Ordering::Release);
        let since = self.since.load(Ordering::Relaxed);
        self.add(
            self.current.load(Ordering::Relaxed),
            now.saturating_sub(since),
        );
        self.since.store(now.max(since), Ordering::Relaxed);
        self.current.store(id, Ordering::Relaxed);
        self.seq.store(seq.wrapping_add(2), Ordering::Release);
    }

    /// Adds `ticks` to phase `id` (the writer alone: a load and a store, not an RMW).
    fn add(&self, id: PhaseId, ticks: u64) {
        let at = id as usize;
        match self.spent.get(at) {
            Some(slot) => slot.store(slot.load(Ordering::Relaxed) + ticks, Ordering::Relaxed),
            None => self.add_overflow(at - SLOTS, ticks),
        }
    }

    /// Out of line, so the common case saves no registers for it.
    #[cold]
    #[inline(never)]
    fn add_overflow(&self, at: usize, ticks: u64) {
        let mut overflow = self.overflow.lock();
        if overflow.len() <= at {
            overflow.resize(at + 1, 0);
        }
        overflow[at] += ticks;
    }

    /// The worker's side as it was between two of its changes.
    fn reading(&self) -> Reading {
        let mut spent = Vec::with_capacity(SLOTS);
        loop {
            let seq = self.seq.load(Ordering::Acquire);
            if seq % 2 == 1 {
                std::thread::yield_now();
                continue;
            }
            let current = self.current.load(Ordering::Relaxed);
            let since = self.since.load(Ordering::Relaxed);
            spent.clear();
            spent.extend(self.spent.iter().map(|slot| slot.load(Ordering::Relaxed)));
            spent.extend(self.overflow.lock().iter().copied());
            fence(Ordering::Acquire);
            if self.seq.load(Ordering::Relaxed) == seq {
                return Reading {
                    current,
                    since,
                    spent,
                };
            }
        }
    }

    /// The wall time since the previous call, by phase: the read interval ends at tick
    /// `until_tick`, which is `until_ns` on the meter's clock (a finished worker's end, or
    /// now). Its nanoseconds are shared by the phases' ticks meanwhile, so they add up to
    /// the interval exactly.
    pub(crate) fn drain(&self, until_tick: u64, until_ns: u64) -> Vec<(PhaseId, u64)> {
        let mut read = self.read.lock();
        let mut now = self.reading();
        let open = now.current as usize;
        if now.spent.len() <= open {
            // A high phase id entered but not yet left has no overflow entry yet.
            now.spent.resize(open + 1, 0);
        }
        now.spent[open] += until_tick.saturating_sub(now.since);
        let grown: Vec<u64> = (now.spent.iter().enumerate())
            .map(|(at, &spent)| spent.saturating_sub(read.spent.get(at).copied().unwrap_or(0)))
            .collect();
        let ns = until_ns.saturating_sub(read.ns);
        read.ns = read.ns.max(until_ns);
        read.spent = now.spent;
        let parts = match grown.iter().any(|&g| g > 0) {
            true => split_proportionally(ns, &grown),
            // No tick went by (a finished worker, or a coarse tick): it is all the open phase's.
            false => (0..grown.len())
                .map(|at| if at == open { ns } else { 0 })
                .collect(),
        };
        (0..).zip(parts).filter(|&(_, ns)| ns > 0).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    fn total(drained: &[(PhaseId, u64)]) -> u64 {
        drained.iter().map(|&(_, ns)| ns).sum()
    }

    #[test]
    fn each_read_shares_out_exactly_its_interval() {
        let clock = PhaseClock::starting(0, 1_000);
        clock.switch(3);
        std::thread::sleep(Duration::from_millis(5));
        clock.switch(0);
        let first = clock.drain(ticks(), 51_000);
        assert_eq!(total(&first), 50_000);
        let (phase, ns) = *first.iter().max_by_key(|&&(_, ns)| ns).expect("a phase");
        assert_eq!(
            phase, 3,
            "the phase held through the sleep has most of it: {first:?}"
        );
        assert!(ns > 45_000, "{first:?}");
        assert_eq!(total(&clock.drain(ticks(), 51_000)), 0, "nothing twice");
        let later = clock.drain(ticks(), 60_000);
        assert_eq!(later, vec![(0, 9_000)], "the open phase up to the read");
    }

    #[test]
    fn a_finished_worker_adds_its_end_and_then_nothing() {
        let clock = PhaseClock::starting(2, 0);
        let end = ticks();
        assert_eq!(clock.drain(end, 700), vec![(2, 700)]);
        assert_eq!(clock.drain(end, 700), vec![]);
    }

    #[test]
    fn phase_ids_past_the_slots_are_booked_too() {
        let high = SLOTS as PhaseId + 5;
        let clock = PhaseClock::starting(high, 0);
        std::thread::sleep(Duration::from_millis(2));
        clock.switch(1);
        let drained = clock.drain(ticks(), 1_000_000);
        assert_eq!(total(&drained), 1_000_000);
        assert!(
            drained.iter().any(|&(id, ns)| id == high && ns > 0),
            "{drained:?}"
        );
        let open = PhaseClock::starting(high + 1, 0).drain(ticks(), 5_000);
        assert_eq!(open, vec![(high + 1, 5_000)], "a high phase not yet left");
    }

    #[test]
    fn reads_while_the_worker_switches_still_add_up_to_the_wall_time() {
        let epoch = Instant::now();
        let ns = move || epoch.elapsed().as_nanos() as u64;
        let start = ns();
        let clock = Arc::new(PhaseClock::starting(0, start));
        let writer = {
            let clock = clock.clone();
            std::thread::spawn(move || {
                for i in 0..200_000u32 {
                    clock.switch(i % 7);
                }
                clock.switch(0);
            })
        };
        let mut by_phase = [0u64; 7];
        let mut read = |until_ns| {
            for (id, ns) in clock.drain(ticks(), until_ns) {
                by_phase[id as usize] += ns;
            }
        };
        while !writer.is_finished() {
            read(ns());
        }
        writer.join().expect("writer");
        let end = ns();
        read(end);
        assert_eq!(by_phase.iter().sum::<u64>(), end - start);
        assert!(by_phase.iter().all(|&ns| ns > 0), "{by_phase:?}");
    }
}
