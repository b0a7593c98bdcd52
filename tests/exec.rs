//! `boundscope exec`: any command run as a child and observed from outside — its threads'
//! lanes, waits and verdict, its exit status in the report, and nothing left running after
//! it, however it ends.

mod common;
use common::{bin, read_json, stderr, Scratch};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Held by the tests whose readings depend on free cores (CPU-bound programs), so that they
/// do not run beside one another.
static CORES: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn cores() -> std::sync::MutexGuard<'static, ()> {
    CORES.lock().unwrap_or_else(|p| p.into_inner())
}

/// The real `python3` interpreter (not a wrapper script), or `None` when there is none —
/// said loudly, and a failure under CI, which installs it (`.ci/python.sh`).
fn python3() -> Option<String> {
    let found = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match found {
        Some(path) if !path.is_empty() => Some(path),
        _ if std::env::var_os("CI").is_some() => panic!("CI must have python3"),
        _ => {
            eprintln!("Python tests skipped: no python3 on PATH");
            None
        }
    }
}

/// Runs `boundscope exec --quiet --report NAME.json ARGS -- COMMAND`: (output, report).
fn exec(
    scratch: &Scratch,
    name: &str,
    args: &[&str],
    command: &[&str],
) -> (std::process::Output, serde_json::Value) {
    let report = scratch.path(&format!("{name}.json"));
    let out = bin()
        .args(["exec", "--quiet", "--report", report.to_str().unwrap()])
        .args(args)
        .arg("--")
        .args(command)
        .env("BOUNDSCOPE_DATA", scratch.path("cache"))
        .output()
        .expect("run boundscope exec");
    let json = match report.exists() {
        true => read_json(&report),
        false => serde_json::Value::Null,
    };
    (out, json)
}

fn waits(report: &serde_json::Value, category: &str) -> f64 {
    report["waits"][category].as_f64().unwrap_or(0.0)
}

/// Whether a process whose command line contains `marker` is alive (zombies are not).
fn alive(marker: &str) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|e| {
        let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        let zombie = stat
            .rsplit(')')
            .next()
            .is_some_and(|r| r.trim_start().starts_with('Z'));
        !zombie
            && String::from_utf8_lossy(&cmdline)
                .replace('\0', " ")
                .contains(marker)
    })
}

fn gone_within(marker: &str, secs: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if !alive(marker) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    !alive(marker)
}

#[test]
fn a_native_cpu_bound_program_reads_cpu_bound_with_its_lane() {
    let _cores = cores();
    let scratch = Scratch::new();
    let file = scratch.path("big.bin");
    // A sparse file: reading it costs no disk, hashing it costs CPU.
    std::fs::File::create(&file)
        .and_then(|f| f.set_len(400 << 20))
        .expect("make the file");
    let (out, report) = exec(&scratch, "sha", &[], &["sha256sum", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["workload"], "exec");
    assert_eq!(report["mode"], "exec");
    assert_eq!(
        report["verdict"], "cpu-bound",
        "{}",
        report["verdict_detail"]
    );
    assert_eq!(report["program_exit"]["code"], 0);
    let lanes = report["worker_stats"].as_array().expect("lanes");
    let lane = lanes
        .iter()
        .find(|l| l["name"].as_str().unwrap_or("").starts_with("sha256sum "))
        .unwrap_or_else(|| panic!("no lane of sha256sum: {lanes:?}"));
    // Its thread wanted a core all along: on one, or waiting for one on a busy machine.
    let on = lane["cpu_s"].as_f64().unwrap() + lane["runqueue_s"].as_f64().unwrap();
    assert!(on > 0.9 * lane["wall_s"].as_f64().unwrap(), "{lane}");
}

#[test]
fn a_command_that_is_not_found_is_refused_with_exit_2_and_a_report() {
    let scratch = Scratch::new();
    let (out, report) = exec(&scratch, "none", &[], &["no-such-command-bs"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("command not found: no-such-command-bs"),
        "{}",
        stderr(&out)
    );
    assert!(report["refused"]
        .as_str()
        .unwrap_or("")
        .contains("not found"));
}

#[test]
fn a_program_that_fails_gets_its_status_in_the_report_and_exit_1() {
    let scratch = Scratch::new();
    let (out, report) = exec(&scratch, "fail", &[], &["sh", "-c", "sleep 0.2; exit 3"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("exited with status 3"),
        "{}",
        stderr(&out)
    );
    assert_eq!(report["program_exit"]["code"], 3);
    assert!(report["wall_s"].as_f64().unwrap() >= 0.2);
    // The sleep was seen for what it is.
    assert!(waits(&report, "sleep") > 0.1, "{}", report["waits"]);
}

#[test]
fn a_program_that_closes_its_stdout_is_watched_to_its_end() {
    let scratch = Scratch::new();
    let (out, report) = exec(
        &scratch,
        "closed",
        &["--progress", "^step"],
        &[
            "sh",
            "-c",
            "echo step; echo step; exec 1>&-; sleep 0.5; echo step >&2",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        report["wall_s"].as_f64().unwrap() >= 0.5,
        "{}",
        report["wall_s"]
    );
    // Lines on both outputs count, before and after stdout closed.
    assert_eq!(report["items"], 3);
}

#[test]
fn children_left_behind_by_a_program_are_ended_with_it() {
    let _cores = cores();
    let scratch = Scratch::new();
    let script = "for i in $(seq 100); do sleep 31.4159 & done; sleep 0.3";
    let (out, report) = exec(&scratch, "forks", &[], &["sh", "-c", script]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        gone_within("sleep 31.4159", 5),
        "children of the program still run"
    );
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("left 100 process(es)"), "{warnings}");
    // Every process of the program got its lanes (the shell and its hundred sleepers).
    assert!(report["worker_stats"].as_array().unwrap().len() >= 100);
}

/// Starts `boundscope exec -- COMMAND` in the background, its report at `report`.
fn start(scratch: &Scratch, report: &std::path::Path, command: &[&str]) -> std::process::Child {
    bin()
        .args([
            "exec",
            "--quiet",
            "--report",
            report.to_str().unwrap(),
            "--",
        ])
        .args(command)
        .env("BOUNDSCOPE_DATA", scratch.path("cache"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start boundscope exec")
}

fn signal(child: &std::process::Child, signal: i32) {
    // SAFETY: kill(2) of our own child.
    unsafe { libc::kill(child.id() as i32, signal) };
}

#[test]
fn ctrl_c_is_passed_to_the_program_which_ends_and_is_reported() {
    let scratch = Scratch::new();
    let report = scratch.path("int.json");
    let child = start(
        &scratch,
        &report,
        &["sh", "-c", "trap 'exit 7' INT; sleep 27.1828 & wait"],
    );
    std::thread::sleep(Duration::from_millis(700));
    signal(&child, libc::SIGINT);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let report = read_json(&report);
    assert_eq!(report["interrupted"], true);
    assert_eq!(report["program_exit"]["code"], 7);
    assert!(gone_within("sleep 27.1828", 5));
}

#[test]
fn a_program_that_ignores_sigint_and_sigterm_is_killed_after_the_grace() {
    let scratch = Scratch::new();
    let report = scratch.path("stubborn.json");
    let child = start(
        &scratch,
        &report,
        &["sh", "-c", "trap '' INT TERM; sleep 23.456"],
    );
    std::thread::sleep(Duration::from_millis(500));
    let sent = Instant::now();
    signal(&child, libc::SIGINT);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    // Two graces of 2 s (SIGINT → SIGTERM → SIGKILL), not the program's 23 s.
    assert!(
        sent.elapsed() < Duration::from_secs(10),
        "{:?}",
        sent.elapsed()
    );
    let report = read_json(&report);
    assert!(
        report["warnings"].to_string().contains("it was killed"),
        "{}",
        report["warnings"]
    );
    assert!(gone_within("sleep 23.456", 5));
}

#[test]
fn boundscope_killed_kills_the_program_too() {
    let scratch = Scratch::new();
    let report = scratch.path("killed.json");
    let mut child = start(&scratch, &report, &["sleep", "29.9792"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !alive("sleep 29.9792") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(alive("sleep 29.9792"), "the program never started");
    signal(&child, libc::SIGKILL);
    let _ = child.wait();
    assert!(
        gone_within("sleep 29.9792", 5),
        "the program outlived boundscope"
    );
}

/// The address `serve-api` says it listens on (its first line).
fn listening_address(server: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let out = server.stdout.take().expect("stdout");
    let mut line = String::new();
    std::io::BufReader::new(out)
        .read_line(&mut line)
        .expect("read");
    line.trim()
        .trim_start_matches("listening on http://")
        .to_string()
}

#[test]
fn python_threads_fetching_over_http_read_io_bound_on_net_waits() {
    let Some(python) = python3() else { return };
    let _cores = cores();
    let scratch = Scratch::new();
    let mut server = bin()
        .args(["serve-api", "--addr", "127.0.0.1:0", "--latency", "20ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the API");
    let addr = listening_address(&mut server);
    let script = common::repo_path("tests/fixtures/exec/fetch.py");
    let folded = scratch.path("fetch.folded");
    let (out, report) = exec(
        &scratch,
        "fetch",
        &[
            "--progress",
            "^fetched",
            "--view",
            "wall",
            "--folded",
            folded.to_str().unwrap(),
        ],
        &[&python, &script, &format!("http://{addr}"), "8", "200"],
    );
    let _ = server.kill();
    let _ = server.wait();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["items"], 200);
    assert_eq!(
        report["verdict"], "io-bound",
        "{}",
        report["verdict_detail"]
    );
    // The eight fetching threads spent most of their time waiting on the network.
    let lanes = report["worker_stats"].as_array().unwrap();
    let fetchers: Vec<&serde_json::Value> = lanes
        .iter()
        .filter(|l| l["waits"]["net"].as_f64().unwrap_or(0.0) > 0.0)
        .collect();
    assert!(fetchers.len() >= 8, "{lanes:?}");
    let wall: f64 = fetchers.iter().map(|l| l["wall_s"].as_f64().unwrap()).sum();
    let net: f64 = fetchers
        .iter()
        .map(|l| l["waits"]["net"].as_f64().unwrap())
        .sum();
    assert!(net >= 0.8 * wall, "net {net} of {wall}");
}

#[test]
fn a_multiprocessing_pool_gets_a_lane_per_child_process() {
    let Some(python) = python3() else { return };
    let _cores = cores();
    let scratch = Scratch::new();
    let script = common::repo_path("tests/fixtures/exec/pool.py");
    let (out, report) = exec(&scratch, "pool", &[], &[&python, &script, "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lanes = report["worker_stats"].as_array().unwrap();
    // Lanes of processes other than the program's own read `NAME PID/TID`.
    let mut children: Vec<&str> = lanes
        .iter()
        .filter_map(|l| l["name"].as_str()?.rsplit(' ').next()?.split_once('/'))
        .map(|(pid, _)| pid)
        .collect();
    children.dedup();
    assert!(children.len() >= 3, "{lanes:?}");
    // The parent and its three workers.
    assert!(
        report["options"]["processes"].as_u64().unwrap() >= 4,
        "{}",
        report["options"]
    );
    // Each worker wanted a core most of its time: on one, or waiting for one.
    let wanted = |l: &&serde_json::Value| {
        let (cpu, queue) = (
            l["cpu_s"].as_f64().unwrap_or(0.0),
            l["runqueue_s"].as_f64().unwrap_or(0.0),
        );
        cpu > 0.0 && cpu + queue > 0.5 * l["wall_s"].as_f64().unwrap_or(f64::MAX)
    };
    let busy_workers = lanes
        .iter()
        .filter(|l| l["name"].as_str().unwrap_or("").contains('/'))
        .filter(wanted)
        .count();
    assert!(busy_workers >= 3, "{lanes:?}");
}

#[test]
fn compare_runs_commands_side_by_side_with_their_speedup_over_the_first() {
    let scratch = Scratch::new();
    let json = scratch.path("cmp.json");
    let out = scratch.run(&[
        "compare",
        "--exec",
        "sh -c 'sleep 0.6'",
        "--exec",
        "sh -c 'sleep 0.2'",
        "--repeat",
        "1",
        "--warmup",
        "0",
        "--export-json",
        json.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.starts_with("exec — 1 timed runs per command"),
        "{table}"
    );
    assert!(table.contains("sh -c 'sleep 0.2'"), "{table}");
    let modes = read_json(&json)["modes"].clone();
    assert_eq!(modes[0]["mode"], "sh -c 'sleep 0.6'");
    // Three times as fast, give or take the machine.
    let speedup = modes[1]["speedup"].as_f64().unwrap();
    assert!((2.0..4.0).contains(&speedup), "{modes}");
}

#[test]
fn compare_takes_commands_or_a_workload_not_both() {
    let scratch = Scratch::new();
    let out = scratch.run(&["compare", "json-parse", "--exec", "true", "--exec", "true"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

const REAL_SCENARIO: &str = r#"
title = "simulated and real"
common = "--files 2 --records 300 --output none"
repeat = 1
[[run]]
label = "simulated"
args = "json-parse --mode sequential"
[[run]]
label = "program slow"
args = "exec -- sh -c 'sleep 0.6'"
real = true
[[run]]
label = "program fast"
args = "exec -- sh -c 'sleep 0.2'"
real = true
[[expect]]
faster = "program fast"
than = "program slow"
by = 1.5
"#;

#[test]
fn a_scenarios_real_lines_run_programs_beside_the_simulated_ones_with_real() {
    let scratch = Scratch::new();
    let file = scratch.path("real.toml");
    std::fs::write(&file, REAL_SCENARIO).expect("write the scenario");
    let file = file.to_str().unwrap();
    let out = scratch.run(&["scenario", file, "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        !table.contains("program"),
        "real lines ran without --real: {table}"
    );
    let out = scratch.run(&["scenario", file, "--real", "--quiet"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("program slow") && table.contains("program fast"),
        "{table}"
    );
    // The programs' speedups are over the first of them; the checksum is the workload's.
    assert!(
        table.contains("speedups over program slow: program fast"),
        "{table}"
    );
    assert!(table.contains("identical in every run"), "{table}");
    assert!(table.contains("expect: program fast"), "{table}");
    assert!(table.contains("— ok"), "{table}");
}

/// The folded wall profile of an `exec` run: (stack, nanoseconds).
fn folded_wall(
    scratch: &Scratch,
    name: &str,
    args: &[&str],
    command: &[&str],
) -> Vec<(String, u64)> {
    let folded = scratch.path(&format!("{name}.folded"));
    let mut all = vec!["--folded", folded.to_str().unwrap(), "--view", "wall"];
    all.extend_from_slice(args);
    let (out, _) = exec(scratch, name, &all, command);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&folded).expect("folded");
    text.lines()
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(stack, n)| (stack.to_string(), n.parse().unwrap_or(0)))
        .collect()
}

/// Nanoseconds of the stacks ending in `leaf`, and of those that also pass through `frame`.
fn under(stacks: &[(String, u64)], leaf: &str, frame: &str) -> (u64, u64) {
    let ending: Vec<&(String, u64)> = stacks.iter().filter(|(s, _)| s.ends_with(leaf)).collect();
    let all = ending.iter().map(|(_, n)| n).sum();
    let within = ending
        .iter()
        .filter(|(s, _)| s.contains(frame))
        .map(|(_, n)| n)
        .sum();
    (all, within)
}

#[test]
fn two_cpu_bound_python_threads_read_gil_bound_with_their_waits_under_their_own_code() {
    let Some(python) = python3() else { return };
    let _cores = cores();
    let scratch = Scratch::new();
    let script = common::repo_path("tests/fixtures/exec/gil.py");
    let stacks = folded_wall(&scratch, "gil", &[], &[&python, &script]);
    let report = read_json(&scratch.path("gil.json"));
    assert_eq!(
        report["verdict"], "gil-bound",
        "{}",
        report["verdict_detail"]
    );
    // The two threads waited for the lock at least 30% of their time.
    let lanes = report["worker_stats"].as_array().unwrap();
    let threads: Vec<&serde_json::Value> = lanes
        .iter()
        .filter(|l| {
            l["name"]
                .as_str()
                .unwrap_or("")
                .contains("crunch_in_thread")
        })
        .collect();
    assert_eq!(threads.len(), 2, "{lanes:?}");
    let wall: f64 = threads.iter().map(|l| l["wall_s"].as_f64().unwrap()).sum();
    let gil: f64 = threads
        .iter()
        .map(|l| l["waits"]["gil"].as_f64().unwrap_or(0.0))
        .sum();
    assert!(gil >= 0.3 * wall, "gil {gil} of {wall}");
    // Under the script's own function, not the interpreter's.
    let (all, within) = under(&stacks, ";[gil wait]", ";crunch_in_thread (gil.py);");
    assert!(
        all > 0 && within as f64 >= 0.9 * all as f64,
        "{within} of {all}"
    );
}

/// A native program that burns the CPU for about a second in a function of its own.
const BURN: &str = r#"
__attribute__((noinline)) double burn_cycles(long n) {
    volatile double x = 0;
    for (long i = 0; i < n; i++) x += i * 0.5;
    return x;
}
int main(void) {
    double t = 0;
    for (int i = 0; i < 300; i++) t += burn_cycles(1000000);
    return t < 0;
}
"#;

#[test]
fn a_native_programs_cpu_time_sits_on_its_own_functions() {
    let _cores = cores();
    let scratch = Scratch::new();
    let source = scratch.path("burn.c");
    let program = scratch.path("burn");
    std::fs::write(&source, BURN).expect("write the program");
    let built = Command::new("cc")
        .args(["-O1", "-g", "-fno-omit-frame-pointer", "-o"])
        .arg(&program)
        .arg(&source)
        .status()
        .expect("a C compiler (cc), which Rust's own linking needs too");
    assert!(built.success());
    let folded = scratch.path("burn.folded");
    let (out, report) = exec(
        &scratch,
        "burn",
        &["--folded", folded.to_str().unwrap(), "--view", "cpu"],
        &[program.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        report["verdict"], "cpu-bound",
        "{}",
        report["verdict_detail"]
    );
    let text = std::fs::read_to_string(&folded).expect("folded");
    let samples: u64 = text
        .lines()
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<u64>().ok())
        .sum();
    let in_burn: u64 = text
        .lines()
        .filter(|l| l.contains(";main;burn_cycles"))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<u64>().ok())
        .sum();
    assert!(
        in_burn as f64 >= 0.8 * samples as f64,
        "{in_burn} of {samples}: {text}"
    );
}
