//! Any process, observed from outside through `/proc`, without instrumenting it: each thread
//! of a process tree, its CPU and run-queue time (exact, from the scheduler) and why it is off
//! the CPU (its system call and what that call waits on). The ground for `boundscope exec`.

pub mod cause;
pub mod fd;
pub mod ledger;
pub mod native;
pub mod observer;
pub mod procfs;
pub mod python;
pub mod stat;
pub mod syscall;

#[cfg(test)]
mod live_tests;

pub use cause::{classify, OffCpuCause, Unknown};
pub use ledger::{Booked, ThreadLedger};
pub use observer::{Found, Observer, ThreadReading};
pub use procfs::ThreadId;

/// Reading a process's files failed.
#[derive(Debug, thiserror::Error)]
pub enum ObserveError {
    #[error("could not read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file} is not in the form the kernel writes: {text:?}")]
    Malformed { file: &'static str, text: String },
}
