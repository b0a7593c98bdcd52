//! A precise sleep for injected latency. tokio's timer wheel has millisecond ticks and rounds
//! every sleep up to its next tick, so a 20 ms delay took 21–22 ms; one thread waiting on a
//! condition variable with a timeout (a futex) wakes within tens of microseconds instead.

use parking_lot::{Condvar, Mutex};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Deadlines waiting to fire, earliest first, each with the task to wake.
struct Timer {
    due: Mutex<BinaryHeap<Reverse<(Instant, u64)>>>,
    wakers: Mutex<std::collections::HashMap<u64, oneshot::Sender<()>>>,
    changed: Condvar,
    next_id: std::sync::atomic::AtomicU64,
}

fn timer() -> Option<&'static Timer> {
    static TIMER: OnceLock<Option<&'static Timer>> = OnceLock::new();
    *TIMER.get_or_init(|| {
        let timer: &'static Timer = Box::leak(Box::new(Timer {
            due: Mutex::new(BinaryHeap::new()),
            wakers: Mutex::default(),
            changed: Condvar::new(),
            next_id: Default::default(),
        }));
        std::thread::Builder::new()
            .name("bs-api-timer".into())
            .spawn(move || timer.run())
            .ok()
            .map(|_| timer)
    })
}

impl Timer {
    fn run(&self) {
        let mut due = self.due.lock();
        loop {
            let now = Instant::now();
            match due.peek().map(|Reverse(entry)| *entry) {
                Some((at, id)) if at <= now => {
                    due.pop();
                    if let Some(waker) = self.wakers.lock().remove(&id) {
                        let _ = waker.send(());
                    }
                }
                Some((at, _)) => {
                    self.changed.wait_for(&mut due, at - now);
                }
                None => self.changed.wait(&mut due),
            }
        }
    }

    fn add(&self, at: Instant) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        let id = self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.wakers.lock().insert(id, tx);
        let mut due = self.due.lock();
        let earliest = due.peek().is_none_or(|Reverse((first, _))| at < *first);
        due.push(Reverse((at, id)));
        if earliest {
            self.changed.notify_one();
        }
        rx
    }
}

/// Sleeps for `delay`, to within tens of microseconds (falls back to tokio's timer if the
/// timer thread could not be started).
pub async fn sleep_precisely(delay: Duration) {
    let at = Instant::now() + delay;
    match timer() {
        Some(timer) => {
            // The sender lives until the deadline passes; an error only means shutdown.
            let _ = timer.add(at).await;
        }
        None => tokio::time::sleep_until(at.into()).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeps_are_close_to_what_was_asked_and_in_deadline_order() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let started = Instant::now();
            let (short, long) = tokio::join!(
                async {
                    sleep_precisely(Duration::from_millis(5)).await;
                    started.elapsed()
                },
                async {
                    sleep_precisely(Duration::from_millis(20)).await;
                    started.elapsed()
                }
            );
            assert!(
                short >= Duration::from_millis(5) && short < long,
                "{short:?} {long:?}"
            );
            assert!(long >= Duration::from_millis(20), "{long:?}");
        });
    }
}
