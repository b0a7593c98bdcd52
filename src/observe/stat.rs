//! The per-thread files of `/proc` that say what a thread is doing: `stat` (its name and
//! state) and `schedstat` (its CPU and run-queue time, in nanoseconds, exact).

use super::ObserveError;

/// A thread's scheduling state, from the third field of `stat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThreadState {
    /// `R`: on a CPU, or runnable and waiting for one (schedstat tells which, as time).
    Running,
    /// `S`: asleep until something wakes it (a socket, a lock, a timer…).
    Sleeping,
    /// `D`: asleep and uninterruptible, almost always inside disk IO.
    DiskSleep,
    /// `T` or `t`: stopped by a signal or a tracer.
    Stopped,
    /// `Z`, `X`: exited, not yet reaped.
    Dead,
    /// `I` and anything else.
    Other,
}

impl ThreadState {
    fn from_code(code: char) -> ThreadState {
        match code {
            'R' => ThreadState::Running,
            'S' => ThreadState::Sleeping,
            'D' => ThreadState::DiskSleep,
            'T' | 't' => ThreadState::Stopped,
            'Z' | 'X' | 'x' => ThreadState::Dead,
            _ => ThreadState::Other,
        }
    }
}

/// What `stat` says of a thread that matters here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    /// The thread's name (`comm`, at most 15 bytes, as the program set it).
    pub name: String,
    pub state: ThreadState,
    /// The process's parent (field 4).
    pub ppid: u32,
    /// When the thread started, in clock ticks since boot (field 22).
    pub start_ticks: u64,
}

/// Parses a `stat` line. The name sits in parentheses and may itself hold spaces and
/// parentheses, so it ends at the *last* `)`.
pub fn parse_stat(text: &str) -> Result<Stat, ObserveError> {
    let bad = || ObserveError::Malformed {
        file: "stat",
        text: text.chars().take(80).collect(),
    };
    let open = text.find('(').ok_or_else(bad)?;
    let close = text.rfind(')').ok_or_else(bad)?;
    let name = text.get(open + 1..close).ok_or_else(bad)?.to_string();
    // Fields from the third on: state is index 0, ppid 1, starttime (field 22) 19.
    let rest: Vec<&str> = text
        .get(close + 1..)
        .ok_or_else(bad)?
        .split_whitespace()
        .collect();
    let state = rest
        .first()
        .and_then(|s| s.chars().next())
        .ok_or_else(bad)?;
    let number = |i: usize| {
        rest.get(i)
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(bad)
    };
    Ok(Stat {
        name,
        state: ThreadState::from_code(state),
        ppid: u32::try_from(number(1)?).map_err(|_| bad())?,
        start_ticks: number(19)?,
    })
}

/// What `schedstat` says: time on a CPU and time runnable but waiting for one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchedTimes {
    pub cpu_ns: u64,
    pub runqueue_ns: u64,
}

/// Parses `schedstat`: `CPU_NS RUNQUEUE_NS TIMESLICES`.
pub fn parse_schedstat(text: &str) -> Result<SchedTimes, ObserveError> {
    let mut fields = text.split_whitespace().map(str::parse::<u64>);
    match (fields.next(), fields.next()) {
        (Some(Ok(cpu_ns)), Some(Ok(runqueue_ns))) => Ok(SchedTimes {
            cpu_ns,
            runqueue_ns,
        }),
        _ => Err(ObserveError::Malformed {
            file: "schedstat",
            text: text.chars().take(80).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `stat` line with `name`, `state`, parent 4100 and start time 4788.
    fn line(name: &str, state: char) -> String {
        format!("4242 ({name}) {state} 4100 4242 4242 0 -1 4194560 9 0 0 0 5 9 0 0 20 0 1 0 4788 5259264 992")
    }

    #[test]
    fn a_name_with_spaces_and_parentheses_ends_at_the_last_parenthesis() {
        let stat = parse_stat(&line("my (odd) job", 'S')).unwrap();
        assert_eq!(stat.name, "my (odd) job");
        assert_eq!(stat.state, ThreadState::Sleeping);
        assert_eq!((stat.ppid, stat.start_ticks), (4100, 4788));
    }

    #[test]
    fn every_state_code_is_read() {
        for (code, state) in [
            ('R', ThreadState::Running),
            ('D', ThreadState::DiskSleep),
            ('t', ThreadState::Stopped),
            ('Z', ThreadState::Dead),
            ('I', ThreadState::Other),
        ] {
            assert_eq!(parse_stat(&line("x", code)).unwrap().state, state, "{code}");
        }
    }

    #[test]
    fn damaged_files_are_errors_not_panics() {
        for text in [
            "",
            "12 (x",
            "12 x) S 1",
            "12 (x) S notanumber",
            "12 (x)",
            "12 (x) S 1 2",
        ] {
            assert!(parse_stat(text).is_err(), "{text:?}");
        }
        assert!(parse_schedstat("12 x 3").is_err());
        assert!(parse_schedstat("").is_err());
    }

    #[test]
    fn schedstat_gives_cpu_and_run_queue() {
        let times = parse_schedstat("1500 250 7\n").unwrap();
        assert_eq!((times.cpu_ns, times.runqueue_ns), (1500, 250));
    }
}
