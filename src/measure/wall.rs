//! Where each wait began: per-worker ledgers of wait time by (category, raw stack).
//!
//! A worker walks its stack when a wait starts (`stackwalk`), and the wait's off-CPU time is
//! booked on that stack when it ends. A wait still open when the ledger is read is booked up
//! to that moment, so long waits show while they last. Raw stacks are return addresses,
//! innermost first; the profiler symbolizes them off the hot path. Async tasks wait on many
//! stacks at once while a runtime thread is parked: [`TaskWaits`] counts the stacks tasks
//! are pending at, and a parked thread's time is shared out over them.

use super::meter::WaitCategory;
use super::stackwalk::{self, StackBounds};
use parking_lot::Mutex;
use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Return addresses of one stack, innermost first (empty: the place is not known).
pub type RawStack = Arc<[usize]>;

/// Wait time booked on one (category, stack).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitEntry {
    pub category: WaitCategory,
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

/// Interned stacks: one allocation per distinct stack, looked up by slice.
#[derive(Default)]
struct Interner(HashSet<RawStack>);

impl Interner {
    fn get(&mut self, frames: &[usize]) -> RawStack {
        if let Some(stack) = self.0.get(frames) {
            return stack.clone();
        }
        let stack: RawStack = frames.into();
        self.0.insert(stack.clone());
        stack
    }
}

/// What an open wait is booked on.
enum Target {
    /// The stack where the worker started waiting.
    Stack(RawStack),
    /// A parked async runtime thread: the stacks its tasks are pending at.
    Tasks(Arc<TaskWaits>),
}

struct OpenWait {
    category: WaitCategory,
    target: Target,
    since_ns: u64,
    /// Part of this wait already booked by an earlier read.
    booked_ns: u64,
}

/// One worker's wait time by place, since the last read.
#[derive(Default)]
pub struct WallLedger {
    interner: Interner,
    pending: HashMap<(WaitCategory, RawStack), u64>,
    open: Option<OpenWait>,
}

impl WallLedger {
    /// A wait of `category` begins now (`now_ns` on the meter's clock) at `frames`.
    pub(crate) fn open(&mut self, category: WaitCategory, frames: &[usize], now_ns: u64) {
        let stack = self.interner.get(frames);
        self.open_target(category, Target::Stack(stack), now_ns);
    }

    /// An async runtime thread parks: its time belongs to the tasks pending meanwhile.
    pub(crate) fn open_parked(&mut self, category: WaitCategory, tasks: Arc<TaskWaits>, now: u64) {
        self.open_target(category, Target::Tasks(tasks), now);
    }

    fn open_target(&mut self, category: WaitCategory, target: Target, since_ns: u64) {
        self.open = Some(OpenWait {
            category,
            target,
            since_ns,
            booked_ns: 0,
        });
    }

    /// The open wait ended after `off_cpu_ns` off the CPU.
    pub(crate) fn close(&mut self, off_cpu_ns: u64) {
        if let Some(open) = self.open.take() {
            let ns = off_cpu_ns.saturating_sub(open.booked_ns);
            self.book(open.category, &open.target, ns);
        }
    }

    fn book(&mut self, category: WaitCategory, target: &Target, ns: u64) {
        if ns == 0 {
            return;
        }
        match target {
            Target::Stack(stack) => self.add(category, stack.clone(), ns),
            Target::Tasks(tasks) => {
                for (category, stack, ns) in tasks.share(category, ns) {
                    self.add(category, stack, ns);
                }
            }
        }
    }

    fn add(&mut self, category: WaitCategory, stack: RawStack, ns: u64) {
        *self.pending.entry((category, stack)).or_default() += ns;
    }

    /// Wait time booked since the last call, with the open wait booked up to `now_ns`.
    pub(crate) fn drain(&mut self, now_ns: u64) -> Vec<WaitEntry> {
        if let Some(mut open) = self.open.take() {
            let so_far = now_ns.saturating_sub(open.since_ns);
            let ns = so_far.saturating_sub(open.booked_ns);
            open.booked_ns = open.booked_ns.max(so_far);
            self.book(open.category, &open.target, ns);
            self.open = Some(open);
        }
        self.pending
            .drain()
            .map(|((category, stack), ns)| WaitEntry {
                category,
                stack,
                ns,
            })
            .collect()
    }
}

/// The stacks async tasks are pending at right now, by wait category.
#[derive(Default)]
pub struct TaskWaits {
    state: Mutex<TaskWaitState>,
}

#[derive(Default)]
struct TaskWaitState {
    interner: Interner,
    waiting: HashMap<(WaitCategory, RawStack), usize>,
}

/// A task's place in [`TaskWaits`] while it waits; leaving it (drop) ends the wait.
pub struct TaskWaitGuard {
    waits: Arc<TaskWaits>,
    key: (WaitCategory, RawStack),
}

impl TaskWaits {
    /// A task starts waiting on `category` at `frames`.
    pub fn enter(self: &Arc<Self>, category: WaitCategory, frames: &[usize]) -> TaskWaitGuard {
        let mut state = self.state.lock();
        let stack = state.interner.get(frames);
        let key = (category, stack);
        *state.waiting.entry(key.clone()).or_default() += 1;
        TaskWaitGuard {
            waits: self.clone(),
            key,
        }
    }

    /// How many tasks wait right now.
    pub fn waiting_tasks(&self) -> usize {
        self.state.lock().waiting.values().sum()
    }

    /// Splits `ns` of a parked thread over the waiting tasks' stacks, in proportion to how
    /// many tasks wait at each (largest remainder, so the parts add up to `ns`). With no task
    /// waiting, it all stays `category` with no stack.
    fn share(&self, category: WaitCategory, ns: u64) -> Vec<(WaitCategory, RawStack, u64)> {
        let state = self.state.lock();
        let tasks: usize = state.waiting.values().sum();
        if tasks == 0 || category == WaitCategory::Queue {
            return vec![(category, RawStack::from([]), ns)];
        }
        let weights: Vec<u64> = state.waiting.values().map(|&n| n as u64).collect();
        let parts = split_proportionally(ns, &weights);
        state
            .waiting
            .keys()
            .zip(parts)
            .filter(|(_, part)| *part > 0)
            .map(|((category, stack), part)| (*category, stack.clone(), part))
            .collect()
    }
}

impl Drop for TaskWaitGuard {
    fn drop(&mut self) {
        let mut state = self.waits.state.lock();
        if let Some(count) = state.waiting.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                state.waiting.remove(&self.key);
            }
        }
    }
}

/// Splits `total` in proportion to `weights`, exactly (largest remainder).
pub fn split_proportionally(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut parts: Vec<u64> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let exact = u128::from(total) * u128::from(w);
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
        ledger.open(WaitCategory::Net, &[1, 2, 3], 1_000);
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
            ledger.open(WaitCategory::Db, &[7, 8], 0);
            ledger.close(5);
        }
        ledger.open(WaitCategory::Disk, &[9], 0);
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
        ledger.open_parked(WaitCategory::Net, tasks.clone(), 0);
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
        ledger.open_parked(WaitCategory::Queue, tasks, 0);
        ledger.close(50);
        let idle = ledger.drain(50);
        assert_eq!(idle.len(), 1);
        assert!(idle[0].stack.is_empty() && idle[0].category == WaitCategory::Queue);
    }
}
