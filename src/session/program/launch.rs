//! Starting the program `exec` observes and ending it cleanly: its own process group (so a
//! signal reaches all it started), killed with boundscope, Ctrl-C forwarded, then SIGTERM and
//! at last SIGKILL for a program that will not stop, and nothing of it left running.

use crate::model::ProgramExit;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a program has after each signal of its ending before the next, harder one.
pub const GRACE: Duration = Duration::from_secs(2);

/// Why the program could not be started.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("no command was given (boundscope exec [options] -- COMMAND ARGS...)")]
    Empty,
    #[error("command not found: {0}")]
    NotFound(String),
    #[error("{0} cannot be run (permission denied)")]
    Denied(String),
    #[error("could not start {command}")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
}

/// What the program prints is counted here, and passed on to boundscope's standard error
/// when `echo` is set (the command line); a viewer's run keeps it off the screen.
pub struct OutputWatch {
    pub pattern: Option<regex::Regex>,
    pub items: Arc<AtomicU64>,
    pub echo: bool,
}

/// A started program.
pub struct Program {
    child: Child,
    readers: Vec<JoinHandle<()>>,
    /// The signals sent so far to end it, and when the last went out.
    ending: Option<(Ending, Instant)>,
}

/// How far the ending of a program has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Interrupted,
    Terminated,
    Killed,
}

/// Starts `command` in a process group of its own, its standard input empty (a program in
/// a background group that read the terminal would be stopped), its output piped to the
/// readers of `watch`.
pub fn start(command: &[String], watch: OutputWatch) -> Result<Program, LaunchError> {
    let (program, args) = command.split_first().ok_or(LaunchError::Empty)?;
    let parent = std::process::id() as libc::pid_t;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    // SAFETY: between fork and exec only async-signal-safe calls (prctl, getppid, _exit).
    unsafe {
        cmd.pre_exec(move || {
            // Killed with the thread that started it, so boundscope killed leaves nothing.
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => LaunchError::NotFound(program.clone()),
        std::io::ErrorKind::PermissionDenied => LaunchError::Denied(program.clone()),
        _ => LaunchError::Spawn {
            command: program.clone(),
            source: e,
        },
    })?;
    let watch = Arc::new(watch);
    let mut readers = Vec::new();
    if let Some(out) = child.stdout.take() {
        readers.extend(read_lines(out, watch.clone(), false));
    }
    if let Some(err) = child.stderr.take() {
        readers.extend(read_lines(err, watch, true));
    }
    Ok(Program {
        child,
        readers,
        ending: None,
    })
}

/// Reads one of the program's outputs line by line until it closes (the program may close
/// it and go on: its end is told by its exit, not here).
fn read_lines(
    from: impl Read + Send + 'static,
    watch: Arc<OutputWatch>,
    is_stderr: bool,
) -> Option<JoinHandle<()>> {
    let name = if is_stderr {
        "bs-prog-err"
    } else {
        "bs-prog-out"
    };
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let mut reader = BufReader::new(from);
            let mut line = Vec::new();
            while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                count_progress(&watch, &line);
                if watch.echo {
                    let _ = std::io::stderr().write_all(&line);
                }
                line.clear();
            }
        })
        .ok()
}

/// Adds what one output line says was done: one item per match, or the number the
/// pattern's first group captures.
fn count_progress(watch: &OutputWatch, line: &[u8]) {
    let Some(pattern) = &watch.pattern else {
        return;
    };
    let text = String::from_utf8_lossy(line);
    let done: u64 = pattern
        .captures_iter(&text)
        .map(|c| match c.get(1) {
            Some(group) => group.as_str().trim().parse().unwrap_or(0),
            None => 1,
        })
        .sum();
    watch.items.fetch_add(done, Relaxed);
}

impl Program {
    /// The program's process id (its process group's too).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its end, once it has ended (it is reaped then).
    pub fn exited(&mut self) -> Option<ProgramExit> {
        let status = self.child.try_wait().ok()??;
        Some(match (status.code(), status.signal()) {
            (Some(code), _) => ProgramExit::Code(code),
            (None, Some(signal)) => ProgramExit::Signal(signal),
            (None, None) => ProgramExit::Code(-1),
        })
    }

    /// Moves the ending of an interrupted run on: Ctrl-C is passed to the program's group at
    /// once, SIGTERM follows after [`GRACE`], SIGKILL after another.
    pub fn press_end(&mut self) {
        let next = match self.ending {
            None => Some(Ending::Interrupted),
            Some((stage, since)) if since.elapsed() >= GRACE => match stage {
                Ending::Interrupted => Some(Ending::Terminated),
                Ending::Terminated | Ending::Killed => Some(Ending::Killed),
            },
            Some(_) => None,
        };
        if let Some(stage) = next {
            let signal = match stage {
                Ending::Interrupted => libc::SIGINT,
                Ending::Terminated => libc::SIGTERM,
                Ending::Killed => libc::SIGKILL,
            };
            self.signal_group(signal);
            self.ending = Some((stage, Instant::now()));
        }
    }

    /// Whether the program had to be killed (it ignored SIGINT and SIGTERM).
    pub fn was_killed(&self) -> bool {
        matches!(self.ending, Some((Ending::Killed, _)))
    }

    fn signal_group(&self, signal: libc::c_int) {
        // SAFETY: a plain system call on the group this program leads.
        unsafe {
            libc::kill(-(self.child.id() as libc::pid_t), signal);
        }
    }

    /// After the program ended: what it left running in its group gets SIGTERM, then
    /// SIGKILL after a short grace, and the output readers are joined. Returns how many
    /// processes were still there.
    pub fn sweep(mut self) -> usize {
        let left = group_members(self.child.id());
        if !left.is_empty() {
            self.signal_group(libc::SIGTERM);
            let deadline = Instant::now() + GRACE / 4;
            while Instant::now() < deadline && !group_members(self.child.id()).is_empty() {
                std::thread::sleep(Duration::from_millis(20));
            }
            self.signal_group(libc::SIGKILL);
        }
        // The readers end when the last holder of the pipes is gone.
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        left.len()
    }
}

impl Drop for Program {
    /// A program is never left behind: if it runs still (the run failed, or panicked), its
    /// group is killed and it is reaped.
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.signal_group(libc::SIGKILL);
            let _ = self.child.wait();
        }
    }
}

/// The live processes of process group `pgid` (zombies, already ended, are not counted).
fn group_members(pgid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // After the name's closing parenthesis: state, ppid, pgrp.
            let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
                return false;
            };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            fields.first() != Some(&"Z") && fields.get(2) == Some(&pgid.to_string().as_str())
        })
        .collect()
}
