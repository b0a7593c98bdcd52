//! Snapshot tests: the UI drawn into a ratatui `TestBackend`, compared as text with insta.

use super::{app, app_with_run, press, sample_events};
use crate::flame::FoldedStacks;
use crate::model::Mode;
use crate::tui::app::{update, App};
use crate::tui::state::runs::Run;
use crate::tui::state::Action;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// Draws `app` into a `w`×`h` test terminal and returns the screen as text.
pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    app.resize(w, h);
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| crate::tui::render(f, app)).unwrap();
    let buf = terminal.backend().buffer();
    (0..h)
        .map(|y| {
            let line: String = (0..w).map(|x| buf[(x, y)].symbol()).collect();
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn snapshot_setup_screen() {
    let mut app = app();
    insta::assert_snapshot!(screen(&mut app, 80, 24));
}

/// The form shows the chosen workload's own fields under the CLI's names: csv-import's
/// database knobs, api-fetch's requests and no parser (async adds in-flight).
#[test]
fn setup_per_workload_80x24() {
    for (name, mode) in [("csv-import", Mode::Threads), ("api-fetch", Mode::Async)] {
        let mut app = app();
        app.setup.form.pg = None;
        assert!(app.setup.form.choose(name));
        app.setup.form.mode = mode;
        app.setup.form.field = 3;
        let text = screen(&mut app, 80, 24);
        insta::assert_snapshot!(format!("setup_{name}_80x24"), text);
    }
}

#[test]
fn snapshot_run_list_tells_runs_apart() {
    use crate::events::Event;
    use crate::model::Mode;
    use crate::session::RunSpec;
    use crate::workload::json::{JsonOptions, Parser};
    use crate::workload::WorkloadSpec;
    let mut app = app();
    let runs = [
        (false, Parser::Value),
        (true, Parser::Value),
        (false, Parser::Fast),
    ];
    for (i, (gil, parser)) in runs.into_iter().enumerate() {
        let json = JsonOptions {
            parser,
            ..JsonOptions::default()
        };
        let mut spec = RunSpec::new(WorkloadSpec::JsonParse(json), Mode::Threads, 2);
        spec.gil = gil;
        let index = app.add_run(Run::new(i + 1, "json-parse", "threads", 2, false));
        let mut events = sample_events(2.0, true);
        if let Event::Start { spec: start, .. } = &mut events[0] {
            **start = spec.clone();
        }
        for event in events {
            let event = Box::new(event);
            update(&mut app, Action::RunEvent { run: index, event });
        }
    }
    app.screen = crate::tui::state::Screen::Setup;
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("2 json-parse threads ×2 gil"), "{text}");
    assert!(text.contains("parser fast"), "{text}");
    assert_eq!(text.matches("parser value").count(), 2, "{text}");
    insta::assert_snapshot!("run_list_80x24", text);
    insta::assert_snapshot!("run_list_200x55", screen(&mut app, 200, 55));
}

/// Suite lines that differ by a step or a size read differently at 80 columns: the etl-phases
/// steps (connection reuse off, batching) and csv-sqlite's "linear 1k" at quick size (200
/// records), each knob set otherwise than by default first.
#[test]
fn the_run_list_shows_what_sets_suite_lines_apart_at_80_columns() {
    use crate::events::{Event, HostInfo};
    use crate::session::RunSpec;
    use crate::workload::{workload, WorkloadSpec};
    let spec = |name: &str, given: &[(&str, &str)]| -> WorkloadSpec {
        let decl = workload(name).expect("a workload");
        decl.spec(given.iter().copied()).expect("valid flags")
    };
    let latency = ("latency", "20ms");
    let lines = [
        (
            "baseline",
            spec("etl-pipeline", &[latency, ("reuse-connections", "off")]),
        ),
        ("connection reuse", spec("etl-pipeline", &[latency])),
        (
            "batched prices",
            spec("etl-pipeline", &[latency, ("batch", "10")]),
        ),
        ("linear 1k", spec("csv-import", &[("records", "200")])),
    ];
    let mut app = app();
    for (i, (label, workload)) in lines.into_iter().enumerate() {
        let mut run = Run::new(i + 1, "", "sequential", 1, false);
        run.line = Some(label.to_string());
        let index = app.add_run(run);
        let start = RunSpec::new(workload, Mode::Sequential, 1);
        let host = HostInfo {
            cores: 2,
            pid: 1,
            kernel: "test".into(),
        };
        let event = Box::new(Event::Start {
            spec: Box::new(start),
            host,
        });
        update(&mut app, Action::RunEvent { run: index, event });
    }
    app.screen = crate::tui::state::Screen::Setup;
    let text = screen(&mut app, 80, 24);
    for shown in [
        "latency 20ms · reuse off",
        "latency 20ms · db sqlite",
        "latency 20ms · batch 10",
        "records 200 ·",
    ] {
        assert!(text.contains(shown), "{shown}: {text}");
    }
}

#[test]
fn snapshot_live_run() {
    let mut app = app();
    app.add_run(Run::new(1, "json-parse", "threads", 2, false));
    for event in sample_events(3.0, false) {
        update(
            &mut app,
            Action::RunEvent {
                run: 0,
                event: Box::new(event),
            },
        );
    }
    assert!(app.shared.runs[0].is_live());
    insta::assert_snapshot!(screen(&mut app, 120, 40));
}

#[test]
fn snapshot_flame_zoomed_and_collapsed() {
    let mut app = app_with_run(2.0);
    press(
        &mut app,
        &[
            Action::Down,
            Action::Down,
            Action::Enter,
            Action::Down,
            Action::Down,
        ],
    );
    press(&mut app, &[Action::Collapse]);
    let text = screen(&mut app, 100, 30);
    assert!(!text.contains("from_str"), "{text}");
    assert!(text.contains("zoom worker_loop, 1 collapsed"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn snapshot_compare() {
    let mut app = app_with_run(2.0);
    let mut other = Run::new(2, "json-parse", "sequential", 1, false);
    let slower =
        FoldedStacks::parse("bs-threads-0;worker_loop;run_unit;write_parquet 90\n").unwrap();
    for event in sample_events(4.0, true) {
        other.apply(event);
    }
    let mut stacks = other.stacks.clone();
    stacks.merge(&slower);
    other.set_stacks(stacks);
    app.shared.runs.push(other);
    app.setup.marked = vec![0, 1];
    app.open_compare();
    let text = screen(&mut app, 100, 30);
    // The speedup's ± is said where it is shown.
    assert!(text.contains("×0.50 ± 0.00"), "{text}");
    assert!(text.contains("│± one standard error, from"), "{text}");
    insta::assert_snapshot!(text);
}

/// Side by side, both charts span the longer run's whole time: a run ten times longer than
/// the baseline is not cut at twice the baseline's (as an overlay on one chart is).
#[test]
fn compared_charts_span_the_longer_runs_whole_time() {
    let mut app = app_with_run(1.0);
    let mut longer = Run::new(2, "json-parse", "sequential", 1, false);
    for event in sample_events(10.0, true) {
        longer.apply(event);
    }
    app.shared.runs.push(longer);
    app.setup.marked = vec![0, 1];
    app.open_compare();
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("10.0 s┘"), "{text}");
    assert!(!text.contains("2.0 s┘"), "{text}");
}

#[test]
fn snapshot_compare_modes_by_wall_time() {
    let mut app = app();
    let profiles = [
        (
            "sequential",
            1,
            "bs-seq-0;parse 800000000\nbs-seq-0;parse;[gil wait] 100000000\n",
        ),
        (
            "threads",
            2,
            "bs-threads-0;parse 400000000\nbs-threads-0;parse;[gil wait] 300000000\n\
             bs-threads-1;parse 400000000\nbs-threads-1;parse;[gil wait] 300000000\n",
        ),
    ];
    for (number, (mode, workers, wall)) in profiles.into_iter().enumerate() {
        let mut run = Run::new(number + 1, "json-parse", mode, workers, true);
        // Without the start event, which would name the mode `threads`.
        for event in sample_events(2.0, true).into_iter().skip(1) {
            run.apply(event);
        }
        run.wall = FoldedStacks::parse(wall).unwrap();
        app.shared.runs.push(run);
    }
    app.setup.marked = vec![0, 1];
    app.open_compare();
    press(&mut app, &[Action::Down, Action::Down, Action::Down]);
    let text = screen(&mut app, 100, 30);
    assert!(
        !text.contains("bs-seq-0") && !text.contains("bs-threads"),
        "{text}"
    );
    assert!(
        text.contains("wall-clock time, total worker time"),
        "{text}"
    );
    assert!(
        text.contains("▶ [gil wait] · A 0.100 s → B 0.600 s · Δ +0.500 s (+500.0%)"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn snapshot_help_and_too_small() {
    let mut app = app();
    press(&mut app, &[Action::Help]);
    let top = screen(&mut app, 80, 24);
    assert!(top.contains("keys 1–22 of"), "{top}");
    insta::assert_snapshot!("help", top);
    // Scrolled to the end, the last screen's keys show; one more ↓ stays there.
    let max = crate::tui::keys::help_max_scroll(app.screen, 24);
    press(&mut app, &vec![Action::Down; max + 3]);
    assert_eq!(app.help_scroll, max);
    let end = screen(&mut app, 80, 24);
    assert!(end.contains("swap baseline"), "{end}");
    assert!(!end.contains("? q Ctrl-C"), "{end}");
    let small = screen(&mut app, 60, 20);
    assert!(small.contains("terminal too small: 60×20"), "{small}");
    press(&mut app, &[Action::Back]);
    assert!(!app.help);
}
