//! Tests of the phase views: an async run's phases at 80×24, and Enter on a phase showing
//! the code that ran in it.

use super::snapshots::screen;
use super::{app, press};
use crate::events::{Event, HostInfo};
use crate::flame::FoldedStacks;
use crate::model::{Mode, Tick, WaitCategory, WorkerSnapshot};
use crate::tui::app::{update, App};
use crate::tui::state::profiles::Profile;
use crate::tui::state::runs::Run;
use crate::tui::state::Action;
use std::collections::BTreeMap;

const WORKERS: [&str; 2] = ["bs-tokio-0", "bs-tokio-1"];

/// One runtime thread's phases in an api-fetch run, async × 8 at 20 ms (shaped after a real
/// run: the tasks wait for answers almost all the time).
const PHASES: &str = "W;answer;[net wait] 1300000000\n\
W;answer;[cpu] 5000000\n\
W;answer;[run queue] 40000000\n\
W;decode;[cpu] 8000000\n\
W;decode;[run queue] 50000000\n\
W;request;[cpu] 300000\n\
W;request;[run queue] 2000000\n\
W;[cpu] 70000000\n\
W;[run queue] 500000000\n\
W;[idle] 24700000\n";

/// The same time on code stacks, tagged with the phases they ran in. Under a phase the
/// workload's own frames go on (the engine fold must not take the phase for plumbing).
const WALL: &str = "W;[tokio runtime];ApiFetch::run_unit;fetch_async;[phase answer];boundscope::workload::api::fetch_async::{{closure}};hyper::recv;[net wait] 1300000000\n\
W;[tokio runtime];ApiFetch::run_unit;fetch_async;[phase answer];boundscope::workload::api::fetch_async::{{closure}};hyper::recv;poll_read 5000000\n\
W;[tokio runtime];ApiFetch::run_unit;fetch_async;[phase answer];[run queue] 40000000\n\
W;[tokio runtime];ApiFetch::run_unit;fetch_async;[phase decode];serde_json::from_slice 8000000\n\
W;[tokio runtime];ApiFetch::run_unit;fetch_async;[phase decode];[run queue] 50000000\n\
W;[tokio runtime];ApiFetch::run_unit;fetch_async;[phase request];hyper::send 300000\n\
W;[tokio runtime];ApiFetch::run_unit;fetch_async;[phase request];[run queue] 2000000\n\
W;[tokio runtime];tokio::park 70000000\n\
W;[run queue] 500000000\n\
W;[idle] 24700000\n";

/// `text` for both runtime threads.
fn both(text: &str) -> FoldedStacks {
    let all = WORKERS.map(|w| text.replace('W', w)).concat();
    FoldedStacks::parse(&all).expect("folded")
}

fn worker(name: &str, t: f64) -> WorkerSnapshot {
    WorkerSnapshot {
        name: name.into(),
        wall_s: t,
        cpu_s: t * 0.05,
        runqueue_s: t * 0.3,
        waits: BTreeMap::from([(WaitCategory::Net, t * 0.65)]),
    }
}

fn async_events() -> Vec<Event> {
    let decl = crate::workload::workload("api-fetch").expect("a built-in workload");
    let spec = crate::spec::RunSpec::new((decl.defaults)(), Mode::Async, 8);
    let host = HostInfo {
        cores: 2,
        pid: 1,
        kernel: "test".into(),
    };
    let mut events = vec![Event::Start {
        spec: Box::new(spec),
        host,
    }];
    for i in 1u32..=4 {
        let t = f64::from(i) * 0.5;
        events.push(Event::Tick(Tick {
            elapsed_s: t,
            items: 150 * u64::from(i),
            workers: WORKERS.map(|w| worker(w, t)).to_vec(),
            ..Tick::default()
        }));
    }
    events.push(Event::Stacks {
        samples: 16,
        stacks: both("W;[tokio runtime];ApiFetch::run_unit;fetch_async;[phase decode];serde_json::from_slice 8\n"),
        wall: both(WALL),
        phases: both(PHASES),
    });
    events
}

fn async_app() -> App {
    let mut app = app();
    app.add_run(Run::new(1, "api-fetch", "async", 8, false));
    for event in async_events() {
        let event = Box::new(event);
        update(&mut app, Action::RunEvent { run: 0, event });
    }
    app
}

#[test]
fn an_async_runs_phases_show_its_net_wait_at_80x24() {
    let mut app = async_app();
    assert_eq!(app.run.flame.profile, Profile::Phases);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("[net wait]"), "{text}");
    assert!(text.contains("answer"), "{text}");
    assert!(
        !text.contains("[tokio runtime]"),
        "no runtime frame in the phase view: {text}"
    );
    insta::assert_snapshot!("phases_async_80x24", text);
}

/// Selects the frame at `path` of the tree shown.
fn select(app: &mut App, path: &[&str]) {
    let id = app.run.flame.tree.find(path).expect("the frame is drawn");
    app.run.flame.select(id);
}

#[test]
fn enter_on_a_phase_shows_the_code_that_ran_in_it_and_esc_comes_back() {
    let mut app = async_app();
    select(&mut app, &["bs-tokio-1", "answer"]);
    press(&mut app, &[Action::Enter]);
    assert_eq!(app.run.flame.profile, Profile::PhaseCode);
    assert_eq!(app.run.flame.zoom, vec![vec!["bs-tokio-1", "answer"]]);
    let shown = app.run.flame.tree.to_folded();
    assert_eq!(
        shown.total(),
        1_345_000_000,
        "the phase's time on its code stacks"
    );
    assert!(
        shown
            .iter()
            .any(|(s, _)| s.ends_with("hyper::recv;[net wait]")),
        "{shown:?}"
    );
    assert!(
        shown.iter().all(|(s, _)| !s.contains("decode")),
        "{shown:?}"
    );
    assert!(
        app.shared.status.contains("phase answer"),
        "{}",
        app.shared.status
    );
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("hyper::recv"), "{text}");

    press(&mut app, &[Action::Back]);
    assert_eq!(app.run.flame.profile, Profile::Phases);
    assert!(app.run.flame.zoom.is_empty());
    let selected = app.run.flame.full_path(app.run.flame.selected_id);
    assert_eq!(selected, vec!["bs-tokio-1", "answer"]);
}

#[test]
fn enter_on_a_cause_under_a_phase_shows_that_phases_code() {
    let mut app = async_app();
    select(&mut app, &["bs-tokio-0", "decode", "[cpu]"]);
    press(&mut app, &[Action::Enter]);
    assert_eq!(app.run.flame.profile, Profile::PhaseCode);
    let shown = app.run.flame.tree.to_folded();
    assert_eq!(shown.total(), 58_000_000);
    assert!(shown
        .iter()
        .any(|(s, _)| s.contains("serde_json::from_slice")));
}

#[test]
fn enter_on_a_worker_zooms_as_usual_and_v_leaves_the_phase_code() {
    let mut app = async_app();
    select(&mut app, &["bs-tokio-0"]);
    press(&mut app, &[Action::Enter]);
    assert_eq!(app.run.flame.profile, Profile::Phases);
    assert_eq!(app.run.flame.zoom, vec![vec!["bs-tokio-0"]]);
    select(&mut app, &["answer"]);
    press(&mut app, &[Action::Enter, Action::CycleProfile]);
    assert_eq!(app.run.flame.profile, Profile::Wall);
    assert!(
        app.run.flame.zoom.is_empty(),
        "a code-view zoom is no wall-view path"
    );
    assert_eq!(app.run.flame.tree.total(), both(WALL).total());
}
