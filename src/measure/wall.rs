//! Where each wait began: per-worker ledgers of wait time by (category, raw stack).
//!
//! A worker walks its stack when a wait starts (`stackwalk`), and the wait's off-CPU time is
//! booked on that stack when it ends. A wait still open when the ledger is read is booked up
//! to that moment, so long waits show while they last. Raw stacks are return addresses,
//! innermost first; the profiler symbolizes them off the hot path. Async tasks wait on many
//! stacks at once while a runtime thread is parked: [`TaskWaits`] counts the stacks tasks
//! are pending at, and a parked thread's time is shared out over them.

use super::pending::{PendingMark, TaskWaits};
use super::phase::PhaseId;
use super::raw_stack::Interner;
pub use super::raw_stack::RawStack;
use super::stackwalk::{self, StackBounds};
use crate::model::WaitCategory;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;

/// Wait time booked on one (category, phase, stack).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitEntry {
    pub category: WaitCategory,
    /// The phase the wait belongs to: the worker's, or (a parked runtime thread) the phase
    /// of the task it waited for.
    pub phase: PhaseId,
    /// The phase the worker itself was in while it waited (a parked runtime thread is in
    /// none): its phase clock ran on during the wait, so this time is not that phase's work.
    pub own: PhaseId,
    pub stack: RawStack,
    pub ns: u64,
}

thread_local! {
    static BOUNDS: OnceCell<Option<StackBounds>> = const { OnceCell::new() };
    static WALK_BUFFER: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// Walks the calling thread's stack and hands the return addresses (innermost first) to `f`.
/// Without a known stack range, `f` sees no addresses.
#[inline(never)]
pub(crate) fn with_current_stack<T>(f: impl FnOnce(&[usize]) -> T) -> T {
    let bounds = BOUNDS.with(|b| *b.get_or_init(StackBounds::current));
    WALK_BUFFER.with(|buffer| {
        let Ok(mut buffer) = buffer.try_borrow_mut() else {
            return f(&[]);
        };
        match bounds {
            Some(bounds) => stackwalk::walk(&bounds, &mut buffer),
            None => buffer.clear(),
        }
        f(&buffer)
    })
}

/// What an open wait is booked on.
enum Target {
    /// The phase and stack where the worker started waiting.
    Stack(PhaseId, RawStack),
    /// A parked async runtime thread: the stacks its tasks are pending at, weighed from
    /// `mark` (moved on at every booking).
    Tasks(Arc<TaskWaits>, PendingMark),
}

struct OpenWait {
    category: WaitCategory,
    /// The worker's phase when the wait began.
    own: PhaseId,
    target: Target,
    since_ns: u64,
    /// Part of this wait already booked by an earlier read.
    booked_ns: u64,
}

/// One worker's wait time by place, since the last read.
#[derive(Default)]
pub struct WallLedger {
    interner: Interner,
    pending: HashMap<(WaitCategory, PhaseId, PhaseId, RawStack), u64>,
    open: Option<OpenWait>,
}

impl WallLedger {
    /// A wait of `category` begins now (`now_ns` on the meter's clock) at `frames`, in
    /// phase `phase`.
    pub(crate) fn open(
        &mut self,
        (category, phase): (WaitCategory, PhaseId),
        frames: &[usize],
        now_ns: u64,
    ) {
        let stack = self.interner.get(frames);
        self.open_target((category, phase), Target::Stack(phase, stack), now_ns);
    }

    /// An async runtime thread in phase `own` parks: its time belongs to the tasks pending
    /// meanwhile.
    pub(crate) fn open_parked(
        &mut self,
        (category, own): (WaitCategory, PhaseId),
        tasks: Arc<TaskWaits>,
        now: u64,
    ) {
        let mark = tasks.mark();
        self.open_target((category, own), Target::Tasks(tasks, mark), now);
    }

    fn open_target(
        &mut self,
        (category, own): (WaitCategory, PhaseId),
        target: Target,
        since_ns: u64,
    ) {
        self.open = Some(OpenWait {
            category,
            own,
            target,
            since_ns,
            booked_ns: 0,
        });
    }

    /// The open wait ended after `off_cpu_ns` off the CPU.
    pub(crate) fn close(&mut self, off_cpu_ns: u64) {
        if let Some(mut open) = self.open.take() {
            let ns = off_cpu_ns.saturating_sub(open.booked_ns);
            self.book((open.category, open.own), &mut open.target, ns);
        }
    }

    fn book(&mut self, (category, own): (WaitCategory, PhaseId), target: &mut Target, ns: u64) {
        if ns == 0 {
            return;
        }
        match target {
            Target::Stack(phase, stack) => self.add((category, *phase, own), stack.clone(), ns),
            Target::Tasks(tasks, mark) => {
                for (category, phase, stack, ns) in tasks.share_since(mark, category, ns) {
                    self.add((category, phase, own), stack, ns);
                }
            }
        }
    }

    fn add(&mut self, key: (WaitCategory, PhaseId, PhaseId), stack: RawStack, ns: u64) {
        let (category, phase, own) = key;
        *self
            .pending
            .entry((category, phase, own, stack))
            .or_default() += ns;
    }

    /// Wait time booked since the last call, with the open wait booked up to `now_ns`.
    pub(crate) fn drain(&mut self, now_ns: u64) -> Vec<WaitEntry> {
        if let Some(mut open) = self.open.take() {
            let so_far = now_ns.saturating_sub(open.since_ns);
            let ns = so_far.saturating_sub(open.booked_ns);
            open.booked_ns = open.booked_ns.max(so_far);
            self.book((open.category, open.own), &mut open.target, ns);
            self.open = Some(open);
        }
        self.pending
            .drain()
            .map(|((category, phase, own, stack), ns)| WaitEntry {
                category,
                phase,
                own,
                stack,
                ns,
            })
            .collect()
    }
}

/// Splits `total` in proportion to `weights`, exactly (largest remainder).
pub fn split_proportionally(total: u64, weights: &[u64]) -> Vec<u64> {
    let wide: Vec<u128> = weights.iter().map(|&w| u128::from(w)).collect();
    split_proportionally_wide(total, &wide)
}

/// [`split_proportionally`] for weights past `u64` (task-nanoseconds). Weights are scaled
/// down first when their sum could overflow the products.
pub(crate) fn split_proportionally_wide(total: u64, weights: &[u128]) -> Vec<u64> {
    let shift = weights
        .iter()
        .fold(0u128, |sum, &w| sum.saturating_add(w))
        .checked_ilog2()
        .map_or(0, |bits| bits.saturating_sub(63));
    let weights: Vec<u128> = weights.iter().map(|&w| w >> shift).collect();
    let sum: u128 = weights.iter().sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut parts: Vec<u64> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let exact = u128::from(total) * w;
        parts.push((exact / sum) as u64);
        remainders.push((exact % sum, i));
    }
    let mut left = total - parts.iter().sum::<u64>();
    remainders.sort_unstable_by(|a, b| b.cmp(a));
    for (_, i) in remainders {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proportional_parts_add_up_exactly() {
        assert_eq!(split_proportionally(10, &[1, 1, 1]).iter().sum::<u64>(), 10);
        assert_eq!(split_proportionally(100, &[3, 1]), vec![75, 25]);
        assert_eq!(split_proportionally(7, &[0, 0]), vec![0, 0]);
        assert_eq!(
            split_proportionally(u64::MAX, &[1, 1]).iter().sum::<u64>(),
            u64::MAX
        );
    }

    #[test]
    fn an_open_wait_is_booked_up_to_each_read_and_never_twice() {
        let mut ledger = WallLedger::default();
        ledger.open((WaitCategory::Net, 0), &[1, 2, 3], 1_000);
        let first = ledger.drain(5_000);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].ns, 4_000);
        assert_eq!(&*first[0].stack, &[1, 2, 3]);
        ledger.close(10_000);
        let second = ledger.drain(20_000);
        assert_eq!(second.iter().map(|e| e.ns).sum::<u64>(), 6_000);
        assert!(ledger.drain(30_000).is_empty());
    }

    #[test]
    fn the_same_place_is_one_entry() {
        let mut ledger = WallLedger::default();
        for _ in 0..3 {
            ledger.open((WaitCategory::Db, 0), &[7, 8], 0);
            ledger.close(5);
        }
        ledger.open((WaitCategory::Disk, 0), &[9], 0);
        ledger.close(2);
        let mut entries = ledger.drain(100);
        entries.sort_by_key(|e| e.ns);
        assert_eq!(entries.len(), 2);
        assert_eq!((entries[1].category, entries[1].ns), (WaitCategory::Db, 15));
    }

    #[test]
    fn a_parked_thread_shares_its_time_over_waiting_tasks() {
        let tasks = Arc::new(TaskWaits::default());
        let a = tasks.enter(WaitCategory::Net, &[1]);
        let _b = tasks.enter(WaitCategory::Net, &[1]);
        let _c = tasks.enter(WaitCategory::Db, &[2]);
        let mut ledger = WallLedger::default();
        ledger.open_parked((WaitCategory::Net, 0), tasks.clone(), 0);
        std::thread::sleep(std::time::Duration::from_millis(1));
        ledger.close(300);
        let entries = ledger.drain(300);
        let on = |stack: usize| {
            entries
                .iter()
                .filter(|e| e.stack.first() == Some(&stack))
                .map(|e| e.ns)
                .sum::<u64>()
        };
        assert_eq!((on(1), on(2)), (200, 100));
        drop(a);
        drop(_b);
        drop(_c);
        ledger.open_parked((WaitCategory::Queue, 0), tasks, 0);
        ledger.close(50);
        let idle = ledger.drain(50);
        assert_eq!(idle.len(), 1);
        assert!(idle[0].stack.is_empty() && idle[0].category == WaitCategory::Queue);
    }

    #[test]
    fn a_place_whose_tasks_woke_before_the_park_ended_keeps_its_share() {
        let tasks = Arc::new(TaskWaits::default());
        let early = tasks.enter(WaitCategory::Net, &[1]);
        let mut ledger = WallLedger::default();
        ledger.open_parked((WaitCategory::Net, 0), tasks.clone(), 0);
        std::thread::sleep(std::time::Duration::from_millis(2));
        drop(early);
        let late = tasks.enter(WaitCategory::Db, &[2]);
        std::thread::sleep(std::time::Duration::from_millis(2));
        drop(late);
        ledger.close(1_000);
        let entries = ledger.drain(1_000);
        assert_eq!(entries.iter().map(|e| e.ns).sum::<u64>(), 1_000);
        for stack in [1, 2] {
            assert!(
                entries
                    .iter()
                    .any(|e| e.stack.first() == Some(&stack) && e.ns > 0),
                "place {stack} lost its share: {entries:?}"
            );
        }
    }

    #[test]
    fn wide_weights_still_split_exactly() {
        let parts = split_proportionally_wide(1_000, &[u128::MAX / 4, u128::MAX / 4]);
        assert_eq!(parts, vec![500, 500]);
    }
}
