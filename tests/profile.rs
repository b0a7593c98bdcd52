//! The profile of a CPU-bound run shows the workload's own functions, and every export works.

mod common;
use common::Scratch;

#[test]
fn folded_stacks_of_a_cpu_bound_run_contain_the_parser_and_thread_roots() {
    let scratch = Scratch::new();
    let folded = scratch.path("run.folded");
    let svg = scratch.path("run.svg");
    let folded_arg = folded.to_string_lossy().into_owned();
    let svg_arg = svg.to_string_lossy().into_owned();
    let pprof = scratch.path("run.pb.gz");
    let pprof_arg = pprof.to_string_lossy().into_owned();
    let report = scratch.json_report(
        "cpu",
        &[
            "--files",
            "4",
            "--records",
            "60000",
            "--mode",
            "threads",
            "--workers",
            "2",
            "--hz",
            "250",
            "--output",
            "none",
            "--folded",
            &folded_arg,
            "--svg",
            &svg_arg,
            "--pprof",
            &pprof_arg,
        ],
    );
    let text = std::fs::read_to_string(&folded).expect("folded file");
    assert!(report["samples"].as_u64().unwrap() > 10, "{report}");
    assert!(
        text.lines().any(|l| l.contains("parse_value_line")),
        "no parser frame in:\n{}",
        &text[..text.len().min(2000)]
    );
    assert!(
        text.lines().any(|l| l.starts_with("bs-threads-")),
        "stacks are rooted at the worker thread"
    );
    // Each line is `frames count` with a positive count.
    for line in text.lines() {
        let (_, count) = line.rsplit_once(' ').expect("count");
        assert!(count.parse::<u64>().expect("number") > 0);
    }
    let pprof = boundscope::flame::decode_pprof(&std::fs::read(&pprof).expect("pprof file"))
        .expect("pprof decodes");
    assert_eq!(
        pprof.to_text(),
        text,
        "the pprof export holds the same stacks"
    );
    let svg_text = std::fs::read_to_string(&svg).expect("svg file");
    assert!(svg_text.contains("<svg") && svg_text.trim_end().ends_with("</svg>"));
    assert!(
        svg_text.contains("json-parse"),
        "SVG is titled with the workload"
    );
    assert!(svg_text.contains("parse_value_line"));
}

#[test]
fn no_profile_records_no_samples_but_still_reports() {
    let scratch = Scratch::new();
    let report = scratch.json_report("off", &["--no-profile"]);
    assert_eq!(report["samples"], 0);
    assert_eq!(report["profiled"], false);
    assert_eq!(report["items"], 2400);
}

#[test]
fn event_stream_is_versioned_and_ends_with_done() {
    let scratch = Scratch::new();
    let events = scratch.path("events.ndjson");
    let events_arg = events.to_string_lossy().into_owned();
    scratch.json_report(
        "ev",
        &[
            "--mode",
            "processes",
            "--workers",
            "2",
            "--events",
            &events_arg,
        ],
    );
    let text = std::fs::read_to_string(&events).expect("events file");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert!(lines
        .iter()
        .all(|e| e["v"] == boundscope::events::EVENT_VERSION));
    // Progress of generating the input data (a fresh data directory) comes only before start.
    let start = lines
        .iter()
        .position(|e| e["type"] == "start")
        .expect("start");
    assert!(lines[..start].iter().all(|e| e["type"] == "prepare"));
    assert_eq!(lines.last().unwrap()["type"], "done");
    assert!(lines.iter().any(|e| e["type"] == "tick"));
    let done = &lines.last().unwrap()["report"];
    assert_eq!(done["items"], 2400);
    // Lanes of a processes run are the children's workers.
    let tick = lines.iter().rev().find(|e| e["type"] == "tick").unwrap();
    let names: Vec<&str> = tick["workers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"bs-proc-0") && names.contains(&"bs-proc-1"),
        "{names:?}"
    );
}
