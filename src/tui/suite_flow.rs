//! The suite screen's state machine: the picker (a built-in scenario, a scenario file or a
//! sweep of the setup form's workload and mode), and the suite's lines started one after
//! another as child runs, each finished line's run kept in the run list.

use super::app::{Action, App, Effect, RunLaunch, Screen};
use super::runs::RunStatus;
use super::suite::{line_run, parse_counts, LineState, Suite, SuiteError};
use crate::scenario::{Scenario, BUILT_IN};
use std::path::Path;

/// What the picker offers, top to bottom: the built-in scenarios, then these two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickItem {
    BuiltIn(usize),
    File,
    Sweep,
}

/// The suite screen's state: the picker's choices and the suite being (or last) run.
#[derive(Debug, Clone)]
pub struct SuiteState {
    pub cursor: usize,
    /// Quick sizes (the scenario's `quick` arguments): the default, as full sizes take minutes.
    pub quick: bool,
    pub path: String,
    pub counts: String,
    /// The picker shows (else the suite's results).
    pub picking: bool,
    /// What the text being typed is for (the text itself is `App::search_input`).
    pub typing: Option<PickItem>,
    pub suite: Option<Suite>,
}

impl Default for SuiteState {
    fn default() -> SuiteState {
        SuiteState {
            cursor: 0,
            quick: true,
            path: String::new(),
            counts: "1,2,4,8".into(),
            picking: true,
            typing: None,
            suite: None,
        }
    }
}

impl SuiteState {
    /// How many rows the picker has.
    pub fn items() -> usize {
        BUILT_IN.len() + 2
    }

    pub fn item(&self) -> PickItem {
        match self.cursor {
            i if i < BUILT_IN.len() => PickItem::BuiltIn(i),
            i if i == BUILT_IN.len() => PickItem::File,
            _ => PickItem::Sweep,
        }
    }
}

/// `e` on the setup screen: the suite's results when there is one, else the picker.
pub fn open(app: &mut App) {
    app.screen = Screen::Suite;
    app.suite.picking = app.suite.suite.is_none();
}

/// Handles an action while the suite screen shows.
pub fn suite_action(app: &mut App, action: Action) {
    if app.search_input.is_some() {
        return typing_action(app, action);
    }
    if app.suite.picking {
        return picker_action(app, action);
    }
    let lines = app.suite.suite.as_ref().map_or(0, |s| s.lines.len());
    let Some(suite) = app.suite.suite.as_mut() else {
        return;
    };
    match action {
        Action::Up => suite.cursor = suite.cursor.saturating_sub(1),
        Action::Down => suite.cursor = (suite.cursor + 1).min(lines.saturating_sub(1)),
        Action::Enter => match suite.lines.get(suite.cursor).and_then(|l| l.run) {
            Some(run) => app.show_run(run),
            None => app.status = "this line has not run yet".into(),
        },
        Action::StopRun => stop(app),
        Action::NewRun => app.suite.picking = true,
        Action::Back => app.screen = Screen::Setup,
        _ => {}
    }
}

fn picker_action(app: &mut App, action: Action) {
    let state = &mut app.suite;
    let last = SuiteState::items() - 1;
    match action {
        Action::Up => state.cursor = state.cursor.saturating_sub(1),
        Action::Down => state.cursor = (state.cursor + 1).min(last),
        Action::Left | Action::Right => state.quick = !state.quick,
        Action::Enter => match state.item() {
            PickItem::BuiltIn(i) => {
                let (name, text) = BUILT_IN[i];
                let built = scenario_suite(app, text, &format!("built-in scenario {name}"));
                begin(app, built);
            }
            item @ PickItem::File => start_typing(app, item, app.suite.path.clone()),
            item @ PickItem::Sweep => start_typing(app, item, app.suite.counts.clone()),
        },
        Action::Back if state.suite.is_some() => state.picking = false,
        Action::Back => app.screen = Screen::Setup,
        _ => {}
    }
}

fn start_typing(app: &mut App, item: PickItem, text: String) {
    app.suite.typing = Some(item);
    app.search_input = Some(text);
}

/// Keys while a path or worker counts are typed; Enter starts the suite.
fn typing_action(app: &mut App, action: Action) {
    let Some(text) = app.search_input.as_mut() else {
        return;
    };
    match action {
        Action::SearchChar(c) => text.push(c),
        Action::SearchBackspace => {
            text.pop();
        }
        Action::SearchCancel => {
            app.search_input = None;
            app.suite.typing = None;
        }
        Action::SearchConfirm => {
            let text = app.search_input.take().unwrap_or_default();
            match app.suite.typing.take() {
                Some(PickItem::File) => {
                    app.suite.path = text.trim().to_string();
                    let path = app.suite.path.clone();
                    let built = read_file(&path).and_then(|t| scenario_suite(app, &t, &path));
                    begin(app, built);
                }
                Some(PickItem::Sweep) => {
                    app.suite.counts = text.trim().to_string();
                    let built = parse_counts(&app.suite.counts)
                        .and_then(|counts| Suite::sweep(&app.setup, &counts));
                    begin(app, built);
                }
                _ => {}
            }
        }
        _ => {}
    }
}

/// The suite of the scenario in `text` (from `source`), at the picker's sizes.
fn scenario_suite(app: &App, text: &str, source: &str) -> Result<Suite, SuiteError> {
    let scenario = Scenario::parse(text).map_err(|e| SuiteError::Scenario {
        name: source.to_string(),
        source: e,
    })?;
    Suite::scenario(&scenario, source, app.suite.quick, app.setup.pg.as_deref())
}

fn read_file(path: &str) -> Result<String, SuiteError> {
    if !Path::new(path).is_file() {
        return Err(SuiteError::NoFile(path.to_string()));
    }
    Ok(crate::toml_input::read_capped(
        Path::new(path),
        "scenario file",
    )?)
}

/// Starts `built`'s first line, or says why it cannot start.
fn begin(app: &mut App, built: Result<Suite, SuiteError>) {
    if let Some(live) = app.live_run() {
        app.status = format!("run {} is still going; press x to stop it first", live + 1);
        return;
    }
    match built {
        Ok(suite) => {
            app.suite.suite = Some(suite);
            app.suite.picking = false;
            start_next(app);
        }
        Err(e) => app.status = e.to_string(),
    }
}

/// Starts the next line as a child run, or says how the suite ended.
fn start_next(app: &mut App) {
    let number = app.runs.len() + 1;
    let Some(suite) = app.suite.suite.as_mut() else {
        return;
    };
    let Some(line) = suite.next_line() else {
        app.status = ended(app);
        return;
    };
    let run = line_run(number, &suite.lines[line]);
    let launch = RunLaunch::Words(suite.lines[line].args.clone());
    app.runs.push(run);
    let index = app.runs.len() - 1;
    suite.started(line, index);
    let (k, n) = suite.progress();
    app.status = format!("line {k} of {n}: {}", suite.lines[line].label);
    app.effects.push(Effect::StartRun { run: index, launch });
}

/// The status line once no more lines start.
fn ended(app: &App) -> String {
    let Some(suite) = &app.suite.suite else {
        return String::new();
    };
    let failed = suite
        .lines
        .iter()
        .filter(|l| matches!(l.state, LineState::Failed(_)))
        .count();
    let (done, n) = suite.progress();
    let checks = suite.checks(&app.runs);
    let met = checks.iter().filter(|c| c.measured && c.check.ok).count();
    let mut text = match suite.stopping {
        true => format!("suite stopped after {done} of {n} lines"),
        false => format!("suite done: {n} lines"),
    };
    if failed > 0 {
        text += &format!(", {failed} failed");
    }
    if !checks.is_empty() {
        text += &format!(" · {met} of {} expectations met", checks.len());
    }
    text
}

/// After an event or the exit of run `run`: when it was the suite's running line and has
/// ended, records how and starts the next line. A line that reports an error ends at once;
/// one that finished waits for its child to exit, so two runs never overlap.
pub fn after_run_change(app: &mut App, run: usize, exited: bool) {
    let Some(line) = app.suite.suite.as_ref().and_then(|s| s.line_of(run)) else {
        return;
    };
    let Some(r) = app.runs.get(run) else { return };
    let state = match (r.status, exited) {
        (RunStatus::Failed, _) => LineState::Failed(r.error.clone().unwrap_or_default()),
        (RunStatus::Done, true) => LineState::Done,
        (RunStatus::Interrupted, true) => LineState::Stopped,
        (RunStatus::Running | RunStatus::Recorded, true) => {
            LineState::Failed("the run ended without a report".into())
        }
        _ => return,
    };
    let failure = match &state {
        LineState::Failed(why) => Some(why.clone()),
        _ => None,
    };
    if let Some(suite) = app.suite.suite.as_mut() {
        suite.finish(line, state);
    }
    start_next(app);
    if let Some(why) = failure {
        let label = app
            .suite
            .suite
            .as_ref()
            .map(|s| s.lines[line].label.clone());
        let next = std::mem::take(&mut app.status);
        app.status = format!("line {} failed: {why} · {next}", label.unwrap_or_default());
    }
}

/// `x`: stops the line going (its partial report is kept) and starts no more.
fn stop(app: &mut App) {
    let Some(suite) = app.suite.suite.as_mut() else {
        return;
    };
    suite.stopping = true;
    if suite.running().is_some() {
        app.effects.push(Effect::StopRun);
        app.status = "stopping the suite after the line going…".into();
    } else {
        app.status = ended(app);
    }
}
