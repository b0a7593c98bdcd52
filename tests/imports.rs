//! csv-import's accounting when something else touches the table: a child killed halfway
//! through a unit, and a second import into the same table at the same time. Each import
//! counts only its own rows as stored, and names the rows it did not store.

mod common;
use common::{bin, read_json, Scratch};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Rows in `table` of the SQLite file `db` (0 while it does not exist yet).
fn rows(db: &Path, table: &str) -> u64 {
    let Ok(conn) = rusqlite::Connection::open(db) else {
        return 0;
    };
    let _ = conn.busy_timeout(Duration::from_secs(5));
    conn.query_row(&format!("SELECT COUNT(*) FROM \"{table}\""), [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|n| n.max(0) as u64)
    .unwrap_or(0)
}

fn tables_sum(report: &serde_json::Value, field: &str) -> u64 {
    report["verification"]["tables"]
        .as_array()
        .expect("verification tables")
        .iter()
        .map(|t| {
            t[field]
                .as_u64()
                .unwrap_or_else(|| panic!("{field} in {t}"))
        })
        .sum()
}

/// A child process of `parent` (a `processes` worker), once one exists.
fn a_child_of(parent: u32) -> Option<u32> {
    common::children_of(parent).first().map(|(pid, _)| *pid)
}

/// kill -9 of a child in the middle of its units with `--batch 1`: the rows its unfinished
/// unit committed are in the table but are not the report's items. The report says how many
/// rows the table gained, which matches the database, and stored == items.
#[test]
fn a_killed_child_with_batch_1_is_accounted_for() {
    let scratch = Scratch::new();
    let (db, report) = (scratch.path("killed.db"), scratch.path("killed.json"));
    let db_arg = format!("sqlite:{}", db.display());
    let report_arg = report.to_string_lossy().into_owned();
    let run = bin()
        .args(["run", "csv-import", "--mode", "processes", "--workers", "2"])
        .args(["--batch", "1", "--records", "60000", "--chunk-rows", "3000"])
        .args([
            "--db",
            &db_arg,
            "--fresh",
            "--quiet",
            "--report",
            &report_arg,
        ])
        .env("BOUNDSCOPE_DATA", scratch.path("cache"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the run");
    let started = Instant::now();
    while rows(&db, "customers") < 300 && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let child = a_child_of(run.id()).expect("a child process is running");
    // SAFETY: kill(2) of a process this test's child started; no memory effects.
    unsafe { libc::kill(child as i32, libc::SIGKILL) };
    let out = run.wait_with_output().expect("wait for the run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "units failed: {err}");
    let report = read_json(&report);
    assert!(report["errors"].as_u64().unwrap_or(0) > 0, "{report}");
    let in_db = rows(&db, "customers") + rows(&db, "products");
    let (stored, growth) = (
        tables_sum(&report, "stored"),
        tables_sum(&report, "table_growth"),
    );
    assert_eq!(growth, in_db, "the table growth is what the database holds");
    assert_eq!(
        stored,
        report["items"].as_u64().expect("items"),
        "stored = items"
    );
    assert!(growth >= stored, "{growth} < {stored}");
    let (rejected, input) = (
        tables_sum(&report, "rejected"),
        tables_sum(&report, "input_rows"),
    );
    assert!(
        stored + rejected < input,
        "the killed child's rows are missing"
    );
    assert_eq!(report["verification"]["ok"], false, "{report}");
}

/// Two imports of the same data into the same tables at the same time: the keys one stores
/// the other's database refuses. Each balances its own rows (stored + rejected == input),
/// and together they stored exactly what the tables hold.
#[test]
fn concurrent_imports_into_one_table_each_verify_their_own_rows() {
    let scratch = Scratch::new();
    let db = scratch.path("shared.db");
    let db_arg = format!("sqlite:{}", db.display());
    // Generate the cached data first (an import into memory), so both imports start at once.
    let args = [
        "run",
        "csv-import",
        "--records",
        "20000",
        "--db",
        "sqlite::memory:",
        "--quiet",
    ];
    let warm = scratch.run(&args);
    assert!(warm.status.success(), "{}", common::stderr(&warm));
    let start = |name: &str| {
        let report = scratch.path(&format!("{name}.json"));
        let child = bin()
            .args(["run", "csv-import", "--mode", "threads", "--workers", "2"])
            .args([
                "--batch",
                "1",
                "--records",
                "20000",
                "--db",
                &db_arg,
                "--quiet",
            ])
            .args(["--report", &report.to_string_lossy()])
            .env("BOUNDSCOPE_DATA", scratch.path("cache"))
            .stderr(Stdio::piped())
            .spawn()
            .expect("start an import");
        (child, report)
    };
    let (a, b) = (start("a"), start("b"));
    let mut reports = Vec::new();
    for (child, report) in [a, b] {
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{err}");
        let report = read_json(&report);
        assert_eq!(report["verification"]["ok"], true, "{report}");
        let input = tables_sum(&report, "input_rows");
        let (stored, rejected) = (
            tables_sum(&report, "stored"),
            tables_sum(&report, "rejected"),
        );
        assert_eq!((stored + rejected, input), (40_000, 40_000));
        reports.push((stored, tables_sum(&report, "table_growth")));
    }
    let in_db = rows(&db, "customers") + rows(&db, "products");
    assert_eq!(reports[0].0 + reports[1].0, in_db, "{reports:?}");
    // They did overlap: at least one saw the tables grow by the other's rows too.
    assert!(
        reports.iter().any(|(stored, growth)| growth > stored),
        "{reports:?}"
    );
}

/// Two imports started at the same moment on a new SQLite file, several times over: both
/// connect (neither fails with "database is locked" while the other switches the new file to
/// WAL or creates the tables), and each accounts for all of its rows.
#[test]
fn imports_started_together_on_a_new_file_both_connect() {
    let scratch = Scratch::new();
    let input = scratch.path("in.csv");
    let mut text = String::from("id,name\n");
    for i in 0..300 {
        text += &format!("{i},n{i}\n");
    }
    std::fs::write(&input, text).expect("write the CSV");
    for trial in 0..6 {
        let db = format!(
            "sqlite:{}",
            scratch.path(&format!("new{trial}.db")).display()
        );
        let start = |name: &str| {
            let report = scratch.path(&format!("{name}{trial}.json"));
            let child = bin()
                .args(["run", "csv-import", "--input", &input.to_string_lossy()])
                .args(["--db", &db, "--no-profile", "--quiet", "--report"])
                .arg(&report)
                .stderr(Stdio::piped())
                .spawn()
                .expect("start an import");
            (child, report)
        };
        for (child, report) in [start("a"), start("b")] {
            let out = child.wait_with_output().expect("wait");
            let err = String::from_utf8_lossy(&out.stderr).into_owned();
            assert_eq!(out.status.code(), Some(0), "trial {trial}: {err}");
            let report = read_json(&report);
            let accounted = tables_sum(&report, "stored") + tables_sum(&report, "rejected");
            assert_eq!(accounted, 300, "trial {trial}: {report}");
        }
    }
}
