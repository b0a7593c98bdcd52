//! Nothing is left behind: no temporary file after a run (finished, or stopped with Ctrl-C),
//! no directory of a killed generator, and the data cache is checked, bounded and cleared.

mod common;
use common::{bin, read_json, stderr, Scratch};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// A process id that is certainly gone: a child that was waited for.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true")
        .spawn()
        .expect("run true");
    let pid = child.id();
    child.wait().expect("wait");
    pid
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Runs boundscope with the cache and `$TMPDIR` inside `scratch`.
fn run_in(scratch: &Scratch, args: &[&str]) -> Output {
    std::fs::create_dir_all(scratch.path("tmp")).expect("mkdir tmp");
    bin()
        .args(args)
        .env("BOUNDSCOPE_DATA", scratch.path("cache"))
        .env("TMPDIR", scratch.path("tmp"))
        .output()
        .expect("run boundscope")
}

#[test]
fn runs_leave_nothing_in_the_temporary_directory() {
    let scratch = Scratch::new();
    let tmp = scratch.path("tmp");
    // A private directory of a boundscope process that was killed: removed by the next run.
    let stale = tmp.join(format!("boundscope-proc-{}-abc", dead_pid()));
    std::fs::create_dir_all(&stale).expect("mkdir");
    std::fs::write(stale.join(".tmpXYZ"), b"").expect("write");
    let out = run_in(
        &scratch,
        &[
            "run",
            "json-parse",
            "--mode",
            "processes",
            "--workers",
            "2",
            "--files",
            "4",
            "--records",
            "300",
            "--quiet",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(names(&tmp), Vec::<String>::new(), "left in $TMPDIR");
    // Stopped with Ctrl-C in the middle of a run.
    let mut child = bin()
        .args(["run", "api-fetch", "--mode", "processes", "--workers", "2"])
        .args(["--requests", "2000", "--latency", "20ms", "--quiet"])
        .env("BOUNDSCOPE_DATA", scratch.path("cache"))
        .env("TMPDIR", &tmp)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start");
    let started = Instant::now();
    // Wait until the parent and its children made their directories, then interrupt.
    while names(&tmp).len() < 3 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        names(&tmp).len() >= 3,
        "the run did not start: {:?}",
        names(&tmp)
    );
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: signals the child this test started.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130));
    assert_eq!(
        names(&tmp),
        Vec::<String>::new(),
        "left in $TMPDIR after Ctrl-C"
    );
}

/// The generated set's directory in the cache.
fn set_dir(scratch: &Scratch, files: usize, records: usize) -> std::path::PathBuf {
    scratch
        .path("cache")
        .join(format!("json-ticks-v1-{files}x{records}"))
}

fn json_run(scratch: &Scratch, name: &str, records: &str) -> serde_json::Value {
    let report = scratch.path(name);
    let out = run_in(
        scratch,
        &[
            "run",
            "json-parse",
            "--files",
            "3",
            "--records",
            records,
            "--quiet",
            "--report",
            &report.to_string_lossy(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    read_json(&report)
}

#[test]
fn a_truncated_cached_file_is_generated_again() {
    let scratch = Scratch::new();
    let first = json_run(&scratch, "first.json", "2000");
    assert_eq!(first["items"], 6000);
    let dir = set_dir(&scratch, 3, 2000);
    let victim = std::fs::read_dir(&dir)
        .expect("the cached set")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "ndjson"))
        .expect("a cached data file");
    let len = std::fs::metadata(&victim).expect("size").len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&victim)
        .expect("open");
    file.set_len(len / 2).expect("truncate");
    let again = json_run(&scratch, "again.json", "2000");
    assert_eq!(again["items"], 6000, "the damaged file was used");
    assert_eq!(again["rejected"], 0);
    assert_eq!(again["checksum"], first["checksum"]);
    assert_eq!(std::fs::metadata(&victim).expect("size").len(), len);
}

#[test]
fn the_cache_drops_killed_generations_keeps_its_cap_and_can_be_cleared() {
    let scratch = Scratch::new();
    let cache = scratch.path("cache");
    // What a generator killed with -9 leaves: its private directory, named with its pid.
    let leftover = cache.join(format!(".json-ticks-v1-3x100.tmp-{}-1-0", dead_pid()));
    std::fs::create_dir_all(&leftover).expect("mkdir");
    std::fs::write(leftover.join("ticks-000.ndjson"), b"{}\n").expect("write");
    json_run(&scratch, "a.json", "100");
    assert!(!leftover.exists(), "the next generation removes it");
    // A cap of 0 MB: each new set evicts the older ones (never the one in use).
    let capped = |records: &str| {
        let report = scratch.path("capped.json");
        let out = bin()
            .args([
                "run",
                "json-parse",
                "--files",
                "3",
                "--records",
                records,
                "--quiet",
            ])
            .arg("--report")
            .arg(&report)
            .env("BOUNDSCOPE_DATA", &cache)
            .env("TMPDIR", scratch.path("tmp"))
            .env("BOUNDSCOPE_CACHE_MAX_MB", "0")
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", stderr(&out));
    };
    capped("200");
    assert_eq!(names(&cache), vec!["json-ticks-v1-3x200".to_string()]);
    let out = run_in(&scratch, &["gen", "--clean"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("removed 1"),
        "{out:?}"
    );
    assert_eq!(names(&cache), Vec::<String>::new());
}
