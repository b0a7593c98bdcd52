//! Real Python programs for the reader's tests: a script run by a given interpreter, which
//! prints one line once its threads are up, and which is killed and reaped however the test
//! ends (a guard's drop runs during a panic's unwinding too).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Two CPU-bound threads, `worker-a` in `crunch_a` and `worker-b` in `crunch_b`; prints their
/// OS thread ids; the main thread then sleeps in `main_waits`.
pub const CPU_THREADS: &str = r#"
import threading, time
ids = {}
def crunch_a():
    ids["a"] = threading.get_native_id()
    n = 0
    while True:
        n += 1
def crunch_b():
    ids["b"] = threading.get_native_id()
    n = 0
    while True:
        n += 1
for target, name in ((crunch_a, "worker-a"), (crunch_b, "worker-b")):
    threading.Thread(target=target, name=name, daemon=True).start()
while len(ids) < 2:
    time.sleep(0.01)
print(ids["a"], ids["b"], flush=True)
def main_waits():
    time.sleep(600)
main_waits()
"#;

/// A thread `sleeper` asleep in `time.sleep` inside `snooze_here`; prints its OS thread id;
/// the main thread waits for it in `main_waits`.
pub const SLEEPER: &str = r#"
import threading, time
ids = {}
def snooze_here():
    ids["s"] = threading.get_native_id()
    time.sleep(600)
t = threading.Thread(target=snooze_here, name="sleeper", daemon=True)
t.start()
while "s" not in ids:
    time.sleep(0.01)
print(ids["s"], flush=True)
def main_waits():
    t.join()
main_waits()
"#;

/// Whether `python` runs here. Where it does not, says so on the test's real standard error
/// (past the harness's capture), so that a skipped test is never mistaken for a passed one.
pub fn have(python: &str, test: &str) -> bool {
    let runs = Command::new(python)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !runs {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: no `{python}` runs on this machine, so no real Python was read"
        );
    }
    runs
}

/// A running script; killed and reaped on drop.
pub struct Script {
    child: Child,
    /// The line the script printed once ready.
    pub ready: String,
}

impl Script {
    /// Writes `source` as `name` in `dir`, runs it with `python` and waits for its first line.
    pub fn start(python: &str, dir: &Path, name: &str, source: &str) -> Script {
        let path = dir.join(name);
        std::fs::write(&path, source).expect("write the script");
        let child = Command::new(python)
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start python");
        let mut script = Script {
            child,
            ready: String::new(),
        };
        script.ready = script.first_line();
        script
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The script's first line; a script that says nothing for a minute has failed.
    fn first_line(&mut self) -> String {
        let stdout = self.child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the script prints its ready line");
        assert!(!line.is_empty(), "the script ended before it was ready");
        line.trim().to_owned()
    }

    /// The ready line's numbers (the scripts print OS thread ids).
    pub fn numbers(&self) -> Vec<u32> {
        let parsed: Result<Vec<u32>, _> = self.ready.split_whitespace().map(str::parse).collect();
        parsed.expect("the ready line holds numbers")
    }

    /// Kills the script and reaps it.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Script {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Whether a process with this id still exists in any form (a zombie included).
pub fn exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}
