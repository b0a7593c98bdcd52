//! Tests of the UI state (`update`), exports and file opening; rendering snapshots in `snapshots`.

mod axis;
mod etl;
mod files;
mod fold;
mod frames;
mod hostile;
mod layers;
mod overlay;
mod phases;
mod predictions;
mod prepare;
mod range;
mod sandwich;
mod snapshots;
mod suite;
mod suite_snapshots;
mod wall;

use crate::events::{Event, HostInfo};
use crate::flame::FoldedStacks;
use crate::model::RunReport;
use crate::model::Tick;
use crate::model::{WaitCategory, WorkerSnapshot};
use crate::tui::app::{update, App};
use crate::tui::screens::setup::Focus;
use crate::tui::state::runs::{Run, RunStatus};
use crate::tui::state::{Action, Effect, RunLaunch, Screen};
use crate::tui::widgets::flame::layout::Orientation;
use crate::tui::widgets::flame::view::ViewKind;
use std::collections::BTreeMap;

const STACKS: &str = "bs-threads-0;worker_loop;run_unit;parse_value_line;serde_json::from_str 30\n\
bs-threads-0;worker_loop;run_unit;parse_value_line 10\n\
bs-threads-0;worker_loop;run_unit;write_parquet 20\n\
bs-threads-1;worker_loop;run_unit;parse_value_line;serde_json::from_str 25\n\
bs-threads-1;worker_loop;run_unit;write_parquet 15\n";

pub fn worker(name: &str, wall: f64, cpu: f64, queue: f64, rq: f64) -> WorkerSnapshot {
    let mut waits = BTreeMap::new();
    waits.insert(WaitCategory::Queue, queue);
    WorkerSnapshot {
        name: name.into(),
        wall_s: wall,
        cpu_s: cpu,
        runqueue_s: rq,
        waits,
    }
}

pub fn tick(t: f64, items: u64, cpu_share: f64) -> Event {
    Event::Tick(Tick {
        elapsed_s: t,
        items,
        units_done: (t * 2.0) as u64,
        units_total: 6,
        workers: vec![
            worker("bs-threads-0", t, t * cpu_share, t * (1.0 - cpu_share), 0.0),
            worker("bs-threads-1", t, t * 0.5, t * 0.1, t * 0.4),
        ],
        ..Tick::default()
    })
}

/// The start event of a test run of `workload`, threads × 2.
pub fn start_event(workload: &str) -> Event {
    let decl = crate::workload::workload(workload).expect("a built-in workload");
    let spec = Box::new(crate::spec::RunSpec::new(
        (decl.defaults)(),
        crate::model::Mode::Threads,
        2,
    ));
    let host = HostInfo {
        cores: 2,
        pid: 1,
        kernel: "test".into(),
    };
    Event::Start { spec, host }
}

/// A recorded run: start, ticks, stacks in two deltas, done.
pub fn sample_events(wall: f64, done: bool) -> Vec<Event> {
    let all = FoldedStacks::parse(STACKS).unwrap();
    let half: FoldedStacks = all.iter().take(2).collect();
    let mut events = vec![start_event("json-parse")];
    for i in 1u32..=6 {
        events.push(tick(wall * f64::from(i) / 6.0, 60_000 * u64::from(i), 0.9));
    }
    events.push(Event::Stacks {
        samples: half.total(),
        stacks: half.clone(),
        wall: FoldedStacks::new(),
        phases: Default::default(),
    });
    let rest = all.delta_since(&half);
    events.push(Event::Stacks {
        samples: rest.total(),
        stacks: rest,
        wall: FoldedStacks::new(),
        phases: Default::default(),
    });
    if done {
        let report = RunReport {
            workload: "json-parse".into(),
            mode: crate::model::Mode::Threads,
            workers: 2,
            items: 360_000,
            wall_s: wall,
            cpu_s: wall * 1.4,
            busy_cores: 1.4,
            items_per_s: 360_000.0 / wall,
            samples: 100,
            sample_hz_effective: 97.0,
            cpu_sample_coverage: 0.7,
            verdict: Some(crate::model::VerdictKind::CpuBound),
            ..RunReport::default()
        };
        events.push(Event::Done {
            report: Box::new(report),
            units: vec![],
        });
    }
    events
}

pub fn app() -> App {
    let mut app = App::new(2, false, std::env::temp_dir());
    app.resize(120, 40);
    app
}

/// The one file in `dir` whose name starts with `start` and ends with `end` (exports carry
/// the time they were written in their names).
fn exported(dir: &std::path::Path, start: &str, end: &str) -> std::path::PathBuf {
    let found: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(start) && name.ends_with(end)
        })
        .collect();
    assert_eq!(found.len(), 1, "{start}…{end} in {found:?}");
    found[0].clone()
}

/// An app showing one run fed with the sample events.
pub fn app_with_run(wall: f64) -> App {
    let mut app = app();
    app.add_run(Run::new(1, "json-parse", "threads", 2, false));
    for event in sample_events(wall, true) {
        update(
            &mut app,
            Action::RunEvent {
                run: 0,
                event: Box::new(event),
            },
        );
    }
    app
}

fn app_with_stacks(text: &str) -> App {
    let mut app = app();
    let mut run = Run::new(1, "folded", "stacks", 0, false);
    run.set_stacks(FoldedStacks::parse(text).unwrap());
    app.add_run(run);
    app
}

fn selected_name(app: &App) -> &str {
    &app.run.flame.tree.nodes()[app.run.flame.selected_id].name
}

fn press(app: &mut App, actions: &[Action]) {
    for a in actions {
        update(app, a.clone());
    }
}

#[test]
fn navigation_moves_between_frames_in_both_orientations() {
    let mut app = app_with_stacks("t;a;b 3\nt;a;c 1\nt;d 2\n");
    assert_eq!(selected_name(&app), "all");
    press(&mut app, &[Action::Down, Action::Down]);
    assert_eq!(selected_name(&app), "a");
    press(&mut app, &[Action::Right]);
    assert_eq!(selected_name(&app), "d");
    press(&mut app, &[Action::Right]);
    assert_eq!(selected_name(&app), "d", "no frame to the right of d");
    press(&mut app, &[Action::Left, Action::Down]);
    assert_eq!(selected_name(&app), "b");
    press(&mut app, &[Action::Up]);
    assert_eq!(selected_name(&app), "a");
    press(&mut app, &[Action::Orientation]);
    assert_eq!(app.run.flame.orientation, Orientation::Flame);
    press(&mut app, &[Action::Up]);
    assert_eq!(
        selected_name(&app),
        "b",
        "in a flame graph, up goes to the callee"
    );
}

#[test]
fn zoom_in_and_out_keeps_the_selection() {
    let mut app = app_with_stacks("t;a;b 3\nt;a;c 1\nt;d 2\n");
    press(&mut app, &[Action::Down, Action::Down, Action::Enter]);
    assert_eq!(&*app.run.flame.tree.root_node().name, "a");
    assert_eq!(app.run.flame.tree.total(), 4);
    assert_eq!(app.run.flame.selected_shares().1, 100.0 * 4.0 / 6.0);
    press(&mut app, &[Action::Down, Action::Enter]);
    assert_eq!(&*app.run.flame.tree.root_node().name, "b");
    press(&mut app, &[Action::Back]);
    assert_eq!(&*app.run.flame.tree.root_node().name, "a");
    assert_eq!(selected_name(&app), "b");
    press(&mut app, &[Action::Backspace]);
    assert_eq!(app.run.flame.tree.total(), 6);
    assert_eq!(selected_name(&app), "a");
    press(&mut app, &[Action::Back]);
    assert_eq!(
        app.screen,
        Screen::Setup,
        "Esc at the top leaves the run screen"
    );
}

#[test]
fn collapse_and_expand_a_subtree() {
    let mut app = app_with_stacks("t;a;b 3\nt;a;c 1\nt;d 2\n");
    press(&mut app, &[Action::Down, Action::Down, Action::Collapse]);
    let a = app.run.flame.tree.find(&["t", "a"]).unwrap();
    assert!(app.run.flame.tree.nodes()[a].children.is_empty());
    assert_eq!(app.run.flame.tree.nodes()[a].self_count, 4);
    assert_eq!(selected_name(&app), "a");
    press(&mut app, &[Action::Collapse]);
    assert!(app.run.flame.tree.find(&["t", "a", "b"]).is_some());
    press(&mut app, &[Action::CollapseLibs, Action::MergeThreads]);
    assert!(
        app.run.flame.tree.find(&["a", "b"]).is_some(),
        "threads merged"
    );
}

#[test]
fn invert_shows_callers_and_comes_back() {
    let mut app = app_with_stacks("t;a;b 3\nt;a;c 1\nt;d 2\nu;x;b 4\n");
    press(&mut app, &[Action::Down, Action::Down]);
    assert_eq!(selected_name(&app), "a");
    press(&mut app, &[Action::Invert]);
    assert!(app.run.flame.inverted);
    assert_eq!(selected_name(&app), "all", "selection starts over");
    let b = app.run.flame.tree.find(&["b"]).expect("leaf b at the top");
    assert_eq!(app.run.flame.tree.nodes()[b].total, 7);
    assert!(app.run.flame.tree.find(&["b", "a", "t"]).is_some());
    assert!(app.run.flame.tree.find(&["b", "x", "u"]).is_some());
    assert!(app.run.flame.describe().contains("inverted"));
    press(&mut app, &[Action::Down, Action::Enter]);
    assert_eq!(&*app.run.flame.tree.root_node().name, "b");
    press(&mut app, &[Action::Invert]);
    assert!(!app.run.flame.inverted);
    assert!(
        app.run.flame.zoom.is_empty(),
        "zoom of the inverted view dropped"
    );
    assert_eq!(app.run.flame.tree.total(), 10);
    assert!(app.run.flame.tree.find(&["t", "a", "b"]).is_some());
}

#[test]
fn thread_filter_keeps_the_selected_thread_and_toggles_off() {
    let mut app = app_with_stacks("t;a;b 3\nt;d 2\nu;x;b 7\n");
    press(&mut app, &[Action::FilterThread]);
    assert_eq!(app.run.flame.thread, None, "the root belongs to no thread");
    assert!(
        app.shared.status.contains("select a frame"),
        "{}",
        app.shared.status
    );
    press(&mut app, &[Action::Down, Action::Down]);
    assert_eq!(selected_name(&app), "x", "the heaviest path is u;x;b");
    press(&mut app, &[Action::FilterThread]);
    assert_eq!(app.run.flame.thread.as_deref(), Some("u"));
    assert_eq!(app.run.flame.tree.total(), 7);
    assert_eq!(app.run.flame.tree.find(&["t"]), None);
    assert_eq!(
        selected_name(&app),
        "x",
        "the selection survives the filter"
    );
    assert!(app.run.flame.describe().contains("thread u"));
    press(&mut app, &[Action::Invert]);
    assert_eq!(
        app.run.flame.tree.total(),
        7,
        "filter and inversion combine"
    );
    assert!(app.run.flame.tree.find(&["b", "x", "u"]).is_some());
    press(&mut app, &[Action::Invert, Action::FilterThread]);
    assert_eq!(app.run.flame.thread, None);
    assert_eq!(app.run.flame.tree.total(), 12);
    press(&mut app, &[Action::MergeThreads, Action::FilterThread]);
    assert_eq!(app.run.flame.thread, None, "no thread to pick once merged");
}

#[test]
fn collapse_libraries_folds_std_frames() {
    let mut app = app_with_stacks("t;main;std::rt::x;core::ops::f;app::work 5\n");
    press(&mut app, &[Action::CollapseLibs]);
    assert!(app
        .run
        .flame
        .tree
        .find(&["t", "main", "std::…", "core::…", "app::work"])
        .is_some());
}

#[test]
fn search_highlights_matches_and_their_share() {
    let mut app = app_with_run(2.0);
    press(&mut app, &[Action::SearchStart]);
    for c in "parse_value".chars() {
        press(&mut app, &[Action::SearchChar(c)]);
    }
    press(&mut app, &[Action::SearchConfirm]);
    let search = app.run.flame.search.as_ref().expect("search applied");
    assert_eq!(search.count, 2);
    assert!(
        (search.share - 65.0 / 100.0).abs() < 1e-9,
        "{}",
        search.share
    );
    assert!(app.shared.status.contains("65.0%"), "{}", app.shared.status);
    press(
        &mut app,
        &[
            Action::SearchStart,
            Action::SearchChar('('),
            Action::SearchConfirm,
        ],
    );
    assert!(
        app.shared.status.contains("not a valid regex"),
        "{}",
        app.shared.status
    );
    assert_eq!(
        app.run.flame.search.as_ref().unwrap().pattern,
        "parse_value"
    );
}

#[test]
fn top_table_is_computed_only_while_it_shows() {
    let mut app = app_with_stacks("t;a;b 3\nt;d 2\n");
    assert!(app.run.flame.top.is_empty() && app.run.flame.top_stale);
    press(&mut app, &[Action::Tab]);
    let names: Vec<&str> = app.run.flame.top.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["b", "d", "t", "a"]);
    press(&mut app, &[Action::CollapseLibs]);
    assert!(!app.run.flame.top_stale, "rebuilt while showing");
    press(&mut app, &[Action::Tab, Action::MergeThreads]);
    assert!(app.run.flame.top_stale);
    press(&mut app, &[Action::Tab, Action::Tab]);
    assert_eq!(app.run.flame.kind, ViewKind::Top);
    assert!(
        app.run.flame.top.iter().all(|r| r.name != "t"),
        "threads merged"
    );
}

#[test]
fn top_table_enter_searches_the_function() {
    let mut app = app_with_run(2.0);
    press(&mut app, &[Action::Tab]);
    assert_eq!(app.run.flame.kind, ViewKind::Top);
    assert_eq!(app.run.flame.top[0].name, "serde_json::from_str");
    press(&mut app, &[Action::Down, Action::Enter]);
    assert_eq!(app.run.flame.kind, ViewKind::Flame);
    let search = app.run.flame.search.as_ref().unwrap();
    assert_eq!(search.pattern, format!("^{}$", app.run.flame.top[1].name));
}

#[test]
fn call_tree_rows_expand_and_fold() {
    let mut app = app_with_run(2.0);
    press(&mut app, &[Action::Tab, Action::Tab]);
    assert_eq!(app.run.flame.kind, ViewKind::Tree);
    assert_eq!(app.run.flame.tree_rows().len(), 3, "root and two threads");
    press(&mut app, &[Action::Down, Action::Right]);
    assert_eq!(app.run.flame.tree_rows().len(), 4);
    press(&mut app, &[Action::Left]);
    assert_eq!(app.run.flame.tree_rows().len(), 3);
}

#[test]
fn freeze_stops_the_flamegraph_growing() {
    let mut app = app_with_run(2.0);
    assert_eq!(app.run.flame.tree.total(), 100);
    press(&mut app, &[Action::Freeze]);
    let more = FoldedStacks::parse("bs-threads-0;late 50\n").unwrap();
    let event = Event::Stacks {
        samples: 50,
        stacks: more,
        wall: FoldedStacks::new(),
        phases: Default::default(),
    };
    update(
        &mut app,
        Action::RunEvent {
            run: 0,
            event: Box::new(event),
        },
    );
    assert_eq!(app.run.flame.tree.total(), 100);
    assert_eq!(app.shared.runs[0].stacks.total(), 150);
    press(&mut app, &[Action::Freeze]);
    assert_eq!(app.run.flame.tree.total(), 150);
}

#[test]
fn run_list_follows_events_and_failures() {
    let app = app_with_run(2.0);
    let run = &app.shared.runs[0];
    assert_eq!(run.status, RunStatus::Done);
    assert_eq!(run.throughput.len(), 6);
    assert!((run.throughput[0].1 - 180_000.0).abs() < 1e-6);
    assert_eq!(run.lanes.len(), 2);
    assert!((run.lanes[0].cells[1].unwrap().cpu - 0.9).abs() < 1e-9);
    assert!((run.lanes[1].cells[1].unwrap().runqueue - 0.4).abs() < 1e-9);
    assert_eq!(run.items_per_s(), 180_000.0);
    assert!(
        app.shared.status.contains("cpu-bound"),
        "{}",
        app.shared.status
    );

    let mut app = self::app();
    press(&mut app, &[Action::Enter]);
    // The form's run starts from its typed spec, not from an argument list.
    let workload = app.setup.form.workload_name();
    assert!(
        matches!(&app.shared.effects[..], [Effect::StartRun { run: 0, launch: RunLaunch::Request(r) }]
            if r.spec.workload.name() == workload && r.spec.mode == app.setup.form.mode),
        "{:?}",
        app.shared.effects
    );
    let stderr = "boundscope: no such file: /nope\n".to_string();
    press(
        &mut app,
        &[Action::RunExited {
            run: 0,
            code: Some(2),
            stderr,
        }],
    );
    assert_eq!(app.shared.runs[0].status, RunStatus::Failed);
    let error = app.shared.runs[0].error.as_deref().unwrap();
    assert!(
        error.contains("status 2") && error.contains("/nope"),
        "{error}"
    );

    press(&mut app, &[Action::NewRun, Action::Enter]);
    let event = Event::Error {
        message: "disk full".into(),
    };
    update(
        &mut app,
        Action::RunEvent {
            run: 1,
            event: Box::new(event),
        },
    );
    assert_eq!(app.shared.runs[1].error.as_deref(), Some("disk full"));
    assert!(app.shared.status.contains("disk full"));
}

#[test]
fn only_one_live_run_and_stop_asks_the_child() {
    let mut app = app();
    press(&mut app, &[Action::Enter]);
    app.shared.effects.clear();
    press(&mut app, &[Action::StopRun]);
    assert_eq!(app.shared.effects, vec![Effect::StopRun]);
    press(&mut app, &[Action::NewRun, Action::Enter]);
    assert!(
        app.shared.status.contains("still going"),
        "{}",
        app.shared.status
    );
    assert_eq!(app.shared.runs.len(), 1);
}

#[test]
fn setup_form_edits_values_and_builds_the_command() {
    let mut app = app();
    press(&mut app, &[Action::Down, Action::Right]);
    assert_eq!(app.setup.form.mode.as_str(), "rayon");
    press(
        &mut app,
        &[Action::Down, Action::Down, Action::Left, Action::Down],
    );
    assert!(app.setup.form.gil);
    for d in [6, 0, 0, 0, 0] {
        press(&mut app, &[Action::Digit(d)]);
    }
    press(&mut app, &[Action::Down, Action::Digit(6)]);
    let args = app.setup.form.child_args().join(" ");
    assert!(
        args.starts_with("run json-parse --mode rayon --workers 2 --gil --records 60000 --files 6"),
        "{args}"
    );
    assert!(args.ends_with("--events - --quiet"));
    press(
        &mut app,
        &[
            Action::Digit(0),
            Action::Digit(0),
            Action::Digit(0),
            Action::Digit(0),
        ],
    );
    press(&mut app, &[Action::Enter]);
    assert!(
        app.shared.runs.is_empty() && app.shared.status.contains("at most"),
        "{}",
        app.shared.status
    );
}

#[test]
fn compare_selection_takes_two_marked_runs() {
    let mut app = app_with_run(2.0);
    let mut slower = Run::new(2, "json-parse", "sequential", 1, false);
    for event in sample_events(4.0, true) {
        slower.apply(event);
    }
    app.shared.runs.push(slower);
    press(&mut app, &[Action::Back, Action::Tab]);
    assert_eq!(app.setup.focus, Focus::Runs);
    press(&mut app, &[Action::Up, Action::Compare]);
    assert_eq!(app.screen, Screen::Setup, "nothing marked yet");
    press(
        &mut app,
        &[
            Action::Down,
            Action::Mark,
            Action::Up,
            Action::Mark,
            Action::Compare,
        ],
    );
    assert_eq!(app.screen, Screen::Compare);
    let cmp = app.compare.as_ref().unwrap();
    assert_eq!((cmp.a, cmp.b), (1, 0));
    assert_eq!(cmp.speedup(&app.shared.runs), Some(2.0));

    press(&mut app, &[Action::Tab]);
    assert_eq!(app.compare.as_ref().unwrap().a, 0);
}
