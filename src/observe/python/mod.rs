//! CPython's own stacks, read from outside a running interpreter: each Python thread's frames
//! (root first), its OS thread id, its name, whether it holds the GIL and whether it is
//! asleep. The target is never paused: its memory is read while it runs (the only right
//! needed is the one a parent has over its own child).

mod diagnose;
mod tid;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod live_tests;
#[cfg(test)]
mod tests;

use super::procfs::{read_stat, threads_of, ThreadId};
use super::stat::ThreadState;
use py_spy::config::LockingStrategy;
use py_spy::{Config, PythonSpy, StackTrace};
use tid::TidMap;

/// The CPython versions whose stacks this reader is known to read (checked on each by the
/// tests where that version is installed).
pub const SUPPORTED: std::ops::RangeInclusive<u64> = 8..=13;

/// How often a sample is tried again when a read raced with the running interpreter.
const ATTEMPTS: usize = 3;

/// One Python thread at the moment of a sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyThreadStack {
    /// The OS thread id, as in `/proc/PID/task/TID`; 0 for a thread whose OS thread could
    /// not be told (one that is just starting or ending).
    pub tid: u32,
    /// Python's name of the thread (`threading.Thread.name`), where it has one.
    pub name: Option<String>,
    /// `function (file.py)`, the outermost call first. No line numbers, so that samples of
    /// one function merge in a flamegraph. Empty for a thread with no Python frame at that
    /// moment (starting, ending, or read while the interpreter was changing it: the reads
    /// race with the running program, seen in 1–3% of a thread's samples).
    pub frames: Vec<String>,
    /// The line each of `frames` was at (same order; 0 where unknown).
    pub lines: Vec<u32>,
    /// This thread holds the GIL.
    pub holds_gil: bool,
    /// The kernel has the thread asleep (not running or runnable): its stack is where it waits.
    pub idle: bool,
}

/// Why a Python process's stacks could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PythonError {
    #[error("process {pid} is not a Python program")]
    NotPython { pid: u32 },
    #[error(
        "process {pid} runs Python {version}, whose stacks boundscope cannot read \
         (it reads CPython 3.{first} to 3.{last})",
        first = SUPPORTED.start(),
        last = SUPPORTED.end()
    )]
    UnsupportedVersion { pid: u32, version: String },
    #[error(
        "no permission to read the memory of process {pid} (a program may read its own \
         children; other processes need ptrace rights)"
    )]
    NoPermission {
        pid: u32,
        #[source]
        source: std::io::Error,
    },
    #[error("process {pid} is gone")]
    Gone { pid: u32 },
    #[error("could not read the Python interpreter of process {pid}")]
    Unreadable {
        pid: u32,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

// A reader moves to the thread that samples: this stops compiling if it cannot.
const _: fn() = || {
    fn sendable<T: Send>() {}
    sendable::<PythonReader>();
};

/// An attached reader of one CPython process.
pub struct PythonReader {
    pid: u32,
    spy: PythonSpy,
    tids: TidMap,
}

impl PythonReader {
    /// Finds the interpreter in process `pid` and checks that its version can be read. The
    /// process keeps running throughout. Right after a program starts, before its interpreter
    /// is set up, this fails (`NotPython` or `Unreadable`): try again a moment later.
    pub fn attach(pid: u32) -> Result<PythonReader, PythonError> {
        let config = Config {
            blocking: LockingStrategy::NonBlocking,
            ..Config::default()
        };
        let spy = PythonSpy::new(pid as py_spy::Pid, &config)
            .map_err(|err| diagnose::attach_failed(pid, err.into()))?;
        let version = &spy.version;
        if version.major != 3 || !SUPPORTED.contains(&version.minor) {
            return Err(PythonError::UnsupportedVersion {
                pid,
                version: version.to_string(),
            });
        }
        Ok(PythonReader {
            pid,
            spy,
            tids: TidMap::default(),
        })
    }

    /// The interpreter's version, such as "3.11.7".
    pub fn version(&self) -> String {
        self.spy.version.to_string()
    }

    /// The process this reader reads.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Every Python thread's stack now, sleeping threads included. A read that raced with the
    /// running interpreter is tried again a few times before it fails.
    pub fn sample(&mut self) -> Result<Vec<PyThreadStack>, PythonError> {
        let mut attempt = 1;
        loop {
            let err = match self.spy.get_stack_traces() {
                Ok(traces) => return Ok(self.stacks(traces)),
                Err(err) => err,
            };
            if !diagnose::is_alive(self.pid) {
                return Err(PythonError::Gone { pid: self.pid });
            }
            if attempt >= ATTEMPTS {
                let source = err.into();
                return Err(PythonError::Unreadable {
                    pid: self.pid,
                    source,
                });
            }
            attempt += 1;
        }
    }

    fn stacks(&mut self, traces: Vec<StackTrace>) -> Vec<PyThreadStack> {
        let os_tids = threads_of(self.pid);
        let idents: Vec<u64> = traces.iter().map(|t| t.thread_id).collect();
        let resolved = self.tids.resolve(self.pid, &idents, &os_tids);
        traces
            .into_iter()
            .map(|trace| {
                let tid = trace
                    .os_thread_id
                    .and_then(|id| u32::try_from(id).ok())
                    .or_else(|| resolved.get(&trace.thread_id).copied())
                    .unwrap_or(0);
                self.stack(trace, tid)
            })
            .collect()
    }

    fn stack(&self, trace: StackTrace, tid: u32) -> PyThreadStack {
        let idle = match tid {
            0 => !trace.active,
            tid => asleep(ThreadId { pid: self.pid, tid }),
        };
        let (frames, lines) = trace.frames.iter().rev().map(frame_name).unzip();
        PyThreadStack {
            tid,
            name: trace.thread_name,
            frames,
            lines,
            holds_gil: trace.owns_gil,
            idle,
        }
    }
}

/// Whether the kernel has the thread asleep; a thread that ended meanwhile counts as asleep.
fn asleep(id: ThreadId) -> bool {
    read_stat(id).map_or(true, |stat| stat.state != ThreadState::Running)
}

/// `function (file.py)` and the line: the file as Python's import path names it
/// (`concurrent/futures/thread.py`), else its last component.
fn frame_name(frame: &py_spy::Frame) -> (String, u32) {
    let file = frame.short_filename.as_deref().unwrap_or_else(|| {
        let path = frame.filename.as_str();
        path.rsplit('/').next().unwrap_or(path)
    });
    let line = u32::try_from(frame.line).unwrap_or(0);
    (format!("{} ({file})", frame.name), line)
}
