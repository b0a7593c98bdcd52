//! The CPython twins (`twins/`) do the built-in workloads' work: on the same input each prints
//! the built-in run's item count, rejections and checksum, its `done N items` lines add up to
//! that count, and the CSV twins store or reject every row. They run on the real python3 of
//! the venv `.ci/venv.sh` makes (python3 from Debian, orjson, asyncpg and xxhash from PyPI).
//!
//! The PostgreSQL twin runs when `BOUNDSCOPE_TEST_PG` names a server (see `common::pg_url`).

mod common;
use common::{bin, pg_url, repo_path, stderr, Scratch};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// Records per chunk (unit) in the CSV tests: several units per file.
const CHUNK_ROWS: &str = "500";

/// The venv's python, made once per test binary (concurrent tests share it).
fn python() -> &'static str {
    static PYTHON: OnceLock<String> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let out = Command::new("bash")
            .arg(repo_path(".ci/venv.sh"))
            .output()
            .expect("run .ci/venv.sh");
        assert!(out.status.success(), ".ci/venv.sh failed: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    })
}

/// What a twin printed: its summary's `key=value` fields and the items of its `done` lines.
struct TwinRun {
    summary: HashMap<String, String>,
    done_items: u64,
}

impl TwinRun {
    fn get(&self, key: &str) -> &str {
        self.summary
            .get(key)
            .unwrap_or_else(|| panic!("no {key} in the summary {:?}", self.summary))
    }
}

/// Runs `twins/SCRIPT ARGS` and reads its output; it must exit with 0.
fn twin(script: &str, args: &[&str]) -> TwinRun {
    let out = Command::new(python())
        .arg(repo_path(&format!("twins/{script}")))
        .args(args)
        .output()
        .expect("run the twin");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} {args:?}: {}\n{stdout}",
        stderr(&out)
    );
    let mut run = TwinRun {
        summary: HashMap::new(),
        done_items: 0,
    };
    for line in stdout.lines() {
        if let Some(n) = line
            .strip_prefix("done ")
            .and_then(|l| l.strip_suffix(" items"))
        {
            run.done_items += n.parse::<u64>().expect("done N items");
        } else if let Some(fields) = line.strip_prefix("summary ") {
            let pairs = fields.split(' ').filter_map(|f| f.split_once('='));
            run.summary = pairs.map(|(k, v)| (k.into(), v.into())).collect();
        }
    }
    assert!(!run.summary.is_empty(), "{script}: no summary in\n{stdout}");
    run
}

/// Runs the built-in workload (`boundscope ARGS --quiet`) and returns its report.
fn builtin(scratch: &Scratch, name: &str, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--quiet");
    let (out, report) = scratch.run_with_report(name, &all);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    report
}

/// The twin reports the built-in run's items, rejections (where it has them) and checksum,
/// and its `done` lines add up to its items.
fn assert_same(twin: &TwinRun, report: &Value, what: &str) {
    assert_eq!(
        twin.get("items"),
        report["items"].to_string(),
        "{what}: items"
    );
    if twin.summary.contains_key("rejected") {
        let rejected = report["rejected"].to_string();
        assert_eq!(twin.get("rejected"), rejected, "{what}: rejected");
    }
    let checksum = report["checksum"].as_str().expect("checksum");
    assert_eq!(twin.get("checksum"), checksum, "{what}: checksum");
    assert_eq!(
        twin.done_items.to_string(),
        twin.get("items"),
        "{what}: the done lines add up to the items"
    );
}

fn text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Lines the built-in parser rejects for different reasons, among good ones it accepts.
const ODD_TICKS: &[&str] = &[
    r#"{"symbol":"AAPL","timestamp":1700000000000,"open":1.5,"high":2.25,"low":1.0,"close":2.0,"volume":10}"#,
    "",
    "not json",
    r#"["A",1,1.0,1.0,1.0,1.0,1]"#,
    r#"["A",1,1.0,1.0,1.0,1.0]"#,
    r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":-1}"#,
    r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1.0}"#,
    r#"{"symbol":"A","timestamp":1,"open":"1","high":1,"low":1,"close":1,"volume":1}"#,
    r#"{"symbol":"A","timestamp":1,"open":NaN,"high":1,"low":1,"close":1,"volume":1}"#,
    r#"{"symbol":"A","timestamp":1,"open":1e999,"high":1,"low":1,"close":1,"volume":1}"#,
    r#"{"symbol":"A","timestamp":1,"open":true,"high":1,"low":1,"close":1,"volume":1}"#,
    r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1}"#,
    r#"{"symbol":"A\u00e9","timestamp":-5,"open":1e2,"high":2E-1,"low":0.1,"close":1,"volume":18446744073709551615,"x":[1]}"#,
    r#"{"symbol":"A","timestamp":9223372036854775808,"open":1,"high":1,"low":1,"close":1,"volume":1}"#,
    "42",
];

#[test]
fn the_json_twin_counts_and_digests_like_json_parse_in_every_mode() {
    let scratch = Scratch::new();
    let dir = scratch.path("ticks");
    let dir_arg = text(&dir);
    let gen = ["gen", "json-parse", "--out", &dir_arg];
    let out = scratch.run(&[&gen[..], &["--files", "3", "--records", "700"]].concat());
    assert!(out.status.success(), "gen: {}", stderr(&out));
    std::fs::write(dir.join("odd.ndjson"), ODD_TICKS.join("\n")).expect("odd file");
    let run = ["run", "json-parse", "--input", &dir_arg, "--output", "none"];
    let report = builtin(
        &scratch,
        "json",
        &[&run[..], &["--mode", "threads"]].concat(),
    );
    assert_eq!(report["rejected"], 11, "the odd lines are rejected");
    for (mode, parser) in [
        ("sequential", "json"),
        ("threads", "json"),
        ("processes", "json"),
        ("threads", "orjson"),
    ] {
        let args = ["--mode", mode, "--workers", "2", "--parser", parser];
        let run = twin(
            "json_parse.py",
            &[&args[..], &["--batch", "256", &dir_arg]].concat(),
        );
        assert_same(&run, &report, &format!("json_parse.py {mode} {parser}"));
    }
}

/// A running `boundscope serve-api`; killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start() -> Server {
        let mut child = bin()
            .args(["serve-api", "--exit-on-stdin-close"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start serve-api");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout).read_line(&mut line).expect("read");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .map(str::to_string);
        let url = url.unwrap_or_else(|| panic!("serve-api said {line:?}"));
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_api_twin_fetches_the_plan_of_api_fetch() {
    let server = Server::start();
    let scratch = Scratch::new();
    let url = server.url.as_str();
    let run = [
        "run",
        "api-fetch",
        "--base-url",
        url,
        "--reuse-connections",
        "off",
    ];
    let threads = ["--mode", "threads", "--workers", "8"];
    // A plan cut short, and the whole plan in batches of seven symbols.
    for (name, knobs) in [("cut", ["--requests", "90"]), ("batched", ["--batch", "7"])] {
        let report = builtin(&scratch, name, &[&run[..], &threads, &knobs].concat());
        let fetched = twin(
            "api_fetch.py",
            &[&["--workers", "8", url][..], &knobs].concat(),
        );
        assert_eq!(fetched.get("requests"), report["units_total"].to_string());
        assert_same(&fetched, &report, &format!("api_fetch.py {knobs:?}"));
    }
}

/// A CSV with every kind of row the importer rejects (bad numbers, short rows, a missing key,
/// a duplicate key in the same chunk, bytes that are not UTF-8) among good ones, quoted
/// fields with commas and newlines, and `-0.0`. Returns the number of records.
fn odd_csv(path: &Path) -> usize {
    let mut data = b"id,name,score,year\n".to_vec();
    let records = 1500;
    for i in 1..=records {
        let row = match i % 20 {
            3 => format!("{i},n{i},notanumber,2020"),
            5 => format!("{i},short"),
            7 => format!("{},duplicate of the previous id,2.5,2021", i - 1),
            9 => ",no key,1.5,2020".to_string(),
            11 => format!("{i},\"quoted, with a comma\",-0.0,\"two\nlines\""),
            // A Latin-1 `é` is not UTF-8: the row is rejected.
            13 => {
                data.extend_from_slice(format!("{i},caf").as_bytes());
                data.push(0xE9);
                ",3.5,2020".to_string()
            }
            _ => format!("{i},name {i},{}.{},{}", i % 97, i % 10, 2000 + i % 25),
        };
        data.extend_from_slice(row.as_bytes());
        data.push(b'\n');
    }
    std::fs::write(path, data).expect("write CSV");
    records
}

fn rows_in(db: &Path, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open SQLite");
    let sql = format!("SELECT COUNT(*) FROM \"{table}\"");
    conn.query_row(&sql, [], |r| r.get(0)).expect("count rows")
}

#[test]
fn the_csv_twin_stores_or_rejects_every_row_like_csv_import() {
    let scratch = Scratch::new();
    let csv = scratch.path("odd.csv");
    let records = odd_csv(&csv);
    let (csv_arg, db) = (text(&csv), scratch.path("twin.db"));
    let run = [
        "run",
        "csv-import",
        "--input",
        &csv_arg,
        "--chunk-rows",
        CHUNK_ROWS,
    ];
    let db_arg = format!("sqlite:{}", text(&scratch.path("builtin.db")));
    let threads = ["--mode", "threads", "--workers", "2", "--db", &db_arg];
    let report = builtin(&scratch, "csv", &[&run[..], &threads].concat());
    let args = [
        "--workers",
        "3",
        "--chunk-rows",
        CHUNK_ROWS,
        &csv_arg,
        &text(&db),
    ];
    let imported = twin("csv_sqlite.py", &args);
    assert_same(&imported, &report, "csv_sqlite.py");
    let (stored, rejected) = (imported.get("items"), imported.get("rejected"));
    let stored: i64 = stored.parse().expect("items");
    assert!(stored > 0 && rejected.parse::<usize>().expect("rejected") > 0);
    let all = stored as usize + rejected.parse::<usize>().expect("rejected");
    assert_eq!(all, records, "every record is stored or rejected");
    assert_eq!(
        rows_in(&db, "odd"),
        stored,
        "the table holds the stored rows"
    );
    assert_eq!(imported.get("verified"), "yes");
}

#[test]
fn the_csv_twin_reads_a_generated_data_set_with_its_schema() {
    let scratch = Scratch::new();
    let dir = scratch.path("csv");
    let out = scratch.run(&[
        "gen",
        "csv-import",
        "--out",
        &text(&dir),
        "--records",
        "1200",
    ]);
    assert!(out.status.success(), "gen: {}", stderr(&out));
    for file in ["customers.csv", "products.csv"] {
        let csv = text(&dir.join(file));
        let db_arg = format!("sqlite:{}", text(&scratch.path("builtin.db")));
        let run = ["run", "csv-import", "--input", &csv, "--db", &db_arg];
        let knobs = ["--mode", "threads", "--chunk-rows", CHUNK_ROWS];
        let report = builtin(&scratch, file, &[&run[..], &knobs].concat());
        let db = text(&scratch.path("twin.db"));
        let imported = twin("csv_sqlite.py", &["--chunk-rows", CHUNK_ROWS, &csv, &db]);
        assert_same(&imported, &report, file);
        assert_eq!(imported.get("items"), "1200");
    }
}

#[test]
fn the_pg_twin_imports_like_csv_import_in_async_mode() {
    let Some(url) = pg_url() else { return };
    let scratch = Scratch::new();
    let csv = scratch.path("odd.csv");
    let records = odd_csv(&csv);
    let csv_arg = text(&csv);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let tables = [format!("twin_{nanos}"), format!("builtin_{nanos}")];
    let run = ["run", "csv-import", "--input", &csv_arg, "--db", &url];
    let knobs = [
        "--mode",
        "async",
        "--in-flight",
        "2",
        "--chunk-rows",
        CHUNK_ROWS,
    ];
    let report = builtin(
        &scratch,
        "pg",
        &[&run[..], &knobs, &["--table", &tables[1]]].concat(),
    );
    let args = [
        &url,
        &csv_arg,
        "--in-flight",
        "2",
        "--chunk-rows",
        CHUNK_ROWS,
    ];
    let imported = twin(
        "pg_asyncio.py",
        &[&args[..], &["--table", &tables[0]]].concat(),
    );
    assert_same(&imported, &report, "pg_asyncio.py");
    assert_eq!(imported.get("rows"), records.to_string());
    assert_eq!(imported.get("table_added"), imported.get("items"));
    assert_eq!(imported.get("verified"), "yes");
    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    for table in tables {
        client
            .batch_execute(&format!("DROP TABLE IF EXISTS \"{table}\""))
            .expect("drop the test's table");
    }
}
