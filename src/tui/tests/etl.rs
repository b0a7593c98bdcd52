//! The stage timeline of etl-pipeline runs beside the flamegraph: from the report (live run and
//! opened recording alike), stages done while the run goes, hidden and shown with `T`; other
//! workloads' screens keep the whole column for the flamegraph.

use super::snapshots::screen;
use super::{app, sample_events, start_event};
use crate::events::Event;
use crate::model::Timeline;
use crate::model::{RunReport, UnitSummary, WorkloadFindings};
use crate::report::timeline::{compute, test_stage};
use crate::tui::app::{update, App};
use crate::tui::screens::run::replay;
use crate::tui::state::runs::Run;
use crate::tui::state::Action;
use crate::workload::etl::NAME;
use std::sync::Arc;

/// The built-in pipeline's stages over a 2-second run: three fetches at once, the load after
/// the slowest (prices), three SQL stages after the load.
fn etl_timeline() -> Timeline {
    let stages = [
        ("companies", &[][..], 0.0, 0.6),
        ("prices", &[][..], 0.0, 0.7),
        ("financials", &[][..], 0.0, 0.65),
        ("load", &["companies", "prices", "financials"][..], 0.7, 1.5),
        ("ttm", &["load"][..], 1.5, 1.8),
        ("ratios", &["load"][..], 1.5, 1.65),
        ("market_metrics", &["load"][..], 1.5, 1.7),
    ];
    let dag: Vec<_> = stages
        .iter()
        .map(|(name, after, _, _)| test_stage(name, after))
        .collect();
    let units: Vec<UnitSummary> = stages
        .iter()
        .enumerate()
        .map(|(unit, (name, _, start_s, end_s))| UnitSummary {
            unit,
            label: (*name).into(),
            items: 10,
            bytes: 0,
            rejected: 0,
            digest: 0,
            error: None,
            worker: format!("bs-threads-{}", unit % 2),
            start_s: *start_s,
            end_s: *end_s,
        })
        .collect();
    compute(&units, &dag, 2.0).expect("a timeline")
}

/// An etl-pipeline run's events (threads × 2, 2 s), with its report when `done`.
fn etl_events(done: bool) -> Vec<Event> {
    let mut events = sample_events(2.0, false);
    events[0] = start_event(NAME);
    if done {
        let report = RunReport {
            workload: NAME.into(),
            mode: crate::model::Mode::Threads,
            workers: 2,
            items: 70,
            wall_s: 2.0,
            items_per_s: 35.0,
            verdict: Some(crate::model::VerdictKind::IoBound),
            findings: WorkloadFindings {
                timeline: Some(etl_timeline()),
                ..WorkloadFindings::default()
            },
            ..RunReport::default()
        };
        let report = Box::new(report);
        events.push(Event::Done {
            report,
            units: vec![],
        });
    }
    events
}

fn app_with(events: Vec<Event>) -> App {
    let mut app = app();
    app.add_run(Run::new(1, NAME, "threads", 2, false));
    for event in events {
        let event = Box::new(event);
        update(&mut app, Action::RunEvent { run: 0, event });
    }
    app
}

#[test]
fn a_finished_run_shows_its_timeline_beside_the_flamegraph() {
    let mut app = app_with(etl_events(true));
    let wide = screen(&mut app, 200, 55);
    assert!(wide.contains("stage timeline 0 → 2.00 s"), "{wide}");
    assert!(wide.contains("* prices "), "{wide}");
    assert!(wide.contains("  companies "), "{wide}");
    assert!(
        wide.contains("critical path  prices → load → ttm = 1.80 s"),
        "{wide}"
    );
    assert!(wide.contains("theoretical"), "{wide}");
    // The flamegraph is still there, under the timeline.
    assert!(wide.contains("worker_loop"), "{wide}");
    insta::assert_snapshot!("etl_timeline_200x55", wide);
    let small = screen(&mut app, 80, 24);
    for stage in &etl_timeline().stages {
        let name = &stage.name[..stage.name.len().min(10)];
        assert!(small.contains(name), "{name}: {small}");
    }
    assert!(small.contains("possible"), "{small}");
    assert!(small.contains("critical path 1.80 s"), "{small}");
    assert!(small.contains("worker_loop"), "{small}");
    insta::assert_snapshot!("etl_timeline_80x24", small);
}

#[test]
fn the_flamegraph_keeps_its_clicks_under_the_timeline() {
    let mut app = app_with(etl_events(true));
    app.resize(80, 24);
    let plain = crate::tui::screens::run::layout::run_areas(app.size());
    let with = app.run_areas();
    assert!(with.profile.y > plain.profile.y + 3, "{with:?}");
    assert_eq!(with.profile.bottom(), plain.profile.bottom());
    update(&mut app, Action::StageTimeline);
    assert!(
        app.shared.status.contains("hidden"),
        "{}",
        app.shared.status
    );
    assert_eq!(app.run_areas(), plain);
    let text = screen(&mut app, 80, 24);
    assert!(!text.contains("stages 0 →"), "{text}");
    update(&mut app, Action::StageTimeline);
    assert!(screen(&mut app, 80, 24).contains("stages 0 →"));
}

#[test]
fn a_live_run_counts_stages_done_and_other_workloads_have_no_panel() {
    let mut app = app_with(etl_events(false));
    assert!(app.shared.runs[0].is_live());
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("stage timeline"), "{text}");
    assert!(text.contains("4 of 6 stages done"), "{text}");
    insta::assert_snapshot!("etl_live_80x24", text);
    let mut json = super::app_with_run(2.0);
    let plain = screen(&mut json, 80, 24);
    assert!(!plain.contains("stage"), "{plain}");
    update(&mut json, Action::StageTimeline);
    assert!(
        json.shared.status.contains("only etl-pipeline"),
        "{}",
        json.shared.status
    );
}

/// `T`'s note is about the etl run it was pressed on: it does not stay on a json-parse run
/// shown next, which has no timeline.
#[test]
fn the_stage_timeline_note_goes_when_another_run_is_shown() {
    let mut app = app_with(etl_events(true));
    let json = app.add_run(Run::new(2, "json-parse", "threads", 2, false));
    for event in sample_events(2.0, true) {
        update(
            &mut app,
            Action::RunEvent {
                run: json,
                event: Box::new(event),
            },
        );
    }
    app.show_run(0);
    update(&mut app, Action::StageTimeline);
    update(&mut app, Action::StageTimeline);
    assert_eq!(app.shared.status, "stage timeline shown · T hides it");
    app.show_run(json);
    let text = screen(&mut app, 80, 24);
    assert!(!text.contains("stage timeline"), "{text}");
    // Other notes stay: showing a run does not wipe what the user was told.
    app.shared.status = "started run 2".into();
    app.show_run(0);
    assert_eq!(app.shared.status, "started run 2");
}

#[test]
fn an_opened_recording_shows_the_timeline_once_its_report_replays() {
    let mut app = app();
    let events: crate::tui::state::runs::Recording = Arc::new(etl_events(true));
    app.add_run(crate::tui::state::recording::recorded_run(1, events));
    assert!(screen(&mut app, 200, 55).contains("* load "));
    replay::play_from_start(&mut app.run, &mut app.shared);
    let start = screen(&mut app, 200, 55);
    assert!(start.contains("comes with the run's report"), "{start}");
    assert!(!start.contains("* load "), "{start}");
    update(&mut app, Action::SeekEnd);
    assert!(screen(&mut app, 200, 55).contains("* load "));
}
