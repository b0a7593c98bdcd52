//! A run as a child process, started through the shared child helper: `boundscope __run` with
//! its typed request on stdin, or (a scenario or sweep line) `boundscope run WORDS --events -`;
//! its events go to the UI loop from a thread, then its exit with the stderr tail.

use super::state::RunLaunch;
use crate::events::Event;
use crate::session::child::{ChildError, ChildHandle, Launch, Signal};
use std::sync::mpsc::Sender;
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

/// The UI's handle on a running child: signals reach it only until it is reaped.
#[derive(Debug)]
pub struct ChildRun {
    pub run: usize,
    handle: ChildHandle,
}

/// Starts `launch`; messages arrive on `tx` tagged with `run`.
pub fn spawn<M: Send + 'static>(
    run: usize,
    launch: &RunLaunch,
    tx: Sender<M>,
    wrap: fn(usize, ChildMsg) -> M,
) -> Result<ChildRun, ChildError> {
    let launch = match launch {
        // The request may hold a database password: it travels in the pipe.
        RunLaunch::Request(request) => Launch::this_binary(&["__run"])?.with_spec(request)?,
        RunLaunch::Words(args) => words_launch(args)?,
    };
    spawn_launch(run, launch, tx, wrap)
}

/// `boundscope <args>` with a `--db` URL's password taken out of the words and put in
/// `PGPASSWORD`, which only the user's own processes can read, where `ps` shows a command
/// line to all.
fn words_launch(args: &[String]) -> Result<Launch, ChildError> {
    let (args, password) = password_off_the_command_line(args);
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut launch = Launch::this_binary(&words)?;
    if let Some(password) = password {
        launch
            .command_mut()
            .env(crate::db::target::PASSWORD_ENV, password);
    }
    Ok(launch)
}

/// `args` with a `--db` URL's password taken out, and that password.
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

/// Starts `launch`; its stdout lines are events for `tx`, then its exit.
fn spawn_launch<M: Send + 'static>(
    run: usize,
    launch: Launch,
    tx: Sender<M>,
    wrap: fn(usize, ChildMsg) -> M,
) -> Result<ChildRun, ChildError> {
    let mut child = launch.spawn()?;
    let handle = child.handle();
    std::thread::spawn(move || {
        for parsed in child.events() {
            let event = match parsed {
                Ok(envelope) => envelope.event,
                Err(e) => Event::Error {
                    message: e.to_string(),
                },
            };
            if tx
                .send(wrap(run, ChildMsg::Event(Box::new(event))))
                .is_err()
            {
                break;
            }
        }
        let exit = child.wait();
        let stderr = exit.stderr.text().to_string();
        let code = exit.code();
        let _ = tx.send(wrap(run, ChildMsg::Exited { code, stderr }));
    });
    Ok(ChildRun { run, handle })
}

impl ChildRun {
    /// Asks the child to stop after the units in progress (SIGINT). False when it had
    /// already ended (nothing was signalled).
    pub fn interrupt(&self) -> bool {
        self.handle.signal(Signal::Interrupt).is_ok()
    }

    /// Kills the child (SIGKILL); false when it had already ended.
    pub fn kill(&self) -> bool {
        self.handle.signal(Signal::Kill).is_ok()
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
    use std::process::Command;
    use std::sync::mpsc::channel;

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

    fn tag(_run: usize, msg: ChildMsg) -> ChildMsg {
        msg
    }

    fn shell(script: &str) -> Launch {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        Launch::command(command)
    }

    /// Once the reaper has reported the exit, the pid may belong to another process: the
    /// handle must not signal it any more.
    #[test]
    fn an_ended_child_is_never_signalled() {
        let (tx, rx) = channel();
        let c = spawn_launch(1, shell("echo oops >&2; exit 3"), tx, tag).expect("spawn sh");
        let exited = rx
            .iter()
            .find_map(|m| match m {
                ChildMsg::Exited { code, stderr } => Some((code, stderr)),
                ChildMsg::Event(_) => None,
            })
            .expect("an exit message");
        assert_eq!(exited, (Some(3), "oops\n".to_string()));
        assert!(!c.interrupt(), "no SIGINT after the reap");
        assert!(!c.kill(), "no SIGKILL after the reap");
    }

    #[test]
    fn a_running_child_is_signalled_and_reaped() {
        let (tx, rx) = channel();
        let c = spawn_launch(2, shell("exec sleep 30"), tx, tag).expect("spawn sleep");
        assert!(c.kill(), "a live child takes the signal");
        let exited = rx.iter().find_map(|m| match m {
            ChildMsg::Exited { code, .. } => Some(code),
            ChildMsg::Event(_) => None,
        });
        assert_eq!(exited, Some(None), "killed by a signal: no exit code");
        assert!(!c.kill());
    }

    #[test]
    fn a_line_that_is_not_an_event_reaches_the_ui_as_an_error() {
        let (tx, rx) = channel();
        spawn_launch(3, shell("echo garbage"), tx, tag).expect("spawn sh");
        let first = rx.recv().expect("a message");
        assert!(
            matches!(&first, ChildMsg::Event(e) if matches!(**e, Event::Error { .. })),
            "{first:?}"
        );
    }
}
