//! Clocks: this thread's CPU time, the whole process's CPU time, a thread's scheduler stats,
//! and a cheap tick count for sharing out wall time.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A monotonic tick count that is cheap to read, for measuring *shares* of an interval whose
/// length comes from `Instant` (see `phase_clock`): ticks have no fixed unit.
///
/// It is the CPU's time-stamp counter where the kernel keeps time with it itself (its
/// clocksource is `tsc`: the kernel found it constant-rate and in step across cores), so a
/// reading is one instruction, not a trip through the vDSO and `Instant`'s arithmetic.
/// Elsewhere, nanoseconds since the first reading.
pub fn ticks() -> u64 {
    #[cfg(target_arch = "x86_64")]
    if tsc_trusted() {
        // SAFETY: `rdtsc` has no preconditions; every x86_64 CPU has it.
        return unsafe { core::arch::x86_64::_rdtsc() };
    }
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = EPOCH.get_or_init(Instant::now);
    u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// Whether the kernel's clocksource is the time-stamp counter (read once per process).
#[cfg(target_arch = "x86_64")]
fn tsc_trusted() -> bool {
    static TRUSTED: OnceLock<bool> = OnceLock::new();
    *TRUSTED.get_or_init(|| {
        const SOURCE: &str = "/sys/devices/system/clocksource/clocksource0/current_clocksource";
        std::fs::read_to_string(SOURCE).is_ok_and(|source| source.trim() == "tsc")
    })
}

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

/// This thread's run-queue delay (time runnable but not running), read from a file kept
/// open so each reading is one `pread`. Exact at the moment the thread runs: the kernel
/// adds the delay when it switches the thread in.
pub struct RunDelay {
    file: Option<std::fs::File>,
}

impl RunDelay {
    /// Opens the calling thread's stats (readings are 0 where the kernel lacks them).
    pub fn for_current_thread() -> RunDelay {
        RunDelay {
            file: std::fs::File::open("/proc/thread-self/schedstat").ok(),
        }
    }

    pub fn read_ns(&self) -> u64 {
        use std::os::unix::fs::FileExt;
        let Some(file) = &self.file else { return 0 };
        let mut buf = [0u8; 96];
        let Ok(n) = file.read_at(&mut buf, 0) else {
            return 0;
        };
        let text = std::str::from_utf8(&buf[..n]).unwrap_or("");
        SchedStat::parse(text).map(|s| s.runqueue_ns).unwrap_or(0)
    }
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
    fn ticks_never_go_back_and_move_over_a_sleep() {
        let first = ticks();
        std::thread::sleep(Duration::from_millis(2));
        let second = ticks();
        assert!(second > first, "{first} then {second}");
        assert!(ticks() >= second);
    }

    #[test]
    fn schedstat_parses_three_fields() {
        let s = SchedStat::parse("123 45 6\n").expect("parse");
        assert_eq!(s.on_cpu_ns, 123);
        assert_eq!(s.runqueue_ns, 45);
        assert!(SchedStat::parse("x").is_none());
    }
}
