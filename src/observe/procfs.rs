//! Reading one process tree's threads from `/proc`: the processes under a root (its
//! children, theirs, …), each process's threads, and one thread's files.

use super::stat::{parse_schedstat, parse_stat, SchedTimes, Stat};
use super::syscall::{parse_syscall, SyscallReading};
use super::ObserveError;
use std::collections::BTreeSet;
use std::fs;

/// A thread of a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ThreadId {
    pub pid: u32,
    pub tid: u32,
}

fn task_file(id: ThreadId, file: &str) -> String {
    format!("/proc/{}/task/{}/{file}", id.pid, id.tid)
}

fn read(path: String) -> Result<String, ObserveError> {
    fs::read_to_string(&path).map_err(|source| ObserveError::Read { path, source })
}

/// The thread's `stat`.
pub fn read_stat(id: ThreadId) -> Result<Stat, ObserveError> {
    parse_stat(&read(task_file(id, "stat"))?)
}

/// The thread's CPU and run-queue time.
pub fn read_schedstat(id: ThreadId) -> Result<SchedTimes, ObserveError> {
    parse_schedstat(&read(task_file(id, "schedstat"))?)
}

/// The thread's system call, `None` where it cannot be read (another user's process, or a
/// kernel that forbids it).
pub fn read_syscall(id: ThreadId) -> Option<SyscallReading> {
    parse_syscall(&read(task_file(id, "syscall")).ok()?).ok()
}

/// The thread ids of process `pid` (empty once it is gone).
pub fn threads_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let mut tids: Vec<u32> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    tids.sort_unstable();
    tids
}

/// `root` and every process below it, parents first.
pub fn process_tree(root: u32) -> Vec<u32> {
    let mut seen = BTreeSet::from([root]);
    let mut order = vec![root];
    let mut at = 0;
    while let Some(&pid) = order.get(at) {
        for child in children_of(pid) {
            if seen.insert(child) {
                order.push(child);
            }
        }
        at += 1;
    }
    order
}

/// The children of `pid`, from every thread's `children` file (a child belongs to the
/// thread that forked it).
fn children_of(pid: u32) -> Vec<u32> {
    threads_of(pid)
        .into_iter()
        .filter_map(|tid| fs::read_to_string(format!("/proc/{pid}/task/{tid}/children")).ok())
        .flat_map(|text| {
            text.split_whitespace()
                .filter_map(|s| s.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

/// Nanoseconds since boot, on the clock `stat`'s start times count on.
pub fn boot_clock_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for the call to fill.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) } == 0;
    match ok {
        true => (ts.tv_sec as u64).saturating_mul(1_000_000_000) + ts.tv_nsec as u64,
        false => 0,
    }
}

/// Nanoseconds per clock tick of `stat`'s times.
pub fn ns_per_tick() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    match u64::try_from(hz) {
        Ok(hz) if hz > 0 => 1_000_000_000 / hz,
        _ => 10_000_000,
    }
}
