//! A run as a child process: `boundscope run ... --events -`, its stdout parsed line by line on
//! a thread and sent to the UI loop, its stderr tail kept for error messages.

use crate::events::{Envelope, Event};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
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

/// The UI's handle on a running child. The process is owned by one lock: the reaper takes
/// it out (and reaps it) under the lock, and signals are sent under the same lock only while
/// it is still there, so a signal never reaches a pid the system has already handed to
/// another process.
#[derive(Debug)]
pub struct ChildRun {
    pub run: usize,
    owner: Arc<Mutex<Option<Child>>>,
}

/// How often the reaper looks whether the child has ended, once its output has closed.
const REAP_POLL: Duration = Duration::from_millis(10);

/// Starts `current_exe() <args>`; messages arrive on `tx` tagged with `run`.
pub fn spawn<M: Send + 'static>(
    run: usize,
    args: &[String],
    tx: Sender<M>,
    wrap: fn(usize, ChildMsg) -> M,
) -> std::io::Result<ChildRun> {
    let mut command = Command::new(std::env::current_exe()?);
    crate::exec::die_with_parent(&mut command);
    let (args, password) = password_off_the_command_line(args);
    command.args(args);
    if let Some(password) = password {
        command.env(crate::db::target::PASSWORD_ENV, password);
    }
    spawn_command(run, command, tx, wrap)
}

/// `args` with a `--db` URL's password taken out, and that password: the child reads it from
/// `PGPASSWORD`, which only its own user can see, where `ps` shows a command line to all.
fn password_off_the_command_line(args: &[String]) -> (Vec<String>, Option<String>) {
    let mut password = None;
    let mut out = Vec::with_capacity(args.len());
    for (i, arg) in args.iter().enumerate() {
        let after_db = i > 0 && args[i - 1] == "--db";
        match crate::db::target::split_password(arg).filter(|_| after_db) {
            Some((bare, secret)) => {
                out.push(bare);
                password = Some(secret);
            }
            None => out.push(arg.clone()),
        }
    }
    (out, password)
}

/// Starts `command` with piped output; its stdout lines are events for `tx`.
fn spawn_command<M: Send + 'static>(
    run: usize,
    mut command: Command,
    tx: Sender<M>,
    wrap: fn(usize, ChildMsg) -> M,
) -> std::io::Result<ChildRun> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(std::io::Error::other("the child has no output pipes"));
    };
    let owner = Arc::new(Mutex::new(Some(child)));
    let reaper = owner.clone();
    let tail = Arc::new(Mutex::new(String::new()));
    let tail_writer = tail.clone();
    let err_thread = std::thread::spawn(move || keep_tail(stderr, &tail_writer));
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let msg = match Envelope::parse_line(&line) {
                Ok(env) => ChildMsg::Event(Box::new(env.event)),
                Err(e) => ChildMsg::Event(Box::new(Event::Error {
                    message: e.to_string(),
                })),
            };
            if tx.send(wrap(run, msg)).is_err() {
                break;
            }
        }
        let code = reap(&reaper);
        let _ = err_thread.join();
        let stderr = tail.lock().map(|t| t.clone()).unwrap_or_default();
        let _ = tx.send(wrap(run, ChildMsg::Exited { code, stderr }));
    });
    Ok(ChildRun { run, owner })
}

/// Waits for the child to end and reaps it, taking it out of `owner` in the same critical
/// section; polls so that the lock is never held while waiting.
fn reap(owner: &Mutex<Option<Child>>) -> Option<i32> {
    loop {
        {
            let Ok(mut slot) = owner.lock() else {
                return None;
            };
            let child = slot.as_mut()?;
            match child.try_wait() {
                Ok(Some(status)) => {
                    *slot = None;
                    return status.code();
                }
                Ok(None) => {}
                Err(_) => {
                    *slot = None;
                    return None;
                }
            }
        }
        std::thread::sleep(REAP_POLL);
    }
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
    /// Asks the child to stop after the units in progress (SIGINT). False when it had
    /// already ended (nothing was signalled).
    pub fn interrupt(&self) -> bool {
        self.signal(libc::SIGINT)
    }

    /// Kills the child (SIGKILL); false when it had already ended.
    pub fn kill(&self) -> bool {
        self.signal(libc::SIGKILL)
    }

    fn signal(&self, sig: i32) -> bool {
        let Ok(slot) = self.owner.lock() else {
            return false;
        };
        let Some(child) = slot.as_ref() else {
            return false;
        };
        // SAFETY: kill(2) has no memory effects; the pid is our child's and, while the lock
        // is held and the child is in the slot, not yet reaped, so it cannot have been reused.
        unsafe { libc::kill(child.id() as i32, sig) == 0 }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_db_password_goes_to_the_environment_not_the_arguments() {
        let args: Vec<String> = ["run", "csv-import", "--db", "postgres://u:s3cret@h/db"]
            .map(String::from)
            .to_vec();
        let (out, password) = password_off_the_command_line(&args);
        assert_eq!(out[3], "postgres://u@h/db");
        assert!(!out.join(" ").contains("s3cret"));
        assert_eq!(password.as_deref(), Some("s3cret"));
        let plain: Vec<String> = ["run", "--db", "sqlite"].map(String::from).to_vec();
        assert_eq!(password_off_the_command_line(&plain), (plain.clone(), None));
    }
    use std::sync::mpsc::channel;

    fn tag(_run: usize, msg: ChildMsg) -> ChildMsg {
        msg
    }

    /// Once the reaper has reported the exit, the pid may belong to another process: the
    /// handle must not signal it any more.
    #[test]
    fn an_ended_child_is_never_signalled() {
        let (tx, rx) = channel();
        let mut command = Command::new("sh");
        command.args(["-c", "exit 3"]);
        let c = spawn_command(1, command, tx, tag).expect("spawn sh");
        let exited = rx
            .iter()
            .find_map(|m| match m {
                ChildMsg::Exited { code, .. } => Some(code),
                ChildMsg::Event(_) => None,
            })
            .expect("an exit message");
        assert_eq!(exited, Some(3));
        assert!(!c.interrupt(), "no SIGINT after the reap");
        assert!(!c.kill(), "no SIGKILL after the reap");
    }

    #[test]
    fn a_running_child_is_signalled_and_reaped() {
        let (tx, rx) = channel();
        let mut command = Command::new("sleep");
        command.arg("30");
        let c = spawn_command(2, command, tx, tag).expect("spawn sleep");
        assert!(c.kill(), "a live child takes the signal");
        let exited = rx.iter().find_map(|m| match m {
            ChildMsg::Exited { code, .. } => Some(code),
            ChildMsg::Event(_) => None,
        });
        assert_eq!(exited, Some(None), "killed by a signal: no exit code");
        assert!(!c.kill());
    }
}
