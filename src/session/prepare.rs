//! The steps before a run (building the workload, generating its data, reading its input,
//! connecting to its database or API, setting up tables), on a thread of their own so that
//! the first Ctrl-C ends them.
//!
//! Any of these steps can block for long: a database that accepts and never answers, a FIFO
//! with no writer, another process's lock. Rather than teach each one to watch for Ctrl-C,
//! this thread waits for them and for the cancel flag, whichever comes first. A step still
//! blocked when Ctrl-C comes is left behind: the run ends (and with it, soon, the process).
//!
//! The thread lives as long as the run ([`Prepared`]): the API server a workload starts
//! is a child that dies with the thread that started it (see `proc::die_with_parent`).

use super::{RunHooks, RunSpec, SessionError};
use crate::events::Event;
use crate::model::GenProgress;
use crate::workload::{DynWorkload, WorkloadError};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

/// How often the waiting thread looks at the cancel flag.
const POLL: Duration = Duration::from_millis(20);

/// What the preparing thread says: progress of data generation, then its result.
enum Step {
    Progress(GenProgress),
    Done(Result<Arc<dyn DynWorkload>, WorkloadError>),
}

/// A prepared workload; the thread that prepared it ends when this is dropped.
pub(super) struct Prepared {
    pub(super) workload: Arc<dyn DynWorkload>,
    _release: Sender<()>,
}

/// Builds and prepares `spec`'s workload, reporting data generation to the hooks;
/// `SessionError::Interrupted` as soon as the cancel flag is set.
pub(super) fn workload(spec: &RunSpec, hooks: &mut RunHooks) -> Result<Prepared, SessionError> {
    let (tx, rx) = channel();
    let (release, released) = channel::<()>();
    let owned = spec.clone();
    std::thread::Builder::new()
        .name("bs-prepare".into())
        .spawn(move || {
            let progress = tx.clone();
            let mut report = |p: &GenProgress| {
                let _ = progress.send(Step::Progress(p.clone()));
            };
            let built = owned.workload.build_observed(&mut report);
            let prepared = built.and_then(|w| w.prepare().map(|()| w));
            let _ = tx.send(Step::Done(prepared));
            // Returns once the run drops its `Prepared`.
            let _ = released.recv();
        })
        .map_err(|e| SessionError::Workload(WorkloadError::io("cannot start the run", e)))?;
    loop {
        if hooks.cancel.load(Relaxed) {
            return Err(SessionError::Interrupted);
        }
        match rx.recv_timeout(POLL) {
            Ok(Step::Progress(p)) => {
                hooks.events.emit(Event::Prepare(p.clone()));
                if let Some(hook) = hooks.on_prepare.as_mut() {
                    hook(&p);
                }
            }
            Ok(Step::Done(result)) => {
                return Ok(Prepared {
                    workload: result?,
                    _release: release,
                })
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(SessionError::Workload(WorkloadError::Other(
                    "preparing the run stopped (a bug: it panicked)".into(),
                )))
            }
        }
    }
}
