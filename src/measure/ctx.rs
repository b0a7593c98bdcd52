//! The handle a workload gets for one worker: wait spans, progress, the simulated GIL.

use super::clock::{thread_cpu_ns, RunDelay};
use super::gil::{Gil, GilHold};
use super::meter::WorkerMeter;
use super::pending::TaskWaits;
use crate::model::WaitCategory;
use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Instant;

/// Live counters of a whole run, shared by all workers.
#[derive(Debug, Default)]
pub struct RunCounters {
    pub items: AtomicU64,
    pub bytes: AtomicU64,
    pub errors: AtomicU64,
    pub rejected: AtomicU64,
    pub units_done: AtomicU64,
}

impl RunCounters {
    pub fn items(&self) -> u64 {
        self.items.load(Relaxed)
    }
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Relaxed)
    }
}

/// One worker's view of the run. Not shared between threads.
pub struct WorkerCtx {
    meter: Arc<WorkerMeter>,
    counters: Arc<RunCounters>,
    gil: Option<GilHold>,
    run_delay: RunDelay,
    unit_cpu_start: u64,
    unit_delay_start: u64,
    /// State a workload keeps per worker (a database connection, an HTTP agent).
    local: Option<Box<dyn Any>>,
    /// When an async runtime thread parked, and what it was waiting for.
    parked: Option<(Instant, WaitCategory, u64)>,
}

impl WorkerCtx {
    pub fn new(meter: Arc<WorkerMeter>, counters: Arc<RunCounters>, gil: Option<&Gil>) -> Self {
        WorkerCtx {
            meter,
            counters,
            gil: gil.map(Gil::hold),
            run_delay: RunDelay::for_current_thread(),
            unit_cpu_start: 0,
            unit_delay_start: 0,
            local: None,
            parked: None,
        }
    }

    /// A context for code that runs outside any engine (tests, tools).
    pub fn standalone(name: &str) -> Self {
        let meter = Arc::new(WorkerMeter::for_current_thread(name, Instant::now()));
        Self::new(meter, Arc::default(), None)
    }

    pub fn worker_name(&self) -> &str {
        &self.meter.name
    }

    /// Seconds since the run began.
    pub fn run_elapsed_s(&self) -> f64 {
        self.meter.now_ns() as f64 / 1e9
    }

    /// Runs a blocking wait `f`, counting its off-CPU time as `category`. The simulated GIL
    /// is released while `f` runs, as CPython releases it around blocking IO.
    pub fn wait<T>(&mut self, category: WaitCategory, f: impl FnOnce() -> T) -> T {
        self.release_gil();
        self.meter.open_wait(category);
        let (result, off_cpu) = self.off_cpu(f);
        self.meter.close_wait(category, off_cpu);
        self.acquire_gil();
        result
    }

    /// Runs `f` and measures the time it spent neither on a CPU nor runnable in the run
    /// queue (that time is the thread's CPU and run-queue figures already).
    fn off_cpu<T>(&self, f: impl FnOnce() -> T) -> (T, u64) {
        let cpu_before = thread_cpu_ns();
        let delay_before = self.run_delay.read_ns();
        let started = Instant::now();
        let result = f();
        let wall = started.elapsed().as_nanos() as u64;
        let cpu = thread_cpu_ns().saturating_sub(cpu_before);
        let delay = self.run_delay.read_ns().saturating_sub(delay_before);
        (result, wall.saturating_sub(cpu + delay))
    }

    /// Runs `acquire` (which returns once this worker holds the simulated GIL) and books all
    /// its time off a CPU as `gil` wait — the run-queue part included. A waiter that is handed
    /// the lock while asleep, or that waits while the holder itself sits in the run queue,
    /// is still waiting for the lock, as a CPython thread in `take_gil` is; only run-queue
    /// time after it holds the lock is its own.
    fn wait_for_gil(&self, acquire: impl FnOnce()) {
        self.meter.open_wait(WaitCategory::Gil);
        let cpu_before = thread_cpu_ns();
        let delay_before = self.run_delay.read_ns();
        let started = Instant::now();
        acquire();
        let wall = started.elapsed().as_nanos() as u64;
        let off_cpu = wall.saturating_sub(thread_cpu_ns().saturating_sub(cpu_before));
        let delay = self.run_delay.read_ns().saturating_sub(delay_before);
        self.meter
            .close_wait_with_runqueue(WaitCategory::Gil, off_cpu, delay.min(off_cpu));
    }

    /// Marks a point inside CPU work where a simulated GIL may change hands.
    pub fn checkpoint(&mut self) {
        let Some(mut hold) = self.gil.take() else {
            return;
        };
        if hold.switch_due() {
            self.wait_for_gil(|| hold.switch());
        }
        self.gil = Some(hold);
    }

    /// Takes this worker's state out (a workload's `Local`, see `workload::DynWorkload`): only
    /// the erased workload reads it, which knows its type.
    pub(crate) fn take_state(&mut self) -> Option<Box<dyn Any>> {
        self.local.take()
    }

    /// Keeps `state` as this worker's state until the next `take_state`.
    pub(crate) fn keep_state(&mut self, state: Box<dyn Any>) {
        self.local = Some(state);
    }

    /// Reports progress inside a unit so live views move before the unit ends.
    pub fn progress(&self, items: u64, bytes: u64) {
        self.counters.items.fetch_add(items, Relaxed);
        self.counters.bytes.fetch_add(bytes, Relaxed);
    }

    /// Counts records rejected so far (live view only; the outcome carries the details).
    pub fn rejected(&self, count: u64) {
        self.counters.rejected.fetch_add(count, Relaxed);
    }

    pub(crate) fn begin_unit(&mut self) {
        self.meter.begin_unit();
        self.unit_cpu_start = thread_cpu_ns();
        self.unit_delay_start = self.run_delay.read_ns();
        self.acquire_gil();
    }

    pub(crate) fn end_unit(&mut self, failed: bool) {
        self.release_gil();
        self.count_unit(failed);
        let cpu = thread_cpu_ns().saturating_sub(self.unit_cpu_start);
        let delay = self
            .run_delay
            .read_ns()
            .saturating_sub(self.unit_delay_start);
        self.meter.end_unit(cpu, delay);
    }

    /// Counts one finished unit on the run's live counters.
    pub(crate) fn count_unit(&self, failed: bool) {
        self.counters.units_done.fetch_add(1, Relaxed);
        if failed {
            self.counters.errors.fetch_add(1, Relaxed);
        }
    }

    /// An async runtime thread goes to sleep: it waits for `category` (or has no work).
    /// Its time belongs to the tasks waiting in `tasks` meanwhile.
    pub(crate) fn park(&mut self, category: WaitCategory, tasks: &Arc<TaskWaits>) {
        self.meter.use_explicit_idle();
        self.meter.open_park(category, tasks.clone());
        self.parked = Some((Instant::now(), category, self.run_delay.read_ns()));
    }

    /// Waking up may include time runnable in the run queue: that is not waiting.
    pub(crate) fn unpark(&mut self) {
        if let Some((since, category, delay_before)) = self.parked.take() {
            let delay = self.run_delay.read_ns().saturating_sub(delay_before);
            let parked = (since.elapsed().as_nanos() as u64).saturating_sub(delay);
            self.meter.close_wait(category, parked);
        }
    }

    pub(crate) fn finish(&mut self) {
        self.release_gil();
        self.local = None;
        self.meter.finish();
        super::phase::attach_meter(None);
    }

    pub(crate) fn acquire_gil(&mut self) {
        let Some(mut hold) = self.gil.take() else {
            return;
        };
        if !hold.is_held() && !hold.try_acquire() {
            self.wait_for_gil(|| hold.acquire());
        }
        self.gil = Some(hold);
    }

    pub(crate) fn release_gil(&mut self) {
        if let Some(hold) = self.gil.as_mut() {
            hold.release();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_counted_off_cpu() {
        let mut ctx = WorkerCtx::standalone("t");
        ctx.wait(WaitCategory::Disk, || {
            std::thread::sleep(std::time::Duration::from_millis(30))
        });
        let snap = ctx.meter.snapshot();
        let disk = snap.waits.get(&WaitCategory::Disk).copied().unwrap_or(0.0);
        assert!(disk >= 0.025, "disk wait {disk}");
    }
}
