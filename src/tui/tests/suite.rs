//! The suite flow through `update`: a scenario or sweep picked, its lines started one after
//! another, finished, failed or stopped, and its expectations checked.

use super::{app, press, sample_events};
use crate::events::Event;
use crate::model::Mode;
use crate::model::RunReport;
use crate::scenario::BUILT_IN;
use crate::tui::app::{update, App};
use crate::tui::screens::suite::lines::LineState;
use crate::tui::state::{Action, Effect, RunLaunch, Screen};
use crate::tui::widgets::text_input::TextInput;

/// The picker's row of built-in scenario `name`.
pub fn built_in(name: &str) -> usize {
    BUILT_IN.iter().position(|(n, _)| *n == name).unwrap()
}

/// The runs the app was asked to start, with their arguments; clears the effects.
pub fn started(app: &mut App) -> Vec<(usize, Vec<String>)> {
    std::mem::take(&mut app.shared.effects)
        .into_iter()
        .filter_map(|e| match e {
            // Scenario and sweep lines are words by nature: they start from their words.
            Effect::StartRun {
                run,
                launch: RunLaunch::Words(args),
            } => Some((run, args)),
            Effect::StartRun { launch, .. } => panic!("a suite line from words: {launch:?}"),
            Effect::StopRun => None,
        })
        .collect()
}

/// Opens the picker from the setup screen and starts built-in scenario `name`.
pub fn start_scenario(name: &str) -> App {
    let mut app = app();
    press(&mut app, &[Action::OpenSuite]);
    assert_eq!(app.screen, Screen::Suite);
    for _ in 0..built_in(name) {
        press(&mut app, &[Action::Down]);
    }
    press(&mut app, &[Action::Enter]);
    app
}

/// Feeds run `run` the events of a finished run of `wall` seconds with `verdict`, as `mode`
/// with `workers`, then the child's exit.
pub fn finish(
    app: &mut App,
    run: usize,
    (wall, verdict): (f64, &str),
    (mode, workers): (&str, usize),
) {
    let mut events = sample_events(wall, true);
    events[0] = Event::Start {
        spec: Box::new({
            let workload = crate::workload::WorkloadSpec::JsonParse(Default::default());
            let mode = crate::model::Mode::parse(mode).expect("a mode");
            let mut spec = crate::spec::RunSpec::new(workload, mode, workers);
            spec.gil = true;
            spec
        }),
        host: crate::events::HostInfo {
            cores: 2,
            pid: 1,
            kernel: "test".into(),
        },
    };
    if let Some(Event::Done { report, .. }) = events.last_mut() {
        **report = RunReport {
            mode: crate::model::Mode::parse(mode).expect("a mode"),
            workers,
            verdict: verdict.parse().ok(),
            checksum: "same".into(),
            ..(**report).clone()
        };
    }
    for event in events {
        let event = Box::new(event);
        update(app, Action::RunEvent { run, event });
    }
    let stderr = String::new();
    update(
        app,
        Action::RunExited {
            run,
            code: Some(0),
            stderr,
        },
    );
}

#[test]
fn a_scenario_starts_its_first_line_at_quick_sizes() {
    let mut app = start_scenario("json-gil");
    let suite = app.suite.suite.as_ref().expect("a suite");
    assert_eq!(suite.lines.len(), 3);
    assert!(suite.sizes.starts_with("quick sizes"), "{}", suite.sizes);
    let runs = started(&mut app);
    assert_eq!(runs.len(), 1, "one line at a time");
    let (run, args) = &runs[0];
    assert_eq!(*run, 0);
    let line = args.join(" ");
    assert!(
        line.starts_with("run json-parse --mode sequential"),
        "{line}"
    );
    assert!(
        line.contains("--files 4") && line.ends_with("--events - --quiet"),
        "{line}"
    );
    assert_eq!(app.shared.runs.len(), 1);
    assert!(
        app.shared.runs[0].label.starts_with("sequential: "),
        "{}",
        app.shared.runs[0].label
    );
    assert!(
        app.shared.status.contains("line 1 of 3"),
        "{}",
        app.shared.status
    );
    assert_eq!(
        app.screen,
        Screen::Suite,
        "the suite screen stays to show progress"
    );
}

#[test]
fn full_sizes_are_a_choice() {
    let mut app = app();
    press(
        &mut app,
        &[Action::OpenSuite, Action::Down, Action::Down, Action::Right],
    );
    press(&mut app, &[Action::Enter]);
    let line = started(&mut app)[0].1.join(" ");
    assert!(line.contains("--files 16"), "{line}");
}

#[test]
fn a_finished_line_starts_the_next_once_its_child_exits() {
    let mut app = start_scenario("json-gil");
    started(&mut app);
    let mut events = sample_events(1.0, true);
    let done = events.pop().unwrap();
    for event in events.into_iter().chain([done]) {
        update(
            &mut app,
            Action::RunEvent {
                run: 0,
                event: Box::new(event),
            },
        );
    }
    assert!(
        started(&mut app).is_empty(),
        "the next line waits for the exit"
    );
    let stderr = String::new();
    update(
        &mut app,
        Action::RunExited {
            run: 0,
            code: Some(0),
            stderr,
        },
    );
    let runs = started(&mut app);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].0, 1);
    assert!(runs[0].1.join(" ").contains("--mode processes"));
    let suite = app.suite.suite.as_ref().unwrap();
    assert_eq!(suite.lines[0].state, LineState::Done);
    assert_eq!(suite.running(), Some(1));
    assert!(
        app.shared.status.contains("line 2 of 3"),
        "{}",
        app.shared.status
    );
}

#[test]
fn when_all_lines_are_done_the_expectations_are_checked() {
    let mut app = start_scenario("json-gil");
    finish(&mut app, 0, (2.0, "gil-bound"), ("sequential", 1));
    finish(&mut app, 1, (1.0, "cpu-bound"), ("processes", 2));
    finish(&mut app, 2, (4.0, "gil-bound"), ("sequential", 1));
    assert_eq!(started(&mut app).len(), 3, "one line after another");
    let suite = app.suite.suite.as_ref().unwrap();
    assert!(suite.is_over());
    let checks = suite.checks(&app.shared.runs);
    assert_eq!(checks.len(), 3);
    assert!(checks.iter().all(|c| c.measured));
    let ok: Vec<bool> = checks.iter().map(|c| c.check.ok).collect();
    // cpu-bound process pool, 2× faster than sequential; the "faster" parser was slower.
    assert_eq!(ok, [true, true, false]);
    assert_eq!(suite.speedup(&app.shared.runs, 1), Some(2.0));
    assert!(
        app.shared
            .status
            .contains("suite done: 3 lines · 2 of 3 expectations met"),
        "{}",
        app.shared.status
    );
    assert_eq!(
        app.shared.runs[1].label,
        "process pool: json-parse processes ×2 gil"
    );
}

#[test]
fn a_failing_line_is_named_and_the_suite_goes_on() {
    let mut app = start_scenario("api-threads");
    started(&mut app);
    let message = "could not start the run: no such file".to_string();
    let event = Box::new(Event::Error { message });
    update(&mut app, Action::RunEvent { run: 0, event });
    let suite = app.suite.suite.as_ref().unwrap();
    assert!(matches!(&suite.lines[0].state, LineState::Failed(m) if m.contains("no such file")));
    assert_eq!(started(&mut app).len(), 1, "the next line starts");
    assert!(
        app.shared.status.contains("sequential failed"),
        "{}",
        app.shared.status
    );
    // A child that dies without a report fails its line too.
    let stderr = "error: boom".to_string();
    update(
        &mut app,
        Action::RunExited {
            run: 1,
            code: Some(1),
            stderr,
        },
    );
    let suite = app.suite.suite.as_ref().unwrap();
    assert!(matches!(&suite.lines[1].state, LineState::Failed(m) if m.contains("boom")));
    let checks = suite.checks(&app.shared.runs);
    assert!(
        checks.iter().all(|c| !c.measured),
        "no check is read off failed lines"
    );
}

#[test]
fn stopping_the_suite_starts_no_more_lines() {
    let mut app = start_scenario("json-gil");
    started(&mut app);
    press(&mut app, &[Action::StopRun]);
    assert_eq!(app.shared.effects, [Effect::StopRun]);
    app.shared.effects.clear();
    let mut events = sample_events(0.5, true);
    if let Some(Event::Done { report, .. }) = events.last_mut() {
        report.interrupted = true;
    }
    for event in events {
        update(
            &mut app,
            Action::RunEvent {
                run: 0,
                event: Box::new(event),
            },
        );
    }
    let stderr = String::new();
    update(
        &mut app,
        Action::RunExited {
            run: 0,
            code: Some(130),
            stderr,
        },
    );
    assert!(started(&mut app).is_empty());
    let suite = app.suite.suite.as_ref().unwrap();
    assert!(suite.is_over() && suite.lines[0].state == LineState::Stopped);
    assert!(
        app.shared.status.contains("stopped after 1 of 3"),
        "{}",
        app.shared.status
    );
}

/// Opens the picker on its sweep row and starts typing the worker counts.
pub fn open_sweep(app: &mut App) {
    press(app, &[Action::OpenSuite]);
    app.suite.cursor = BUILT_IN.len() + 1;
    press(app, &[Action::Enter]);
}

#[test]
fn a_sweep_runs_the_setup_forms_workload_at_each_count() {
    let mut app = app();
    open_sweep(&mut app);
    assert_eq!(
        app.suite.input.as_ref().map(TextInput::text),
        Some("1,2,4,8")
    );
    for _ in 0..3 {
        press(&mut app, &[Action::SearchBackspace]);
    }
    press(&mut app, &[Action::SearchChar('3'), Action::SearchConfirm]);
    let runs = started(&mut app);
    let line = runs[0].1.join(" ");
    assert!(
        line.starts_with("run json-parse --mode threads --workers 1 "),
        "{line}"
    );
    let suite = app.suite.suite.as_ref().unwrap();
    let labels: Vec<&str> = suite.lines.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(labels, ["threads ×1", "threads ×2", "threads ×3"]);
    assert!(suite.lines[2].args.join(" ").contains("--workers 3"));
}

#[test]
fn a_sweep_of_no_workers_or_of_sequential_is_refused() {
    let mut app = app();
    open_sweep(&mut app);
    app.suite.input = Some(TextInput::new("1,x"));
    press(&mut app, &[Action::SearchConfirm]);
    assert!(
        app.shared.status.contains("not a whole number"),
        "{}",
        app.shared.status
    );
    app.setup.form.mode = Mode::Sequential;
    app.suite.counts = "1,2".into();
    press(&mut app, &[Action::Enter, Action::SearchConfirm]);
    assert!(
        app.shared.status.contains("nothing to sweep"),
        "{}",
        app.shared.status
    );
    assert!(app.suite.suite.is_none() && app.shared.runs.is_empty());
}

#[test]
fn a_missing_scenario_file_is_named() {
    let mut app = app();
    let file = BUILT_IN.len();
    press(&mut app, &[Action::OpenSuite]);
    app.suite.cursor = file;
    press(&mut app, &[Action::Enter]);
    for c in "/no/such.toml".chars() {
        press(&mut app, &[Action::SearchChar(c)]);
    }
    press(&mut app, &[Action::SearchConfirm]);
    assert!(
        app.shared.status.contains("/no/such.toml"),
        "{}",
        app.shared.status
    );
    assert!(app.shared.runs.is_empty());
}

#[test]
fn enter_on_a_line_opens_its_run_and_e_comes_back() {
    let mut app = start_scenario("json-gil");
    finish(&mut app, 0, (1.0, "gil-bound"), ("sequential", 1));
    press(&mut app, &[Action::Enter]);
    assert_eq!((app.screen, app.run.current), (Screen::Run, Some(0)));
    press(&mut app, &[Action::NewRun, Action::OpenSuite]);
    assert_eq!(app.screen, Screen::Suite);
    assert!(!app.suite.picking, "the suite's results, not the picker");
}

#[test]
fn esc_on_a_lines_run_goes_back_to_the_suite_and_on_another_run_to_setup() {
    let mut app = start_scenario("json-gil");
    finish(&mut app, 0, (1.0, "gil-bound"), ("sequential", 1));
    press(&mut app, &[Action::Enter, Action::Back]);
    assert_eq!(app.screen, Screen::Suite);
    app.suite.suite = None;
    app.show_run(0);
    press(&mut app, &[Action::Back]);
    assert_eq!(app.screen, Screen::Setup, "no suite: Esc goes to setup");
}

#[test]
fn a_line_shorter_than_two_ticks_is_drawn_at_its_mean_rate_from_start_to_end() {
    let mut app = start_scenario("json-gil");
    finish(&mut app, 0, (1.0, "gil-bound"), ("sequential", 1));
    let run = &mut app.shared.runs[0];
    run.throughput.truncate(1);
    let rate = run.items_per_s();
    let wall = run.elapsed();
    assert!(wall > 0.0 && rate > 0.0, "{wall} {rate}");
    let points = crate::tui::screens::suite::overlay::line_points(run);
    assert_eq!(points, vec![(0.0, rate), (wall, rate)]);
    run.throughput = vec![(0.5, 10.0), (1.0, 20.0)];
    let points = crate::tui::screens::suite::overlay::line_points(run);
    assert_eq!(points, vec![(0.5, 10.0), (1.0, 20.0)], "a history is kept");
}

#[test]
fn e_opens_the_suite_screen_where_typed_keys_are_text() {
    use crossterm::event::{Event as Input, KeyCode, KeyEvent};
    let key = |app: &App, c: char| {
        let input = Input::Key(KeyEvent::from(KeyCode::Char(c)));
        format!(
            "{:?}",
            crate::tui::keys::input_action(app.key_target(), &input)
        )
    };
    let mut app = app();
    assert_eq!(key(&app, 'e'), "Some(OpenSuite)");
    open_sweep(&mut app);
    assert_eq!(key(&app, 'q'), "Some(SearchChar('q'))", "typed, not quit");
    press(&mut app, &[Action::SearchCancel]);
    assert_eq!(key(&app, 'x'), "Some(StopRun)");
    assert_eq!(key(&app, 'q'), "Some(Quit)");
}
