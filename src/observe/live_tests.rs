//! The observer on real threads: threads of this test process blocked in real system calls
//! (a socket read, poll, select and epoll over a socket, a lock, a pipe, a sleep) are told
//! apart as the kernel shows them, and a shell's process tree is followed.

use super::fd::ProcFds;
use super::procfs::{read_stat, read_syscall, ThreadId};
use super::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

fn this_thread() -> ThreadId {
    // SAFETY: getpid and gettid have no preconditions.
    let (pid, tid) = unsafe { (libc::getpid(), libc::gettid()) };
    ThreadId {
        pid: pid as u32,
        tid: tid as u32,
    }
}

/// The cause the observer gives thread `id`, read until it is `want` (a thread takes a moment
/// to reach its blocking call) or 10 s have passed; the last one seen.
fn cause_of(id: ThreadId, want: OffCpuCause) -> Option<OffCpuCause> {
    let fds = ProcFds { pid: id.pid };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let cause = read_stat(id)
            .ok()
            .and_then(|stat| classify(stat.state, read_syscall(id).as_ref(), &fds));
        if cause == Some(want) || Instant::now() > deadline {
            return cause;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Runs `block` on a thread of its own, checks the observer's cause for it, then `release`s it.
fn blocked_is(want: OffCpuCause, block: impl FnOnce() + Send + 'static, release: impl FnOnce()) {
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        tx.send(this_thread()).expect("send the thread id");
        block();
    });
    let id = rx.recv().expect("the thread's id");
    let seen = cause_of(id, want);
    release();
    worker.join().expect("the blocked thread ends");
    assert_eq!(seen, Some(want));
}

/// A connected pair of loopback sockets.
fn socket_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let client = TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
    let (server, _) = listener.accept().expect("accept");
    client
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    (client, server)
}

#[test]
fn a_socket_read_is_a_network_wait() {
    let (mut client, mut server) = socket_pair();
    let block = move || {
        let _ = client.read(&mut [0u8; 1]);
    };
    blocked_is(OffCpuCause::Net, block, || {
        server.write_all(b"x").expect("wake the reader");
    });
}

#[test]
fn poll_select_and_epoll_over_a_socket_are_network_waits() {
    type Waiter = fn(i32);
    let waiters: [Waiter; 3] = [poll_on, select_on, epoll_on];
    for wait in waiters {
        let (client, mut server) = socket_pair();
        let fd = client.as_raw_fd();
        blocked_is(
            OffCpuCause::Net,
            move || wait(fd),
            || {
                server.write_all(b"x").expect("wake the waiter");
            },
        );
        drop(client);
    }
}

fn poll_on(fd: i32) {
    let mut entry = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    unsafe { libc::poll(&mut entry, 1, 20_000) };
}

fn select_on(fd: i32) {
    // SAFETY: an fd_set zeroed then set through libc's own macros; fd is below FD_SETSIZE in a
    // test process.
    unsafe {
        let mut set: libc::fd_set = std::mem::zeroed();
        libc::FD_SET(fd, &mut set);
        let mut timeout = libc::timeval {
            tv_sec: 20,
            tv_usec: 0,
        };
        let none = std::ptr::null_mut();
        libc::select(fd + 1, &mut set, none, none, &mut timeout);
    }
}

fn epoll_on(fd: i32) {
    // SAFETY: a fresh epoll set watching one open descriptor, closed after the wait.
    unsafe {
        let epfd = libc::epoll_create1(0);
        let mut event = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: 0,
        };
        libc::epoll_ctl(epfd, libc::EPOLL_CTL_ADD, fd, &mut event);
        libc::epoll_wait(epfd, &mut event, 1, 20_000);
        libc::close(epfd);
    }
}

#[test]
fn a_thread_waiting_for_a_held_lock_is_a_lock_wait() {
    let lock = Arc::new(Mutex::new(()));
    let held = lock.lock().expect("hold the lock");
    let waiter = lock.clone();
    let block = move || drop(waiter.lock());
    blocked_is(OffCpuCause::Lock { timed: false }, block, || drop(held));
}

#[test]
fn a_pipe_read_is_a_pipe_wait_and_a_sleep_is_a_sleep() {
    let mut ends = [0i32; 2];
    // SAFETY: `ends` has room for the two descriptors.
    assert_eq!(unsafe { libc::pipe(ends.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just opened and are owned by these files alone.
    let (mut reader, mut writer) = unsafe {
        (
            std::fs::File::from_raw_fd(ends[0]),
            std::fs::File::from_raw_fd(ends[1]),
        )
    };
    let block = move || {
        let _ = reader.read(&mut [0u8; 1]);
    };
    blocked_is(OffCpuCause::Pipe, block, || {
        writer.write_all(b"x").expect("wake the reader");
    });
    let sleep = || thread::sleep(Duration::from_millis(1500));
    blocked_is(OffCpuCause::Sleep, sleep, || {});
}

#[test]
fn a_thread_on_the_cpu_has_no_wait() {
    let me = this_thread();
    let stat = read_stat(me).expect("own stat");
    let fds = ProcFds { pid: me.pid };
    assert_eq!(classify(stat.state, read_syscall(me).as_ref(), &fds), None);
}

#[test]
fn the_observer_follows_a_process_tree_and_books_every_thread() {
    let mut shell = std::process::Command::new("sh")
        .args(["-c", "sleep 1 & sleep 1; wait"])
        .spawn()
        .expect("start sh");
    let mut observer = Observer::new(shell.id());
    let mut most = Found::default();
    for _ in 0..8 {
        thread::sleep(Duration::from_millis(100));
        let found = observer.read();
        most.processes = most.processes.max(found.processes);
    }
    shell.wait().expect("sh ends");
    assert!(most.processes >= 3, "sh and its two sleeps: {most:?}");
    let sleeps: Vec<&ThreadLedger> = observer
        .threads()
        .map(|(_, t)| t)
        .filter(|t| t.process == "sleep")
        .collect();
    assert_eq!(sleeps.len(), 2, "one thread each");
    for ledger in observer.threads().map(|(_, t)| t) {
        let parts = ledger.cpu_ns + ledger.runqueue_ns + ledger.off_cpu_ns();
        assert_eq!(parts, ledger.wall_ns, "{} adds up", ledger.process);
    }
    for sleep in sleeps {
        let asleep = sleep.off_cpu.get(&OffCpuCause::Sleep).copied().unwrap_or(0);
        assert!(asleep * 2 > sleep.wall_ns, "mostly asleep: {sleep:?}");
    }
}
