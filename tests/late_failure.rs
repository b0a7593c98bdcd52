//! A run that started writes its report even when something fails late, with the failure in
//! it, and still exits 1: the SQLite file deleted mid-run (the stored rows cannot be
//! verified). (The CPU profile can no longer fail late: the sampler keeps its samples in
//! memory and reads the binary it has mapped, with no file to lose mid-run.)

mod common;
use common::{bin, read_json, stderr, Scratch};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Waits (up to a minute) until `ready` holds, while `child` runs; false if it ended first.
fn wait_until(child: &mut Child, mut ready: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if child.try_wait().expect("poll").is_some() {
            return false;
        }
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// True once the event stream at `path` has a tick with stored items.
fn items_flowing(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .any(|e| e["type"] == "tick" && e["items"].as_u64().unwrap_or(0) > 0)
}

fn finish(child: Child, report: &Path) -> (i32, String, serde_json::Value) {
    let out = child.wait_with_output().expect("wait");
    let code = out.status.code().unwrap_or(-1);
    assert!(
        report.exists(),
        "no report was written (exit {code}): {}",
        stderr(&out)
    );
    (code, stderr(&out), read_json(report))
}

#[test]
fn the_report_survives_a_database_deleted_mid_run() {
    let scratch = Scratch::new();
    let db = scratch.path("gone.sqlite");
    let (events, report) = (scratch.path("events.ndjson"), scratch.path("report.json"));
    let mut child = bin()
        .args([
            "run",
            "csv-import",
            "--mode",
            "sequential",
            "--records",
            "60000",
        ])
        .args(["--batch", "1", "--insert", "row", "--fresh", "--quiet"])
        .arg("--db")
        .arg(format!("sqlite:{}", db.display()))
        .arg("--events")
        .arg(&events)
        .arg("--report")
        .arg(&report)
        .env("BOUNDSCOPE_DATA", scratch.path("cache"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    assert!(
        wait_until(&mut child, || items_flowing(&events)),
        "the run ended before rows were stored; make it longer"
    );
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let (code, err, report) = finish(child, &report);
    assert_eq!(code, 1, "{err}");
    let failure = report["failure"]
        .as_str()
        .expect("the report names the failure");
    assert!(
        failure.contains("cannot verify the stored rows"),
        "{failure}"
    );
    assert!(err.contains("cannot verify the stored rows"), "{err}");
    assert!(
        report["items"].as_u64().unwrap_or(0) > 0,
        "the work is reported"
    );
}
