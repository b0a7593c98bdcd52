//! A simulated global interpreter lock: held during CPU work, released around waits.
//!
//! CPython lets one thread run bytecode at a time; a thread that has waited a switch
//! interval (5 ms) for the lock asks the holder to give it up. This mirrors that with a
//! fair hand-off, so threads take turns instead of one thread starving the rest.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// CPython's default `sys.getswitchinterval()`.
pub const SWITCH_INTERVAL: Duration = Duration::from_millis(5);

/// The process-wide lock shared by every worker of a run.
///
/// A ticket lock: workers are served in the order they asked, and a waiter sleeps on a
/// condition variable from the start. It never spins or yields, so the time a worker waits
/// for its turn is off the CPU and out of the run queue — `gil` wait, even on a loaded
/// machine where the holder itself waits for a core. Once its turn comes, any time the
/// worker then waits for a core is its own run-queue time.
///
/// As in CPython's `take_gil`, the holder lets go when a waiter that has waited a whole
/// switch interval *and got a core to notice it* asks, not by its own clock: on a loaded
/// machine a waiter that cannot run does not force hand-offs that only it could use.
#[derive(Clone, Default)]
pub struct Gil {
    shared: Arc<(Mutex<Tickets>, Condvar)>,
    drop_request: Arc<AtomicBool>,
}

/// `serving` holds the lock; `next` is the ticket the next worker to ask gets.
#[derive(Default)]
struct Tickets {
    next: u64,
    serving: u64,
}

/// One worker's hold on the GIL.
pub(crate) struct GilHold {
    gil: Gil,
    held: bool,
}

impl Gil {
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn hold(&self) -> GilHold {
        GilHold {
            gil: self.clone(),
            held: false,
        }
    }

    fn tickets(&self) -> MutexGuard<'_, Tickets> {
        // A worker that panicked while holding the ticket counter left it consistent (each
        // update is one statement), so a poisoned lock is still usable.
        self.shared.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether some worker waits for its turn.
    fn has_waiters(&self) -> bool {
        let t = self.tickets();
        t.next > t.serving + 1
    }
}

impl GilHold {
    pub(crate) fn is_held(&self) -> bool {
        self.held
    }

    /// Takes the lock if nobody holds or waits for it; false otherwise.
    pub(crate) fn try_acquire(&mut self) -> bool {
        if !self.held {
            let mut t = self.gil.tickets();
            let free = t.next == t.serving;
            if free {
                t.next += 1;
            }
            drop(t);
            if free {
                self.took_lock();
            }
        }
        self.held
    }

    /// Takes the lock, sleeping until this worker's turn.
    pub(crate) fn acquire(&mut self) {
        if self.held {
            return;
        }
        let (_, turn) = &*self.gil.shared;
        let mut t = self.gil.tickets();
        let ticket = t.next;
        t.next += 1;
        while t.serving != ticket {
            let (guard, waited) = turn
                .wait_timeout(t, SWITCH_INTERVAL)
                .unwrap_or_else(|e| e.into_inner());
            t = guard;
            if waited.timed_out() && t.serving != ticket {
                self.gil.drop_request.store(true, Relaxed);
            }
        }
        drop(t);
        self.took_lock();
    }

    /// A new holder starts with no request to let go.
    fn took_lock(&mut self) {
        self.held = true;
        self.gil.drop_request.store(false, Relaxed);
    }

    pub(crate) fn release(&mut self) {
        if self.held {
            self.held = false;
            self.gil.tickets().serving += 1;
            self.gil.shared.1.notify_all();
        }
    }

    /// Whether a waiter has asked the holder to let go.
    pub(crate) fn switch_due(&self) -> bool {
        self.held && self.gil.drop_request.load(Relaxed)
    }

    /// Hands the lock to the next waiting worker, if any, and queues for it again.
    pub(crate) fn switch(&mut self) {
        if !self.held {
            return;
        }
        if self.gil.has_waiters() {
            self.release();
            self.acquire();
        } else {
            self.gil.drop_request.store(false, Relaxed);
        }
    }
}

impl Drop for GilHold {
    fn drop(&mut self) {
        self.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_take_turns_in_the_order_they_asked() {
        let gil = Gil::new();
        let mut first = gil.hold();
        assert!(first.try_acquire());
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for n in 0..3u32 {
            let (shared, order) = (gil.clone(), order.clone());
            handles.push(std::thread::spawn(move || {
                let mut hold = shared.hold();
                hold.acquire();
                order.lock().unwrap().push(n);
                hold.release();
            }));
            // Let each worker take its ticket before the next one asks.
            while gil.tickets().next < u64::from(n) + 2 {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        let mut second = gil.hold();
        assert!(!second.try_acquire(), "held and waited for");
        first.release();
        for handle in handles {
            handle.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2]);
        assert!(second.try_acquire(), "free again");
    }

    #[test]
    fn the_holder_lets_go_only_when_a_waiter_has_asked() {
        let gil = Gil::new();
        let mut holder = gil.hold();
        holder.acquire();
        std::thread::sleep(SWITCH_INTERVAL * 2);
        assert!(
            !holder.switch_due(),
            "nobody waits: no request, however long held"
        );
        let shared = gil.clone();
        let waiter = std::thread::spawn(move || {
            let mut hold = shared.hold();
            hold.acquire();
            hold.release();
        });
        // The waiter asks once it has waited an interval; allow a loaded machine plenty.
        for _ in 0..2000 {
            if holder.switch_due() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(holder.switch_due(), "the waiter never asked");
        holder.switch();
        waiter.join().unwrap();
        assert!(holder.is_held() && !holder.switch_due());
    }

    #[test]
    fn a_switch_with_nobody_waiting_keeps_the_lock() {
        let gil = Gil::new();
        let mut hold = gil.hold();
        hold.acquire();
        hold.switch();
        assert!(hold.is_held());
        assert!(!gil.hold().try_acquire());
    }
}
