//! Clocks: this thread's CPU time, the whole process's CPU time, a thread's scheduler stats.

use std::time::Duration;

/// CPU time consumed by the calling thread, in nanoseconds (user + system).
pub fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant Linux supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0;
    }
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// CPU seconds (user + system) of this process, and of its waited-for children.
pub fn process_cpu_seconds() -> (f64, f64) {
    (
        rusage_seconds(libc::RUSAGE_SELF),
        rusage_seconds(libc::RUSAGE_CHILDREN),
    )
}

fn rusage_seconds(who: libc::c_int) -> f64 {
    // SAFETY: an all-zero rusage is a valid value and getrusage only writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is valid for writes.
    if unsafe { libc::getrusage(who, &mut usage) } != 0 {
        return 0.0;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (tv(usage.ru_utime) + tv(usage.ru_stime)).as_secs_f64()
}

/// The kernel's thread id of the caller.
pub fn current_tid() -> i32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() }
}

/// One reading of `/proc/self/task/<tid>/schedstat`: time on a CPU and time runnable but
/// waiting for one (the run queue), both in nanoseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchedStat {
    pub on_cpu_ns: u64,
    pub runqueue_ns: u64,
}

impl SchedStat {
    /// Reads the stats of thread `tid` of this process; `None` if the kernel lacks them.
    pub fn read(tid: i32) -> Option<SchedStat> {
        let text = std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat")).ok()?;
        Self::parse(&text)
    }

    fn parse(text: &str) -> Option<SchedStat> {
        let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().ok());
        Some(SchedStat {
            on_cpu_ns: fields.next()??,
            runqueue_ns: fields.next()??,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_cpu_time_grows_with_work() {
        let before = thread_cpu_ns();
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        assert!(thread_cpu_ns() > before);
    }

    #[test]
    fn schedstat_parses_three_fields() {
        let s = SchedStat::parse("123 45 6\n").expect("parse");
        assert_eq!(s.on_cpu_ns, 123);
        assert_eq!(s.runqueue_ns, 45);
        assert!(SchedStat::parse("x").is_none());
    }
}
