//! The suite screen's state machine: the picker (a built-in scenario, a scenario file or a
//! sweep of the setup form's workload and mode), and the suite's lines started one after
//! another as child runs, each finished line's run kept in the run list.

use super::lines::{line_run, parse_counts, LineState, Suite, SuiteError, SweepSource};
use crate::scenario::{Scenario, BUILT_IN};
use crate::tui::state::{Action, Effect, Goto, RunLaunch, RunStatus, Shared};
use crate::tui::widgets::text_input::{type_into, TextInput, Typed};
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
    /// What the text being typed is for, and the text, while typing.
    pub typing: Option<PickItem>,
    pub input: Option<TextInput>,
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
            input: None,
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

    /// `e` on the setup screen: the suite's results when there is one, else the picker.
    pub fn open(&mut self) {
        self.picking = self.suite.is_none();
    }

    /// Whether run `run` is one of the suite's lines (Esc on its run screen comes back here).
    pub fn has_run(&self, run: Option<usize>) -> bool {
        let lines = self.suite.as_ref().map(|s| s.lines.as_slice());
        lines.is_some_and(|lines| lines.iter().any(|l| l.run.is_some() && l.run == run))
    }
}

/// Handles an action while the suite screen shows; `form` is what a sweep sweeps.
pub fn suite_action(
    state: &mut SuiteState,
    shared: &mut Shared,
    form: &dyn SweepSource,
    action: Action,
) {
    if state.input.is_some() {
        return typing_action(state, shared, form, action);
    }
    if state.picking {
        return picker_action(state, shared, form, action);
    }
    let lines = state.suite.as_ref().map_or(0, |s| s.lines.len());
    let Some(suite) = state.suite.as_mut() else {
        return;
    };
    match action {
        Action::Up => suite.cursor = suite.cursor.saturating_sub(1),
        Action::Down => suite.cursor = (suite.cursor + 1).min(lines.saturating_sub(1)),
        Action::Enter => match suite.lines.get(suite.cursor).and_then(|l| l.run) {
            Some(run) => shared.goto = Some(Goto::ShowRun(run)),
            None => shared.status = "this line has not run yet".into(),
        },
        Action::StopRun => stop(state, shared),
        Action::NewRun => state.picking = true,
        Action::Back => shared.goto = Some(Goto::Setup),
        _ => {}
    }
}

fn picker_action(
    state: &mut SuiteState,
    shared: &mut Shared,
    form: &dyn SweepSource,
    action: Action,
) {
    let last = SuiteState::items() - 1;
    match action {
        Action::Up => state.cursor = state.cursor.saturating_sub(1),
        Action::Down => state.cursor = (state.cursor + 1).min(last),
        Action::Left | Action::Right => state.quick = !state.quick,
        Action::Enter => match state.item() {
            PickItem::BuiltIn(i) => {
                let (name, text) = BUILT_IN[i];
                let source = format!("built-in scenario {name}");
                let built = scenario_suite(state, form, text, &source);
                begin(state, shared, built);
            }
            item @ PickItem::File => start_typing(state, item, state.path.clone()),
            item @ PickItem::Sweep => start_typing(state, item, state.counts.clone()),
        },
        Action::Back if state.suite.is_some() => state.picking = false,
        Action::Back => shared.goto = Some(Goto::Setup),
        _ => {}
    }
}

fn start_typing(state: &mut SuiteState, item: PickItem, text: String) {
    state.typing = Some(item);
    state.input = Some(TextInput::new(text));
}

/// Typing a scenario file's path or a sweep's worker counts; Enter starts the suite.
fn typing_action(
    state: &mut SuiteState,
    shared: &mut Shared,
    form: &dyn SweepSource,
    action: Action,
) {
    let text = match type_into(&mut state.input, &action) {
        Some(Typed::Confirmed(text)) => text,
        Some(Typed::Cancelled) => return state.typing = None,
        _ => return,
    };
    match state.typing.take() {
        Some(PickItem::File) => {
            state.path = text.trim().to_string();
            let path = state.path.clone();
            let built = read_file(&path).and_then(|t| scenario_suite(state, form, &t, &path));
            begin(state, shared, built);
        }
        Some(PickItem::Sweep) => {
            state.counts = text.trim().to_string();
            let built = parse_counts(&state.counts).and_then(|counts| Suite::sweep(form, &counts));
            begin(state, shared, built);
        }
        _ => {}
    }
}

/// A scenario's text as a suite (quick sizes or not, as picked; the form's PostgreSQL server
/// for its database lines).
fn scenario_suite(
    state: &SuiteState,
    form: &dyn SweepSource,
    text: &str,
    source: &str,
) -> Result<Suite, SuiteError> {
    let mut scenario = Scenario::parse(text).map_err(|e| SuiteError::Scenario {
        name: source.to_string(),
        source: e,
    })?;
    // A scenario's real programs run from the command line (`scenario --real`) only.
    scenario.keep_real(false);
    Suite::scenario(&scenario, source, state.quick, form.pg())
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
fn begin(state: &mut SuiteState, shared: &mut Shared, built: Result<Suite, SuiteError>) {
    if let Some(live) = shared.live_run() {
        shared.status = format!("run {} is still going; press x to stop it first", live + 1);
        return;
    }
    match built {
        Ok(suite) => {
            state.suite = Some(suite);
            state.picking = false;
            start_next(state, shared);
        }
        Err(e) => shared.status = e.to_string(),
    }
}

/// Starts the next line as a child run, or says how the suite ended.
fn start_next(state: &mut SuiteState, shared: &mut Shared) {
    let number = shared.runs.len() + 1;
    let Some(suite) = state.suite.as_mut() else {
        return;
    };
    let Some(line) = suite.next_line() else {
        shared.status = ended(state, shared);
        return;
    };
    let run = line_run(number, &suite.lines[line]);
    let launch = RunLaunch::Words(suite.lines[line].args.clone());
    shared.runs.push(run);
    let index = shared.runs.len() - 1;
    suite.started(line, index);
    let (k, n) = suite.progress();
    shared.status = format!("line {k} of {n}: {}", suite.lines[line].label);
    shared.effects.push(Effect::StartRun { run: index, launch });
}

/// The status line once no more lines start.
fn ended(state: &SuiteState, shared: &Shared) -> String {
    let Some(suite) = &state.suite else {
        return String::new();
    };
    let failed = suite
        .lines
        .iter()
        .filter(|l| matches!(l.state, LineState::Failed(_)))
        .count();
    let (done, n) = suite.progress();
    let checks = suite.checks(&shared.runs);
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
pub fn after_run_change(state: &mut SuiteState, shared: &mut Shared, run: usize, exited: bool) {
    let Some(line) = state.suite.as_ref().and_then(|s| s.line_of(run)) else {
        return;
    };
    let Some(r) = shared.runs.get(run) else {
        return;
    };
    let outcome = match (r.status, exited) {
        (RunStatus::Failed, _) => LineState::Failed(r.error.clone().unwrap_or_default()),
        (RunStatus::Done, true) => LineState::Done,
        (RunStatus::Interrupted, true) => LineState::Stopped,
        (RunStatus::Running | RunStatus::Recorded, true) => {
            LineState::Failed("the run ended without a report".into())
        }
        _ => return,
    };
    let failure = match &outcome {
        LineState::Failed(why) => Some(why.clone()),
        _ => None,
    };
    if let Some(suite) = state.suite.as_mut() {
        suite.finish(line, outcome);
    }
    start_next(state, shared);
    if let Some(why) = failure {
        let label = state.suite.as_ref().map(|s| s.lines[line].label.clone());
        let next = std::mem::take(&mut shared.status);
        shared.status = format!("line {} failed: {why} · {next}", label.unwrap_or_default());
    }
}

/// `x`: stops the line going (its partial report is kept) and starts no more.
fn stop(state: &mut SuiteState, shared: &mut Shared) {
    let Some(suite) = state.suite.as_mut() else {
        return;
    };
    suite.stopping = true;
    if suite.running().is_some() {
        shared.effects.push(Effect::StopRun);
        shared.status = "stopping the suite after the line going…".into();
    } else {
        shared.status = ended(state, shared);
    }
}
