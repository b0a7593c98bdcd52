//! The process's interrupt: the flag the first Ctrl-C sets, which every wait that could
//! outlast it watches (a PostgreSQL statement that never returns, an async unit's task).
//!
//! A run's cancel flag stops it from handing out units, but a unit already blocked in a
//! wait cannot look at a flag. Such a wait races what it waits for against [`Interrupt::raised`]
//! instead, and gives up (cancelling what it can) the moment the interrupt is raised.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How often a waiting future looks at the interrupt.
const POLL: Duration = Duration::from_millis(20);

/// An interrupt a wait can watch: the process's ([`Interrupt::process`]), or one of its own.
#[derive(Clone, Debug, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// The process's interrupt: the command line sets its flag on SIGINT and SIGTERM, and
    /// passes it to runs as their cancel flag.
    pub fn process() -> Interrupt {
        static PROCESS: OnceLock<Interrupt> = OnceLock::new();
        PROCESS.get_or_init(Interrupt::default).clone()
    }

    /// The flag itself (what a signal handler sets, and a run's cancel flag).
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.0.clone()
    }

    pub fn raise(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_raised(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Completes once the interrupt is raised (at once if it already is). Needs a tokio
    /// runtime with a timer.
    pub async fn raised(&self) {
        while !self.is_raised() {
            tokio::time::sleep(POLL).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_raised_interrupt_ends_the_wait_for_it() {
        let interrupt = Interrupt::default();
        assert!(!interrupt.is_raised());
        let raiser = interrupt.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            raiser.raise();
        });
        interrupt.raised().await;
        assert!(interrupt.is_raised());
    }

    #[test]
    fn the_process_interrupt_is_one_flag() {
        assert!(Arc::ptr_eq(
            &Interrupt::process().flag(),
            &Interrupt::process().flag()
        ));
    }
}
