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
    pub(crate) fn is_held(&self) -> bool {
        self.guard.is_some()
    }

    /// Takes the lock if it is free right now; false if another worker holds it.
    pub(crate) fn try_acquire(&mut self) -> bool {
        if self.guard.is_none() {
            self.guard = self.gil.lock.try_lock_arc();
            self.held_since = Instant::now();
        }
        self.guard.is_some()
    }

    /// Takes the lock, waiting for it if needed.
    pub(crate) fn acquire(&mut self) {
        if self.guard.is_none() {
            self.guard = Some(self.gil.lock.lock_arc());
            self.held_since = Instant::now();
        }
    }

    pub(crate) fn release(&mut self) {
        if let Some(guard) = self.guard.take() {
            ArcMutexGuard::unlock_fair(guard);
        }
    }

    /// Whether the holder has had the lock for a whole switch interval.
    pub(crate) fn switch_due(&self) -> bool {
        self.guard.is_some() && self.held_since.elapsed() >= SWITCH_INTERVAL
    }

    /// Hands the lock to a waiting thread, if any, and takes it back.
    pub(crate) fn switch(&mut self) {
        if let Some(guard) = self.guard.as_mut() {
            ArcMutexGuard::bump(guard);
            self.held_since = Instant::now();
        }
    }
}

impl Drop for GilHold {
    fn drop(&mut self) {
        self.release();
    }
}
