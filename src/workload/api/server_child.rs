//! Starts the API server as a child process (`<this binary> serve-api ...`), so that the
//! server's CPU time stays out of the workload's profile, and stops it when dropped.
//!
//! The child is told `--exit-on-stdin-close` and gets a pipe as its standard input: should
//! this process die without running `Drop`, the pipe closes and the server exits too.

use super::serve_args::config_to_args;
use crate::server::ServerConfig;
use crate::workload::WorkloadError;
use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long the child may take to print its `listening on` line.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// A running child server.
pub struct ServerChild {
    child: Child,
    /// Kept open: closing it tells the child to exit.
    _stdin: Option<ChildStdin>,
    url: String,
}

/// Extracts `http://ADDR` from the server's `listening on http://ADDR` line.
pub fn parse_listening_line(line: &str) -> Option<String> {
    let rest = line.trim().strip_prefix("listening on http://")?;
    let addr: SocketAddr = rest.trim_end_matches('/').parse().ok()?;
    Some(format!("http://{addr}"))
}

/// The command that starts this binary's `serve-api` with `config`'s faults on a free
/// loopback port.
pub fn serve_command(config: &ServerConfig) -> Result<Command, WorkloadError> {
    let exe = std::env::current_exe()
        .map_err(|e| WorkloadError::io("cannot find this program to start the API server", e))?;
    let child_config = ServerConfig {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        allow_remote: false,
        stop_on_stdin_eof: true,
        ..config.clone()
    };
    let mut command = Command::new(exe);
    command.arg("serve-api").args(config_to_args(&child_config));
    // Its own process group: a Ctrl-C at the terminal must not take the server down under
    // requests still in flight; the workload stops it when it is done.
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    crate::proc::die_with_parent(&mut command);
    Ok(command)
}

impl ServerChild {
    /// Starts `<this binary> serve-api` with `config`'s faults.
    pub fn spawn(config: &ServerConfig) -> Result<ServerChild, WorkloadError> {
        ServerChild::spawn_command(serve_command(config)?)
    }

    /// Starts `command` and waits for its `listening on http://ADDR` line.
    pub fn spawn_command(mut command: Command) -> Result<ServerChild, WorkloadError> {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(|e| WorkloadError::io("cannot start the API server process", e))?;
        let stdin = child.stdin.take();
        let ready = match child.stdout.take() {
            Some(stdout) => wait_for_ready_line(stdout, READY_TIMEOUT),
            None => Err(NotReady::NoOutput),
        };
        match ready {
            Ok(url) => Ok(ServerChild {
                child,
                _stdin: stdin,
                url,
            }),
            Err(why) => Err(WorkloadError::Other(failed_start(&mut child, &why))),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// Why the server child gave no listening line.
#[derive(Debug, thiserror::Error)]
enum NotReady {
    #[error("its output could not be read")]
    NoOutput,
    #[error("it exited without a listening line (output: {0:?})")]
    Exited(Vec<String>),
    #[error("cannot watch its output: {0}")]
    Watch(#[source] std::io::Error),
    #[error("no listening line within {0}s")]
    Timeout(u64),
}

/// Stops a child that failed to start and describes why, with what it wrote to stderr.
fn failed_start(child: &mut Child, why: &NotReady) -> String {
    let _ = child.kill();
    let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    let stderr = stderr.trim();
    let mut message = format!("the API server process did not start: {why} ({status})");
    if !stderr.is_empty() {
        message.push_str(&format!("; it said: {stderr}"));
    }
    message
}

/// Reads lines on a helper thread until the ready line, EOF or `timeout`. After the ready
/// line the thread keeps draining the child's output so it never blocks on a full pipe.
fn wait_for_ready_line(
    stdout: impl Read + Send + 'static,
    timeout: Duration,
) -> Result<String, NotReady> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("bs-api-child".into())
        .spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let mut seen = Vec::new();
            for line in lines.by_ref().map_while(Result::ok) {
                if let Some(url) = parse_listening_line(&line) {
                    let _ = tx.send(Ok(url));
                    lines.for_each(drop);
                    return;
                }
                seen.push(line);
            }
            let _ = tx.send(Err(NotReady::Exited(seen)));
        })
        .map_err(NotReady::Watch)?;
    match rx.recv_timeout(timeout) {
        Ok(result) => result,
        Err(_) => Err(NotReady::Timeout(timeout.as_secs())),
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listening_lines_are_parsed() {
        assert_eq!(
            parse_listening_line("listening on http://127.0.0.1:4321\n").as_deref(),
            Some("http://127.0.0.1:4321")
        );
        assert_eq!(
            parse_listening_line("listening on http://[::1]:80").as_deref(),
            Some("http://[::1]:80")
        );
        assert_eq!(parse_listening_line("listening on http://nowhere"), None);
        assert_eq!(parse_listening_line("starting up"), None);
    }

    #[test]
    fn serve_command_asks_for_a_loopback_child_that_dies_with_its_parent() {
        let config = ServerConfig {
            addr: "0.0.0.0:8080".parse().expect("literal"),
            allow_remote: true,
            error_rate: 0.25,
            ..ServerConfig::default()
        };
        let command = serve_command(&config).expect("current exe known");
        let args: Vec<String> = command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(args[0], "serve-api");
        assert!(args.contains(&"--addr=127.0.0.1:0".to_string()), "{args:?}");
        assert!(args.contains(&"--error-rate=0.25".to_string()));
        assert!(args.contains(&"--exit-on-stdin-close".to_string()));
        assert!(!args.contains(&"--allow-remote".to_string()));
    }

    #[test]
    fn a_child_that_prints_its_address_is_ready_and_killed_on_drop() {
        let mut command = Command::new("sh");
        command.args([
            "-c",
            "echo booting; echo 'listening on http://127.0.0.1:4321'; exec sleep 30",
        ]);
        let child = ServerChild::spawn_command(command).expect("fake server starts");
        assert_eq!(child.url(), "http://127.0.0.1:4321");
        let proc_path = format!("/proc/{}", child.pid());
        assert!(std::path::Path::new(&proc_path).exists());
        drop(child);
        assert!(!std::path::Path::new(&proc_path).exists(), "child reaped");
    }

    #[test]
    fn a_child_that_fails_is_reported_with_its_stderr() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo 'cannot listen on 127.0.0.1:0' >&2; exit 3"]);
        let err = ServerChild::spawn_command(command)
            .err()
            .expect("start fails");
        let text = err.to_string();
        assert!(
            text.contains("cannot listen") && text.contains('3'),
            "{text}"
        );
    }
}
