//! `open` of a recording never hangs: a damaged one (a tick at 1e308 s) is refused at once,
//! and a good one in the terminal UI (driven in tmux) ends on `q`, SIGINT and SIGTERM with
//! the terminal's settings as they were before.

mod common;
use common::{bin, Scratch};
use std::process::Command;
use std::time::{Duration, Instant};

fn record(scratch: &Scratch) -> std::path::PathBuf {
    let events = scratch.path("run.ndjson");
    let out = scratch.run(&[
        "run",
        "json-parse",
        "--files",
        "2",
        "--records",
        "300",
        "--quiet",
        "--events",
        &events.to_string_lossy(),
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    events
}

#[test]
fn a_recording_with_a_tick_at_1e308_seconds_is_refused_at_once() {
    let scratch = Scratch::new();
    let text = std::fs::read_to_string(record(&scratch)).expect("recording");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let tick = lines
        .iter()
        .rposition(|l| l.contains("\"type\":\"tick\""))
        .expect("a tick");
    let mut event: serde_json::Value = serde_json::from_str(&lines[tick]).expect("JSON");
    event["elapsed_s"] = serde_json::json!(1e308);
    lines[tick] = event.to_string();
    let damaged = scratch.path("damaged.ndjson");
    std::fs::write(&damaged, lines.join("\n") + "\n").expect("write");
    let mut child = bin()
        .arg("open")
        .arg(&damaged)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start");
    let started = Instant::now();
    while child.try_wait().expect("poll").is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("open of a tick at 1e308 s did not end");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("line {}", tick + 1)) && err.contains("1e308"),
        "{err}"
    );
}

/// A private tmux server, killed when dropped.
struct Tmux(String);

impl Tmux {
    fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.0])
            .args(args)
            .output();
        String::from_utf8_lossy(&out.expect("tmux runs").stdout).into_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.cmd(&["kill-server"]);
    }
}

/// Polls until `ready` holds (20 s at most).
fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The processes the shell of the pane started.
fn children_of(pid: &str) -> Vec<String> {
    let path = format!("/proc/{pid}/task/{pid}/children");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.split_whitespace().map(String::from).collect()
}

#[test]
fn open_ends_on_q_sigint_and_sigterm_and_restores_the_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "tmux is required in CI");
        eprintln!("skipping: tmux is not installed");
        return;
    }
    let scratch = Scratch::new();
    let events = record(&scratch);
    let tmux = Tmux(format!("bs-open-{}", std::process::id()));
    tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "o",
        "-x",
        "100",
        "-y",
        "30",
        "sh",
    ]);
    let stty = |name: &str| scratch.path(name).to_string_lossy().into_owned();
    tmux.cmd(&[
        "send-keys",
        "-t",
        "o",
        &format!("stty -a > '{}'", stty("before")),
        "Enter",
    ]);
    wait_for("stty before", || scratch.path("before").exists());
    let shell = tmux
        .cmd(&["display", "-p", "-t", "o", "#{pane_pid}"])
        .trim()
        .to_string();
    for how in ["q", "INT", "TERM"] {
        let after = stty(&format!("after-{how}"));
        let launch = format!(
            "'{}' open '{}'; stty -a > '{after}'",
            env!("CARGO_BIN_EXE_boundscope"),
            events.display()
        );
        tmux.cmd(&["send-keys", "-t", "o", &launch, "Enter"]);
        wait_for("the viewer", || {
            tmux.cmd(&["capture-pane", "-p", "-t", "o"])
                .contains("json-parse")
                && !children_of(&shell).is_empty()
        });
        match how {
            "q" => {
                tmux.cmd(&["send-keys", "-t", "o", "q"]);
            }
            signal => {
                for pid in children_of(&shell) {
                    let _ = Command::new("kill")
                        .args([&format!("-{signal}"), &pid])
                        .status();
                }
            }
        }
        wait_for(&format!("the viewer to end on {how}"), || {
            std::fs::metadata(&after).is_ok_and(|m| m.len() > 0)
        });
        let before = std::fs::read_to_string(scratch.path("before")).expect("before");
        let now = std::fs::read_to_string(&after).expect("after");
        assert_eq!(before, now, "terminal settings differ after {how}");
    }
}
