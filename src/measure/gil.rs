//! A simulated global interpreter lock: held during CPU work, released around waits.
//!
//! CPython lets one thread run bytecode at a time and asks the holder to give the lock up
//! after a switch interval (5 ms) when another thread wants it. This mirrors that with a
//! fair hand-off, so threads take turns instead of one thread starving the rest.

use parking_lot::{lock_api::ArcMutexGuard, Mutex, RawMutex};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// CPython's default `sys.getswitchinterval()`.
pub const SWITCH_INTERVAL: Duration = Duration::from_millis(5);

/// The process-wide lock shared by every worker of a run.
#[derive(Clone, Default)]
pub struct Gil {
    lock: Arc<Mutex<()>>,
}

/// One worker's hold on the GIL.
pub(crate) struct GilHold {
    gil: Gil,
    guard: Option<ArcMutexGuard<RawMutex, ()>>,
    held_since: Instant,
}

impl Gil {
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn hold(&self) -> GilHold {
        GilHold {
            gil: self.clone(),
            guard: None,
            held_since: Instant::now(),
        }
    }
}

impl GilHold {
    /// Takes the lock if not held; returns how long the caller waited for it.
    pub(crate) fn acquire(&mut self) -> Duration {
        if self.guard.is_some() {
            return Duration::ZERO;
        }
        let started = Instant::now();
        let guard = match self.gil.lock.try_lock_arc() {
            Some(guard) => guard,
            None => self.gil.lock.lock_arc(),
        };
        self.guard = Some(guard);
        self.held_since = Instant::now();
        self.held_since - started
    }

    pub(crate) fn release(&mut self) {
        if let Some(guard) = self.guard.take() {
            ArcMutexGuard::unlock_fair(guard);
        }
    }

    /// After the switch interval, hands the lock to a waiting thread (if any) and takes it
    /// back; returns the time spent waiting to get it back.
    pub(crate) fn maybe_switch(&mut self) -> Duration {
        let Some(guard) = self.guard.as_mut() else {
            return Duration::ZERO;
        };
        if self.held_since.elapsed() < SWITCH_INTERVAL {
            return Duration::ZERO;
        }
        let started = Instant::now();
        ArcMutexGuard::bump(guard);
        self.held_since = Instant::now();
        self.held_since - started
    }
}

impl Drop for GilHold {
    fn drop(&mut self) {
        self.release();
    }
}
