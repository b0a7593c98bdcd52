//! Native stacks of a process boundscope started, without root: its threads' user-space call
//! chains sampled by the kernel (`perf_event_open`, frame pointers), and their names read
//! from the files of code the process maps.

mod perf;
mod sampler;
mod symbolizer;

#[cfg(test)]
mod live_tests;

pub use sampler::{perf_event_paranoid, NativeSampler, NATIVE_HZ};
pub use symbolizer::Symbolizer;

/// One sampled stack of one thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeSample {
    /// The thread's process (a child process inherits the sampling of its parent).
    pub pid: u32,
    pub tid: u32,
    /// User-space addresses, leaf first: the leaf's own, then return addresses.
    pub ips: Vec<u64>,
}

/// Why native stacks cannot be sampled.
#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    #[error("sampling rate {0} Hz is out of range: use 1 to 1000")]
    BadRate(u32),
    #[error("process {0} does not exist (or has ended)")]
    NoSuchProcess(u32),
    #[error(
        "the kernel forbids sampling stacks: kernel.perf_event_paranoid is {level}, and a \
         user may sample their own processes only at 2 or less"
    )]
    Paranoid {
        level: i32,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the kernel refused to sample process {pid}: perf_event_open is not permitted here \
         (a process of another user, or a container's or security module's policy)"
    )]
    NotPermitted {
        pid: u32,
        #[source]
        source: std::io::Error,
    },
    #[error("perf_event_open is not available (a kernel without it, or a sandbox hiding it)")]
    Unsupported(#[source] std::io::Error),
    #[error("could not open a sampling event for thread {tid} on CPU {cpu}")]
    Open {
        tid: u32,
        cpu: u32,
        #[source]
        source: std::io::Error,
    },
    #[error("could not map the ring buffer of samples for CPU {cpu}")]
    Map {
        cpu: u32,
        #[source]
        source: std::io::Error,
    },
}
