//! Child processes of this binary (or any program): started with a spec on standard input,
//! their stdout read as event lines, a bounded tail of their stderr kept, their exit told in
//! words, and signals sent only while the child is known not to be reaped.
//!
//! Used by the `processes` executor (one child per shard) and by the terminal UI (one child
//! per run). A spec travels through the pipe, never the command line: a command line is
//! readable by every local user (`ps`), and a spec may hold a database password.

use crate::events::{Envelope, EventError};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

#[cfg(test)]
#[path = "child_tests.rs"]
mod tests;

/// How much of a child's stderr is kept: its end, where the reason it stopped is.
pub const STDERR_TAIL_BYTES: usize = 4096;

/// How often a waiting caller looks whether the child has ended (the lock that guards
/// signals is never held while waiting).
const REAP_POLL: Duration = Duration::from_millis(10);

#[derive(Debug, thiserror::Error)]
pub enum ChildError {
    #[error("could not find this program to re-run: {0}")]
    NoProgram(#[source] std::io::Error),
    #[error("could not write the child's spec: {0}")]
    Encode(#[source] serde_json::Error),
    #[error("could not start the child process: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("could not send the child process its spec: {0}")]
    SendSpec(#[source] std::io::Error),
    #[error("the child process has no pipe to its {0}")]
    NoPipe(&'static str),
    /// The child was reaped: its pid may be another process's now, so nothing is sent.
    #[error("the child process has already ended; it was not signalled")]
    Ended,
    #[error("could not signal the child process: {0}")]
    Signal(#[source] std::io::Error),
}

/// A signal the caller may send to its child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT: stop after the units in progress, and still report.
    Interrupt,
    /// SIGKILL: stop now.
    Kill,
}

impl Signal {
    fn number(self) -> libc::c_int {
        match self {
            Signal::Interrupt => libc::SIGINT,
            Signal::Kill => libc::SIGKILL,
        }
    }
}

/// What to start: a command, the bytes written to its standard input first, and whether
/// its standard input stays open afterwards (for later lines, such as `processes`' "go").
pub struct Launch {
    command: Command,
    input: Vec<u8>,
    keep_stdin: bool,
}

impl Launch {
    /// This binary with `args` (words that hold no secret); the child dies with this process.
    pub fn this_binary(args: &[&str]) -> Result<Launch, ChildError> {
        let program = std::env::current_exe().map_err(ChildError::NoProgram)?;
        let mut command = Command::new(program);
        crate::proc::die_with_parent(&mut command);
        command.args(args);
        Ok(Launch::command(command))
    }

    /// Any command (tests start a shell).
    pub fn command(command: Command) -> Launch {
        Launch {
            command,
            input: Vec::new(),
            keep_stdin: false,
        }
    }

    /// Sends `spec` as one JSON line, the first thing the child reads.
    pub fn with_spec(mut self, spec: &impl serde::Serialize) -> Result<Launch, ChildError> {
        self.input = serde_json::to_vec(spec).map_err(ChildError::Encode)?;
        self.input.push(b'\n');
        Ok(self)
    }

    /// Keeps the child's standard input open after the spec (see [`ChildProcess::stdin`]).
    pub fn keep_stdin(mut self) -> Launch {
        self.keep_stdin = true;
        self
    }

    /// The command, for its environment or process group.
    pub fn command_mut(&mut self) -> &mut Command {
        &mut self.command
    }

    /// Starts the child and writes its spec.
    pub fn spawn(mut self) -> Result<ChildProcess, ChildError> {
        self.command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.command.spawn().map_err(ChildError::Spawn)?;
        let (stdin, stdout, stderr) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take());
        let handle = ChildHandle(Arc::new(Mutex::new(Some(child))));
        let (Some(mut stdin), Some(stdout), Some(stderr)) = (stdin, stdout, stderr) else {
            handle.kill_and_reap();
            return Err(ChildError::NoPipe("standard streams"));
        };
        // A spec longer than the pipe holds waits for the child to read it: its first act.
        if let Err(e) = stdin.write_all(&self.input).and_then(|()| stdin.flush()) {
            handle.kill_and_reap();
            return Err(ChildError::SendSpec(e));
        }
        let tail = Arc::new(Mutex::new(StderrTail::default()));
        let writer = tail.clone();
        let stderr_reader = std::thread::spawn(move || keep_tail(stderr, &writer));
        Ok(ChildProcess {
            handle,
            stdin: self.keep_stdin.then_some(stdin),
            stdout: Some(stdout),
            stderr_reader: Some(stderr_reader),
            tail,
        })
    }
}

/// A started child: its pipes, and the handle that signals it.
pub struct ChildProcess {
    handle: ChildHandle,
    stdin: Option<ChildStdin>,
    stdout: Option<ChildStdout>,
    stderr_reader: Option<JoinHandle<()>>,
    tail: Arc<Mutex<StderrTail>>,
}

impl ChildProcess {
    /// A handle that signals the child from any thread, until it is reaped.
    pub fn handle(&self) -> ChildHandle {
        self.handle.clone()
    }

    /// The child's standard input, when the launch kept it open.
    pub fn stdin(&mut self) -> Option<&mut ChildStdin> {
        self.stdin.as_mut()
    }

    /// Closes the child's standard input (it then reads end of input).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The child's stdout as event envelopes, line by line, until it closes; a line that is
    /// not an event gives its parse error. Empty after the first call.
    pub fn events(&mut self) -> impl Iterator<Item = Result<Envelope, EventError>> {
        let lines = self.stdout.take().map(|s| BufReader::new(s).lines());
        lines
            .into_iter()
            .flatten()
            .map_while(Result::ok)
            .map(|line| Envelope::parse_line(&line))
    }

    /// Waits for the child to end and reaps it; its stderr tail comes with the exit.
    pub fn wait(mut self) -> ChildExit {
        self.stdin = None;
        drop(self.stdout.take());
        let status = self.handle.reap();
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        let stderr = self.tail.lock().map(|t| t.clone()).unwrap_or_default();
        ChildExit { status, stderr }
    }
}

/// Signals one child. The process is owned by one lock: it is reaped, and taken out, under
/// the lock, and signals are sent under the same lock only while it is still there, so a
/// signal never reaches a pid the system has handed to another process since.
#[derive(Debug, Clone)]
pub struct ChildHandle(Arc<Mutex<Option<Child>>>);

impl ChildHandle {
    /// Sends `signal`; [`ChildError::Ended`] once the child has been reaped.
    pub fn signal(&self, signal: Signal) -> Result<(), ChildError> {
        let slot = self.0.lock().map_err(|_| ChildError::Ended)?;
        let child = slot.as_ref().ok_or(ChildError::Ended)?;
        let pid = libc::pid_t::try_from(child.id())
            .map_err(|e| ChildError::Signal(std::io::Error::other(e)))?;
        // SAFETY: kill(2) has no memory effects; the pid is our child's and, while the lock
        // is held and the child is in the slot, not yet reaped, so it cannot have been reused.
        match unsafe { libc::kill(pid, signal.number()) } {
            0 => Ok(()),
            _ => Err(ChildError::Signal(std::io::Error::last_os_error())),
        }
    }

    /// Waits for the child to end and reaps it, taking it out of the slot in the same
    /// critical section; polls so that the lock is never held while waiting.
    fn reap(&self) -> Option<ExitStatus> {
        loop {
            {
                let mut slot = self.0.lock().ok()?;
                let child = slot.as_mut()?;
                match child.try_wait() {
                    Ok(Some(status)) => {
                        *slot = None;
                        return Some(status);
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

    fn kill_and_reap(&self) {
        if let Ok(mut slot) = self.0.lock() {
            if let Some(mut child) = slot.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// How a child ended, and the end of what it wrote to stderr.
#[derive(Debug, Clone)]
pub struct ChildExit {
    /// `None` when it could not be waited for.
    pub status: Option<ExitStatus>,
    pub stderr: StderrTail,
}

impl ChildExit {
    /// The exit code; `None` when a signal ended it (or it could not be waited for).
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    /// `exited with status 3`, `was killed by signal 9 (SIGKILL)`.
    pub fn describe(&self) -> String {
        describe_status(self.status)
    }
}

/// The words for an exit status: its code, or the signal that ended it with its name.
pub fn describe_status(status: Option<ExitStatus>) -> String {
    match status {
        Some(s) => match (s.signal(), s.code()) {
            (Some(signal), _) => match signal_name(signal) {
                Some(name) => format!("was killed by signal {signal} ({name})"),
                None => format!("was killed by signal {signal}"),
            },
            (None, Some(code)) => format!("exited with status {code}"),
            (None, None) => "ended without a status".to_string(),
        },
        None => "could not be waited for".to_string(),
    }
}

/// The names of the signals that usually end a process.
fn signal_name(signal: i32) -> Option<&'static str> {
    let names = [
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGINT, "SIGINT"),
        (libc::SIGQUIT, "SIGQUIT"),
        (libc::SIGILL, "SIGILL"),
        (libc::SIGABRT, "SIGABRT"),
        (libc::SIGBUS, "SIGBUS"),
        (libc::SIGFPE, "SIGFPE"),
        (libc::SIGKILL, "SIGKILL"),
        (libc::SIGSEGV, "SIGSEGV"),
        (libc::SIGPIPE, "SIGPIPE"),
        (libc::SIGALRM, "SIGALRM"),
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGXCPU, "SIGXCPU"),
    ];
    names
        .into_iter()
        .find_map(|(number, name)| (number == signal).then_some(name))
}

/// The last [`STDERR_TAIL_BYTES`] a child wrote to stderr.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StderrTail(String);

impl StderrTail {
    /// Appends `text`, dropping the oldest bytes beyond the bound (at a character boundary).
    pub fn push(&mut self, text: &str) {
        self.0.push_str(text);
        if self.0.len() > STDERR_TAIL_BYTES {
            let cut = self.0.len() - STDERR_TAIL_BYTES;
            let cut = (cut..self.0.len())
                .find(|&i| self.0.is_char_boundary(i))
                .unwrap_or(self.0.len());
            self.0.drain(..cut);
        }
    }

    pub fn text(&self) -> &str {
        &self.0
    }

    /// The last `n` lines that say something, joined by ` / ` (one line for a message).
    pub fn last_lines(&self, n: usize) -> String {
        let lines: Vec<&str> = self.0.lines().filter(|l| !l.trim().is_empty()).collect();
        lines[lines.len().saturating_sub(n)..].join(" / ")
    }
}

/// Reads `from` to the end, keeping its tail.
fn keep_tail(mut from: impl Read, tail: &Mutex<StderrTail>) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 {
            break;
        }
        let Ok(mut t) = tail.lock() else { break };
        t.push(&String::from_utf8_lossy(&buf[..n]));
    }
}
