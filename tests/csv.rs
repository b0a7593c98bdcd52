//! `csv-import` through the real binary: every mode and insert strategy stores the same rows
//! (counted and summed in the database itself), the broken sample gives exact figures, and
//! bad databases or files end with exit code 2 without showing a password.
//!
//! PostgreSQL tests read `BOUNDSCOPE_TEST_PG` (start a server with `.ci/postgres.sh`). Without
//! it they print a skip line, except under `CI`, where a missing server fails them.

mod common;
use common::{pg_url, repo_path, stderr, Scratch};

const MODES: [&str; 5] = ["sequential", "threads", "rayon", "async", "processes"];
/// Small enough to keep every test well under 20 s, big enough for several units per table.
const RECORDS: &str = "300";

/// What the database holds for one table: rows and a few sums over every column type.
type Content = (i64, i64, i64, String);

const CONTENT_SQL: &str = "SELECT COUNT(*), CAST(COALESCE(SUM(id), 0) AS BIGINT), \
     CAST(COALESCE(SUM(LENGTH(email) + LENGTH(city) + age), 0) AS BIGINT), \
     CAST(ROUND(CAST(COALESCE(SUM(balance), 0) AS NUMERIC), 2) AS TEXT) FROM ";

fn sqlite_content(path: &std::path::Path, table: &str) -> Content {
    let conn = rusqlite::Connection::open(path).expect("open the SQLite file");
    // SQLite has no NUMERIC rounding to text like PostgreSQL: format the sum ourselves.
    let sql = format!(
        "SELECT COUNT(*), COALESCE(SUM(id), 0), COALESCE(SUM(LENGTH(email) + LENGTH(city) + age), 0), \
         COALESCE(SUM(balance), 0) FROM {table}"
    );
    conn.query_row(&sql, [], |r| {
        let balance: f64 = r.get(3)?;
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, format!("{balance:.2}")))
    })
    .expect("query the SQLite file")
}

fn pg_content(url: &str, table: &str) -> Content {
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    let row = client
        .query_one(&format!("{CONTENT_SQL}{table}"), &[])
        .expect("query PostgreSQL");
    (row.get(0), row.get(1), row.get(2), row.get(3))
}

/// Runs `boundscope run csv-import ARGS --quiet --report F`; returns exit code, stdout+stderr
/// and the report (when the run wrote one).
fn run_csv(scratch: &Scratch, name: &str, args: &[&str]) -> (i32, String, serde_json::Value) {
    let mut all = vec!["run", "csv-import"];
    all.extend_from_slice(args);
    let (out, json) = scratch.run_with_report(name, &all);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    (out.status.code().unwrap_or(-1), text, json)
}

/// Every variant stored the same table content and got the same checksum as the first.
fn assert_all_alike(seen: &[(String, Content, String)]) {
    let (first_what, first_content, first_sum) = &seen[0];
    for (what, content, checksum) in seen {
        assert_eq!(content, first_content, "{what} vs {first_what}");
        assert_eq!(checksum, first_sum, "{what} vs {first_what}");
    }
}

fn assert_verified(report: &serde_json::Value, stored: u64, rejected: u64, what: &str) {
    let v = &report["verification"];
    assert_eq!(v["ok"], true, "{what}: {v}");
    let sum = |field: &str| -> u64 {
        v["tables"]
            .as_array()
            .expect("tables")
            .iter()
            .map(|t| t[field].as_u64().expect("number"))
            .sum()
    };
    assert_eq!(
        (sum("stored"), sum("rejected"), sum("input_rows")),
        (stored, rejected, stored + rejected),
        "{what}: {v}"
    );
}

#[test]
fn every_mode_and_insert_strategy_stores_the_same_rows_in_sqlite() {
    let scratch = Scratch::new();
    let mut seen: Vec<(String, Content, String)> = Vec::new();
    for mode in MODES {
        for (insert, writer) in [("row", "each"), ("multi", "each"), ("row", "single")] {
            if writer == "single" && mode != "threads" {
                continue;
            }
            let what = format!("{mode} {insert} {writer}");
            let db = scratch.path(&format!("{mode}-{insert}-{writer}.sqlite"));
            let db_arg = format!("sqlite:{}", db.display());
            let (code, text, report) = run_csv(
                &scratch,
                &format!("{mode}-{insert}-{writer}"),
                &[
                    "--mode",
                    mode,
                    "--workers",
                    "2",
                    "--insert",
                    insert,
                    "--writer",
                    writer,
                    "--records",
                    RECORDS,
                    "--chunk-rows",
                    "70",
                    "--batch",
                    "40",
                    "--db",
                    &db_arg,
                    "--fresh",
                    "--hz",
                    "49",
                ],
            );
            assert_eq!(code, 0, "{what}: {text}");
            assert!(
                text.contains("stored + rejected == input rows"),
                "{what}: {text}"
            );
            assert_verified(&report, 600, 0, &what);
            assert_eq!(report["items"], 600, "{what}");
            let content = sqlite_content(&db, "customers");
            assert_eq!(content.0, 300, "{what}");
            let checksum = report["checksum"].as_str().expect("checksum").to_string();
            seen.push((what, content, checksum));
        }
    }
    assert_all_alike(&seen);
}

#[test]
fn every_mode_and_insert_strategy_stores_the_same_rows_in_postgres() {
    let Some(url) = pg_url() else {
        return;
    };
    let scratch = Scratch::new();
    let mut seen: Vec<(String, Content, String)> = Vec::new();
    for mode in MODES {
        for insert in ["row", "multi", "copy"] {
            let what = format!("{mode} {insert}");
            let prefix = format!("bs_it_{mode}_{insert}");
            let (code, text, report) = run_csv(
                &scratch,
                &prefix,
                &[
                    "--mode",
                    mode,
                    "--workers",
                    "2",
                    "--insert",
                    insert,
                    "--records",
                    RECORDS,
                    "--chunk-rows",
                    "70",
                    "--batch",
                    "40",
                    "--db",
                    &url,
                    "--table",
                    &prefix,
                    "--fresh",
                    "--hz",
                    "49",
                ],
            );
            assert_eq!(code, 0, "{what}: {text}");
            assert!(
                text.contains("PostgreSQL server's CPU") && text.contains("not counted"),
                "{what}: the summary says the server's CPU is not counted: {text}"
            );
            assert!(report["cpu_not_counted"].is_string(), "{what}");
            assert_verified(&report, 600, 0, &what);
            let content = pg_content(&url, &format!("{prefix}_customers"));
            assert_eq!(content.0, 300, "{what}");
            let checksum = report["checksum"].as_str().expect("checksum").to_string();
            seen.push((what, content, checksum));
        }
    }
    assert_all_alike(&seen);
}

#[test]
fn the_broken_sample_gives_exact_stored_and_rejected_figures() {
    let scratch = Scratch::new();
    let input = repo_path("assets/csv/customers-bad.csv");
    for (mode, insert) in [
        ("sequential", "row"),
        ("threads", "multi"),
        ("processes", "row"),
    ] {
        let what = format!("{mode} {insert}");
        let (code, text, report) = run_csv(
            &scratch,
            &format!("bad-{mode}"),
            &[
                "--input",
                &input,
                "--mode",
                mode,
                "--workers",
                "2",
                "--insert",
                insert,
                "--chunk-rows",
                "7",
                "--batch",
                "5",
            ],
        );
        assert_eq!(code, 0, "{what}: rejected rows are not a failure: {text}");
        assert_verified(&report, 24, 6, &what);
        assert_eq!(
            report["verification"]["tables"][0]["table"],
            "customers_bad"
        );
        assert_eq!(
            (report["items"].as_u64(), report["rejected"].as_u64()),
            (Some(24), Some(6))
        );
        assert!(
            text.contains("24 + 6 = 30 of 30 (nothing lost)"),
            "{what}: {text}"
        );
        let mut lines: Vec<u64> = report["rejections"]
            .as_array()
            .expect("rejections")
            .iter()
            .map(|r| r["line"].as_u64().expect("line"))
            .collect();
        lines.sort_unstable();
        assert_eq!(lines.len(), 6, "{what}: {lines:?}");
    }
}

fn assert_exit_2_without_secret(args: &[&str], must_name: &str, secret: &str) {
    let scratch = Scratch::new();
    let mut all = vec!["run", "csv-import", "--quiet", "--records", "50"];
    all.extend_from_slice(args);
    let out = scratch.run(&all);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(must_name), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    if !secret.is_empty() {
        assert!(!err.contains(secret), "{args:?} shows the password: {err}");
    }
}

#[test]
fn a_bad_database_url_is_a_usage_error_without_the_password() {
    assert_exit_2_without_secret(
        &["--db", "mysql://root:hunter2@db.example/app"],
        "unknown database",
        "hunter2",
    );
}

#[test]
fn an_unreachable_server_is_a_usage_error_without_the_password() {
    assert_exit_2_without_secret(
        &["--db", "postgres://u:secret@127.0.0.1:1/x"],
        "cannot connect",
        "secret",
    );
}

#[test]
fn a_missing_input_file_is_a_usage_error() {
    assert_exit_2_without_secret(&["--input", "/definitely/not/here.csv"], "here.csv", "");
}

#[test]
fn impossible_combinations_are_usage_errors() {
    assert_exit_2_without_secret(
        &["--db", "sqlite::memory:", "--mode", "processes"],
        "sqlite::memory:",
        "",
    );
    assert_exit_2_without_secret(&["--insert", "copy"], "copy", "");
    assert_exit_2_without_secret(&["--insert", "bulk"], "bulk", "");
}

#[test]
fn an_in_memory_database_works_with_threads() {
    let scratch = Scratch::new();
    let (code, text, report) = run_csv(
        &scratch,
        "memory",
        &[
            "--db",
            "sqlite::memory:",
            "--mode",
            "threads",
            "--workers",
            "2",
            "--records",
            "200",
            "--chunk-rows",
            "50",
        ],
    );
    assert_eq!(code, 0, "{text}");
    assert_verified(&report, 400, 0, "memory");
    assert_eq!(report["options"]["writer"], "single");
}

#[test]
fn the_default_database_lives_in_a_temporary_run_directory() {
    let scratch = Scratch::new();
    let (code, text, report) = run_csv(&scratch, "default", &["--records", "100"]);
    assert_eq!(code, 0, "{text}");
    let db = report["options"]["db"].as_str().expect("db").to_string();
    let path = db.strip_prefix("sqlite:").expect("a SQLite file");
    assert!(path.contains("boundscope-run-"), "{db}");
    assert!(
        !std::path::Path::new(path).exists(),
        "{db} is removed after the run"
    );
}

#[test]
fn gen_writes_the_data_sets_with_the_csv_default_size() {
    let scratch = Scratch::new();
    let out = scratch.path("gen");
    let out_arg = out.to_string_lossy().into_owned();
    let run = scratch.run(&["gen", "csv-import", "--out", &out_arg, "--records", "25"]);
    assert!(run.status.success(), "{}", stderr(&run));
    for file in ["customers.csv", "products.csv"] {
        let text = std::fs::read_to_string(out.join(file)).expect(file);
        assert_eq!(text.lines().count(), 26, "{file}: header + 25 records");
    }
    let census = scratch.path("census");
    let census_arg = census.to_string_lossy().into_owned();
    let run = scratch.run(&[
        "gen",
        "csv-import",
        "--out",
        &census_arg,
        "--dataset",
        "census",
        "--records",
        "3",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let text = std::fs::read_to_string(census.join("census.csv")).expect("census");
    assert_eq!(text.lines().count(), 4);
    assert_eq!(text.lines().next().map(|l| l.split(',').count()), Some(101));
}

#[test]
fn compare_runs_each_mode_on_fresh_tables_and_checksums_agree() {
    let scratch = Scratch::new();
    let db = scratch.path("cmp.sqlite");
    let db_arg = format!("sqlite:{}", db.display());
    let out = scratch.run(&[
        "compare",
        "csv-import",
        "--modes",
        "sequential,threads",
        "--workers",
        "2",
        "--repeat",
        "1",
        "--records",
        "200",
        "--chunk-rows",
        "50",
        "--db",
        &db_arg,
        "--quiet",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sqlite_content(&db, "customers").0, 200);
}

/// The async driver (tokio-postgres) stores what the blocking client stores: the same count,
/// content and checksum for every insert strategy, and the same rejections (the database's
/// refusals go through the same row-by-row fallback).
#[test]
fn async_mode_uses_the_async_postgres_driver_and_matches_sequential() {
    let Some(url) = pg_url() else {
        return;
    };
    let scratch = Scratch::new();
    for insert in ["row", "multi", "copy"] {
        let mut seen: Vec<(String, Content, String)> = Vec::new();
        for mode in ["sequential", "async"] {
            let what = format!("{mode} {insert}");
            let prefix = format!("bs_it_pgasync_{mode}_{insert}");
            let (code, text, report) = run_csv(
                &scratch,
                &prefix,
                &[
                    "--mode",
                    mode,
                    "--workers",
                    "4",
                    "--insert",
                    insert,
                    "--records",
                    "3000",
                    "--db",
                    &url,
                    "--table",
                    &prefix,
                    "--fresh",
                    "--hz",
                    "49",
                ],
            );
            assert_eq!(code, 0, "{what}: {text}");
            assert_verified(&report, 6000, 0, &what);
            let said = report["options"]["async"].as_str().unwrap_or_default();
            assert!(
                said.contains("async driver (tokio-postgres)"),
                "{what}: {said}"
            );
            if mode == "async" {
                assert!(
                    text.contains("note      async driver (tokio-postgres)"),
                    "{what}: {text}"
                );
                let opened = report["options"]["async_connections"].as_u64();
                assert!(matches!(opened, Some(1..=4)), "{what}: {opened:?}");
            }
            let content = pg_content(&url, &format!("{prefix}_customers"));
            assert_eq!(content.0, 3000, "{what}");
            let checksum = report["checksum"].as_str().expect("checksum").to_string();
            seen.push((what, content, checksum));
        }
        assert_all_alike(&seen);
    }
    // Rows the server refuses are found row by row, as on the blocking path. One unit in
    // flight: with more, which of two duplicate keys wins depends on timing, in any mode.
    let input = repo_path("assets/csv/customers-bad.csv");
    for insert in ["row", "multi", "copy"] {
        let mut lines_seen = Vec::new();
        for mode in ["sequential", "async"] {
            let what = format!("bad {mode} {insert}");
            let table = format!("bs_it_pgasync_bad_{mode}_{insert}");
            let (code, text, report) = run_csv(
                &scratch,
                &table,
                &[
                    "--input",
                    &input,
                    "--mode",
                    mode,
                    "--workers",
                    "1",
                    "--insert",
                    insert,
                    "--chunk-rows",
                    "7",
                    "--batch",
                    "5",
                    "--db",
                    &url,
                    "--table",
                    &table,
                    "--fresh",
                ],
            );
            assert_eq!(code, 0, "{what}: {text}");
            assert_verified(&report, 24, 6, &what);
            let mut lines: Vec<u64> = report["rejections"]
                .as_array()
                .expect("rejections")
                .iter()
                .map(|r| r["line"].as_u64().expect("line"))
                .collect();
            lines.sort_unstable();
            lines_seen.push((lines, report["checksum"].clone()));
        }
        assert_eq!(lines_seen[0], lines_seen[1], "bad {insert}");
    }
}

#[test]
fn async_mode_with_sqlite_runs_its_calls_in_the_blocking_pool_and_says_so() {
    let scratch = Scratch::new();
    let db = scratch.path("async-note.sqlite");
    let db_arg = format!("sqlite:{}", db.display());
    let (code, text, report) = run_csv(
        &scratch,
        "async-note",
        &[
            "--mode",
            "async",
            "--workers",
            "2",
            "--records",
            RECORDS,
            "--db",
            &db_arg,
            "--fresh",
            "--hz",
            "49",
        ],
    );
    assert_eq!(code, 0, "{text}");
    assert_verified(&report, 600, 0, "sqlite async");
    let note = report["options"]["async"].as_str().expect("options.async");
    assert!(
        note.starts_with("SQLite has no async driver") && note.contains("blocking pool"),
        "{note}"
    );
    assert!(text.contains(&format!("note      {note}")), "{text}");
    // The pool's threads are the lanes, each burning the CPU of its units and waiting on
    // SQLite; the runtime threads only hand the units over.
    let lanes = report["worker_stats"].as_array().expect("worker_stats");
    assert!(!lanes.is_empty(), "{report}");
    for lane in lanes {
        let name = lane["name"].as_str().expect("lane name");
        assert!(name.starts_with("bs-blocking-"), "{name}");
        assert!(lane["cpu_s"].as_f64().expect("cpu_s") > 0.0, "{lane}");
    }
    let db_wait: f64 = lanes.iter().filter_map(|l| l["waits"]["db"].as_f64()).sum();
    assert!(db_wait > 0.0, "{report}");
}
