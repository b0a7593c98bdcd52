//! Runs under the process limits a shell sets (`ulimit -f`, `ulimit -v`), set here on the
//! child with `setrlimit` before it starts: a write past the file-size limit fails the run
//! with a message and a report instead of killing it with SIGXFSZ, in every mode.

mod common;
use common::{bin, read_json, stderr, Scratch};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Output};

/// Runs `cmd` with `resource` limited to `bytes` (soft and hard).
fn run_limited(mut cmd: Command, resource: libc::__rlimit_resource_t, bytes: u64) -> Output {
    // SAFETY: the closure runs in the child between fork and exec and only calls setrlimit,
    // which is async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            match libc::setrlimit(resource, &limit) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        });
    }
    cmd.output().expect("run boundscope")
}

/// A CSV of about 2.4 MB: its SQLite database outgrows a 1 MiB file-size limit.
fn big_csv(scratch: &Scratch) -> String {
    let mut text = String::from("id,name,note\n");
    for i in 0..40_000 {
        text.push_str(&format!(
            "{i},name {i},a note long enough to fill pages {i:08}\n"
        ));
    }
    let path = scratch.path("big.csv");
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

#[test]
fn a_write_past_the_file_size_limit_fails_the_run_with_a_message_and_a_report() {
    let scratch = Scratch::new();
    let input = big_csv(&scratch);
    for mode in ["sequential", "threads", "processes"] {
        let db = format!("sqlite:{}", scratch.path(&format!("{mode}.db")).display());
        let report = scratch.path(&format!("{mode}.json"));
        let mut cmd = bin();
        cmd.args([
            "run",
            "csv-import",
            "--input",
            &input,
            "--db",
            &db,
            "--quiet",
        ])
        .args(["--mode", mode, "--workers", "2", "--no-profile", "--report"])
        .arg(&report);
        let out = run_limited(cmd, libc::RLIMIT_FSIZE, 1 << 20);
        let err = stderr(&out);
        assert_eq!(out.status.signal(), None, "{mode}: killed: {err}");
        assert_eq!(out.status.code(), Some(1), "{mode}: {err}");
        assert!(
            err.contains("units failed") && err.contains("at most 1048576 bytes (ulimit -f)"),
            "{mode}: {err}"
        );
        let report = read_json(&report);
        assert!(report["errors"].as_u64() > Some(0), "{mode}: {report}");
        // A WAL left beside the database holds committed rows: kept, and named.
        let wal_left = scratch.path(&format!("{mode}.db-wal")).exists();
        let named = report["warnings"].as_array().is_some_and(|w| {
            w.iter()
                .filter_map(|w| w.as_str())
                .any(|w| w.contains(&format!("{mode}.db-wal (and its -shm) was left")))
        });
        assert_eq!(named, wal_left, "{mode}: {report}");
    }
}

fn binary_size() -> u64 {
    std::fs::metadata(env!("CARGO_BIN_EXE_boundscope")).map_or(u64::MAX, |m| m.len())
}

/// Runs a small profiled json-parse under an address-space limit of `kib` KiB (`ulimit -v`).
fn profiled_run_limited(scratch: &Scratch, mode: &str, kib: u64) -> (Output, serde_json::Value) {
    let report = scratch.path(&format!("as-{mode}-{kib}.json"));
    let mut cmd = bin();
    cmd.args([
        "run",
        "json-parse",
        "--files",
        "2",
        "--records",
        "300",
        "--hz",
        "99",
    ])
    .args(["--mode", mode, "--workers", "2", "--report"])
    .arg(&report)
    .env("BOUNDSCOPE_DATA", scratch.path("cache"));
    let out = run_limited(cmd, libc::RLIMIT_AS, kib << 10);
    let json = match report.exists() {
        true => read_json(&report),
        false => serde_json::Value::Null,
    };
    (out, json)
}

#[test]
fn too_little_address_space_for_the_profiler_runs_without_it_and_says_so() {
    let scratch = Scratch::new();
    // The input is generated without the limit.
    scratch.json_report(
        "warm",
        &["--files", "2", "--records", "300", "--no-profile"],
    );
    for mode in ["sequential", "threads", "processes"] {
        // Far less than the profiler needs (the binary and more), enough for the run.
        let (out, report) = profiled_run_limited(&scratch, mode, 100_000);
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert_eq!(out.status.code(), Some(0), "{mode}: {text}");
        assert!(
            text.contains(
                "  warning   could not start the CPU profiler: the address space is \
                           limited to 97 MB (ulimit -v)"
            ),
            "{mode}: {text}"
        );
        assert_eq!(report["profiled"], false, "{mode}");
        let warnings = report["warnings"].as_array().expect("warnings");
        assert!(warnings[0]
            .as_str()
            .is_some_and(|w| w.contains("without CPU samples")));
        // The children's own profilers could not start either, and their report says so.
        let from_children = warnings.iter().filter_map(|w| w.as_str()).find(|w| {
            w.contains("without CPU samples") && w.ends_with("(in 2 of 2 child processes)")
        });
        assert_eq!(from_children.is_some(), mode == "processes", "{warnings:?}");
        // The limit the defect was found with: never aborted; and with a binary of release
        // size, profiled (the profiler maps the binary once and reads it in place). A debug
        // binary, several times larger, may leave too little room: then it warns.
        let (out, report) = profiled_run_limited(&scratch, mode, 300_000);
        assert_eq!(out.status.code(), Some(0), "{mode}: {}", stderr(&out));
        let warned = report["warnings"].as_array().is_some_and(|w| !w.is_empty());
        match binary_size() < 150 << 20 {
            true => assert_eq!(report["profiled"], true, "{mode}: {report}"),
            false => assert!(report["profiled"] == true || warned, "{mode}: {report}"),
        }
    }
}
