//! Per-worker meters: wait spans by category and unit boundaries, readable live by the ticker.

use super::clock::{current_tid, ticks, SchedStat};
use super::pending::TaskWaits;
use super::phase::{current_phase, PhaseId, NO_PHASE};
use super::phase_clock::PhaseClock;
use super::wall::{with_current_stack, WaitEntry, WallLedger};
use crate::model::{WaitCategory, WorkerSnapshot, WAIT_CATEGORIES, WAIT_COUNT};
use parking_lot::Mutex;

use std::collections::BTreeMap;
use std::sync::atomic::{
    AtomicU64, AtomicU8, Ordering::Acquire, Ordering::Relaxed, Ordering::Release,
};
use std::sync::Arc;
use std::time::Instant;

const NO_WAIT: u8 = u8::MAX;

/// Live accounting for one worker thread. Written by the worker, read by the ticker.
pub struct WorkerMeter {
    pub name: String,
    tid: i32,
    epoch: Instant,
    started_ns: u64,
    finished_ns: AtomicU64,
    /// Scheduler stats taken by the worker itself as it finished (its /proc entry goes away).
    final_sched: Mutex<Option<SchedStat>>,
    wait_ns: [AtomicU64; WAIT_COUNT],
    /// Run-queue time the kernel counted that is booked as a wait instead (see
    /// `close_wait_with_runqueue`), taken off the run-queue figure.
    runqueue_in_waits_ns: AtomicU64,
    /// Category and start of the wait in progress, so live readings include it.
    open_wait: AtomicU8,
    open_wait_since_ns: AtomicU64,
    /// Wall and CPU time spent inside units, and when the current unit began (0 = idle).
    unit_wall_ns: AtomicU64,
    unit_cpu_ns: AtomicU64,
    unit_delay_ns: AtomicU64,
    unit_open_since_ns: AtomicU64,
    baseline: SchedStat,
    /// Idle time is recorded as explicit waits (async runtime threads park and unpark)
    /// rather than derived from unit boundaries.
    explicit_idle: std::sync::atomic::AtomicBool,
    /// Where this worker's waits began (see `wall`); stacks are walked only when `walk_stacks`.
    wall: Mutex<WallLedger>,
    walk_stacks: bool,
    /// The worker's wall time by the phase it was in (see `phase_clock`).
    phases: PhaseClock,
    /// The tick count when the worker finished (see `finish`).
    finished_tick: AtomicU64,
}

impl WorkerMeter {
    /// Creates the meter for the *calling* thread.
    pub fn for_current_thread(name: &str, epoch: Instant) -> WorkerMeter {
        let tid = current_tid();
        let started_ns = epoch.elapsed().as_nanos() as u64;
        WorkerMeter {
            name: name.to_string(),
            tid,
            epoch,
            started_ns,
            finished_ns: AtomicU64::new(0),
            final_sched: Mutex::new(None),
            wait_ns: Default::default(),
            runqueue_in_waits_ns: AtomicU64::new(0),
            open_wait: AtomicU8::new(NO_WAIT),
            open_wait_since_ns: AtomicU64::new(0),
            unit_wall_ns: AtomicU64::new(0),
            unit_cpu_ns: AtomicU64::new(0),
            unit_delay_ns: AtomicU64::new(0),
            unit_open_since_ns: AtomicU64::new(0),
            baseline: SchedStat::read(tid).unwrap_or_default(),
            explicit_idle: std::sync::atomic::AtomicBool::new(false),
            wall: Mutex::default(),
            walk_stacks: true,
            phases: PhaseClock::starting(NO_PHASE, started_ns),
            finished_tick: AtomicU64::new(0),
        }
    }

    /// The same meter, with wait stacks walked (`true`, the default) or not.
    pub fn walking_stacks(mut self, walk: bool) -> WorkerMeter {
        self.walk_stacks = walk;
        self
    }

    pub(crate) fn now_ns(&self) -> u64 {
        (self.epoch.elapsed().as_nanos() as u64).max(1)
    }

    /// The calling worker starts a wait; its phase and stack are where the wait is booked.
    pub(crate) fn open_wait(&self, category: WaitCategory) {
        let now = self.now_ns();
        let key = (category, current_phase());
        if self.walk_stacks {
            with_current_stack(|frames| self.wall.lock().open(key, frames, now));
        } else {
            self.wall.lock().open(key, &[], now);
        }
        self.mark_open(category, now);
    }

    /// An async runtime thread parks: its time is booked on the phases and stacks `tasks`
    /// wait at.
    pub(crate) fn open_park(&self, category: WaitCategory, tasks: Arc<TaskWaits>) {
        let now = self.now_ns();
        let key = (category, current_phase());
        self.wall.lock().open_parked(key, tasks, now);
        self.mark_open(category, now);
    }

    /// The worker enters phase `id` (booking its time so far on the one it leaves). Only
    /// the worker's own thread calls this.
    pub(crate) fn phase_switch(&self, id: PhaseId) {
        self.phases.switch(id);
    }

    /// Wall time by phase since the last call (the phase in progress up to now).
    pub fn drain_phases(&self) -> Vec<(PhaseId, u64)> {
        match self.finished_ns.load(Acquire) {
            0 => {
                let tick = ticks();
                self.phases.drain(tick, self.now_ns())
            }
            finished => self
                .phases
                .drain(self.finished_tick.load(Relaxed), finished),
        }
    }

    /// Now, or when the worker finished.
    fn read_until_ns(&self) -> u64 {
        match self.finished_ns.load(Relaxed) {
            0 => self.now_ns(),
            finished => finished,
        }
    }

    fn mark_open(&self, category: WaitCategory, now: u64) {
        self.open_wait_since_ns.store(now, Relaxed);
        self.open_wait.store(category.index() as u8, Relaxed);
    }

    pub(crate) fn close_wait(&self, category: WaitCategory, off_cpu_ns: u64) {
        self.open_wait.store(NO_WAIT, Relaxed);
        self.wait_ns[category.index()].fetch_add(off_cpu_ns, Relaxed);
        self.wall.lock().close(off_cpu_ns);
    }

    /// Closes a wait whose `off_cpu_ns` includes `runqueue_ns` of the kernel's run-queue
    /// time: that part moves from the run queue to `category`, so nothing counts twice.
    pub(crate) fn close_wait_with_runqueue(
        &self,
        category: WaitCategory,
        off_cpu_ns: u64,
        runqueue_ns: u64,
    ) {
        self.runqueue_in_waits_ns.fetch_add(runqueue_ns, Relaxed);
        self.close_wait(category, off_cpu_ns);
    }

    /// Wait time booked by place since the last call (the open wait up to now).
    pub fn drain_wall(&self) -> Vec<WaitEntry> {
        let now = self.read_until_ns();
        self.wall.lock().drain(now)
    }

    pub(crate) fn begin_unit(&self) {
        self.unit_open_since_ns.store(self.now_ns(), Relaxed);
    }

    pub(crate) fn end_unit(&self, cpu_ns: u64, run_delay_ns: u64) {
        self.unit_delay_ns.fetch_add(run_delay_ns, Relaxed);
        let since = self.unit_open_since_ns.swap(0, Relaxed);
        if since > 0 {
            self.unit_wall_ns
                .fetch_add(self.now_ns().saturating_sub(since), Relaxed);
        }
        self.unit_cpu_ns.fetch_add(cpu_ns, Relaxed);
    }

    /// Called by the worker thread itself when it has no more work.
    pub(crate) fn finish(&self) {
        *self.final_sched.lock() = SchedStat::read(self.tid);
        // The tick first: a reader that sees the end sees its tick too.
        self.finished_tick.store(ticks(), Relaxed);
        self.finished_ns.store(self.now_ns(), Release);
    }

    fn sched_since_start(&self, finished: bool) -> Option<SchedStat> {
        let reading = if finished {
            *self.final_sched.lock()
        } else {
            SchedStat::read(self.tid)
        };
        reading.map(|s| SchedStat {
            on_cpu_ns: s.on_cpu_ns.saturating_sub(self.baseline.on_cpu_ns),
            runqueue_ns: s.runqueue_ns.saturating_sub(self.baseline.runqueue_ns),
        })
    }

    /// Reads the worker's totals now (from any thread).
    pub fn snapshot(&self) -> WorkerSnapshot {
        let finished = self.finished_ns.load(Relaxed);
        let now = if finished > 0 {
            finished
        } else {
            self.now_ns()
        };
        let wall_ns = now.saturating_sub(self.started_ns);
        let sched = self.sched_since_start(finished > 0);
        let cpu_ns = sched.map(|s| s.on_cpu_ns).unwrap_or(0);
        let mut waits = BTreeMap::new();
        for category in WAIT_CATEGORIES {
            let mut ns = self.wait_ns[category.index()].load(Relaxed);
            if finished == 0 && self.open_wait.load(Relaxed) == category.index() as u8 {
                ns += now.saturating_sub(self.open_wait_since_ns.load(Relaxed));
            }
            if category == WaitCategory::Queue {
                let delay_ns = sched.map(|s| s.runqueue_ns).unwrap_or(0);
                ns += self.idle_ns(now, wall_ns, cpu_ns, delay_ns);
            }
            if ns > 0 {
                waits.insert(category, ns as f64 / 1e9);
            }
        }
        WorkerSnapshot {
            name: self.name.clone(),
            wall_s: wall_ns as f64 / 1e9,
            cpu_s: cpu_ns as f64 / 1e9,
            runqueue_s: sched
                .map(|s| s.runqueue_ns)
                .unwrap_or(0)
                .saturating_sub(self.runqueue_in_waits_ns.load(Relaxed))
                as f64
                / 1e9,
            waits,
        }
    }

    /// Idle and waiting time will come only from explicit waits (see `explicit_idle`).
    pub(crate) fn use_explicit_idle(&self) {
        self.explicit_idle.store(true, Relaxed);
    }

    /// Time outside units spent neither on a CPU nor in the run queue: nothing to do.
    fn idle_ns(&self, now: u64, wall_ns: u64, cpu_ns: u64, delay_ns: u64) -> u64 {
        if self.explicit_idle.load(Relaxed) {
            return 0;
        }
        let mut in_units = self.unit_wall_ns.load(Relaxed);
        let open = self.unit_open_since_ns.load(Relaxed);
        let mut unit_cpu = self.unit_cpu_ns.load(Relaxed);
        if open > 0 {
            let open_wall = now.saturating_sub(open);
            in_units += open_wall;
            // The open unit's CPU is not known yet; assume it was all CPU.
            unit_cpu += open_wall;
        }
        let outside_wall = wall_ns.saturating_sub(in_units);
        let outside_cpu = cpu_ns.saturating_sub(unit_cpu);
        let outside_delay = delay_ns.saturating_sub(self.unit_delay_ns.load(Relaxed));
        outside_wall.saturating_sub(outside_cpu + outside_delay)
    }
}

/// Every worker meter of one run (workers register themselves as they start).
#[derive(Clone)]
pub struct MeterRegistry {
    epoch: Instant,
    meters: Arc<Mutex<Vec<Arc<WorkerMeter>>>>,
    walk_stacks: bool,
    book_phases: bool,
}

impl MeterRegistry {
    pub fn new(epoch: Instant) -> Self {
        MeterRegistry {
            epoch,
            meters: Arc::default(),
            walk_stacks: true,
            book_phases: true,
        }
    }

    /// Whether workers book their time on the phases they enter (the phase view); without,
    /// entering a phase changes only a thread-local.
    pub fn booking_phases(mut self, book: bool) -> Self {
        self.book_phases = book;
        self
    }

    /// Whether workers walk their stack when a wait starts (the wall-clock profile's
    /// places); without, waits are booked under the thread alone.
    pub fn walking_stacks(mut self, walk: bool) -> Self {
        self.walk_stacks = walk;
        self
    }

    pub fn epoch(&self) -> Instant {
        self.epoch
    }

    /// Whether workers walk their stack where waits begin.
    pub fn walks_stacks(&self) -> bool {
        self.walk_stacks
    }

    /// Registers the calling thread as a worker named `name` (its phase changes are booked
    /// on its meter from now on).
    pub fn register_current(&self, name: &str) -> Arc<WorkerMeter> {
        let meter = WorkerMeter::for_current_thread(name, self.epoch);
        super::stackwalk::publish_current_bounds();
        let meter = Arc::new(meter.walking_stacks(self.walk_stacks));
        self.meters.lock().push(meter.clone());
        super::phase::attach_meter(self.book_phases.then(|| meter.clone()));
        meter
    }

    /// Marks every worker that has not finished as finished now. Call it while the worker
    /// threads are still alive (before a pool is dropped), so their CPU time can be read.
    pub fn finish_all(&self) {
        for meter in self.meters.lock().iter() {
            if meter.finished_ns.load(Relaxed) == 0 {
                meter.finish();
            }
        }
    }

    /// Every worker's wall time by phase since the last call, with its name.
    pub fn drain_phases(&self) -> Vec<(String, Vec<(PhaseId, u64)>)> {
        let meters: Vec<Arc<WorkerMeter>> = self.meters.lock().clone();
        meters
            .iter()
            .map(|m| (m.name.clone(), m.drain_phases()))
            .collect()
    }

    /// Every worker's wait time by place since the last call, with its name.
    pub fn drain_wall(&self) -> Vec<(String, WaitEntry)> {
        let meters: Vec<Arc<WorkerMeter>> = self.meters.lock().clone();
        meters
            .iter()
            .flat_map(|m| m.drain_wall().into_iter().map(|e| (m.name.clone(), e)))
            .collect()
    }

    /// Snapshots of every worker, sorted by name so lanes keep their order.
    pub fn snapshots(&self) -> Vec<WorkerSnapshot> {
        let meters: Vec<Arc<WorkerMeter>> = self.meters.lock().clone();
        let mut snaps: Vec<WorkerSnapshot> = meters.iter().map(|m| m.snapshot()).collect();
        snaps.sort_by_key(|s| natural_key(&s.name));
        snaps
    }
}

/// Sorts `bs-threads-10` after `bs-threads-9`.
fn natural_key(name: &str) -> (String, u64) {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, number) = name.split_at(name.len() - digits);
    (stem.to_string(), number.parse().unwrap_or(0))
}
