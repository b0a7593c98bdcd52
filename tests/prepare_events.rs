//! A run on an empty data cache generates its input first and says so in its event stream
//! (`prepare` events before `start`); a run on the cached data generates nothing, and
//! recordings with and without `prepare` events open alike.

mod common;
use boundscope::events::{Envelope, Event};
use boundscope::tui::screens::open::load_file;
use common::{stderr, Scratch};
use std::path::Path;

/// The event types of a recording, in order, and its `prepare` events.
fn read_events(path: &Path) -> (Vec<String>, Vec<boundscope::model::GenProgress>) {
    let text = std::fs::read_to_string(path).expect("events file");
    let mut types = Vec::new();
    let mut prepares = Vec::new();
    for line in text.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        types.push(value["type"].as_str().unwrap_or("?").to_string());
        if let Event::Prepare(p) = Envelope::parse_line(line).expect("an event").event {
            prepares.push(p);
        }
    }
    (types, prepares)
}

fn run_recorded(scratch: &Scratch, events: &Path) {
    let out = scratch.run(&[
        "run",
        "json-parse",
        "--files",
        "3",
        "--records",
        "2000",
        "--output",
        "none",
        "--quiet",
        "--events",
        events.to_str().expect("utf-8 path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn the_first_run_reports_generation_before_start_and_a_cached_run_does_not() {
    let scratch = Scratch::new();
    let first = scratch.path("first.ndjson");
    run_recorded(&scratch, &first);
    let (types, prepares) = read_events(&first);
    let start = types.iter().position(|t| t == "start").expect("a start");
    assert!(
        start >= 2,
        "the first and the last state come first: {types:?}"
    );
    assert!(types[..start].iter().all(|t| t == "prepare"), "{types:?}");
    assert!(!types[start..].iter().any(|t| t == "prepare"), "{types:?}");
    let (head, last) = (&prepares[0], &prepares[prepares.len() - 1]);
    assert_eq!((head.files_done, head.records_done), (0, 0));
    assert_eq!((last.files_done, last.files_total), (3, 3));
    assert_eq!((last.records_done, last.records_total), (6000, 6000));
    assert!(
        last.bytes > 0 && last.what.contains("json-parse"),
        "{last:?}"
    );

    let second = scratch.path("second.ndjson");
    run_recorded(&scratch, &second);
    let (types, _) = read_events(&second);
    assert_eq!(
        types.first().map(String::as_str),
        Some("start"),
        "{types:?}"
    );
    assert!(!types.iter().any(|t| t == "prepare"), "{types:?}");

    // Both recordings open the same way: a finished run, not one still generating.
    for path in [&first, &second] {
        let run = load_file(path, 1).unwrap_or_else(|e| panic!("{e}"));
        assert!(run.preparing.is_none(), "{}", path.display());
        assert!(run.report.is_some(), "{}", path.display());
        assert_eq!(run.workload, "json-parse");
    }
}
