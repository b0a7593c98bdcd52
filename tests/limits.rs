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
    }
}
