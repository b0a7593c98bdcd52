//! Sampling the user-space stacks of a process boundscope started: one CPU-clock event per
//! thread and CPU, inherited by every thread and process started after, read from one ring
//! buffer per CPU.
//!
//! Why inherited events rather than a new event for each thread found in `/proc`: a thread
//! found by polling is sampled only from the poll that finds it, a thread that lives less
//! than a poll interval is never sampled, and a forked worker process would need the same
//! chase. An inherited event is copied by the kernel into each new thread and process when
//! it is created, so nothing is missed. The kernel refuses to map the buffer of an inherited
//! event that is not tied to one CPU, hence one event per CPU.
//!
//! A thread started while `start` opens events may be listed after its creator's events
//! were opened: it then has inherited events and its own. Each sample says which opened
//! event it descends from, and a thread's samples are kept from one lineage only.

use super::perf::{event_id, open_event, page_size, redirect, Record, Ring};
use super::{NativeError, NativeSample};
use crate::observe::procfs::threads_of;
use std::collections::{BTreeSet, HashMap};
use std::io;
use std::os::fd::OwnedFd;

/// The rates `start` accepts, in samples per second of a thread's CPU time.
pub const NATIVE_HZ: std::ops::RangeInclusive<u32> = 1..=1000;

/// Ring buffer memory per CPU, all CPUs together: under the kernel's default allowance of
/// locked memory for perf buffers (`perf_event_mlock_kb`, 516 KiB), beyond which buffers
/// count against the user's `RLIMIT_MEMLOCK`.
const RING_BUDGET: usize = 480 * 1024;
const MAX_DATA_PAGES: usize = 32;

/// A running sampler of one process's user-space stacks.
pub struct NativeSampler {
    pid: u32,
    /// One ring per CPU, `rings[i]` for `cpus[i]`.
    rings: Vec<Ring>,
    cpus: Vec<u32>,
    /// Events whose samples go to a ring of another event (kept open to keep sampling).
    redirected: Vec<OwnedFd>,
    /// Threads sampled by events of their own (the rest inherited theirs).
    covered: BTreeSet<u32>,
    /// The thread each opened event was opened for, by event id.
    owners: HashMap<u64, u32>,
    /// The thread whose events' samples count for each thread sampled.
    lineage: HashMap<u32, u32>,
    lost: u64,
}

impl NativeSampler {
    /// Starts sampling every thread of process `pid` (a child of this one) `hz` times per
    /// second of its CPU time, and every thread and process it starts from now on.
    pub fn start(pid: u32, hz: u32) -> Result<NativeSampler, NativeError> {
        if !NATIVE_HZ.contains(&hz) {
            return Err(NativeError::BadRate(hz));
        }
        if threads_of(pid).is_empty() {
            return Err(NativeError::NoSuchProcess(pid));
        }
        let cpus = online_cpus();
        let mut sampler = NativeSampler {
            pid,
            rings: Vec::with_capacity(cpus.len()),
            cpus,
            redirected: Vec::new(),
            covered: BTreeSet::new(),
            owners: HashMap::new(),
            lineage: HashMap::new(),
            lost: 0,
        };
        sampler.cover_threads(1_000_000_000 / u64::from(hz))?;
        Ok(sampler)
    }

    /// Opens events for every thread of the process not covered yet, until a listing finds
    /// none: a thread started by one not yet covered inherits nothing, so list again.
    fn cover_threads(&mut self, period_ns: u64) -> Result<(), NativeError> {
        loop {
            let new: Vec<u32> = threads_of(self.pid)
                .into_iter()
                .filter(|tid| !self.covered.contains(tid))
                .collect();
            if new.is_empty() {
                break;
            }
            for tid in new {
                self.cover_thread(tid, period_ns)?;
            }
        }
        match self.covered.is_empty() {
            true => Err(NativeError::NoSuchProcess(self.pid)),
            false => Ok(()),
        }
    }

    /// One event per CPU for `tid`; a thread that ended meanwhile is skipped.
    fn cover_thread(&mut self, tid: u32, period_ns: u64) -> Result<(), NativeError> {
        for i in 0..self.cpus.len() {
            let cpu = self.cpus[i];
            let event = match open_event(tid, cpu, period_ns) {
                Ok(event) => event,
                Err(e) if e.raw_os_error() == Some(libc::ESRCH) => {
                    // Gone: an ended thread needs no samples, but mark it seen.
                    self.covered.insert(tid);
                    return Ok(());
                }
                Err(source) => {
                    let paranoid = perf_event_paranoid();
                    return Err(open_error(self.pid, tid, cpu, source, paranoid));
                }
            };
            let id = event_id(&event).map_err(|source| NativeError::Open { tid, cpu, source })?;
            self.owners.insert(id, tid);
            match self.rings.get(i) {
                Some(ring) => {
                    redirect(&event, ring.event()).map_err(|source| NativeError::Open {
                        tid,
                        cpu,
                        source,
                    })?;
                    self.redirected.push(event);
                }
                None => {
                    let ring = Ring::map(event, data_pages(self.cpus.len()))
                        .map_err(|source| NativeError::Map { cpu, source })?;
                    self.rings.push(ring);
                }
            }
        }
        self.covered.insert(tid);
        Ok(())
    }

    /// The process sampled.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The samples taken since the previous call, in no particular order across threads.
    pub fn drain(&mut self) -> Vec<NativeSample> {
        let mut records = Vec::new();
        for ring in &mut self.rings {
            ring.read(|record| records.push(record));
        }
        let mut samples = Vec::with_capacity(records.len());
        for record in records {
            match record {
                Record::Sample {
                    pid,
                    tid,
                    event,
                    ips,
                } if !ips.is_empty() && self.counts(tid, event) => {
                    samples.push(NativeSample { pid, tid, ips })
                }
                Record::Lost(n) => self.lost += n,
                _ => {}
            }
        }
        samples
    }

    /// Whether a sample of `tid` taken by (a copy of) `event` counts: a thread sampled by
    /// two lineages of events keeps the first one seen.
    fn counts(&mut self, tid: u32, event: u64) -> bool {
        let Some(&owner) = self.owners.get(&event) else {
            return true;
        };
        *self.lineage.entry(tid).or_insert(owner) == owner
    }

    /// Samples the kernel dropped so far because a buffer was full (drain more often).
    pub fn lost(&self) -> u64 {
        self.lost
    }
}

/// Why opening an event failed, in the terms the user can act on (`paranoid`: the kernel's
/// `perf_event_paranoid` level, where known).
fn open_error(
    pid: u32,
    tid: u32,
    cpu: u32,
    source: io::Error,
    paranoid: Option<i32>,
) -> NativeError {
    match source.raw_os_error() {
        Some(libc::EACCES | libc::EPERM) => match paranoid {
            Some(level) if level > 2 => NativeError::Paranoid { level, source },
            _ => NativeError::NotPermitted { pid, source },
        },
        Some(libc::ENOSYS) => NativeError::Unsupported(source),
        _ => NativeError::Open { tid, cpu, source },
    }
}

/// `kernel.perf_event_paranoid`, where it can be read.
pub fn perf_event_paranoid() -> Option<i32> {
    let text = std::fs::read_to_string("/proc/sys/kernel/perf_event_paranoid").ok()?;
    text.trim().parse().ok()
}

/// Data pages per CPU's ring: a power of two, the CPUs' rings within the budget.
fn data_pages(cpus: usize) -> usize {
    let fit = RING_BUDGET / cpus.max(1) / page_size();
    let mut pages = 1;
    while pages * 2 <= fit.min(MAX_DATA_PAGES) {
        pages *= 2;
    }
    pages
}

/// The CPUs online now, from `/sys`; else every CPU the system has.
fn online_cpus() -> Vec<u32> {
    let listed = std::fs::read_to_string("/sys/devices/system/cpu/online")
        .ok()
        .and_then(|text| parse_cpu_list(&text));
    listed.unwrap_or_else(|| {
        // SAFETY: sysconf has no preconditions.
        let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_CONF) };
        (0..u32::try_from(n).unwrap_or(1).max(1)).collect()
    })
}

/// A kernel CPU list such as `0-3,6,8-9`; `None` when malformed or empty.
fn parse_cpu_list(text: &str) -> Option<Vec<u32>> {
    let mut cpus = Vec::new();
    for part in text.trim().split(',') {
        let (first, last): (u32, u32) = match part.split_once('-') {
            Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
            None => {
                let cpu = part.parse().ok()?;
                (cpu, cpu)
            }
        };
        if first > last || last - first > 65_536 {
            return None;
        }
        cpus.extend(first..=last);
    }
    (!cpus.is_empty()).then_some(cpus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists_read_as_the_kernel_writes_them() {
        assert_eq!(parse_cpu_list("0-1\n"), Some(vec![0, 1]));
        assert_eq!(parse_cpu_list("0,2-3,7"), Some(vec![0, 2, 3, 7]));
        assert_eq!(parse_cpu_list(""), None);
        assert_eq!(parse_cpu_list("3-1"), None);
        assert_eq!(parse_cpu_list("a"), None);
    }

    #[test]
    fn rings_fit_the_budget_in_powers_of_two() {
        let page = page_size();
        for cpus in [1, 2, 8, 64, 1024] {
            let pages = data_pages(cpus);
            assert!(
                pages.is_power_of_two() && pages <= MAX_DATA_PAGES,
                "{pages}"
            );
            assert!(
                pages == 1 || pages * page * cpus <= RING_BUDGET,
                "{cpus}: {pages}"
            );
        }
    }

    #[test]
    fn refusals_say_whether_the_paranoia_level_or_a_policy_forbids_sampling() {
        let os = io::Error::from_raw_os_error;
        let error = |errno, level| open_error(10, 11, 1, os(errno), level);
        assert!(matches!(
            error(libc::EACCES, Some(3)),
            NativeError::Paranoid { level: 3, .. }
        ));
        let text = error(libc::EACCES, Some(3)).to_string();
        assert!(text.contains("perf_event_paranoid is 3"), "{text}");
        assert!(matches!(
            error(libc::EPERM, Some(2)),
            NativeError::NotPermitted { pid: 10, .. }
        ));
        assert!(matches!(
            error(libc::EACCES, None),
            NativeError::NotPermitted { .. }
        ));
        assert!(matches!(
            error(libc::ENOSYS, Some(2)),
            NativeError::Unsupported(_)
        ));
        assert!(matches!(
            error(libc::EINVAL, Some(2)),
            NativeError::Open {
                tid: 11,
                cpu: 1,
                ..
            }
        ));
    }

    #[test]
    fn a_thread_sampled_by_two_lineages_counts_one() {
        let mut sampler = NativeSampler {
            pid: 100,
            rings: Vec::new(),
            cpus: Vec::new(),
            redirected: Vec::new(),
            covered: BTreeSet::from([100, 200]),
            owners: HashMap::from([(1, 100), (2, 200)]),
            lineage: HashMap::new(),
            lost: 0,
        };
        // Thread 200 was created by 100 after 100's events opened, then got its own too.
        assert!(sampler.counts(200, 1));
        assert!(!sampler.counts(200, 2));
        assert!(sampler.counts(200, 1));
        assert!(sampler.counts(100, 1));
        // A sample of an event not opened here (none should come) is not dropped.
        assert!(sampler.counts(300, 9));
    }

    #[test]
    fn rates_outside_the_range_and_absent_processes_are_typed_errors() {
        assert!(matches!(
            NativeSampler::start(std::process::id(), 0),
            Err(NativeError::BadRate(0))
        ));
        // Pids are below 2^22 on Linux: this one cannot exist.
        assert!(matches!(
            NativeSampler::start(u32::MAX - 1, 100),
            Err(NativeError::NoSuchProcess(_))
        ));
    }
}
