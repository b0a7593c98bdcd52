//! `etl-pipeline`: the DAG file, and whole runs against a real in-process API server and a
//! real SQLite database, through the real engines.

use super::dag::{Pipeline, StageKind};
use super::*;
use crate::model::Mode;
use crate::server::{start_in_background, ServerConfig, ServerHandle};
use crate::session::{self, RunHooks, RunSpec, SessionError};
use crate::workload::WorkloadSpec;
use std::time::Duration;

fn parse(text: &str) -> Result<Pipeline, String> {
    Pipeline::parse(text, "test.toml").map_err(|e| match e {
        WorkloadError::Input(m) => m,
        other => panic!("not an input error: {other}"),
    })
}

fn names(p: &Pipeline) -> Vec<&str> {
    p.stages.iter().map(|s| s.name.as_str()).collect()
}

#[test]
fn the_built_in_pipeline_has_three_phases() {
    let p = Pipeline::parse(BUILTIN_PIPELINE, "builtin").expect("built-in pipeline parses");
    assert_eq!(
        names(&p),
        [
            "companies",
            "prices",
            "financials",
            "load",
            "ttm",
            "ratios",
            "market_metrics"
        ]
    );
    let load = p
        .stages
        .iter()
        .position(|s| s.kind == StageKind::Load)
        .expect("load");
    assert_eq!(p.stages[load].after, vec![0, 1, 2]);
    assert_eq!(p.loaded_by(load), vec![0, 1, 2]);
    for s in &p.stages[load + 1..] {
        assert_eq!(s.kind, StageKind::Sql);
        assert_eq!(s.after, vec![load]);
        assert!(s.sql.as_deref().is_some_and(|q| q.contains("CREATE TABLE")));
    }
}

#[test]
fn stages_are_put_in_topological_order() {
    let p = parse(
        r#"
        [[stage]]
        name = "report"
        kind = "sql"
        after = ["load"]
        table = "r"
        sql = "CREATE TABLE r AS SELECT 1 AS x"
        [[stage]]
        name = "load"
        kind = "load"
        after = ["b", "a"]
        [[stage]]
        name = "b"
        kind = "fetch-prices"
        [[stage]]
        name = "a"
        kind = "fetch-companies"
        "#,
    )
    .expect("valid");
    assert_eq!(names(&p), ["b", "a", "load", "report"]);
    for (i, stage) in p.stages.iter().enumerate() {
        assert!(stage.after.iter().all(|&d| d < i), "{}", stage.name);
    }
    assert_eq!(p.stages[2].after, vec![0, 1]);
    assert_eq!(p.stages[0].table, "prices");
}

#[test]
fn bad_pipelines_are_input_errors_naming_the_stage() {
    let fetch = "[[stage]]\nname = \"f\"\nkind = \"fetch-prices\"\n";
    let cases = [
        (
            format!("{fetch}[[stage]]\nname = \"load\"\nkind = \"load\"\nafter = [\"nope\"]\n"),
            vec!["'load'", "'nope'", "not a stage"],
        ),
        (
            format!("{fetch}[[stage]]\nname = \"f\"\nkind = \"fetch-companies\"\n"),
            vec!["two stages named 'f'"],
        ),
        (
            "[[stage]]\nname = \"x\"\nkind = \"download\"\n".to_string(),
            vec!["'x'", "unknown kind 'download'", "fetch-companies"],
        ),
        (
            "[[stage]]\nname = \"a\"\nkind = \"fetch-prices\"\nafter = [\"b\"]\n\
             [[stage]]\nname = \"b\"\nkind = \"fetch-companies\"\nafter = [\"a\"]\n"
                .to_string(),
            vec!["cycle", "a, b"],
        ),
        (
            "[[stage]]\nname = \"a\"\nkind = \"fetch-prices\"\nafter = [\"a\"]\n".to_string(),
            vec!["'a' cannot run after itself"],
        ),
        (
            format!("{fetch}[[stage]]\nname = \"s\"\nkind = \"sql\"\nsql = \"SELECT 1\"\n"),
            vec!["'s'", "needs `table`"],
        ),
        (
            format!("{fetch}[[stage]]\nname = \"s\"\nkind = \"sql\"\ntable = \"t\"\n"),
            vec!["'s'", "needs `sql`"],
        ),
        (
            "[[stage]]\nname = \"l\"\nkind = \"load\"\n".to_string(),
            vec!["'l'", "nothing to load"],
        ),
        (
            format!("{fetch}[[stage]]\nname = \"g\"\nkind = \"fetch-prices\"\n"),
            vec!["'f' and 'g'", "table 'prices'"],
        ),
        (
            "[[stage]]\nname = \"a\"\nkind = \"fetch-prices\"\nsqll = \"x\"\n".to_string(),
            vec!["test.toml", "sqll"],
        ),
        (String::new(), vec!["no stages"]),
    ];
    for (text, wanted) in cases {
        let err = parse(&text).expect_err(&text);
        for w in wanted {
            assert!(err.contains(w), "{err:?} should contain {w:?}");
        }
    }
}

fn server(latency_ms: u64) -> ServerHandle {
    start_in_background(ServerConfig {
        tenants: 4,
        symbols: 50,
        latency: Duration::from_millis(latency_ms),
        ..ServerConfig::default()
    })
    .expect("server starts on loopback")
}

fn options(server: &ServerHandle, symbols: usize) -> EtlOptions {
    EtlOptions {
        symbols,
        api: ApiOptions {
            base_url: Some(server.url()),
            timeout: Duration::from_secs(3),
            ..ApiOptions::default()
        },
        ..EtlOptions::default()
    }
}

fn run(
    options: EtlOptions,
    mode: Mode,
    workers: usize,
) -> Result<session::RunOutcome, SessionError> {
    let mut spec = RunSpec::new(WorkloadSpec::EtlPipeline(options), mode, workers);
    spec.profile = false;
    spec.tick_ms = 50;
    session::run(&spec, &mut RunHooks::quiet())
}

#[test]
fn every_in_process_mode_gives_the_same_checksum() {
    let server = server(0);
    let mut seen = Vec::new();
    for (mode, workers) in [
        (Mode::Sequential, 1),
        (Mode::Threads, 3),
        (Mode::Rayon, 2),
        (Mode::Async, 3),
        (Mode::Async, 1),
    ] {
        let outcome = run(options(&server, 12), mode, workers).expect("run");
        let r = &outcome.report;
        assert_eq!(r.errors, 0, "{mode}: {:?}", r.failures);
        assert_eq!(r.units.len(), 7, "{mode}");
        let timeline = r.findings.timeline.as_ref().expect("a timeline");
        assert_eq!(timeline.stages.len(), 7);
        assert!(!timeline.critical_path.is_empty());
        // 12 companies + 12 × 30 prices + 12 × 8 statements, loaded, then 12 rows × 3.
        let fetched = 12 + 12 * 30 + 12 * 8;
        assert_eq!(r.items, (fetched * 2 + 36) as u64, "{mode}");
        seen.push((mode, r.checksum.clone()));
    }
    for (mode, checksum) in &seen {
        assert_eq!(checksum, &seen[0].1, "{mode} differs from sequential");
    }
}

#[test]
fn sql_results_are_computed() {
    let server = server(0);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("etl.sqlite");
    let mut opts = options(&server, 5);
    opts.db = format!("sqlite:{}", path.display());
    let outcome = run(opts, Mode::Threads, 3).expect("run");
    assert_eq!(outcome.report.errors, 0, "{:?}", outcome.report.failures);
    let conn = rusqlite::Connection::open(&path).expect("open");
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
    assert_eq!(count("SELECT COUNT(*) FROM ttm WHERE quarters = 4"), 5);
    assert_eq!(count("SELECT COUNT(*) FROM ratios WHERE pe IS NOT NULL"), 5);
    assert_eq!(
        count("SELECT COUNT(*) FROM market_metrics WHERE days = 30"),
        5
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM market_metrics WHERE min_close <= avg_close AND avg_close <= max_close"),
        5
    );
}

#[test]
fn a_failed_stage_fails_its_dependents_naming_it() {
    let server = server(0);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("broken.toml");
    std::fs::write(
        &file,
        r#"
        [[stage]]
        name = "prices"
        kind = "fetch-prices"
        [[stage]]
        name = "load"
        kind = "load"
        after = ["prices"]
        [[stage]]
        name = "broken"
        kind = "sql"
        after = ["load"]
        table = "b"
        sql = "CREATE TABLE b AS SELECT no_such_column FROM prices"
        [[stage]]
        name = "downstream"
        kind = "sql"
        after = ["broken"]
        table = "d"
        sql = "CREATE TABLE d AS SELECT * FROM b"
        "#,
    )
    .expect("write");
    let mut opts = options(&server, 3);
    opts.pipeline = Some(file);
    let outcome = run(opts, Mode::Threads, 4).expect("run");
    let r = &outcome.report;
    assert_eq!(r.errors, 2, "{:?}", r.failures);
    assert!(r.failures[0].contains("broken") && r.failures[0].contains("no_such_column"));
    assert!(
        r.failures[1].contains("'downstream' did not run because stage 'broken'"),
        "{:?}",
        r.failures
    );
    let timeline = r.findings.timeline.as_ref().expect("timeline");
    assert!(timeline.stages[2].failed && timeline.stages[3].failed);
}

#[test]
fn processes_mode_is_refused_as_bad_usage() {
    let spec = RunSpec::new(
        WorkloadSpec::EtlPipeline(EtlOptions::default()),
        Mode::Processes,
        2,
    );
    let err = spec.validate().expect_err("processes refused");
    assert!(err.is_usage());
    let text = err.to_string();
    assert!(
        text.contains("--mode processes") && text.contains("threads"),
        "{text}"
    );
}

#[test]
fn bad_options_are_input_errors() {
    let server = server(0);
    let mut memory = options(&server, 3);
    memory.db = "sqlite::memory:".into();
    let mut zero = options(&server, 3);
    zero.symbols = 0;
    let mut missing = options(&server, 3);
    missing.pipeline = Some("/nonexistent/etl.toml".into());
    for (opts, wanted) in [
        (memory, "private database"),
        (zero, "symbols 0"),
        (missing, "/nonexistent/etl.toml"),
    ] {
        match EtlPipeline::new(opts) {
            Err(WorkloadError::Input(m)) => assert!(m.contains(wanted), "{m}"),
            Err(other) => panic!("not an input error: {other}"),
            Ok(_) => panic!("accepted"),
        }
    }
}

#[test]
fn independent_fetches_overlap_in_threads_mode() {
    let server = server(5);
    let outcome = run(options(&server, 10), Mode::Threads, 3).expect("run");
    let t = outcome.report.findings.timeline.expect("timeline");
    let fetch_end = t.stages[..3].iter().map(|s| s.end_s).fold(0.0, f64::max);
    let fetch_start = t.stages[..3]
        .iter()
        .map(|s| s.start_s)
        .fold(f64::MAX, f64::min);
    let fetch_sum: f64 = t.stages[..3].iter().map(|s| s.duration_s).sum();
    assert!(
        fetch_end - fetch_start < 0.6 * fetch_sum,
        "fetches did not overlap: {:?}",
        t.stages
    );
    assert!(
        t.stages[3].start_s >= fetch_end - 1e-6,
        "load started early"
    );
    assert!(t.achieved_speedup >= 0.8 * t.theoretical_speedup, "{t:?}");
}

/// One worker runs the whole pipeline: its HTTP agent (the workload's `Local`) serves every
/// request of every fetch stage over one connection, and the stages come back typed, in the
/// pipeline's order, each with the span of its own work.
#[test]
fn a_worker_keeps_its_connection_across_stages_and_the_stages_come_back_typed() {
    use crate::workload::{DynWorkload, RunEnd};
    let server = server(0);
    let etl = EtlPipeline::new(options(&server, 6)).expect("pipeline");
    let before = server.stats();
    let mut ctx = WorkerCtx::standalone("w");
    for unit in 0..DynWorkload::unit_count(&etl) {
        DynWorkload::run_unit(&etl, unit, &mut ctx).expect("stage");
    }
    let after = server.stats();
    let requests = after.requests - before.requests;
    let connections = after.connections_accepted - before.connections_accepted;
    assert!(requests >= 3 * 6, "every fetch stage asked: {requests}");
    assert_eq!(
        connections, 1,
        "one kept connection for {requests} requests"
    );

    let stages = DynWorkload::result(&etl, RunEnd::default()).stages;
    let pipeline: Vec<&str> = names(etl.pipeline());
    let returned: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(returned, pipeline);
    assert_eq!(stages[3].after, ["companies", "prices", "financials"]);
    for stage in &stages {
        let (start, end) = stage.span.expect("every stage ran");
        assert!(0.0 <= start && start <= end, "{stage:?}");
    }
}
