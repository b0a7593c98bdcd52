//! A run as a child process: `boundscope run ... --events -`, its stdout parsed line by line on
//! a thread and sent to the UI loop, its stderr tail kept for error messages.

use crate::events::{Envelope, Event};
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the child's threads report to the UI loop.
#[derive(Debug)]
pub enum ChildMsg {
    Event(Box<Event>),
    /// The child ended; its exit code (None: killed by a signal) and stderr tail.
    Exited {
        code: Option<i32>,
        stderr: String,
    },
}

/// The UI's handle on a running child: its pid, to signal it.
#[derive(Debug)]
pub struct ChildRun {
    pub run: usize,
    pub pid: u32,
}

/// Starts `current_exe() <args>`; messages arrive on `tx` tagged with `run`.
pub fn spawn<M: Send + 'static>(
    run: usize,
    args: &[String],
    tx: Sender<M>,
    wrap: fn(usize, ChildMsg) -> M,
) -> std::io::Result<ChildRun> {
    let exe = std::env::current_exe()?;
    let mut command = Command::new(exe);
    crate::exec::die_with_parent(&mut command);
    let mut child = command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let pid = child.id();
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let tail = Arc::new(Mutex::new(String::new()));
    let tail_writer = tail.clone();
    let err_thread = std::thread::spawn(move || keep_tail(stderr, &tail_writer));
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let msg = match Envelope::parse_line(&line) {
                Ok(env) => ChildMsg::Event(Box::new(env.event)),
                Err(e) => ChildMsg::Event(Box::new(Event::Error { message: e })),
            };
            if tx.send(wrap(run, msg)).is_err() {
                break;
            }
        }
        let code = child.wait().ok().and_then(|s| s.code());
        let _ = err_thread.join();
        let stderr = tail.lock().map(|t| t.clone()).unwrap_or_default();
        let _ = tx.send(wrap(run, ChildMsg::Exited { code, stderr }));
    });
    Ok(ChildRun { run, pid })
}

/// Reads `from` to the end, keeping its last 4 KiB in `tail`.
fn keep_tail(mut from: impl Read, tail: &Mutex<String>) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 {
            break;
        }
        let Ok(mut t) = tail.lock() else { break };
        t.push_str(&String::from_utf8_lossy(&buf[..n]));
        if t.len() > 4096 {
            let cut = t.len() - 4096;
            let cut = (cut..t.len()).find(|&i| t.is_char_boundary(i)).unwrap_or(0);
            t.drain(..cut);
        }
    }
}

impl ChildRun {
    /// Asks the child to stop after the units in progress (SIGINT).
    pub fn interrupt(&self) {
        signal(self.pid, libc::SIGINT);
    }

    pub fn kill(&self) {
        signal(self.pid, libc::SIGKILL);
    }
}

fn signal(pid: u32, sig: i32) {
    // SAFETY: kill(2) with a pid of our own unreaped child has no memory effects.
    unsafe {
        libc::kill(pid as i32, sig);
    }
}

/// Waits until `exited` says yes or `limit` passes; true if it exited.
pub fn wait_until(limit: Duration, mut exited: impl FnMut(Duration) -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if exited(limit.saturating_sub(start.elapsed())) {
            return true;
        }
    }
    false
}
