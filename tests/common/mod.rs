//! Helpers for driving the real `boundscope` binary in tests.
#![allow(dead_code)]

pub mod tmux;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The PostgreSQL server the tests may use (`BOUNDSCOPE_TEST_PG`). Without one the caller
/// skips, saying why; under `CI` that is a failure, since CI must run these tests.
pub fn pg_url() -> Option<String> {
    match std::env::var("BOUNDSCOPE_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "CI is set but BOUNDSCOPE_TEST_PG is not: CI must run the PostgreSQL tests \
             (start a server with `eval \"$(.ci/postgres.sh start)\"`)"
        ),
        _ => {
            eprintln!(
                "PostgreSQL tests skipped: BOUNDSCOPE_TEST_PG is not set \
                 (start a server with `eval \"$(.ci/postgres.sh start)\"`)"
            );
            None
        }
    }
}

/// The processes whose parent is `parent` now, with their command lines.
pub fn children_of(parent: u32) -> Vec<(u32, String)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // Field 4 (after the parenthesised command name) is the parent pid.
            let ppid: u32 = stat
                .rsplit(')')
                .next()?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            (ppid == parent).then_some((pid, cmdline))
        })
        .collect()
}

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_boundscope"))
}

/// A scratch directory that also serves as the data cache, so tests never share state.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs boundscope with `args`, with the data cache inside this scratch directory.
    pub fn run(&self, args: &[&str]) -> Output {
        bin()
            .args(args)
            .env("BOUNDSCOPE_DATA", self.dir.path().join("cache"))
            .output()
            .expect("run boundscope")
    }

    /// Runs `boundscope ARGS --report <scratch>/NAME.json`; returns the process output and
    /// the report (`Null` when the run wrote none).
    pub fn run_with_report(&self, name: &str, args: &[&str]) -> (Output, serde_json::Value) {
        let report = self.path(&format!("{name}.json"));
        let report_arg = report.to_string_lossy().into_owned();
        let mut all = args.to_vec();
        all.extend(["--report", &report_arg]);
        let out = self.run(&all);
        let json = match report.exists() {
            true => read_json(&report),
            false => serde_json::Value::Null,
        };
        (out, json)
    }

    /// Runs `boundscope run json-parse` with small data and returns the JSON report.
    pub fn json_report(&self, name: &str, extra: &[&str]) -> serde_json::Value {
        let mut args = vec!["run", "json-parse", "--quiet"];
        // Small data unless the test asks for other sizes.
        for (flag, value) in [("--files", "6"), ("--records", "400")] {
            if !extra.contains(&flag) {
                args.extend([flag, value]);
            }
        }
        args.extend_from_slice(extra);
        let (out, report) = self.run_with_report(name, &args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        report
    }
}

pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("read report");
    serde_json::from_str(&text).expect("report is JSON")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn repo_path(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

/// Runs `boundscope ARGS`, returning (exit code, stderr, peak RSS in MB) of that process.
/// It is waited for with `wait4`, which also gives its peak memory, not with `Child::wait`.
#[allow(clippy::zombie_processes)]
pub fn run_measured(args: &[&str]) -> (i32, String, i64) {
    let child = bin()
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start boundscope");
    let pid = child.id() as libc::pid_t;
    let mut stderr = child.stderr.expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut text).expect("stderr");
        text
    });
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for the child we started.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, once (Child::wait is not called).
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (
        code,
        reader.join().expect("stderr reader"),
        usage.ru_maxrss / 1024,
    )
}
