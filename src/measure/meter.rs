//! Per-worker meters: wait spans by category and unit boundaries, readable live by the ticker.

use super::clock::{current_tid, SchedStat};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Instant;

/// Why a worker was not running on a CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaitCategory {
    /// Waiting on the network (HTTP requests).
    Net,
    /// Waiting inside a database call.
    Db,
    /// Waiting for a database lock (another writer).
    DbLock,
    /// Waiting for the simulated interpreter lock.
    Gil,
    /// Idle: no work was available for this worker.
    Queue,
    /// Waiting on file reads and writes.
    Disk,
}

pub const WAIT_CATEGORIES: [WaitCategory; 6] = [
    WaitCategory::Net,
    WaitCategory::Db,
    WaitCategory::DbLock,
    WaitCategory::Gil,
    WaitCategory::Queue,
    WaitCategory::Disk,
];

impl WaitCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            WaitCategory::Net => "net",
            WaitCategory::Db => "db",
            WaitCategory::DbLock => "db-lock",
            WaitCategory::Gil => "gil",
            WaitCategory::Queue => "queue",
            WaitCategory::Disk => "disk",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

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
    wait_ns: [AtomicU64; 6],
    /// Category and start of the wait in progress, so live readings include it.
    open_wait: AtomicU8,
    open_wait_since_ns: AtomicU64,
    /// Wall and CPU time spent inside units, and when the current unit began (0 = idle).
    unit_wall_ns: AtomicU64,
    unit_cpu_ns: AtomicU64,
    unit_open_since_ns: AtomicU64,
    baseline: SchedStat,
}

/// A worker's totals at one moment, in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkerSnapshot {
    pub name: String,
    pub wall_s: f64,
    pub cpu_s: f64,
    /// Runnable but waiting for a free core (from the kernel's scheduler statistics).
    pub runqueue_s: f64,
    pub waits: BTreeMap<WaitCategory, f64>,
}

impl WorkerSnapshot {
    pub fn wait_total(&self) -> f64 {
        self.waits.values().sum()
    }
    /// Wall time that neither CPU, waits nor the run queue explain.
    pub fn untracked_s(&self) -> f64 {
        self.wall_s - self.cpu_s - self.wait_total() - self.runqueue_s
    }
}

impl WorkerMeter {
    /// Creates the meter for the *calling* thread.
    pub fn for_current_thread(name: &str, epoch: Instant) -> WorkerMeter {
        let tid = current_tid();
        WorkerMeter {
            name: name.to_string(),
            tid,
            epoch,
            started_ns: epoch.elapsed().as_nanos() as u64,
            finished_ns: AtomicU64::new(0),
            final_sched: Mutex::new(None),
            wait_ns: Default::default(),
            open_wait: AtomicU8::new(NO_WAIT),
            open_wait_since_ns: AtomicU64::new(0),
            unit_wall_ns: AtomicU64::new(0),
            unit_cpu_ns: AtomicU64::new(0),
            unit_open_since_ns: AtomicU64::new(0),
            baseline: SchedStat::read(tid).unwrap_or_default(),
        }
    }

    pub(crate) fn now_ns(&self) -> u64 {
        (self.epoch.elapsed().as_nanos() as u64).max(1)
    }

    pub(crate) fn open_wait(&self, category: WaitCategory) {
        self.open_wait_since_ns.store(self.now_ns(), Relaxed);
        self.open_wait.store(category.index() as u8, Relaxed);
    }

    pub(crate) fn close_wait(&self, category: WaitCategory, off_cpu_ns: u64) {
        self.open_wait.store(NO_WAIT, Relaxed);
        self.wait_ns[category.index()].fetch_add(off_cpu_ns, Relaxed);
    }

    pub(crate) fn add_wait(&self, category: WaitCategory, ns: u64) {
        self.wait_ns[category.index()].fetch_add(ns, Relaxed);
    }

    pub(crate) fn begin_unit(&self) {
        self.unit_open_since_ns.store(self.now_ns(), Relaxed);
    }

    pub(crate) fn end_unit(&self, cpu_ns: u64) {
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
        self.finished_ns.store(self.now_ns(), Relaxed);
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
                ns += self.idle_ns(now, wall_ns, cpu_ns);
            }
            if ns > 0 {
                waits.insert(category, ns as f64 / 1e9);
            }
        }
        WorkerSnapshot {
            name: self.name.clone(),
            wall_s: wall_ns as f64 / 1e9,
            cpu_s: cpu_ns as f64 / 1e9,
            runqueue_s: sched.map(|s| s.runqueue_ns).unwrap_or(0) as f64 / 1e9,
            waits,
        }
    }

    /// Time outside units that was not spent on a CPU: the worker had nothing to do.
    fn idle_ns(&self, now: u64, wall_ns: u64, cpu_ns: u64) -> u64 {
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
        let outside_cpu = cpu_ns.saturating_sub(unit_cpu.min(cpu_ns));
        outside_wall.saturating_sub(outside_cpu)
    }
}

/// Every worker meter of one run (workers register themselves as they start).
#[derive(Clone)]
pub struct MeterRegistry {
    epoch: Instant,
    meters: Arc<Mutex<Vec<Arc<WorkerMeter>>>>,
}

impl MeterRegistry {
    pub fn new(epoch: Instant) -> Self {
        MeterRegistry {
            epoch,
            meters: Arc::default(),
        }
    }

    pub fn epoch(&self) -> Instant {
        self.epoch
    }

    /// Registers the calling thread as a worker named `name`.
    pub fn register_current(&self, name: &str) -> Arc<WorkerMeter> {
        let meter = Arc::new(WorkerMeter::for_current_thread(name, self.epoch));
        self.meters.lock().push(meter.clone());
        meter
    }

    /// Snapshots of every worker, sorted by name so lanes keep their order.
    pub fn snapshots(&self) -> Vec<WorkerSnapshot> {
        let meters: Vec<Arc<WorkerMeter>> = self.meters.lock().clone();
        let mut snaps: Vec<WorkerSnapshot> = meters.iter().map(|m| m.snapshot()).collect();
        snaps.sort_by(|a, b| natural_key(&a.name).cmp(&natural_key(&b.name)));
        snaps
    }
}

/// Sorts `bs-threads-10` after `bs-threads-9`.
fn natural_key(name: &str) -> (String, u64) {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, number) = name.split_at(name.len() - digits);
    (stem.to_string(), number.parse().unwrap_or(0))
}
