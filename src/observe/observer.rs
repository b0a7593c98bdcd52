//! Observing a process tree over time: at each reading, every thread of the root process and
//! of the processes below it (a `multiprocessing` pool's workers, say) gets its time booked.

use super::cause::{classify, OffCpuCause};
use super::fd::ProcFds;
use super::ledger::{Booked, Reading, ThreadLedger};
use super::procfs::{
    boot_clock_ns, ns_per_tick, process_tree, read_schedstat, read_stat, read_syscall, threads_of,
    ThreadId,
};
use super::stat::ThreadState;
use super::syscall::SyscallReading;
use std::collections::BTreeMap;

/// Every thread seen under a root process, with its ledger.
pub struct Observer {
    root: u32,
    started_ns: u64,
    ns_per_tick: u64,
    threads: BTreeMap<ThreadId, ThreadLedger>,
}

/// What one reading found: how many processes, and each thread's time since the reading
/// before.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub processes: usize,
    pub threads: Vec<ThreadReading>,
}

/// One thread at one reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadReading {
    pub id: ThreadId,
    /// On a CPU (or runnable) when read: what a sampler would have caught running.
    pub running: bool,
    /// The time booked since the reading before.
    pub booked: Booked,
    /// The address of the futex word the thread sleeps on, when it sleeps on one (which lock
    /// it waits for).
    pub futex: Option<u64>,
}

impl Observer {
    /// Starts observing `root` and what it starts: time before now is not booked.
    pub fn new(root: u32) -> Observer {
        Observer {
            root,
            started_ns: boot_clock_ns(),
            ns_per_tick: ns_per_tick(),
            threads: BTreeMap::new(),
        }
    }

    /// Reads every thread of the tree now and books its time since the last reading.
    pub fn read(&mut self) -> Found {
        let mut found = Found::default();
        for pid in process_tree(self.root) {
            let tids = threads_of(pid);
            if tids.is_empty() {
                continue;
            }
            found.processes += 1;
            let fds = ProcFds { pid };
            for tid in tids {
                let id = ThreadId { pid, tid };
                found.threads.extend(self.read_thread(id, &fds));
            }
        }
        found
    }

    /// Books one thread; `None` if it was gone before it could be read.
    fn read_thread(&mut self, id: ThreadId, fds: &ProcFds) -> Option<ThreadReading> {
        // The clock first: if this thread is kept off a core while reading, the counters
        // run ahead of the clock (which the next reading evens out), never behind it (which
        // would book a wait that never was).
        let at_ns = boot_clock_ns();
        let (Ok(stat), Ok(times)) = (read_stat(id), read_schedstat(id)) else {
            return None;
        };
        let running = stat.state == ThreadState::Running;
        let syscall = read_syscall(id);
        let cause = classify(stat.state, syscall.as_ref(), fds);
        let futex = match (&cause, &syscall) {
            (Some(OffCpuCause::Lock { .. }), Some(SyscallReading::InCall { args, .. })) => {
                Some(args[0])
            }
            _ => None,
        };
        let since_ns = self
            .started_ns
            .max(stat.start_ticks.saturating_mul(self.ns_per_tick));
        // The process's name (its main thread's) is read once, when a thread is first seen.
        let ledger = self.threads.entry(id).or_insert_with(|| {
            let main = ThreadId {
                pid: id.pid,
                tid: id.pid,
            };
            let process = read_stat(main).map(|s| s.name).unwrap_or_default();
            ThreadLedger::new(&process, &stat.name)
        });
        // A thread may rename itself after it starts (Python's threading does).
        ledger.name = stat.name;
        let booked = ledger.add(
            Reading {
                at_ns,
                times,
                cause,
            },
            since_ns,
        );
        Some(ThreadReading {
            id,
            running,
            booked,
            futex,
        })
    }

    /// The ledger of one thread seen so far.
    pub fn ledger(&self, id: &ThreadId) -> Option<&ThreadLedger> {
        self.threads.get(id)
    }

    /// Every thread seen so far, in the order of process and thread ids.
    pub fn threads(&self) -> impl Iterator<Item = (&ThreadId, &ThreadLedger)> {
        self.threads.iter()
    }
}
