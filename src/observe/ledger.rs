//! One thread's wall time, told apart from successive readings: CPU and run queue exactly
//! (from the scheduler's counters), the rest by the cause seen at each reading.

use super::cause::{OffCpuCause, Unknown};
use super::stat::SchedTimes;
use std::collections::BTreeMap;

/// A thread's time so far, in nanoseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadLedger {
    /// The process's name and the thread's (`comm`).
    pub process: String,
    pub name: String,
    pub wall_ns: u64,
    pub cpu_ns: u64,
    pub runqueue_ns: u64,
    /// Off-CPU time by cause.
    pub off_cpu: BTreeMap<OffCpuCause, u64>,
    /// The last reading: when, and the counters then.
    last: Option<(u64, SchedTimes)>,
    /// When the ledger's time begins (the first reading's `since_ns`).
    start_ns: Option<u64>,
    /// The last cause seen, for time off the CPU between readings that both found it running.
    last_cause: Option<OffCpuCause>,
}

/// What one reading booked: the interval's CPU, run-queue and off-CPU time, and the cause
/// the off-CPU part went to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Booked {
    pub cpu_ns: u64,
    pub runqueue_ns: u64,
    pub off_ns: u64,
    pub cause: Option<OffCpuCause>,
}

/// One reading of a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub at_ns: u64,
    pub times: SchedTimes,
    /// Why it was off the CPU at `at_ns`; `None` while running.
    pub cause: Option<OffCpuCause>,
}

impl ThreadLedger {
    /// A thread first seen now.
    pub fn new(process: &str, name: &str) -> ThreadLedger {
        ThreadLedger {
            process: process.to_string(),
            name: name.to_string(),
            ..ThreadLedger::default()
        }
    }

    /// Books the time since the last reading (or, for the first, since `since_ns`: the later
    /// of the thread's start and the observation's start). CPU and run-queue time are the
    /// counters' growth; the rest is off the CPU, on the cause seen now, or, if the thread
    /// runs now, the cause seen last (like any sampler, a reading stands for its interval).
    pub fn add(&mut self, reading: Reading, since_ns: u64) -> Booked {
        let before = self.last.map_or(SchedTimes::default(), |(_, times)| times);
        let start_ns = *self.start_ns.get_or_insert(since_ns);
        let cpu = reading.times.cpu_ns.saturating_sub(before.cpu_ns);
        let runqueue = reading.times.runqueue_ns.saturating_sub(before.runqueue_ns);
        self.cpu_ns += cpu;
        self.runqueue_ns += runqueue;
        // Off-CPU time is what the whole span since the start leaves unexplained, less what
        // is booked already. Taken over the whole span, not interval by interval, a reading
        // whose clock came late (the observer was itself kept off a core between reading
        // the counters and the clock) does not leave a wait behind: the counters catch up
        // at the next reading. The counters may also run ahead of a coarse (10 ms) start
        // time; no wait is negative.
        let span = reading.at_ns.saturating_sub(start_ns);
        let unexplained = span.saturating_sub(self.cpu_ns + self.runqueue_ns);
        let booked_off = self.off_cpu_ns();
        let off = unexplained.saturating_sub(booked_off);
        self.wall_ns = self.cpu_ns + self.runqueue_ns + booked_off + off;
        let mut booked = Booked {
            cpu_ns: cpu,
            runqueue_ns: runqueue,
            off_ns: off,
            cause: None,
        };
        if off > 0 {
            let cause = reading
                .cause
                .or(self.last_cause)
                .unwrap_or(OffCpuCause::Unknown(Unknown::NotInCall));
            *self.off_cpu.entry(cause).or_default() += off;
            booked.cause = Some(cause);
        }
        self.last = Some((reading.at_ns, reading.times));
        // A thread caught asleep outside any call (a fault, a wake-up under way) says nothing
        // of what it waits for: the intervals after it keep the cause seen before it.
        if reading.cause != Some(OffCpuCause::Unknown(Unknown::NotInCall)) {
            self.last_cause = reading.cause.or(self.last_cause);
        }
        booked
    }

    /// Off-CPU time in all.
    pub fn off_cpu_ns(&self) -> u64 {
        self.off_cpu.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(at_ns: u64, cpu_ns: u64, runqueue_ns: u64, cause: Option<OffCpuCause>) -> Reading {
        Reading {
            at_ns,
            times: SchedTimes {
                cpu_ns,
                runqueue_ns,
            },
            cause,
        }
    }

    #[test]
    fn wall_time_is_cpu_run_queue_and_each_wait() {
        let mut ledger = ThreadLedger::new("job", "worker");
        ledger.add(reading(100, 30, 10, Some(OffCpuCause::Net)), 0);
        ledger.add(
            reading(200, 50, 10, Some(OffCpuCause::Lock { timed: false })),
            0,
        );
        ledger.add(reading(300, 150, 10, None), 0);
        assert_eq!(ledger.wall_ns, 300);
        assert_eq!((ledger.cpu_ns, ledger.runqueue_ns), (150, 10));
        assert_eq!(ledger.off_cpu[&OffCpuCause::Net], 60);
        assert_eq!(ledger.off_cpu[&OffCpuCause::Lock { timed: false }], 80);
        assert_eq!(
            ledger.cpu_ns + ledger.runqueue_ns + ledger.off_cpu_ns(),
            ledger.wall_ns
        );
    }

    #[test]
    fn time_off_the_cpu_between_two_running_readings_goes_to_the_last_cause() {
        let mut ledger = ThreadLedger::new("job", "worker");
        ledger.add(reading(100, 100, 0, None), 0);
        assert!(ledger.off_cpu.is_empty());
        ledger.add(reading(200, 120, 0, Some(OffCpuCause::Disk)), 0);
        ledger.add(reading(300, 150, 0, None), 0);
        assert_eq!(ledger.off_cpu[&OffCpuCause::Disk], 80 + 70);
        let mut fresh = ThreadLedger::new("job", "w");
        fresh.add(reading(100, 40, 0, None), 0);
        assert_eq!(fresh.off_cpu[&OffCpuCause::Unknown(Unknown::NotInCall)], 60);
    }

    #[test]
    fn counters_read_ahead_of_the_clock_leave_no_wait_once_the_clock_catches_up() {
        let mut ledger = ThreadLedger::new("job", "worker");
        ledger.add(reading(100, 100, 0, None), 0);
        ledger.add(reading(200, 230, 0, None), 0);
        ledger.add(reading(300, 300, 0, None), 0);
        assert_eq!((ledger.wall_ns, ledger.off_cpu_ns()), (300, 0));
    }

    #[test]
    fn a_thread_caught_outside_any_call_does_not_become_the_cause_of_later_waits() {
        let mut ledger = ThreadLedger::new("job", "worker");
        let lock = OffCpuCause::Lock { timed: true };
        ledger.add(reading(100, 50, 0, Some(lock)), 0);
        ledger.add(
            reading(200, 100, 0, Some(OffCpuCause::Unknown(Unknown::NotInCall))),
            0,
        );
        ledger.add(reading(300, 150, 0, None), 0);
        assert_eq!(ledger.off_cpu[&lock], 50 + 50);
        assert_eq!(
            ledger.off_cpu[&OffCpuCause::Unknown(Unknown::NotInCall)],
            50
        );
    }

    #[test]
    fn counters_ahead_of_a_coarse_start_never_make_negative_waits() {
        let mut ledger = ThreadLedger::new("job", "worker");
        ledger.add(reading(100, 130, 0, None), 0);
        assert_eq!((ledger.wall_ns, ledger.off_cpu_ns()), (130, 0));
    }
}
