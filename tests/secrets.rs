//! A PostgreSQL password given in `--db` never shows: not in stdout, stderr, the report, the
//! event stream, any export, nor in the command line or environment of any process the run
//! starts (children get their spec through a pipe). The same holds when the URL has no
//! password and `PGPASSWORD` gives it (then it is not even on the user's own command line).
//!
//! Reads `BOUNDSCOPE_TEST_PG` (start a server with `.ci/postgres.sh`, whose other roles need
//! their password over TCP). Without it the test prints a skip line, except under `CI`.

mod common;
use common::{bin, pg_url, stderr, Scratch};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Creates a role with a password (fresh each run) that may create tables, checks that the
/// server really asks it for that password over TCP, and returns its URL with and without
/// the password, and the password. `name` tells apart the roles of tests running at once.
fn role_with_password(admin_url: &str, name: &str) -> (String, String, String) {
    let pid = std::process::id();
    let role = format!("bs_{name}_{pid}");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let password = format!("Pw{pid}x{nanos}");
    let mut admin = postgres::Client::connect(admin_url, postgres::NoTls).expect("connect");
    // The role works in its own schema (first on its search path), apart from other tests.
    admin
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {role} CASCADE; DROP ROLE IF EXISTS {role}; \
             CREATE ROLE {role} LOGIN PASSWORD '{password}'; \
             CREATE SCHEMA AUTHORIZATION {role}"
        ))
        .expect("create a role with a password and its schema");
    // postgres://USER@HOST:PORT/DB → the same with the new role and its password.
    let rest = admin_url.split_once('@').expect("user@ in the URL").1;
    let with = |pw: &str| format!("postgres://{role}:{pw}@{rest}");
    let wrong = postgres::Client::connect(&with("not-the-password"), postgres::NoTls);
    assert!(
        wrong.is_err(),
        "the test server lets {role} in with a wrong password: start it with .ci/postgres.sh, \
         whose pg_hba.conf asks roles other than the test user for their password over TCP"
    );
    postgres::Client::connect(&with(&password), postgres::NoTls).expect("log in with it");
    let without = format!("postgres://{role}@{rest}");
    (with(&password), without, password)
}

/// The children (and their children) of `pid` now.
fn descendants(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut todo = vec![pid];
    while let Some(parent) = todo.pop() {
        let tasks = std::fs::read_dir(format!("/proc/{parent}/task"))
            .into_iter()
            .flatten();
        for task in tasks.flatten() {
            let children =
                std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
                found.push(child);
                todo.push(child);
            }
        }
    }
    found
}

/// `pid`'s command line once it has exec'd boundscope (before, it is the test's own).
fn exec_cmdline(pid: u32) -> Vec<u8> {
    let started = Instant::now();
    loop {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let execd = cmdline.windows(10).any(|w| w == b"csv-import");
        if execd || started.elapsed() > Duration::from_secs(10) {
            return cmdline;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_postgres_password_shows_nowhere() {
    let Some(admin_url) = pg_url() else {
        return;
    };
    let (url, _, password) = role_with_password(&admin_url, "secret");
    run_and_look_everywhere(&url, None, &password);
}

/// `--db postgres://USER@HOST/DB` with the password in `PGPASSWORD`: the run logs in (the
/// server refuses the role without its password) and the password shows nowhere either; the
/// children do not inherit the variable.
#[test]
fn a_password_from_pgpassword_logs_in_and_shows_nowhere() {
    let Some(admin_url) = pg_url() else {
        return;
    };
    let (_, url, password) = role_with_password(&admin_url, "pgpass");
    assert!(!url.contains(&password));
    run_and_look_everywhere(&url, Some(&password), &password);
}

/// Runs csv-import in processes mode into `url` (with `PGPASSWORD` set to `env_password`, if
/// given) with every export, and checks that `password` shows in no output, export, or
/// command line or environment of a process the run started.
fn run_and_look_everywhere(url: &str, env_password: Option<&str>, password: &str) {
    let scratch = Scratch::new();
    let out = |name: &str| scratch.path(name).to_string_lossy().into_owned();
    let files = [
        "events.ndjson",
        "report.json",
        "f.folded",
        "f.svg",
        "f.pb.gz",
        "f.speedscope.json",
    ];
    let mut child = bin()
        .args(["run", "csv-import", "--mode", "processes", "--workers", "2"])
        .args([
            "--records",
            "20000",
            "--batch",
            "50",
            "--fresh",
            "--table",
            "bs_it_secret",
        ])
        .args(["--db", url, "--hz", "49"])
        .args(["--events", &out(files[0]), "--report", &out(files[1])])
        .args(["--folded", &out(files[2]), "--svg", &out(files[3])])
        .args(["--pprof", &out(files[4]), "--speedscope", &out(files[5])])
        .env("BOUNDSCOPE_DATA", scratch.path("cache"))
        .env_remove("PGPASSWORD")
        .envs(env_password.map(|p| ("PGPASSWORD", p)))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start boundscope");
    // While it runs: every process it started, its command line and environment.
    let mut seen: BTreeMap<u32, String> = BTreeMap::new();
    // A child caught between fork and exec still shows its parent's command line (the one the
    // test typed, with the password): that copy is not something boundscope passed on.
    let parent_cmdline = exec_cmdline(child.id());
    let started = Instant::now();
    while child.try_wait().expect("poll").is_none() && started.elapsed() < Duration::from_secs(120)
    {
        for pid in descendants(child.id()) {
            let read =
                |what: &str| std::fs::read(format!("/proc/{pid}/{what}")).unwrap_or_default();
            let cmdline = read("cmdline");
            if cmdline == parent_cmdline {
                continue;
            }
            let text = [cmdline, read("environ")].concat();
            seen.entry(pid)
                .or_default()
                .push_str(&String::from_utf8_lossy(&text).replace('\0', " "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("wait");
    assert!(
        output.status.success(),
        "the run failed: {}",
        stderr(&output)
    );
    assert!(
        seen.values().filter(|c| c.contains("__child")).count() >= 2,
        "both children were seen running: {seen:?}"
    );
    for (pid, text) in &seen {
        assert!(
            !text.contains(password),
            "process {pid} shows the password: {text}"
        );
    }
    let mut outputs = vec![
        ("stdout".to_string(), output.stdout.clone()),
        ("stderr".to_string(), output.stderr.clone()),
    ];
    for file in files {
        let bytes = std::fs::read(scratch.path(file)).expect("every export was written");
        outputs.push((file.to_string(), bytes));
    }
    outputs.push(("gunzipped pprof".into(), gunzip(&scratch.path(files[4]))));
    for (name, bytes) in &outputs {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(password), "{name} shows the password");
    }
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(scratch.path(files[1])).expect("report"))
            .expect("JSON report");
    assert_eq!(
        report["verification"]["ok"], true,
        "{}",
        report["verification"]
    );
    assert!(report["items"].as_u64() > Some(0), "rows were stored");
    // The URL is still shown, with the password masked.
    let events = std::fs::read_to_string(scratch.path(files[0])).expect("events");
    let start: serde_json::Value = events
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON"))
        .find(|e| e["type"] == "start")
        .expect("a start event");
    let db = start["spec"]["workload"]["db"]
        .as_str()
        .expect("the start event's db");
    assert!(db.contains(":***@"), "{db}");
}

fn gunzip(path: &Path) -> Vec<u8> {
    use std::io::Read;
    let file = std::fs::File::open(path).expect("pprof");
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut out)
        .expect("gunzip the pprof");
    out
}
