//! Why a thread is off the CPU, from its state, its system call and what that call waits on.
//! What cannot be told is [`OffCpuCause::Unknown`] with the reason it could not: never a guess.

use super::fd::{poll_fds, select_fds, FdKind, FdSource};
use super::stat::ThreadState;
use super::syscall::{call_of, Call, SyscallReading};

/// Why a thread was not on a CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OffCpuCause {
    /// Waiting on a socket (a read, a send, a connect, or a poll/epoll over sockets).
    Net,
    /// Waiting on a regular file or a disk, or in uninterruptible sleep (`D`).
    Disk,
    /// Asleep on a futex: a lock, a condition variable, a queue; `timed` when the wait
    /// has a timeout.
    Lock { timed: bool },
    /// A deliberate sleep (`nanosleep`, `poll` with no descriptors).
    Sleep,
    /// Waiting on a pipe (another process's output or input).
    Pipe,
    /// Waiting for a child process to end.
    Child,
    /// Off the CPU for a reason that could not be told.
    Unknown(Unknown),
}

/// Why a wait could not be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unknown {
    /// The thread's `syscall` file could not be read (no permission, or it exited).
    NoAccess,
    /// Asleep, but not in a system call (a page fault, or it had just woken).
    NotInCall,
    /// In a system call that is not a wait this table knows, by number.
    Call(u64),
    /// Waiting on descriptors that are none of socket, file or pipe (a terminal, an eventfd).
    Descriptors,
    /// Stopped by a signal or a debugger.
    Stopped,
}

impl OffCpuCause {
    /// The cause's leaf name in a wall-clock profile.
    pub fn leaf(self) -> &'static str {
        match self {
            OffCpuCause::Net => "[net wait]",
            OffCpuCause::Disk => "[disk wait]",
            OffCpuCause::Lock { .. } => "[lock wait]",
            OffCpuCause::Sleep => "[sleep]",
            OffCpuCause::Pipe => "[pipe wait]",
            OffCpuCause::Child => "[child wait]",
            OffCpuCause::Unknown(_) => "[unknown wait]",
        }
    }
}

/// Why a thread in `state` is off the CPU; `None` while it runs (or waits for a core, which
/// its scheduler statistics count exactly). `syscall` is `None` where the file was unreadable.
pub fn classify(
    state: ThreadState,
    syscall: Option<&SyscallReading>,
    fds: &dyn FdSource,
) -> Option<OffCpuCause> {
    match state {
        ThreadState::Running | ThreadState::Dead => None,
        ThreadState::DiskSleep => Some(OffCpuCause::Disk),
        ThreadState::Stopped => Some(OffCpuCause::Unknown(Unknown::Stopped)),
        // Asleep when `stat` was read, running when `syscall` was: it woke in between (a
        // thread handed a lock every few milliseconds does so often), and runs now.
        ThreadState::Sleeping | ThreadState::Other if syscall == Some(&SyscallReading::Running) => {
            None
        }
        ThreadState::Sleeping | ThreadState::Other => Some(match syscall {
            None => OffCpuCause::Unknown(Unknown::NoAccess),
            Some(SyscallReading::Running | SyscallReading::NotInCall) => {
                OffCpuCause::Unknown(Unknown::NotInCall)
            }
            Some(&SyscallReading::InCall { nr, args }) => cause_of_call(call_of(nr, args), fds),
        }),
    }
}

fn cause_of_call(call: Call, fds: &dyn FdSource) -> OffCpuCause {
    match call {
        Call::FdIo { fd } => cause_of_fds(&[fd], fds),
        Call::Socket => OffCpuCause::Net,
        Call::Poll { addr, count } => {
            if count == 0 {
                return OffCpuCause::Sleep;
            }
            let bytes = usize::try_from(count)
                .ok()
                .and_then(|n| n.checked_mul(8))
                .and_then(|len| fds.memory(addr, len));
            match bytes {
                Some(bytes) => cause_of_fds(&poll_fds(&bytes), fds),
                None => OffCpuCause::Unknown(Unknown::NoAccess),
            }
        }
        Call::Select { nfds, sets } => cause_of_select(nfds, sets, fds),
        Call::Epoll { epfd } => cause_of_fds(&fds.epoll_targets(epfd), fds),
        Call::Futex { timed } => OffCpuCause::Lock { timed },
        Call::Sleep => OffCpuCause::Sleep,
        Call::ChildWait => OffCpuCause::Child,
        Call::Other(nr) => OffCpuCause::Unknown(Unknown::Call(nr)),
    }
}

/// A `select` over the descriptors below `nfds` in its three sets (`0` where a set is absent).
fn cause_of_select(nfds: u64, sets: [u64; 3], fds: &dyn FdSource) -> OffCpuCause {
    let Ok(nfds) = usize::try_from(nfds) else {
        return OffCpuCause::Unknown(Unknown::Descriptors);
    };
    if nfds == 0 || sets.iter().all(|&addr| addr == 0) {
        return OffCpuCause::Sleep;
    }
    // The kernel reads whole longs of each set.
    let len = nfds.div_ceil(64) * 8;
    let mut watched = Vec::new();
    for addr in sets.into_iter().filter(|&addr| addr != 0) {
        match fds.memory(addr, len) {
            Some(bitmap) => watched.extend(select_fds(&bitmap, nfds)),
            None => return OffCpuCause::Unknown(Unknown::NoAccess),
        }
    }
    cause_of_fds(&watched, fds)
}

/// A wait on several descriptors: a socket among them makes it a network wait (the others
/// are usually the program's own wake-up pipes), then a file, then a pipe.
fn cause_of_fds(watched: &[i32], fds: &dyn FdSource) -> OffCpuCause {
    let kinds: Vec<FdKind> = watched.iter().filter_map(|&fd| fds.kind(fd)).collect();
    let has = |kind| kinds.contains(&kind);
    if has(FdKind::Socket) {
        OffCpuCause::Net
    } else if has(FdKind::File) {
        OffCpuCause::Disk
    } else if has(FdKind::Pipe) {
        OffCpuCause::Pipe
    } else {
        OffCpuCause::Unknown(Unknown::Descriptors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A process with fixed descriptors and memory.
    #[derive(Default)]
    struct Fake {
        kinds: HashMap<i32, FdKind>,
        epoll: HashMap<i32, Vec<i32>>,
        memory: HashMap<u64, Vec<u8>>,
    }

    impl FdSource for Fake {
        fn kind(&self, fd: i32) -> Option<FdKind> {
            self.kinds.get(&fd).copied()
        }
        fn epoll_targets(&self, epfd: i32) -> Vec<i32> {
            self.epoll.get(&epfd).cloned().unwrap_or_default()
        }
        fn memory(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
            let bytes = self.memory.get(&addr)?;
            bytes.get(..len).map(<[u8]>::to_vec)
        }
    }

    fn fake() -> Fake {
        let mut fake = Fake::default();
        for (fd, kind) in [
            (3, FdKind::Socket),
            (4, FdKind::File),
            (5, FdKind::Pipe),
            (6, FdKind::Device),
        ] {
            fake.kinds.insert(fd, kind);
        }
        fake
    }

    fn in_call(nr: u64, args: [u64; 6], fds: &dyn FdSource) -> Option<OffCpuCause> {
        let reading = SyscallReading::InCall { nr, args };
        classify(ThreadState::Sleeping, Some(&reading), fds)
    }

    #[test]
    fn states_decide_before_calls() {
        let fds = fake();
        assert_eq!(classify(ThreadState::Running, None, &fds), None);
        assert_eq!(
            classify(ThreadState::DiskSleep, None, &fds),
            Some(OffCpuCause::Disk)
        );
        assert_eq!(
            classify(ThreadState::Sleeping, None, &fds),
            Some(OffCpuCause::Unknown(Unknown::NoAccess)),
            "an unreadable call is said, not guessed"
        );
        let not_in_call = classify(
            ThreadState::Sleeping,
            Some(&SyscallReading::NotInCall),
            &fds,
        );
        assert_eq!(not_in_call, Some(OffCpuCause::Unknown(Unknown::NotInCall)));
        // Asleep by `stat`, running by `syscall` a moment later: it woke, and runs.
        let woke = classify(ThreadState::Sleeping, Some(&SyscallReading::Running), &fds);
        assert_eq!(woke, None);
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn a_read_is_as_its_descriptor() {
        let fds = fake();
        let read = |fd| in_call(0, [fd, 0, 0, 0, 0, 0], &fds);
        assert_eq!(read(3), Some(OffCpuCause::Net));
        assert_eq!(read(4), Some(OffCpuCause::Disk));
        assert_eq!(read(5), Some(OffCpuCause::Pipe));
        assert_eq!(read(6), Some(OffCpuCause::Unknown(Unknown::Descriptors)));
        assert_eq!(read(99), Some(OffCpuCause::Unknown(Unknown::Descriptors)));
        assert_eq!(
            in_call(202, [0; 6], &fds),
            Some(OffCpuCause::Lock { timed: false })
        );
        assert_eq!(in_call(230, [0; 6], &fds), Some(OffCpuCause::Sleep));
        assert_eq!(
            in_call(500, [0; 6], &fds),
            Some(OffCpuCause::Unknown(Unknown::Call(500)))
        );
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn poll_epoll_and_select_are_as_what_they_watch() {
        let mut fds = fake();
        let mut pollfds = Vec::new();
        for fd in [5i32, 3] {
            pollfds.extend_from_slice(&fd.to_ne_bytes());
            pollfds.extend_from_slice(&[1, 0, 0, 0]);
        }
        fds.memory.insert(0x1000, pollfds);
        assert_eq!(
            in_call(7, [0x1000, 2, 0, 0, 0, 0], &fds),
            Some(OffCpuCause::Net)
        );
        assert_eq!(
            in_call(7, [0, 0, 100, 0, 0, 0], &fds),
            Some(OffCpuCause::Sleep)
        );
        assert_eq!(
            in_call(7, [0x2000, 2, 0, 0, 0, 0], &fds),
            Some(OffCpuCause::Unknown(Unknown::NoAccess))
        );
        fds.epoll.insert(9, vec![5, 4]);
        assert_eq!(
            in_call(232, [9, 0, 0, 0, 0, 0], &fds),
            Some(OffCpuCause::Disk)
        );
        let mut bitmap = vec![0u8; 8];
        bitmap[0] = 1 << 5;
        fds.memory.insert(0x3000, bitmap);
        assert_eq!(
            in_call(23, [6, 0x3000, 0, 0, 0, 0], &fds),
            Some(OffCpuCause::Pipe)
        );
        assert_eq!(
            in_call(23, [0, 0, 0, 0, 0, 0], &fds),
            Some(OffCpuCause::Sleep)
        );
    }

    #[test]
    fn every_unknown_shares_one_leaf() {
        assert_eq!(
            OffCpuCause::Unknown(Unknown::Call(1)).leaf(),
            "[unknown wait]"
        );
        assert_eq!(OffCpuCause::Net.leaf(), "[net wait]");
    }
}
