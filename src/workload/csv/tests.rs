//! End-to-end tests of `csv-import` against real SQLite files and a real PostgreSQL server.
//!
//! PostgreSQL tests read `BOUNDSCOPE_TEST_PG` (start a server with `.ci/postgres.sh`). Without
//! it they are skipped with a message, except under `CI`, where a missing server fails them.

use super::*;
use crate::db::{InsertMode, Journal, SyncMode};
use crate::measure::WorkerMeter;
use crate::model::combine_digests;
use crate::model::WorkerSnapshot;
use crate::workload::DynWorkload;
use std::path::Path;
use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::Instant;

fn bad_csv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/csv/customers-bad.csv")
}

fn sqlite_in(dir: &Path, name: &str) -> String {
    format!("sqlite:{}", dir.join(name).display())
}

fn pg_url() -> Option<String> {
    match std::env::var("BOUNDSCOPE_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "CI is set but BOUNDSCOPE_TEST_PG is not: CI must run the PostgreSQL tests \
             (start a server with `eval \"$(.ci/postgres.sh start)\"`)"
        ),
        _ => {
            eprintln!(
                "PostgreSQL tests skipped: BOUNDSCOPE_TEST_PG is not set \
                 (start a server with `eval \"$(.ci/postgres.sh start)\"`)"
            );
            None
        }
    }
}

fn small(data_dir: &Path, db: String) -> CsvOptions {
    CsvOptions {
        records: 1200,
        chunk_rows: 500,
        batch: 100,
        db,
        data_dir: Some(data_dir.to_path_buf()),
        ..CsvOptions::default()
    }
}

/// Runs every unit on `workers` threads, each with its own context; returns the outcomes in
/// unit order and each worker's wait snapshot.
fn run_all(import: &CsvImport, workers: usize) -> (Vec<UnitOutcome>, Vec<WorkerSnapshot>) {
    import.prepare().expect("prepare");
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let snapshots = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for w in 0..workers {
            let (next, results, snapshots) = (&next, &results, &snapshots);
            s.spawn(move || {
                let meter = Arc::new(WorkerMeter::for_current_thread(
                    &format!("w{w}"),
                    Instant::now(),
                ));
                let mut ctx = WorkerCtx::new(meter.clone(), Arc::default(), None);
                loop {
                    let unit = next.fetch_add(1, Relaxed);
                    if unit >= import.unit_count() {
                        break;
                    }
                    let outcome = import.run_unit(unit, &mut ctx).expect("unit");
                    results.lock().push((unit, outcome));
                }
                snapshots.lock().push(meter.snapshot());
            });
        }
    });
    let mut results = results.into_inner();
    results.sort_by_key(|(unit, _)| *unit);
    (
        results.into_iter().map(|(_, o)| o).collect(),
        snapshots.into_inner(),
    )
}

fn checksum(outcomes: &[UnitOutcome]) -> String {
    combine_digests(outcomes.iter().enumerate().map(|(i, o)| (i, o.digest)))
}

/// Imports with `options` and checks nothing was lost; returns (checksum, rows stored).
fn import_and_verify(options: CsvOptions, workers: usize) -> (String, u64) {
    let label = format!(
        "{:?}/{:?}/batch {}",
        options.insert, options.writer, options.batch
    );
    let import = CsvImport::new(options).expect("new");
    let (outcomes, _) = run_all(&import, workers);
    let verification = import.verify().expect("verify");
    assert!(verification.ok, "{label}: {verification}");
    let items: u64 = outcomes.iter().map(|o| o.items).sum();
    assert_eq!(items, verification.stored(), "{label}");
    (checksum(&outcomes), verification.stored())
}

#[test]
fn bad_csv_gives_exact_stored_and_rejected_figures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (InsertMode::Row, WriterMode::Each, Journal::Wal),
        (InsertMode::Multi, WriterMode::Single, Journal::Wal),
        (InsertMode::Multi, WriterMode::Each, Journal::Off),
        (InsertMode::Row, WriterMode::Single, Journal::Delete),
    ];
    for (k, (insert, writer, journal)) in cases.into_iter().enumerate() {
        let db = sqlite_in(dir.path(), &format!("bad-{k}.db"));
        let options = CsvOptions {
            input: Some(bad_csv()),
            chunk_rows: 7,
            insert,
            writer,
            journal,
            ..small(dir.path(), db)
        };
        let import = CsvImport::new(options).expect("new");
        assert_eq!(import.input_rows(), 30);
        let (outcomes, _) = run_all(&import, 1);
        let rejected: Vec<(u64, String)> = outcomes
            .iter()
            .flat_map(|o| o.rejected.iter().map(|r| (r.line, r.reason.clone())))
            .collect();
        let lines: Vec<u64> = rejected.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [5, 9, 12, 16, 20, 25], "{rejected:?}");
        assert_eq!(rejected[0].1, "expected 9 fields, found 8");
        assert_eq!(rejected[1].1, "expected 9 fields, found 10");
        assert_eq!(rejected[2].1, "`forty` is not an integer (column `age`)");
        assert_eq!(rejected[3].1, "`12.5.0` is not a number (column `balance`)");
        assert_eq!(rejected[4].1, "invalid UTF-8 in column `last_name`");
        assert!(
            rejected[5].1.contains("UNIQUE constraint failed"),
            "{}",
            rejected[5].1
        );
        assert!(outcomes
            .iter()
            .all(|o| o.rejected.iter().all(|r| r.source == "customers-bad.csv")));
        let v = import.verify().expect("verify");
        assert_eq!((v.stored(), v.rejected(), v.ok), (24, 6, true), "{v}");
        assert_eq!(v.tables[0].table, "customers_bad");
    }
}

#[test]
fn sqlite_strategies_and_writer_modes_store_the_same_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut seen = Vec::new();
    let cases = [
        (InsertMode::Row, WriterMode::Each, 100),
        (InsertMode::Row, WriterMode::Single, 100),
        (InsertMode::Multi, WriterMode::Each, 100),
        (InsertMode::Multi, WriterMode::Single, 1000),
        (InsertMode::Row, WriterMode::Each, 1),
    ];
    for (i, (insert, writer, batch)) in cases.into_iter().enumerate() {
        let db = sqlite_in(dir.path(), &format!("s{i}.db"));
        let options = CsvOptions {
            insert,
            writer,
            batch,
            ..small(dir.path(), db)
        };
        seen.push(import_and_verify(options, 2));
    }
    let memory = CsvOptions {
        insert: InsertMode::Multi,
        ..small(dir.path(), ":memory:".into())
    };
    seen.push(import_and_verify(memory, 2));
    assert_eq!(seen[0].1, 2400, "1200 customers + 1200 products");
    assert!(seen.iter().all(|s| *s == seen[0]), "{seen:?}");
}

#[test]
fn concurrent_writers_store_everything_and_wait_for_the_sqlite_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = CsvOptions {
        records: 4000,
        chunk_rows: 250,
        batch: 20,
        sync: SyncMode::Full,
        ..small(dir.path(), sqlite_in(dir.path(), "busy.db"))
    };
    let import = CsvImport::new(options).expect("new");
    let (outcomes, snapshots) = run_all(&import, 4);
    let v = import.verify().expect("verify");
    assert!(v.ok && v.stored() == 8000 && v.rejected() == 0, "{v}");
    assert_eq!(outcomes.iter().map(|o| o.items).sum::<u64>(), 8000);
    let lock_wait: f64 = snapshots
        .iter()
        .map(|s| s.waits.get(&WaitCategory::DbLock).copied().unwrap_or(0.0))
        .sum();
    assert!(
        lock_wait > 0.0,
        "no db-lock wait with 4 writers: {snapshots:?}"
    );
}

#[test]
fn a_second_run_without_fresh_rejects_duplicates_and_still_balances() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = sqlite_in(dir.path(), "again.db");
    let first = small(dir.path(), db.clone());
    let run_id = first.run_id.clone();
    import_and_verify(first.clone(), 1);
    // Same run id (another process of the same run): prepare must not drop the table.
    let same_run = CsvImport::new(first).expect("new");
    same_run.prepare().expect("prepare");
    let v = same_run.verify_with(&[]).expect("verify");
    let growth: u64 = v.tables.iter().map(|t| t.table_growth).sum();
    assert_eq!((v.stored(), growth), (0, 2400), "{v}");
    let again = CsvOptions {
        fresh: false,
        run_id: run_id + "-b",
        ..small(dir.path(), db)
    };
    let import = CsvImport::new(again).expect("new");
    let (outcomes, _) = run_all(&import, 2);
    let v = import.verify().expect("verify");
    assert_eq!((v.stored(), v.rejected(), v.ok), (0, 2400, true), "{v}");
    assert!(outcomes.iter().all(|o| o.items == 0));
}

#[test]
fn bad_targets_unreachable_servers_and_missing_files_are_input_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad_db = CsvImport::new(small(dir.path(), "mysql://root:hunter2@h/db".into()));
    let err = bad_db.err().expect("bad db string");
    assert!(matches!(err, WorkloadError::Input(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("mysql://root:***@h/db") && !text.contains("hunter2"),
        "{text}"
    );

    let started = Instant::now();
    let url = "postgres://bob:hunter2@127.0.0.1:1/x".to_string();
    let import = CsvImport::new(small(dir.path(), url)).expect("new does not connect");
    let err = import.prepare().expect_err("unreachable");
    assert!(matches!(err, WorkloadError::Input(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("127.0.0.1:1") && text.contains("bob:***"),
        "{text}"
    );
    assert!(!text.contains("hunter2"), "{text}");
    assert!(
        started.elapsed().as_secs() < 6,
        "took {:?}",
        started.elapsed()
    );

    let missing = CsvOptions {
        input: Some(dir.path().join("nope.csv")),
        ..small(dir.path(), "sqlite::memory:".into())
    };
    let err = CsvImport::new(missing).err().expect("missing file");
    assert!(
        matches!(err, WorkloadError::Input(_)) && err.to_string().contains("nope.csv"),
        "{err}"
    );

    let copy = CsvOptions {
        insert: InsertMode::Copy,
        ..small(dir.path(), "sqlite".into())
    };
    let err = CsvImport::new(copy).err().expect("copy on sqlite");
    assert!(err.to_string().contains("needs PostgreSQL"), "{err}");
}

#[test]
fn csv_generation_reports_growing_progress_that_ends_at_the_total() {
    use crate::workload::data::progress::Recorder;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut recorder = Recorder::new(std::time::Duration::ZERO);
    let files = generate_observed(dir.path(), Dataset::Default, 700, &mut recorder).expect("gen");
    recorder.assert_grows_to_total();
    let last = recorder.reports.last().expect("a report");
    assert_eq!((last.files_total, last.records_total), (2, 1400));
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).expect("file").len())
        .sum();
    assert_eq!(last.bytes, bytes);
    assert_eq!(last.what, "csv-import default");
}

#[test]
fn generated_data_is_deterministic_and_census_is_wide() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = generate(&dir.path().join("a"), Dataset::Default, 50).expect("a");
    let b = generate(&dir.path().join("b"), Dataset::Default, 50).expect("b");
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(std::fs::read(x).expect("x"), std::fs::read(y).expect("y"));
    }
    let cached = ensure_cached(dir.path(), Dataset::Census, 20, &mut Unobserved).expect("census");
    assert!(cached.join("manifest.json").is_file());
    let text = std::fs::read_to_string(cached.join("census.csv")).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 21);
    assert!(lines.iter().all(|l| l.split(',').count() == 101));
    let options = CsvOptions {
        dataset: Dataset::Census,
        records: 20,
        ..small(dir.path(), "sqlite::memory:".into())
    };
    assert_eq!(import_and_verify(options, 1).1, 20);
}

#[test]
fn postgres_stores_the_same_rows_as_sqlite_with_every_strategy() {
    let Some(url) = pg_url() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let reference = import_and_verify(small(dir.path(), sqlite_in(dir.path(), "ref.db")), 2);
    let modes = [InsertMode::Row, InsertMode::Multi, InsertMode::Copy];
    for (i, insert) in modes.into_iter().enumerate() {
        for (j, writer) in [WriterMode::Each, WriterMode::Single]
            .into_iter()
            .enumerate()
        {
            let options = CsvOptions {
                insert,
                writer,
                table: Some(format!("t{i}{j}")),
                ..small(dir.path(), url.clone())
            };
            let got = import_and_verify(options, 2);
            assert_eq!(got, reference, "{insert:?}/{writer:?} differs from SQLite");
        }
    }
}

#[test]
fn postgres_rejects_the_same_bad_rows_with_batches_and_autocommit() {
    let Some(url) = pg_url() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    for (k, (insert, batch)) in [
        (InsertMode::Multi, 100),
        (InsertMode::Copy, 100),
        (InsertMode::Row, 1),
    ]
    .into_iter()
    .enumerate()
    {
        let options = CsvOptions {
            input: Some(bad_csv()),
            table: Some(format!("bad_{k}")),
            insert,
            batch,
            ..small(dir.path(), url.clone())
        };
        let import = CsvImport::new(options).expect("new");
        let (outcomes, _) = run_all(&import, 1);
        let dup: Vec<&Rejection> = outcomes
            .iter()
            .flat_map(|o| &o.rejected)
            .filter(|r| r.line == 25)
            .collect();
        assert!(
            dup.len() == 1 && dup[0].reason.contains("duplicate key"),
            "{dup:?}"
        );
        let v = import.verify().expect("verify");
        assert_eq!(
            (v.stored(), v.rejected(), v.ok),
            (24, 6, true),
            "{insert:?}: {v}"
        );
    }
}

/// Runs `f` on the connection a worker keeps in `ctx` (csv-import's `Local`).
fn with_kept_conn<T>(ctx: &mut WorkerCtx, f: impl FnOnce(&mut DbConn, &mut WorkerCtx) -> T) -> T {
    let mut state = ctx
        .take_state()
        .expect("the worker kept its state")
        .downcast::<WorkerConnection>()
        .expect("csv-import's state");
    let conn = state.conn.as_mut().expect("a kept connection");
    let out = f(conn, ctx);
    ctx.keep_state(state);
    out
}

#[test]
fn a_worker_keeps_its_connection_from_unit_to_unit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let import = CsvImport::new(small(dir.path(), sqlite_in(dir.path(), "kept.db"))).expect("new");
    import.prepare().expect("prepare");
    assert!(import.unit_count() >= 3, "{}", import.unit_count());
    let mut ctx = WorkerCtx::standalone("w");
    import.run_unit(0, &mut ctx).expect("unit");
    // A temporary table exists in the connection that made it only: a mark on this one.
    with_kept_conn(&mut ctx, |conn, ctx| {
        conn.run_script(ctx, "CREATE TEMP TABLE bs_mark (x INTEGER)", None)
    })
    .expect("mark the connection");
    for unit in 1..import.unit_count() {
        import.run_unit(unit, &mut ctx).expect("unit");
    }
    let marked = with_kept_conn(&mut ctx, |conn, ctx| conn.count(ctx, "bs_mark"));
    assert_eq!(
        marked.ok(),
        Some(0),
        "the later units used the marked connection"
    );
}
