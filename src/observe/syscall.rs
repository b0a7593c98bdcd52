//! A sleeping thread's system call, from `/proc/PID/task/TID/syscall`: its number and
//! arguments, and what kind of wait that call is (on a file descriptor, a lock, a timer…).

use super::ObserveError;

/// What `syscall` says of a thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyscallReading {
    /// `running`: the thread was on a CPU when the file was read.
    Running,
    /// `-1 …`: blocked in the kernel, but not in a system call (a page fault, say).
    NotInCall,
    /// In call `nr` with its six arguments.
    InCall { nr: u64, args: [u64; 6] },
}

/// Parses the file: `running`, `-1 SP PC`, or `NR A1 … A6 SP PC` with hexadecimal arguments.
pub fn parse_syscall(text: &str) -> Result<SyscallReading, ObserveError> {
    let bad = || ObserveError::Malformed {
        file: "syscall",
        text: text.chars().take(80).collect(),
    };
    let mut fields = text.split_whitespace();
    let first = fields.next().ok_or_else(bad)?;
    if first == "running" {
        return Ok(SyscallReading::Running);
    }
    if first == "-1" {
        return Ok(SyscallReading::NotInCall);
    }
    let nr = first.parse::<u64>().map_err(|_| bad())?;
    let mut args = [0u64; 6];
    for arg in &mut args {
        let field = fields.next().ok_or_else(bad)?;
        let digits = field.strip_prefix("0x").ok_or_else(bad)?;
        *arg = u64::from_str_radix(digits, 16).map_err(|_| bad())?;
    }
    Ok(SyscallReading::InCall { nr, args })
}

/// The kind of wait a system call is, with the arguments that say on what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// Reading, writing or syncing one file descriptor (the first argument).
    FdIo { fd: i32 },
    /// A call made only on sockets (`recvfrom`, `connect`, `accept`…).
    Socket,
    /// `poll`/`ppoll` over `count` `struct pollfd`s at `addr`.
    Poll { addr: u64, count: u64 },
    /// `select`/`pselect6` over descriptors below `nfds`, with the three sets' addresses.
    Select { nfds: u64, sets: [u64; 3] },
    /// `epoll_wait` and its kin, on the epoll descriptor `epfd`.
    Epoll { epfd: i32 },
    /// `futex`: a lock or condition variable; `timed` when the wait has a timeout (its
    /// fourth argument), as CPython's wait for its interpreter lock always does.
    Futex { timed: bool },
    /// `nanosleep`, `clock_nanosleep`, `pause`: a deliberate sleep.
    Sleep,
    /// `wait4`/`waitid`: waiting for a child process to end.
    ChildWait,
    /// Any other call, by number.
    Other(u64),
}

/// The numbers of the calls [`call_of`] knows, for one architecture.
struct Numbers {
    fd_io: &'static [u64],
    socket: &'static [u64],
    poll: &'static [u64],
    select: &'static [u64],
    epoll: &'static [u64],
    futex: &'static [u64],
    sleep: &'static [u64],
    child_wait: &'static [u64],
}

/// x86_64: read write pread64 pwrite64 readv writev sendfile fsync fdatasync preadv pwritev
/// flock; recvfrom sendto recvmsg sendmsg connect accept accept4 recvmmsg sendmmsg; poll
/// ppoll; select pselect6; epoll_wait epoll_pwait epoll_pwait2; futex; nanosleep
/// clock_nanosleep pause; wait4 waitid.
#[cfg(target_arch = "x86_64")]
const NUMBERS: Numbers = Numbers {
    fd_io: &[0, 1, 17, 18, 19, 20, 40, 74, 75, 295, 296, 73],
    socket: &[45, 44, 47, 46, 42, 43, 288, 299, 307],
    poll: &[7, 271],
    select: &[23, 270],
    epoll: &[232, 281, 441],
    futex: &[202],
    sleep: &[35, 230, 34],
    child_wait: &[61, 247],
};

/// aarch64 (the generic table), in the same order as x86_64's.
#[cfg(target_arch = "aarch64")]
const NUMBERS: Numbers = Numbers {
    fd_io: &[63, 64, 67, 68, 65, 66, 71, 82, 83, 69, 70, 32],
    socket: &[207, 206, 212, 211, 203, 202, 242, 243, 269],
    poll: &[73],
    select: &[72],
    epoll: &[22, 441],
    futex: &[98],
    sleep: &[101, 115],
    child_wait: &[260, 95],
};

/// Elsewhere no number is known: every call is [`Call::Other`].
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const NUMBERS: Numbers = Numbers {
    fd_io: &[],
    socket: &[],
    poll: &[],
    select: &[],
    epoll: &[],
    futex: &[],
    sleep: &[],
    child_wait: &[],
};

/// The kind of wait call `nr` with `args` is.
pub fn call_of(nr: u64, args: [u64; 6]) -> Call {
    let n = &NUMBERS;
    // Descriptors are C ints: the kernel reads the argument's low 32 bits.
    let fd = args[0] as u32 as i32;
    if n.fd_io.contains(&nr) {
        Call::FdIo { fd }
    } else if n.socket.contains(&nr) {
        Call::Socket
    } else if n.poll.contains(&nr) {
        Call::Poll {
            addr: args[0],
            count: args[1],
        }
    } else if n.select.contains(&nr) {
        Call::Select {
            nfds: args[0],
            sets: [args[1], args[2], args[3]],
        }
    } else if n.epoll.contains(&nr) {
        Call::Epoll { epfd: fd }
    } else if n.futex.contains(&nr) {
        Call::Futex {
            timed: args[3] != 0,
        }
    } else if n.sleep.contains(&nr) {
        Call::Sleep
    } else if n.child_wait.contains(&nr) {
        Call::ChildWait
    } else {
        Call::Other(nr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_forms_of_the_file_are_read() {
        assert_eq!(parse_syscall("running\n").unwrap(), SyscallReading::Running);
        assert_eq!(
            parse_syscall("-1 0x7ffc 0x7f52\n").unwrap(),
            SyscallReading::NotInCall
        );
        let reading =
            parse_syscall("230 0x0 0x0 0x7ffcad7d5550 0x7ffcad7d5590 0x0 0x0 0x7ffc 0x7f52\n")
                .unwrap();
        assert_eq!(
            reading,
            SyscallReading::InCall {
                nr: 230,
                args: [0, 0, 0x7ffcad7d5550, 0x7ffcad7d5590, 0, 0]
            }
        );
    }

    #[test]
    fn damaged_files_are_errors() {
        for text in [
            "",
            "x 0x0",
            "7 0x1 0x2",
            "7 1 2 3 4 5 6",
            "7 0xzz 0 0 0 0 0",
        ] {
            assert!(parse_syscall(text).is_err(), "{text:?}");
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn x86_64_numbers_name_their_waits() {
        let args = [5, 0x1000, 3, 0, 0, 0];
        assert_eq!(call_of(0, args), Call::FdIo { fd: 5 });
        assert_eq!(call_of(45, args), Call::Socket);
        assert_eq!(
            call_of(7, args),
            Call::Poll {
                addr: 5,
                count: 0x1000
            }
        );
        assert_eq!(call_of(232, args), Call::Epoll { epfd: 5 });
        assert_eq!(call_of(202, args), Call::Futex { timed: false });
        assert_eq!(call_of(230, args), Call::Sleep);
        assert_eq!(call_of(61, args), Call::ChildWait);
        assert_eq!(call_of(999, args), Call::Other(999));
    }

    #[test]
    fn a_descriptor_is_the_low_32_bits() {
        let fd_io = NUMBERS.fd_io.first().copied();
        if let Some(nr) = fd_io {
            assert_eq!(
                call_of(nr, [0xffff_ffff_0000_0007, 0, 0, 0, 0, 0]),
                Call::FdIo { fd: 7 }
            );
        }
    }
}
