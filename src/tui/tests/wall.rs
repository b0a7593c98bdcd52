//! Tests of the wall-clock views: the view key, live growth, details, tables, colours, `open`
//! of a recording, and snapshots of an IO-bound run.

use super::snapshots::screen;
use super::{app, app_with_run, exported, press, start_event};
use crate::events::Event;
use crate::flame::wall::stack_kind;
use crate::flame::FoldedStacks;
use crate::model::RunReport;
use crate::model::Tick;
use crate::model::{WaitCategory, WorkerSnapshot};
use crate::tui::app::{update, App};
use crate::tui::state::profiles::Profile;
use crate::tui::state::runs::Run;
use crate::tui::state::Action;
use crate::tui::widgets::flame::render::selected_detail;
use crate::tui::widgets::flame::view::ViewKind;
use crate::tui::widgets::theme::wait_color;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One worker's wall profile of an api-fetch run (3.0 s): mostly waiting on the network.
const WALL: &str = "W;worker_loop;run_unit;fetch_page;[net wait] 2400000000\n\
W;worker_loop;run_unit;fetch_page;parse_body 150000000\n\
W;worker_loop;run_unit;fetch_page;[run queue] 50000000\n\
W;worker_loop;run_unit;store_row;[db wait] 100000000\n\
W;worker_loop;[idle] 300000000\n";

const CPU: &str =
    "W;worker_loop;run_unit;fetch_page;parse_body 12\nW;worker_loop;run_unit;fetch_page 3\n";

/// `text` for both workers.
fn both_workers(text: &str) -> FoldedStacks {
    let all = ["bs-threads-0", "bs-threads-1"]
        .map(|w| text.replace('W', w))
        .concat();
    FoldedStacks::parse(&all).unwrap()
}

fn worker(name: &str, t: f64) -> WorkerSnapshot {
    let waits = BTreeMap::from([(WaitCategory::Net, t * 0.8), (WaitCategory::Queue, t * 0.1)]);
    WorkerSnapshot {
        name: name.into(),
        wall_s: t,
        cpu_s: t * 0.05,
        runqueue_s: t * 0.02,
        waits,
    }
}

/// An IO-bound run: start, ticks, CPU and wall stacks in two deltas each, and (if `done`) done.
fn io_events(done: bool) -> Vec<Event> {
    let mut events = vec![start_event("api-fetch")];
    for i in 1..=6 {
        let t = f64::from(i) * 0.5;
        events.push(Event::Tick(Tick {
            elapsed_s: t,
            items: 400 * i as u64,
            workers: vec![worker("bs-threads-0", t), worker("bs-threads-1", t)],
            ..Tick::default()
        }));
    }
    let (cpu, wall) = (both_workers(CPU), both_workers(WALL));
    let (cpu_half, wall_half): (FoldedStacks, FoldedStacks) =
        (cpu.iter().take(2).collect(), wall.iter().take(5).collect());
    for (stacks, wall) in [
        (cpu_half.clone(), wall_half.clone()),
        (cpu.delta_since(&cpu_half), wall.delta_since(&wall_half)),
    ] {
        events.push(Event::Stacks {
            samples: stacks.total(),
            stacks,
            wall,
            phases: Default::default(),
        });
    }
    if done {
        let report = RunReport {
            workload: "api-fetch".into(),
            mode: crate::model::Mode::Threads,
            workers: 2,
            items: 2400,
            wall_s: 3.0,
            cpu_s: 0.3,
            busy_cores: 0.1,
            items_per_s: 800.0,
            samples: 30,
            sample_hz_effective: 99.0,
            cpu_sample_coverage: 0.05,
            wall_coverage: 1.0,
            verdict: Some(crate::model::VerdictKind::IoBound),
            ..RunReport::default()
        };
        events.push(Event::Done {
            report: Box::new(report),
            units: vec![],
        });
    }
    events
}

fn feed(app: &mut App, events: Vec<Event>) {
    for event in events {
        let event = Box::new(event);
        update(app, Action::RunEvent { run: 0, event });
    }
}

fn io_app() -> App {
    let mut app = app();
    app.add_run(Run::new(1, "api-fetch", "threads", 2, false));
    feed(&mut app, io_events(true));
    app
}

const S: u64 = 1_000_000_000;

fn selected_name(app: &App) -> &str {
    &app.run.flame.tree.nodes()[app.run.flame.selected_id].name
}

#[test]
fn wall_view_is_the_default_and_v_cycles_wall_cpu_off_cpu() {
    let mut app = io_app();
    assert_eq!(app.run.flame.profile, Profile::Wall);
    assert_eq!(app.run.flame.tree.total(), 6 * S);
    press(&mut app, &[Action::CycleProfile]);
    assert_eq!(app.run.flame.profile, Profile::Cpu);
    assert_eq!(app.run.flame.tree.total(), 30, "CPU samples");
    press(&mut app, &[Action::CycleProfile]);
    assert_eq!(app.run.flame.profile, Profile::OffCpu);
    assert_eq!(app.run.flame.tree.total(), 57 * S / 10);
    let stacks = app.run.flame.tree.to_folded();
    assert!(stacks.iter().all(|(s, _)| stack_kind(s).is_off_cpu()));
    assert!(stacks.iter().any(|(s, _)| s.ends_with("[db wait]")));
    press(&mut app, &[Action::CycleProfile]);
    assert_eq!(app.run.flame.profile, Profile::Wall);
    assert_eq!(app.run.flame.wall_total, 6 * S);
}

#[test]
fn a_run_without_wall_time_stays_on_cpu_samples() {
    let mut app = app_with_run(2.0);
    assert_eq!(app.run.flame.profile, Profile::Cpu);
    press(&mut app, &[Action::CycleProfile]);
    assert_eq!(app.run.flame.profile, Profile::Cpu);
    assert_eq!(app.run.flame.tree.total(), 100);
    assert!(
        app.shared.status.contains("no wall-clock profile"),
        "{}",
        app.shared.status
    );
}

#[test]
fn the_view_choice_survives_deltas_and_starts_over_for_another_run() {
    let mut app = io_app();
    press(&mut app, &[Action::CycleProfile, Action::CycleProfile]);
    assert_eq!(app.run.flame.profile, Profile::OffCpu);
    let wall = FoldedStacks::parse("bs-threads-0;late;[disk wait] 5\n").unwrap();
    let delta = Event::Stacks {
        samples: 0,
        stacks: FoldedStacks::new(),
        wall,
        phases: Default::default(),
    };
    feed(&mut app, vec![delta]);
    assert_eq!(app.run.flame.profile, Profile::OffCpu);
    assert_eq!(app.run.flame.tree.total(), 57 * S / 10 + 5);
    app.add_run(Run::new(2, "api-fetch", "threads", 2, false));
    assert_eq!(app.run.flame.profile, Profile::Cpu, "run 2 has no wall yet");
    let mut events = io_events(false);
    events.truncate(8);
    for event in events {
        let event = Box::new(event);
        update(&mut app, Action::RunEvent { run: 1, event });
    }
    assert_eq!(
        app.run.flame.profile,
        Profile::Wall,
        "wall once some arrived"
    );
    assert_eq!(app.run.flame.chosen, None);
}

#[test]
fn the_wall_tree_grows_with_each_delta_and_cpu_keeps_its_tree() {
    let mut app = app();
    app.add_run(Run::new(1, "api-fetch", "threads", 2, false));
    let mut events = io_events(false);
    let second = events.pop().unwrap();
    feed(&mut app, events);
    let first_total = app.run.flame.tree.total();
    assert!(first_total > 0 && first_total < 6 * S, "{first_total}");
    let cpu_before = app.shared.runs[0].tree();
    let wall_only = Event::Stacks {
        samples: 0,
        stacks: FoldedStacks::new(),
        wall: FoldedStacks::parse("bs-threads-0;late;[disk wait] 5\n").unwrap(),
        phases: Default::default(),
    };
    feed(&mut app, vec![second, wall_only]);
    assert_eq!(app.run.flame.tree.total(), 6 * S + 5);
    assert!(app
        .run
        .flame
        .tree
        .find(&["bs-threads-0", "late", "[disk wait]"])
        .is_some());
    let cpu_after = app.shared.runs[0].tree();
    feed(&mut app, vec![]);
    let cpu_again = app.shared.runs[0].tree();
    assert!(
        !Arc::ptr_eq(&cpu_before, &cpu_after),
        "CPU grew in `second`"
    );
    assert!(Arc::ptr_eq(&cpu_after, &cpu_again));
    let off = app.shared.runs[0].profile_tree(Profile::OffCpu);
    assert_eq!(off.total(), 57 * S / 10 + 5);
}

#[test]
fn frozen_views_stay_put_and_refreeze_when_the_view_changes() {
    let mut app = app();
    app.add_run(Run::new(1, "api-fetch", "threads", 2, false));
    let mut events = io_events(false);
    let second = events.pop().unwrap();
    feed(&mut app, events);
    press(&mut app, &[Action::Freeze]);
    let frozen_total = app.run.flame.tree.total();
    feed(&mut app, vec![second]);
    assert_eq!(app.run.flame.tree.total(), frozen_total);
    press(&mut app, &[Action::CycleProfile]);
    assert_eq!(app.run.flame.profile, Profile::Cpu);
    assert!(app.run.flame.frozen.is_some());
    assert_eq!(
        app.run.flame.tree.total(),
        30,
        "frozen again at CPU's current tree"
    );
}

#[test]
fn details_give_seconds_and_wait_shares_of_the_workers_wall_time() {
    let mut app = io_app();
    // The heaviest path: thread, worker_loop, run_unit, fetch_page, [net wait].
    press(&mut app, &vec![Action::Down; 4]);
    assert_eq!(selected_name(&app), "fetch_page");
    let code = selected_detail(&app.run.flame);
    assert!(
        code.contains("▶ fetch_page · 2.60 s · 43.3% of wall time"),
        "{code}"
    );
    press(&mut app, &[Action::Down]);
    assert_eq!(selected_name(&app), "[net wait]");
    let wait = selected_detail(&app.run.flame);
    assert!(
        wait.contains("off-CPU: net · 2.40 s · 40.0% of the workers' wall time"),
        "{wait}"
    );
    press(&mut app, &[Action::CycleProfile, Action::CycleProfile]);
    assert_eq!(
        selected_name(&app),
        "[net wait]",
        "the path exists off-CPU too"
    );
    let wait = selected_detail(&app.run.flame);
    assert!(wait.contains("40.0% of the workers' wall time"), "{wait}");
    press(&mut app, &[Action::CycleProfile, Action::CycleProfile]);
    assert!(selected_detail(&app.run.flame).contains(" samples · "));
}

#[test]
fn the_top_table_and_call_tree_weigh_in_seconds() {
    let mut app = io_app();
    press(&mut app, &[Action::Tab]);
    assert_eq!(app.run.flame.kind, ViewKind::Top);
    assert_eq!(app.run.flame.top[0].name, "[net wait]");
    let text = screen(&mut app, 120, 40);
    let net = text.lines().find(|l| l.contains("[net wait]")).unwrap();
    assert!(net.contains("80.0%") && net.contains("4.80s"), "{net}");
    press(&mut app, &[Action::Tab]);
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("6.00s 100.0%"), "{text}");
    press(&mut app, &[Action::CycleProfile, Action::Tab, Action::Tab]);
    assert_eq!(app.run.flame.kind, ViewKind::Top);
    assert_eq!(app.run.flame.top[0].name, "parse_body", "CPU samples now");
}

#[test]
fn wait_boxes_are_painted_in_their_category_colour() {
    let mut app = io_app();
    app.shared.color = true;
    let (w, h) = (200, 55);
    app.resize(w, h);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| crate::tui::render(f, &app)).unwrap();
    let buf = terminal.backend().buffer();
    let background = |text: &str| {
        (0..h).find_map(|y| {
            let line: String = (0..w).map(|x| buf[(x, y)].symbol()).collect();
            let col = line[..line.find(text)?].chars().count();
            Some(buf[(col as u16, y)].bg)
        })
    };
    assert_eq!(background("[net wait]"), Some(wait_color("net")));
    assert_eq!(background("idle"), Some(wait_color("idle")));
    assert_ne!(background("parse_body"), Some(wait_color("net")));
}

#[test]
fn opening_a_recording_with_wall_time_shows_the_wall_view() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = io_events(true)
        .into_iter()
        .map(|e| serde_json::to_string(&crate::events::Envelope::new(e)).unwrap() + "\n")
        .collect();
    assert!(
        text.contains("\"wall\""),
        "the recording carries the wall profile"
    );
    let events = dir.path().join("io.ndjson");
    std::fs::write(&events, text).unwrap();
    let folded = dir.path().join("cpu.folded");
    std::fs::write(&folded, both_workers(CPU).to_text()).unwrap();
    let runs = crate::tui::screens::open::load_files(&[&events, &folded]).unwrap();
    let mut app = app();
    app.shared.runs.extend(runs);
    app.show_run(0);
    assert_eq!(app.run.flame.profile, Profile::Wall);
    assert_eq!(app.run.flame.tree.total(), 6 * S);
    app.show_run(1);
    assert_eq!(app.run.flame.profile, Profile::Cpu);
    assert_eq!(app.run.flame.tree.total(), 30);
}

#[test]
fn exports_of_wall_views_say_so_in_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = io_app();
    app.shared.export_dir = dir.path().to_path_buf();
    press(&mut app, &[Action::ExportData]);
    let start = "boundscope-api-fetch-threads-w2-run1-";
    let wall = exported(dir.path(), start, "-wall.folded");
    let text = std::fs::read_to_string(&wall).unwrap();
    assert!(
        text.contains("fetch_page;[net wait] 2400000000\n"),
        "{text}"
    );
    exported(dir.path(), start, ".json");
    press(&mut app, &[Action::CycleProfile, Action::ExportSvg]);
    let cpu_svgs = |dir: &std::path::Path| {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".svg") && !n.ends_with("-offcpu.svg"))
            .count()
    };
    assert_eq!(cpu_svgs(dir.path()), 1);
    press(&mut app, &[Action::CycleProfile, Action::ExportSvg]);
    let svg = exported(dir.path(), start, "-offcpu.svg");
    let svg = std::fs::read_to_string(svg).unwrap();
    assert!(svg.contains("off-CPU in µs"));
    // The tooltips name the unit: 2.4 s of waiting is 2,400,000 µs, not 2.4e9 "samples".
    assert!(svg.contains("[net wait] (2,400,000 µs"), "{svg:.4000}");
    assert!(!svg.contains(" samples,"), "{svg:.4000}");
}

#[test]
fn snapshot_wall_view_of_an_io_bound_run() {
    let mut app = io_app();
    let small = screen(&mut app, 80, 24);
    assert!(small.contains("flamegraph · 6.00 s wall time"), "{small}");
    insta::assert_snapshot!("wall_80x24", small);
    press(&mut app, &vec![Action::Down; 5]);
    let large = screen(&mut app, 200, 55);
    assert!(large.contains("off-CPU: net"), "{large}");
    insta::assert_snapshot!("wall_200x55", large);
}

#[test]
fn snapshot_off_cpu_view_of_an_io_bound_run() {
    let mut app = io_app();
    press(&mut app, &[Action::CycleProfile, Action::CycleProfile]);
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("flamegraph · 5.70 s off-CPU"), "{text}");
    assert!(!text.contains("parse_body"), "{text}");
    insta::assert_snapshot!("off_cpu_120x40", text);
}
