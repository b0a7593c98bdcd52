//! Every wait ends: a PostgreSQL server that accepts and never answers fails the connect at
//! its deadline, the first Ctrl-C ends a run still waiting to start (exit 130, no temporary
//! directory left), and an input that can be read only once (a FIFO, standard input) is
//! read once and shared in every mode.

mod common;
use common::{bin, read_json, Scratch};
use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Waits for `child`; one that has not ended after `limit` is killed and the test fails
/// (the defect this file is about is a wait that never ends).
fn wait_within(mut child: Child, limit: Duration) -> Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().expect("poll").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("wait");
            panic!(
                "still running after {limit:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// A port where connections are taken and never answered (they stay open); the receiver
/// hears of each accepted connection.
fn silent_server() -> (u16, mpsc::Receiver<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
            let _ = tx.send(());
        }
    });
    (port, rx)
}

fn mkfifo(path: &Path) {
    let c_path = std::ffi::CString::new(path.to_string_lossy().as_bytes()).expect("path");
    // SAFETY: mkfifo with a valid NUL-terminated path; no memory is shared.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo");
}

fn interrupt(child: &Child) {
    // SAFETY: kill(2) of our own child; no memory effects.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
}

/// True once a thread of `pid` is named `name`.
fn has_thread(pid: u32, name: &str) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks
        .flatten()
        .any(|t| std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim() == name))
}

const CSV_ROWS: usize = 500;

fn csv_text() -> String {
    let mut text = String::from("id,name\n");
    for i in 0..CSV_ROWS {
        text += &format!("{i},n{i}\n");
    }
    text
}

/// Stored + rejected rows, and the tables' sources, of a csv-import report.
fn accounted(report: &serde_json::Value) -> (u64, Vec<String>) {
    let tables = report["verification"]["tables"].as_array().expect("tables");
    let sum = |f: &str| {
        tables
            .iter()
            .map(|t| t[f].as_u64().unwrap_or(0))
            .sum::<u64>()
    };
    let sources = tables
        .iter()
        .map(|t| t["source"].as_str().unwrap_or("").to_string())
        .collect();
    (sum("stored") + sum("rejected"), sources)
}

#[test]
fn a_silent_postgres_server_fails_the_connect_at_its_deadline() {
    let (port, _accepted) = silent_server();
    let url = format!("postgres://u@127.0.0.1:{port}/x?connect_timeout=1");
    let child = bin()
        .args(["run", "csv-import", "--db", &url, "--no-profile", "--quiet"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let out = wait_within(child, Duration::from_secs(30));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let expected = format!("PostgreSQL at 127.0.0.1:{port} did not answer within 1 s");
    assert!(
        err.contains(&expected) && err.contains("connect_timeout"),
        "{err}"
    );
}

#[test]
fn the_first_ctrl_c_ends_a_wait_for_postgres() {
    let scratch = Scratch::new();
    let (port, accepted) = silent_server();
    // The default deadline (10 s): only Ctrl-C can end the wait with 130.
    let url = format!("postgres://u@127.0.0.1:{port}/x");
    let child = bin()
        .args(["run", "csv-import", "--db", &url, "--no-profile", "--quiet"])
        .env("TMPDIR", scratch.path(""))
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    accepted
        .recv_timeout(Duration::from_secs(30))
        .expect("boundscope connects");
    interrupt(&child);
    let out = wait_within(child, Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(130), "{}", common::stderr(&out));
    assert_no_temp_left(&scratch);
}

/// Nothing of the process is left in its temporary directory.
fn assert_no_temp_left(scratch: &Scratch) {
    let left: Vec<_> = std::fs::read_dir(scratch.path(""))
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("boundscope-"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn the_first_ctrl_c_ends_a_wait_for_a_fifo_writer() {
    let scratch = Scratch::new();
    let fifo = scratch.path("never.csv");
    mkfifo(&fifo);
    let child = bin()
        .args(["run", "csv-import", "--input"])
        .arg(&fifo)
        .args(["--no-profile", "--quiet"])
        .env("TMPDIR", scratch.path(""))
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !has_thread(child.id(), "bs-prepare") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    interrupt(&child);
    let out = wait_within(child, Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(130), "{}", common::stderr(&out));
    assert_no_temp_left(&scratch);
}

/// A csv-import of a FIFO in `mode`: every row is read once and accounted for, under the
/// FIFO's own name.
fn import_from_fifo(mode: &str) {
    let scratch = Scratch::new();
    let fifo = scratch.path("piped.csv");
    mkfifo(&fifo);
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || std::fs::write(writer_path, csv_text()));
    let report = scratch.path("r.json");
    let child = bin()
        .args([
            "run",
            "csv-import",
            "--mode",
            mode,
            "--workers",
            "2",
            "--input",
        ])
        .arg(&fifo)
        .args(["--chunk-rows", "100", "--no-profile", "--quiet", "--report"])
        .arg(&report)
        .env("BOUNDSCOPE_DATA", scratch.path("cache"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let out = wait_within(child, Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    writer.join().expect("writer").expect("write the FIFO");
    let (rows, sources) = accounted(&read_json(&report));
    assert_eq!(rows, CSV_ROWS as u64, "{mode}");
    assert_eq!(sources, vec!["piped.csv".to_string()], "{mode}");
}

#[test]
fn a_fifo_input_is_read_once_in_sequential_mode() {
    import_from_fifo("sequential");
}

#[test]
fn a_fifo_input_is_read_once_in_threads_mode() {
    import_from_fifo("threads");
}

#[test]
fn a_fifo_input_is_read_once_in_processes_mode() {
    import_from_fifo("processes");
}

#[test]
fn standard_input_is_read_once_and_shared_with_processes_children() {
    let scratch = Scratch::new();
    let report = scratch.path("r.json");
    let mut child = bin()
        .args(["run", "csv-import", "--mode", "processes", "--workers", "2"])
        .args([
            "--input",
            "/dev/stdin",
            "--chunk-rows",
            "100",
            "--no-profile",
        ])
        .args(["--quiet", "--report"])
        .arg(&report)
        .env("BOUNDSCOPE_DATA", scratch.path("cache"))
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let mut stdin = child.stdin.take().expect("stdin");
    std::io::Write::write_all(&mut stdin, csv_text().as_bytes()).expect("write stdin");
    drop(stdin);
    let out = wait_within(child, Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let (rows, _) = accounted(&read_json(&report));
    assert_eq!(rows, CSV_ROWS as u64);
}

/// Whether a statement on `table` waits for a lock (a run's insert behind the test's lock).
fn waits_for_lock(watcher: &mut postgres::Client, table: &str) -> bool {
    let sql = "SELECT count(*) FROM pg_locks WHERE NOT granted \
               AND relation = (SELECT oid FROM pg_class WHERE relname = $1)";
    watcher
        .query_one(sql, &[&table])
        .is_ok_and(|row| row.get::<_, i64>(0) > 0)
}

/// A run whose statements never return (its inserts wait behind another session's lock on
/// the table, which is never let go) ends at the first Ctrl-C, in each mode: the statement
/// is cancelled, the run exits with 130 and its report says it was interrupted and what
/// became of every unit (stored, failed by the interrupt, or never run).
#[test]
fn the_first_ctrl_c_ends_a_run_whose_statement_never_returns() {
    let Some(url) = common::pg_url() else { return };
    let scratch = Scratch::new();
    let input = scratch.path("people.csv");
    std::fs::write(&input, csv_text()).expect("write");
    let table = format!("bs_stuck_{}", std::process::id());
    let connect = || postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    let (mut holder, mut watcher) = (connect(), connect());
    let ddl = format!("DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (id BIGINT, name TEXT)");
    holder.batch_execute(&ddl).expect("create");
    // SHARE lets the run read the table and blocks every insert until this session ends.
    let mut held = holder.transaction().expect("begin");
    held.batch_execute(&format!("LOCK TABLE {table} IN SHARE MODE"))
        .expect("lock");
    for mode in ["sequential", "threads", "async", "processes"] {
        let report = scratch.path(&format!("{mode}.json"));
        let child = bin()
            .args([
                "run",
                "csv-import",
                "--db",
                &url,
                "--table",
                &table,
                "--input",
            ])
            .arg(&input)
            .args(["--mode", mode, "--workers", "2", "--chunk-rows", "100"])
            .args(["--no-profile", "--quiet", "--report"])
            .arg(&report)
            .stderr(Stdio::piped())
            .spawn()
            .expect("start");
        let deadline = Instant::now() + Duration::from_secs(60);
        while !waits_for_lock(&mut watcher, &table) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        interrupt(&child);
        let out = wait_within(child, Duration::from_secs(20));
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(130), "{mode}: {err}");
        let report = read_json(&report);
        assert_eq!(report["interrupted"], true, "{mode}: {report}");
        assert_eq!(report["items"], 0, "{mode}: nothing could be stored");
        let total = report["units_total"].as_u64().expect("units_total");
        let failed = report["errors"].as_u64().expect("errors");
        let not_run = report["units_not_run"].as_u64().unwrap_or(0);
        assert!(failed > 0, "{mode}: the stuck units failed: {report}");
        assert_eq!(
            failed + not_run,
            total,
            "{mode}: every unit accounted for: {report}"
        );
        let failures = report["failures"].to_string();
        assert!(failures.contains("interrupted"), "{mode}: {failures}");
    }
    drop(held);
    holder
        .batch_execute(&format!("DROP TABLE {table}"))
        .expect("drop");
}
