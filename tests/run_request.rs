//! `boundscope __run`, the way the terminal UI starts a run: a typed request (spec and
//! exports) as one JSON line on stdin, the run's events on stdout as `run --events -
//! --quiet` streams them, and `run`'s exit codes.

mod common;

use boundscope::events::{Envelope, Event};
use boundscope::model::Mode;
use boundscope::session::{RunRequest, RunSpec};
use boundscope::workload::json::JsonOptions;
use boundscope::workload::WorkloadSpec;
use common::Scratch;
use std::io::Write;
use std::process::{Output, Stdio};

fn run_request(scratch: &Scratch, stdin: &[u8]) -> Output {
    let mut child = common::bin()
        .arg("__run")
        .env("BOUNDSCOPE_DATA", scratch.path("cache"))
        .current_dir(scratch.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut input = child.stdin.take().expect("a stdin pipe");
    input.write_all(stdin).expect("the request is written");
    drop(input);
    child.wait_with_output().expect("the run ends")
}

#[test]
fn a_request_streams_the_runs_events_and_writes_its_exports() {
    let scratch = Scratch::new();
    let json = JsonOptions {
        files: 4,
        records: 300,
        ..JsonOptions::default()
    };
    let spec = RunSpec::new(WorkloadSpec::JsonParse(json), Mode::Processes, 2);
    let mut request = RunRequest::events_only(spec);
    request.exports.report = Some(scratch.path("report.json"));
    let mut line = serde_json::to_vec(&request).expect("a request serialises");
    line.push(b'\n');
    let out = run_request(&scratch, &line);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let events: Vec<Event> = stdout
        .lines()
        .map(|l| Envelope::parse_line(l).map(|e| e.event))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("stdout holds only events: {e}: {stdout}"));
    let started = events.iter().position(|e| matches!(e, Event::Start { .. }));
    assert!(started.is_some(), "a start event");
    let Some(Event::Done { report, .. }) = events.last() else {
        panic!("the stream ends with done: {:?}", events.last());
    };
    assert_eq!((report.units_total, report.errors), (4, 0));
    // Both children's lanes are in the merged stream.
    let lanes: std::collections::BTreeSet<&str> = report
        .worker_stats
        .iter()
        .map(|w| w.name.as_str())
        .collect();
    assert!(
        lanes.contains("bs-proc-0") && lanes.contains("bs-proc-1"),
        "{lanes:?}"
    );
    let written = common::read_json(&scratch.path("report.json"));
    assert_eq!(written["mode"], "processes");
    assert_eq!(written["units_total"], 4);
    // Quiet: no summary on stderr; Parquet went to a scratch directory, not here.
    assert!(
        !common::stderr(&out).contains("verdict"),
        "{}",
        common::stderr(&out)
    );
    let here: Vec<_> = std::fs::read_dir(scratch.dir.path())
        .expect("the scratch dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert!(here.iter().all(|n| !n.ends_with(".parquet")), "{here:?}");
}

#[test]
fn a_request_that_does_not_parse_is_a_usage_error() {
    let scratch = Scratch::new();
    let out = run_request(&scratch, b"run json-parse\n");
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
    assert!(common::stderr(&out).contains("bad run request"));
    assert!(out.stdout.is_empty(), "no run, no events");
}
