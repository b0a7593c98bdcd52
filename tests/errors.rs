//! Bad input ends with exit code 2 and one plain line naming the bad value; bad records are
//! rejected with their line and reason, never fatal.

mod common;
use common::{repo_path, stderr, Scratch};

fn assert_usage_error(args: &[&str], must_name: &str) {
    let scratch = Scratch::new();
    let out = scratch.run(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.contains(must_name),
        "{args:?}: first line {first:?} should name {must_name:?}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn missing_input_directory_is_a_usage_error() {
    assert_usage_error(
        &[
            "run",
            "json-parse",
            "--input",
            "/definitely/not/here",
            "--quiet",
        ],
        "/definitely/not/here",
    );
}

#[test]
fn zero_workers_is_a_usage_error() {
    assert_usage_error(
        &["run", "json-parse", "--mode", "threads", "--workers", "0"],
        "--workers 0",
    );
}

#[test]
fn sampling_rate_out_of_range_is_a_usage_error() {
    assert_usage_error(&["run", "json-parse", "--hz", "1000"], "--hz 1000");
    assert_usage_error(&["run", "json-parse", "--hz", "0"], "--hz 0");
}

#[test]
fn unknown_mode_is_a_usage_error() {
    assert_usage_error(&["run", "json-parse", "--mode", "fibers"], "fibers");
}

#[test]
fn unknown_workload_is_a_usage_error() {
    assert_usage_error(&["run", "xml-parse"], "xml-parse");
}

#[test]
fn another_workloads_option_is_a_usage_error_not_ignored() {
    let not_json = "--latency is not an option of json-parse; it takes --input";
    assert_usage_error(&["run", "json-parse", "--latency", "5ms"], not_json);
    let args = [
        "compare",
        "json-parse",
        "--modes",
        "threads",
        "--latency",
        "5ms",
    ];
    assert_usage_error(&args, not_json);
    assert_usage_error(
        &["sweep", "api-fetch", "--workers", "1,2", "--db", "sqlite"],
        "--db is not an option of api-fetch",
    );
}

#[test]
fn unwritable_export_is_refused_before_running() {
    assert_usage_error(
        &[
            "run",
            "json-parse",
            "--svg",
            "/no/such/dir/flame.svg",
            "--quiet",
        ],
        "/no/such/dir",
    );
}

/// A table of the database's own catalog (or of boundscope's bookkeeping) is refused before
/// the run, not when the DROP or CREATE fails in the middle of it.
#[test]
fn reserved_table_names_are_usage_errors() {
    let scratch = Scratch::new();
    let csv = scratch.path("people.csv");
    std::fs::write(&csv, "a,b\n1,2\n").expect("write csv");
    let csv = csv.to_string_lossy().into_owned();
    for table in ["sqlite_master", "pg_class", "boundscope_import_runs"] {
        let args = [
            "run",
            "csv-import",
            "--input",
            &csv,
            "--table",
            table,
            "--quiet",
        ];
        assert_usage_error(&args, table);
    }
    // With generated data the table name is a prefix: `sqlite` gives `sqlite_customers`.
    assert_usage_error(
        &[
            "run",
            "csv-import",
            "--table",
            "sqlite",
            "--records",
            "10",
            "--quiet",
        ],
        "sqlite_customers",
    );
}

/// A pipeline file with a TOML error: one plain line naming FILE:LINE:COL, not a snippet.
#[test]
fn pipeline_errors_are_one_line_with_their_place() {
    let scratch = Scratch::new();
    let cases = [
        ("[[stage]]\nname = \"a\"\nkind = fetch\n", ":3:8: "),
        (
            "[[stage]]\nname = \"a\"\nkind = \"load\"\nfoo = 1\n",
            ":4:1: ",
        ),
    ];
    for (i, (text, place)) in cases.iter().enumerate() {
        let file = scratch.path(&format!("bad{i}.toml"));
        std::fs::write(&file, text).expect("write pipeline");
        let file = file.to_string_lossy().into_owned();
        let out = scratch.run(&["run", "etl-pipeline", "--pipeline", &file, "--quiet"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(err.contains(&format!("{file}{place}")), "{err}");
    }
}

#[test]
fn malformed_lines_are_rejected_with_line_and_reason_in_every_mode() {
    let scratch = Scratch::new();
    let input = repo_path("assets/json/malformed");
    let mut checksums = Vec::new();
    for mode in ["sequential", "threads", "processes"] {
        let report = scratch.json_report(
            &format!("bad-{mode}"),
            &["--input", &input, "--mode", mode, "--workers", "2"],
        );
        assert_eq!(report["items"], 20, "{mode}: good lines stored");
        assert_eq!(report["rejected"], 5, "{mode}: bad lines rejected");
        assert_eq!(
            report["errors"], 0,
            "{mode}: a bad line is not a failed unit"
        );
        let rejections = report["rejections"].as_array().expect("rejections");
        assert_eq!(rejections.len(), 5);
        for r in rejections {
            assert_eq!(r["source"], "ticks-bad.ndjson");
            assert!(r["line"].as_u64().unwrap() >= 1);
            assert!(!r["reason"].as_str().unwrap().is_empty());
        }
        checksums.push(report["checksum"].clone());
    }
    assert!(checksums.windows(2).all(|w| w[0] == w[1]), "{checksums:?}");
}

/// The pid of the `processes` child running lane `lane` under `parent`, once it exists.
fn child_pid(parent: u32, lane: &str) -> Option<u32> {
    common::children_of(parent)
        .into_iter()
        .find(|(_, cmdline)| cmdline.contains("__child") && cmdline.contains(lane))
        .map(|(pid, _)| pid)
}

/// `units_done` of the newest tick in an events file being written.
fn units_done(events: &std::path::Path) -> u64 {
    let text = std::fs::read_to_string(events).unwrap_or_default();
    text.lines()
        .rev()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|event| event["type"] == "tick")
        .find_map(|tick| tick["units_done"].as_u64())
        .unwrap_or(0)
}

#[test]
fn a_killed_child_keeps_the_units_it_finished_and_fails_only_the_rest() {
    let scratch = Scratch::new();
    let (report, events) = (scratch.path("killed.json"), scratch.path("killed.ndjson"));
    let run = common::bin()
        .args(["run", "json-parse", "--mode", "processes", "--workers", "2"])
        .args([
            "--files",
            "12",
            "--records",
            "150000",
            "--hz",
            "49",
            "--quiet",
        ])
        .arg("--report")
        .arg(&report)
        .arg("--events")
        .arg(&events)
        .env("BOUNDSCOPE_DATA", scratch.path("cache"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start boundscope");
    // Kill child 0 once a third of the units are done: it has finished some, not all.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while units_done(&events) < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the run never got going"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let pid = child_pid(run.id(), "bs-proc-0").expect("child 0 is running");
    let killed = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let out = run.wait_with_output().expect("wait for boundscope");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("killed by signal 9"), "{err}");
    let report = common::read_json(&report);
    let units = report["units"].as_array().expect("units");
    assert_eq!(units.len(), 12, "every unit is listed");
    let failed = |u: &serde_json::Value| u.get("error").is_some();
    // Child 1 finished its shard (odd units); child 0 (even units) kept what it had done.
    for unit in units
        .iter()
        .filter(|u| u["unit"].as_u64().unwrap_or(0) % 2 == 1)
    {
        assert!(!failed(unit), "{unit}");
    }
    let shard0: Vec<_> = units
        .iter()
        .filter(|u| u["unit"].as_u64().unwrap_or(1) % 2 == 0)
        .collect();
    let lost = shard0.iter().filter(|u| failed(u)).count();
    assert!(lost >= 1 && lost < shard0.len(), "{shard0:?}");
    for unit in shard0.iter().filter(|u| failed(u)) {
        let why = unit["error"].as_str().unwrap_or_default();
        assert!(why.contains("bs-proc-0") && why.contains("killed"), "{why}");
    }
    // The dead child's lane still counts, as of its last tick.
    let lanes = report["worker_stats"].as_array().expect("worker_stats");
    assert!(lanes
        .iter()
        .any(|l| l["name"] == "bs-proc-0" && l["cpu_s"].as_f64() > Some(0.0)));
}

/// Runs boundscope as on a full disk: with a file size limit of 0 and SIGXFSZ ignored, every
/// write to a file fails (EFBIG, as ENOSPC would). Exports go through temporary files renamed
/// into place, so a device such as /dev/full is refused before the run instead.
fn run_on_full_disk(scratch: &Scratch, args: &[&str]) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut command = common::bin();
    command
        .args(args)
        .env("BOUNDSCOPE_DATA", scratch.path("cache"));
    // SAFETY: between fork and exec only async-signal-safe calls (signal, get/setrlimit).
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let mut limit: libc::rlimit = std::mem::zeroed();
            libc::getrlimit(libc::RLIMIT_FSIZE, &mut limit);
            limit.rlim_cur = 0;
            match libc::setrlimit(libc::RLIMIT_FSIZE, &limit) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        });
    }
    command.output().expect("run boundscope")
}

/// A full disk: every export ends the command with exit 1 and a message naming the file,
/// never with "wrote".
#[test]
fn every_export_to_a_full_disk_fails_naming_the_file() {
    let scratch = Scratch::new();
    // The data set goes into the cache first, while files can still be written.
    let small = ["--files", "1", "--records", "50", "--output", "none"];
    let out = scratch.run(&[&["run", "json-parse", "--quiet"][..], &small[..]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    let full = scratch.path("full.out");
    let full = full.to_str().expect("a UTF-8 path");
    // The wall view: a tiny run may have no CPU samples, and an empty file fits anywhere.
    for flag in ["--events", "--folded", "--svg", "--pprof", "--report"] {
        let run = ["run", "json-parse", "--view", "wall", flag, full];
        let out = run_on_full_disk(&scratch, &[&run[..], &small[..]].concat());
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{flag}: {err}");
        assert!(err.contains(full), "{flag}: {err}");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("wrote"),
            "{flag}"
        );
    }
    for flag in [
        "--export-json",
        "--export-markdown",
        "--diff",
        "--diff-folded",
    ] {
        let compare = [
            "compare",
            "json-parse",
            "--modes",
            "sequential,threads",
            "--workers",
            "2",
            "--warmup",
            "0",
            "--repeat",
            "1",
            "--quiet",
            flag,
            full,
        ];
        let out = run_on_full_disk(&scratch, &[&compare[..], &small[..]].concat());
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "compare {flag}: {err}");
        assert!(err.contains(full), "compare {flag}: {err}");
    }
}

#[test]
fn report_to_dash_is_refused() {
    assert_usage_error(
        &["run", "json-parse", "--report", "-", "--quiet"],
        "--report -",
    );
}

#[test]
fn pprof_into_a_missing_directory_is_refused_before_running() {
    assert_usage_error(
        &[
            "run",
            "json-parse",
            "--pprof",
            "/no/such/dir/p.pb.gz",
            "--quiet",
        ],
        "/no/such/dir",
    );
}

/// A line nested 100,000 deep would overflow a recursive parser's stack: it is rejected
/// with its line number instead, in every parser and every mode.
#[test]
fn a_deeply_nested_line_is_rejected_not_fatal() {
    let scratch = Scratch::new();
    let input = scratch.path("deep");
    std::fs::create_dir(&input).expect("mkdir");
    let good =
        r#"{"symbol":"A","timestamp":1,"open":1.0,"high":1.0,"low":1.0,"close":1.0,"volume":1}"#;
    let deep = format!(
        r#"{{"symbol":"A","timestamp":1,"open":1.0,"high":1.0,"low":1.0,"close":1.0,"volume":1,"x":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    std::fs::write(input.join("x.ndjson"), format!("{good}\n{deep}\n{good}\n")).expect("write");
    // Other files, spread over the workers and children: every record of theirs is stored.
    for f in 0..3 {
        let lines = vec![good; 50].join("\n");
        std::fs::write(input.join(format!("ok{f}.ndjson")), lines).expect("write");
    }
    let input_arg = input.to_string_lossy();
    for parser in ["value", "typed", "fast"] {
        for mode in ["sequential", "threads", "processes"] {
            let report = scratch.json_report(
                &format!("deep-{parser}-{mode}"),
                &[
                    "--input",
                    &input_arg,
                    "--parser",
                    parser,
                    "--mode",
                    mode,
                    "--workers",
                    "2",
                ],
            );
            assert_eq!(report["items"], 2 + 3 * 50, "{parser} {mode}");
            assert_eq!(report["errors"], 0, "{parser} {mode}");
            assert_eq!(report["rejected"], 1, "{parser} {mode}");
            let r = &report["rejections"][0];
            assert_eq!(r["line"], 2, "{parser} {mode}");
            assert!(
                r["reason"].as_str().unwrap_or("").contains("128"),
                "{parser} {mode}: {r}"
            );
        }
    }
}

/// Whether `pid` is gone (or a zombie nobody has reaped yet: it does no more work).
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z'),
    }
}

#[test]
fn processes_children_die_with_a_killed_parent() {
    let scratch = Scratch::new();
    let events = scratch.path("orphans.ndjson");
    let mut run = common::bin()
        .args(["run", "json-parse", "--mode", "processes", "--workers", "2"])
        .args([
            "--files",
            "12",
            "--records",
            "150000",
            "--hz",
            "49",
            "--quiet",
        ])
        .arg("--events")
        .arg(&events)
        .env("BOUNDSCOPE_DATA", scratch.path("cache"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start boundscope");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while units_done(&events) < 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the run never got going"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let children: Vec<u32> = ["bs-proc-0", "bs-proc-1"]
        .iter()
        .map(|lane| child_pid(run.id(), lane).expect("child is running"))
        .collect();
    run.kill().expect("kill -9 the parent");
    run.wait().expect("reap the parent");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while !children.iter().all(|pid| gone(*pid)) {
        assert!(
            std::time::Instant::now() < deadline,
            "children {children:?} outlived their parent"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn zero_or_too_many_workers_is_a_usage_error_in_every_mode() {
    for mode in ["sequential", "threads", "rayon", "async", "processes"] {
        assert_usage_error(
            &[
                "run",
                "json-parse",
                "--mode",
                mode,
                "--workers",
                "0",
                "--quiet",
            ],
            "--workers 0",
        );
        assert_usage_error(
            &[
                "run",
                "json-parse",
                "--mode",
                mode,
                "--workers",
                "100000000",
                "--quiet",
            ],
            "--workers 100000000",
        );
    }
    let scratch = Scratch::new();
    let out = scratch.run(&["run", "json-parse", "--workers", "100000000", "--quiet"]);
    assert!(stderr(&out).contains("4096"), "{}", stderr(&out));
}

#[test]
fn repeat_zero_is_a_usage_error_in_compare_and_sweep() {
    assert_usage_error(
        &[
            "compare",
            "json-parse",
            "--modes",
            "sequential,threads",
            "--repeat",
            "0",
        ],
        "--repeat 0",
    );
    assert_usage_error(
        &["sweep", "json-parse", "--workers", "1,2", "--repeat", "0"],
        "--repeat 0",
    );
}

#[test]
fn serve_api_bad_flag_values_are_usage_errors() {
    assert_usage_error(&["serve-api", "--tenants", "0"], "tenants 0");
    assert_usage_error(&["serve-api", "--addr", "0.0.0.0:0"], "0.0.0.0");
}

#[test]
fn serve_api_that_cannot_listen_is_a_failure_not_a_usage_error() {
    // The port is held by this test, so the server's bind fails at run time.
    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let addr = held.local_addr().expect("address").to_string();
    let out = Scratch::new().run(&["serve-api", "--addr", &addr]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.contains("cannot listen on") && first.contains(&addr),
        "{first:?}"
    );
}
