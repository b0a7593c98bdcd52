//! The UI's plain state (`App`), the `Action`s that change it, and `update`.

pub use super::child::RunLaunch;
use super::compare::Compare;
use super::flame_view::FlameView;
use super::profiles::Profile;
use super::range::TimeSelection;
use super::replay::Replay;
use super::runs::{Run, RunStatus};
use super::setup::SetupForm;
use crate::events::Event;
use crate::flame::{FoldedStacks, FrameTree};
use crate::session::RunRequest;
use std::path::PathBuf;
use std::sync::Arc;

/// Which screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Setup,
    Run,
    Compare,
    /// A scenario or sweep: the picker, then its lines side by side.
    Suite,
}

/// Which part of the setup screen gets the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Form,
    Runs,
}

/// Work for the event loop that `update` cannot do itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Start a child of this binary for run index `run`.
    StartRun { run: usize, launch: RunLaunch },
    /// Ask the live run to stop (SIGINT).
    StopRun,
}

/// Everything that can happen to the UI.
#[derive(Debug, Clone)]
pub enum Action {
    Up,
    Down,
    Left,
    Right,
    Enter,
    Back,
    Tab,
    Digit(u8),
    Backspace,
    Help,
    Quit,
    /// Opens the scenario and sweep screen.
    OpenSuite,
    StartRun,
    StopRun,
    NewRun,
    Freeze,
    Collapse,
    CollapseLibs,
    MergeThreads,
    Invert,
    FilterThread,
    Orientation,
    /// Cycles the profile shown: wall time, CPU samples, off-CPU time.
    CycleProfile,
    /// Opens the next worker's ledger (closes it after the last worker).
    Ledger,
    SearchStart,
    /// Typing: a character, erase, keep, cancel (of a search, or of a setup form's path).
    SearchChar(char),
    SearchBackspace,
    SearchConfirm,
    SearchCancel,
    /// Selects the next / previous frame the search matches.
    SearchNext,
    SearchPrev,
    /// Shows or hides the selected function's sandwich (callers and callees).
    Sandwich,
    /// Shows or hides the selected frame's detail panel.
    Detail,
    /// Shows or hides an etl-pipeline run's stage timeline.
    StageTimeline,
    ExportSvg,
    ExportData,
    Mark,
    Compare,
    /// The time cursor one column left / right (while marking, the range follows).
    CursorLeft,
    CursorRight,
    /// Starts a time range at the cursor, or ends the one being marked.
    MarkRange,
    PlayPause,
    StepBack,
    StepForward,
    Slower,
    Faster,
    SeekStart,
    SeekEnd,
    /// Real seconds passed while a replay plays (sent by the event loop).
    Advance(f64),
    Click {
        col: u16,
        row: u16,
    },
    /// The mouse moved with its left button held.
    Drag {
        col: u16,
        row: u16,
    },
    /// The left button was let go.
    Release {
        col: u16,
        row: u16,
    },
    Resize(u16, u16),
    RunEvent {
        run: usize,
        event: Box<Event>,
    },
    RunExited {
        run: usize,
        code: Option<i32>,
        stderr: String,
    },
}

/// The whole UI state.
#[derive(Debug, Clone)]
pub struct App {
    pub screen: Screen,
    pub focus: Focus,
    pub help: bool,
    /// The first help row shown (the help scrolls when it is taller than the terminal).
    pub help_scroll: usize,
    /// The search text being typed, while typing.
    pub search_input: Option<String>,
    pub setup: SetupForm,
    pub runs: Vec<Run>,
    /// Highlighted row of the run list.
    pub run_cursor: usize,
    /// The run the live view shows.
    pub current: Option<usize>,
    /// Runs marked for comparison (at most two).
    pub marked: Vec<usize>,
    pub compare: Option<Compare>,
    pub flame: FlameView,
    /// The lane whose ledger shows over the flamegraph, if any.
    pub ledger: Option<usize>,
    /// The time cursor and the selected window of the run shown.
    pub time: TimeSelection,
    /// The recording being played back, if any.
    pub replay: Option<Replay>,
    /// The user hid the stage timeline of etl-pipeline runs.
    pub stages_hidden: bool,
    pub status: String,
    pub color: bool,
    /// The screen's layout for the terminal's size (see [`App::resize`]).
    pub(crate) layout: super::layout::ScreenLayout,
    pub export_dir: PathBuf,
    pub effects: Vec<Effect>,
    pub quit: bool,
    /// When set, live stack events only mark the flamegraph stale and the event loop rebuilds it
    /// once before drawing, so a burst of events costs one rebuild per frame.
    pub defer_flame: bool,
    /// The current run's stacks changed since the flamegraph was last rebuilt.
    pub flame_stale: bool,
    /// The scenario or sweep picked and run from the suite screen.
    pub suite: super::suite_flow::SuiteState,
}

impl App {
    pub fn new(cores: usize, color: bool, export_dir: PathBuf) -> App {
        App {
            screen: Screen::Setup,
            focus: Focus::Form,
            help: false,
            help_scroll: 0,
            search_input: None,
            setup: SetupForm::new(cores),
            runs: Vec::new(),
            run_cursor: 0,
            current: None,
            marked: Vec::new(),
            compare: None,
            flame: FlameView::default(),
            ledger: None,
            time: TimeSelection::default(),
            replay: None,
            stages_hidden: false,
            status: String::new(),
            color,
            layout: super::layout::ScreenLayout::new((80, 24)),
            export_dir,
            effects: Vec::new(),
            quit: false,
            defer_flame: false,
            flame_stale: false,
            suite: Default::default(),
        }
    }

    /// Adds a finished or recorded run (from a file) and shows it.
    pub fn add_run(&mut self, run: Run) -> usize {
        self.runs.push(run);
        let index = self.runs.len() - 1;
        self.show_run(index);
        index
    }

    pub fn show_run(&mut self, index: usize) {
        if self.replay.as_ref().is_some_and(|r| r.run != index) {
            super::replay::finish(self);
        }
        if self.current != Some(index) {
            self.time = TimeSelection::default();
        }
        self.current = Some(index);
        self.run_cursor = index;
        self.screen = Screen::Run;
        self.flame.zoom.clear();
        self.flame.collapsed.clear();
        self.flame.frozen = None;
        self.flame.chosen = None;
        self.refresh_flame();
    }

    /// The run being shown, if any.
    pub fn current_run(&self) -> Option<&Run> {
        self.current.and_then(|i| self.runs.get(i))
    }

    /// The run whose child is still going, if any.
    pub fn live_run(&self) -> Option<usize> {
        self.runs
            .iter()
            .position(|r| r.status == RunStatus::Running)
    }

    /// Rebuilds the flame view from the current run's profile (the one chosen, else wall time
    /// once the run has some, else CPU samples). A frozen view that changes profile is frozen
    /// again at the new profile's current tree.
    pub fn refresh_flame(&mut self) {
        self.flame_stale = false;
        let Some(run) = self.current.and_then(|i| self.runs.get(i)) else {
            self.flame.profile = Profile::Cpu;
            let empty = Arc::new(FrameTree::from_stacks(&FoldedStacks::new()));
            return self.flame.rebuild(empty);
        };
        let profile = Profile::shown(self.flame.chosen, run.has_wall());
        let switched = profile != self.flame.profile;
        if let Some(window) = self.time.range {
            self.flame.profile = profile;
            self.flame.wall_total = run.window_wall_total(window);
            return self.flame.rebuild(run.window_tree(profile, window));
        }
        if switched || self.flame.frozen.is_none() {
            self.flame.wall_total = run.wall_total();
        }
        if switched && self.flame.frozen.is_some() {
            self.flame.frozen = Some(run.profile_tree(profile));
        }
        self.flame.profile = profile;
        self.flame.rebuild(run.profile_tree(profile));
    }

    pub(super) fn start_run(&mut self) {
        if let Some(live) = self.live_run() {
            self.status = format!("run {} is still going; press x to stop it", live + 1);
            return;
        }
        if let Some(problem) = self.setup.problem() {
            self.status = problem;
            return;
        }
        let spec = match self.setup.run_spec() {
            Ok(spec) => spec,
            Err(e) => {
                self.status = e.to_string();
                return;
            }
        };
        let form = &self.setup;
        let number = self.runs.len() + 1;
        let workload = form.workload_name();
        let run = Run::new(
            number,
            workload,
            form.mode.as_str(),
            form.workers_for_run(),
            form.gil,
        );
        self.status = format!("started run {number}: {}", run.label);
        let launch = RunLaunch::Request(Box::new(RunRequest::events_only(spec)));
        let index = self.add_run(run);
        self.effects.push(Effect::StartRun { run: index, launch });
    }

    fn on_run_event(&mut self, index: usize, event: Event) {
        let Some(run) = self.runs.get_mut(index) else {
            return;
        };
        let note = match &event {
            Event::Done { report, .. } if report.interrupted => {
                Some(format!("run {} stopped; partial report kept", index + 1))
            }
            Event::Done { report, .. } => Some(format!(
                "run {} done: {} ({})",
                index + 1,
                report.verdict_word(),
                super::fmt::fmt_rate(report.items_per_s)
            )),
            Event::Error { message } => Some(format!("run {} failed: {message}", index + 1)),
            Event::Prepare(progress) => Some(format!("run {}: {}", index + 1, progress.line())),
            Event::Start { .. } if run.preparing.is_some() => Some(format!(
                "run {} started: its input data is ready",
                index + 1
            )),
            _ => None,
        };
        let stacks_changed = run.apply(event);
        if let Some(note) = note {
            self.status = note;
        }
        if stacks_changed && self.current == Some(index) && self.flame.frozen.is_none() {
            if self.defer_flame {
                self.flame_stale = true;
            } else {
                self.refresh_flame();
            }
        }
    }

    fn on_run_exit(&mut self, index: usize, code: Option<i32>, stderr: &str) {
        let Some(run) = self.runs.get_mut(index) else {
            return;
        };
        if run.status != RunStatus::Running {
            return;
        }
        let tail: Vec<&str> = stderr.lines().rev().take(2).collect();
        let tail = tail.into_iter().rev().collect::<Vec<_>>().join(" ");
        let status = code.map_or("a signal".to_string(), |c| format!("status {c}"));
        let message = format!("the run exited with {status} before its report: {tail}");
        run.status = RunStatus::Failed;
        let message = message.trim_end_matches([' ', ':']).to_string();
        self.status = format!("run {} failed: {message}", index + 1);
        run.error = Some(message);
    }
}

/// Applies one action to the state.
pub fn update(app: &mut App, action: Action) {
    match action {
        Action::Resize(w, h) => app.resize(w, h),
        Action::Quit => app.quit = true,
        Action::Help => {
            app.help = !app.help;
            app.help_scroll = 0;
        }
        Action::RunEvent { run, event } => {
            app.on_run_event(run, *event);
            super::suite_flow::after_run_change(app, run, false);
        }
        Action::RunExited { run, code, stderr } => {
            app.on_run_exit(run, code, &stderr);
            super::suite_flow::after_run_change(app, run, true);
        }
        Action::Advance(_) => {
            super::replay::replay_action(app, &action);
        }
        Action::Back if app.help => app.help = false,
        Action::Up if app.help => app.help_scroll = app.help_scroll.saturating_sub(1),
        Action::Down if app.help => {
            let max = super::keys::help_max_scroll(app.screen, app.size().1);
            app.help_scroll = (app.help_scroll + 1).min(max);
        }
        _ if app.help => {}
        action => match app.screen {
            Screen::Setup => super::app_setup::setup_action(app, action),
            Screen::Run => super::app_run::run_action(app, action),
            Screen::Compare => super::app_setup::compare_action(app, action),
            Screen::Suite => super::suite_flow::suite_action(app, action),
        },
    }
}
