//! Predictions on fixed ledgers: the shapes the model must get right.

use super::*;
use crate::model::{PhaseTime, UnitSummary, WaitCategory, WorkerSnapshot};
use std::collections::BTreeMap;

/// A sequential run of `units` equal units on an idle 2-core machine.
fn ledger(cpu_s: f64, waits: &[(WaitCategory, f64)], units: usize) -> RunReport {
    let waits: BTreeMap<WaitCategory, f64> = waits.iter().copied().collect();
    let wall = cpu_s + waits.values().sum::<f64>();
    let span = wall / units as f64;
    RunReport {
        mode: Mode::Sequential,
        workers: 1,
        cores: 2,
        wall_s: wall,
        waits: waits.clone(),
        worker_stats: vec![WorkerSnapshot {
            name: "bs-seq-0".into(),
            wall_s: wall,
            cpu_s,
            runqueue_s: 0.0,
            waits,
        }],
        units: (0..units)
            .map(|i| UnitSummary {
                unit: i,
                label: String::new(),
                items: 1,
                bytes: 0,
                rejected: 0,
                digest: 0,
                error: None,
                worker: "bs-seq-0".into(),
                start_s: i as f64 * span,
                end_s: (i + 1) as f64 * span,
            })
            .collect(),
        options: serde_json::json!({}),
        ..RunReport::default()
    }
}

fn target(mode: Mode, workers: usize, gil: bool) -> Target {
    Target {
        mode,
        workers,
        in_flight: None,
        gil,
    }
}

#[test]
fn a_network_job_gains_about_n_times_with_n_threads() {
    let report = ledger(0.02, &[(WaitCategory::Net, 2.0)], 200);
    for n in [2, 4, 8] {
        let p = predict(&report, target(Mode::Threads, n, false));
        assert!(
            p.speedup > 0.9 * n as f64 && p.speedup <= n as f64 + 1e-9,
            "×{n}: {p:?}"
        );
        assert_eq!(p.bottleneck, "network answers");
    }
    let async_8 = predict(&report, target(Mode::Async, 8, false));
    assert!(async_8.speedup > 7.0, "{async_8:?}");
    assert!(async_8.next_limit.starts_with("×16: "), "{async_8:?}");
}

#[test]
fn the_servers_limits_cap_a_network_job() {
    let mut report = ledger(0.02, &[(WaitCategory::Net, 2.0)], 200);
    report.options = serde_json::json!({"concurrency": 4, "requests": 200, "rate_limit": null});
    let p = predict(&report, target(Mode::Threads, 8, false));
    assert!(p.speedup < 4.2 && p.speedup > 3.5, "{p:?}");
    assert_eq!(p.bottleneck, "the server's --concurrency");
    report.options = serde_json::json!({"requests": 200, "rate_limit": 400.0});
    let p = predict(&report, target(Mode::Threads, 8, false));
    // 200 requests at 400/s take 0.5 s at best: ≈4× over 2 s.
    assert!((p.speedup - 4.04).abs() < 0.1, "{p:?}");
    assert_eq!(p.bottleneck, "the server's --rate-limit");
}

#[test]
fn a_gil_job_gains_nothing_from_threads_and_the_cores_from_processes() {
    let mut report = ledger(2.0, &[], 16);
    report.gil = true;
    for n in [2, 4, 8] {
        let threads = predict(&report, target(Mode::Threads, n, true));
        assert!(threads.speedup <= 1.1, "{threads:?}");
        assert_eq!(threads.bottleneck, "the GIL");
        let processes = predict(&report, target(Mode::Processes, n, true));
        let cores = n.min(2) as f64;
        assert!(
            (processes.speedup - cores).abs() < 0.1 * cores,
            "×{n}: {processes:?}"
        );
    }
    let without = predict(&report, target(Mode::Threads, 2, false));
    assert!(without.speedup > 1.9, "{without:?}");
}

#[test]
fn cores_taken_by_other_load_shrink_the_prediction() {
    let mut report = ledger(2.0, &[], 16);
    // The worker waited as long for a core as it ran: one other thread kept the rest busy.
    report.worker_stats[0].runqueue_s = 2.0;
    let busy = predict(&report, target(Mode::Threads, 2, false));
    let idle = predict(&ledger(2.0, &[], 16), target(Mode::Threads, 2, false));
    assert!(busy.speedup < idle.speedup - 0.3, "{busy:?} vs {idle:?}");
    assert_eq!(busy.bottleneck, "cores");
}

#[test]
fn a_sqlite_writer_bound_import_gains_no_more_than_the_writers_share_allows() {
    // 3 s of work, 2 s of it inside the write transactions: at best 3 / 2 = 1.5×.
    let mut report = ledger(2.6, &[(WaitCategory::Db, 0.4)], 20);
    report.options = serde_json::json!({"db": "sqlite:/tmp/x.sqlite"});
    report.phases = vec![PhaseTime {
        phase: "insert".into(),
        seconds: 2.0,
        causes: [("cpu".to_string(), 1.6), ("db wait".to_string(), 0.4)].into(),
    }];
    for n in [2, 8] {
        let p = predict(&report, target(Mode::Threads, n, false));
        assert!(p.speedup <= 1.5 + 1e-9, "×{n}: {p:?}");
        assert!(p.speedup > 1.4, "×{n}: {p:?}");
        assert_eq!(p.bottleneck, "the SQLite writer");
    }
    // The same waits against PostgreSQL are one connection's each: they overlap.
    report.options = serde_json::json!({"db": "postgres://h/db"});
    let pg = predict(&report, target(Mode::Threads, 8, false));
    assert!(pg.speedup > 1.8, "{pg:?}");
}

#[test]
fn a_stage_dag_is_held_to_its_critical_path() {
    let mut report = ledger(1.0, &[(WaitCategory::Net, 3.0)], 4);
    report.findings.timeline = Some(crate::model::Timeline {
        critical_path_s: 2.0,
        ..Default::default()
    });
    let p = predict(&report, target(Mode::Threads, 8, false));
    assert!((p.speedup - 2.0).abs() < 0.05, "{p:?}");
    assert_eq!(p.bottleneck, "stage order");
}

#[test]
fn the_menu_covers_each_mode_at_the_cores_and_wide_and_the_verdict_names_the_limit() {
    let mut report = ledger(2.0, &[], 16);
    report.gil = true;
    let menu = menu(&report);
    let lines: Vec<String> = menu.iter().map(|p| p.line()).collect();
    assert_eq!(
        lines,
        [
            "threads ×2",
            "threads ×8",
            "async ×2",
            "async ×8",
            "processes ×2",
            "processes ×8"
        ]
    );
    assert!(menu.iter().all(|p| p.gil));
    let mut threads = report.clone();
    threads.mode = Mode::Threads;
    threads.workers = 2;
    let clause = verdict_clause(&threads);
    assert!(
        clause.starts_with("the limit is the GIL: without it ≈"),
        "{clause}"
    );
}

#[test]
fn an_async_run_is_read_with_its_tasks_in_flight() {
    let mut report = ledger(0.02, &[(WaitCategory::Net, 2.0)], 200);
    report.mode = Mode::Async;
    report.options = serde_json::json!({"in_flight": 8});
    let own = Target::of(&report);
    assert_eq!(own.in_flight, Some(8));
    assert!((own.concurrency() - 8.0).abs() < 1e-9);
    let one_runtime_thread = Target {
        in_flight: Some(8),
        ..target(Mode::Async, 1, false)
    };
    let sequential = ledger(0.02, &[(WaitCategory::Net, 2.0)], 200);
    let p = predict(&sequential, one_runtime_thread);
    assert!(p.speedup > 7.0, "{p:?}");
}

/// An async run of 8 requests in flight against a server serving `concurrency` at once.
fn async_at_8(concurrency: Option<u32>) -> RunReport {
    let mut report = ledger(0.02, &[(WaitCategory::Net, 2.0)], 200);
    report.mode = Mode::Async;
    report.options = serde_json::json!({"in_flight": 8, "concurrency": concurrency});
    report.predictions = menu(&report);
    report
}

#[test]
fn where_no_line_gains_the_advice_names_the_limit_instead() {
    let capped = async_at_8(Some(8));
    let Some(Advice::Nothing { limit, wider }) = advice(&capped) else {
        panic!("{:?}", advice(&capped));
    };
    assert_eq!(limit, "the server's concurrency 8");
    assert_eq!(wider, None);
    let clause = verdict_clause(&capped);
    assert!(
        clause.starts_with("the limit is the server's concurrency 8: nothing would help ("),
        "{clause}"
    );
    // Without a server limit, the list stops at 8 but 16 in flight would help.
    let open = async_at_8(None);
    let Some(Advice::Nothing { limit, wider }) = advice(&open) else {
        panic!("{:?}", advice(&open));
    };
    assert_eq!(limit, "8 answers at a time");
    assert!(
        wider
            .as_deref()
            .is_some_and(|w| w.starts_with("16 in flight ≈")),
        "{wider:?}"
    );
    // A sequential run of the same work has lines worth trying.
    let mut sequential = ledger(0.02, &[(WaitCategory::Net, 2.0)], 200);
    sequential.predictions = menu(&sequential);
    let Some(Advice::Try(best)) = advice(&sequential) else {
        panic!("{:?}", advice(&sequential));
    };
    assert!(best.speedup >= WORTH_TRYING, "{best:?}");
}

#[test]
fn the_machine_read_from_a_run_gives_back_the_share_it_measured() {
    // A sequential worker that waited for a core as long as it ran had half a core: on 2
    // cores, three other threads wanted one too.
    let mut report = ledger(2.0, &[], 16);
    report.worker_stats[0].runqueue_s = 2.0;
    let m = Machine::of(&report);
    assert!((m.others - 3.0).abs() < 1e-9, "{m:?}");
    assert!((m.share(1.0) - 0.5).abs() < 1e-9, "{m:?}");
    // Four threads on 2 cores at half a core each had the cores to themselves.
    report.mode = Mode::Threads;
    report.workers = 4;
    let m = Machine::of(&report);
    assert!(m.others.abs() < 1e-9, "{m:?}");
}

#[test]
fn runs_writing_to_their_own_output_directories_do_the_same_work() {
    let mut a = ledger(1.0, &[], 4);
    a.workload = "json-parse".into();
    a.options = serde_json::json!({"files": 4, "out_dir": "/tmp/run-a", "output": "parquet"});
    let mut b = a.clone();
    b.mode = Mode::Threads;
    b.options["out_dir"] = "/tmp/run-b".into();
    assert!(same_work(&a, &b));
    b.options["files"] = 8.into();
    assert!(!same_work(&a, &b));
}

#[test]
fn the_menu_leaves_out_processes_where_the_workload_cannot_run_in_them() {
    let mut etl = ledger(1.0, &[(WaitCategory::Net, 3.0)], 4);
    etl.workload = "etl-pipeline".into();
    assert!(menu(&etl).iter().all(|p| p.mode != Mode::Processes));
    let mut memory = ledger(1.0, &[], 4);
    memory.workload = "csv-import".into();
    memory.options = serde_json::json!({"db": "sqlite::memory:"});
    assert!(menu(&memory).iter().all(|p| p.mode != Mode::Processes));
    memory.options = serde_json::json!({"db": "sqlite:/tmp/x.sqlite"});
    assert!(menu(&memory).iter().any(|p| p.mode == Mode::Processes));
}
