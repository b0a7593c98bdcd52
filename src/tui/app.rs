//! The shell's state (`App`: every screen's state and what they share) and `update`, which
//! hands an action to the screen showing, applies what the screens asked for (another screen,
//! a run to show) and feeds the runs' events in.

use crate::events::Event;
use crate::tui::keys::input::KeyTarget;
use crate::tui::screens::compare::{self, Compare};
use crate::tui::screens::run::layout::RunAreas;
use crate::tui::screens::run::{self, replay, RunScreen};
use crate::tui::screens::setup::{self, Focus, SetupScreen};
use crate::tui::screens::suite::flow::{self as suite, SuiteState};
use crate::tui::state::{Goto, Run, RunStatus, Screen, Shared};
use std::path::PathBuf;

pub use crate::tui::state::{Action, Effect, RunLaunch};

/// The whole UI state.
#[derive(Debug, Clone)]
pub struct App {
    pub screen: Screen,
    pub help: bool,
    /// The first help row shown (the help scrolls when it is taller than the terminal).
    pub help_scroll: usize,
    /// The runs, the status line, the effects: what every screen shares.
    pub shared: Shared,
    pub setup: SetupScreen,
    pub run: RunScreen,
    pub compare: Option<Compare>,
    /// The scenario or sweep picked and run from the suite screen.
    pub suite: SuiteState,
    pub quit: bool,
}

impl App {
    pub fn new(cores: usize, color: bool, export_dir: PathBuf) -> App {
        App {
            screen: Screen::Setup,
            help: false,
            help_scroll: 0,
            shared: Shared::new(color, export_dir),
            setup: SetupScreen::new(cores),
            run: RunScreen::default(),
            compare: None,
            suite: SuiteState::default(),
            quit: false,
        }
    }

    /// Adds a finished or recorded run (from a file) and shows it.
    pub fn add_run(&mut self, run: Run) -> usize {
        self.shared.runs.push(run);
        let index = self.shared.runs.len() - 1;
        self.show_run(index);
        index
    }

    /// Shows run `index` on the run screen (highlighted in the run list too).
    pub fn show_run(&mut self, index: usize) {
        // `T`'s note was about the run shown until now: another run may have no timeline.
        let note = self.run.stage_note.take();
        if self.run.current != Some(index) && note.as_deref() == Some(self.shared.status.as_str()) {
            self.shared.status.clear();
        }
        self.run.show(index, &mut self.shared.runs);
        self.setup.run_cursor = index;
        self.screen = Screen::Run;
    }

    /// The run being shown, if any.
    pub fn current_run(&self) -> Option<&Run> {
        self.run.current_run(&self.shared.runs)
    }

    /// Rebuilds the run screen's flamegraph from the run shown.
    pub fn refresh_flame(&mut self) {
        self.run.refresh_flame(&self.shared.runs);
    }

    /// The run screen's areas for the run shown.
    pub fn run_areas(&self) -> RunAreas {
        self.run.areas(&self.shared.runs)
    }

    /// Columns and rows of the terminal.
    pub fn size(&self) -> (u16, u16) {
        self.shared.size
    }

    /// Takes the terminal's new size and lays the screens out for it.
    pub fn resize(&mut self, columns: u16, rows: u16) {
        self.shared.size = (columns, rows);
        self.run.resize((columns, rows));
    }

    /// Where the keys go: the screen showing, and whether a text is being typed there.
    pub fn key_target(&self) -> KeyTarget {
        KeyTarget {
            screen: self.screen,
            typing: self.typing(),
        }
    }

    /// Whether the keys go to a text being typed on the screen showing.
    pub fn typing(&self) -> bool {
        match self.screen {
            Screen::Run => self.run.search.is_some(),
            Screen::Suite => self.suite.input.is_some(),
            Screen::Setup => self.setup.focus == Focus::Form && self.setup.form.is_typing(),
            Screen::Compare => false,
        }
    }

    /// Carries out what a screen asked for during its update.
    pub(crate) fn follow(&mut self, goto: Goto) {
        match goto {
            Goto::Setup => self.screen = Screen::Setup,
            Goto::SetupForm => {
                self.screen = Screen::Setup;
                self.setup.focus = Focus::Form;
            }
            Goto::Run if self.run.current.is_some() => self.screen = Screen::Run,
            Goto::Run => {}
            Goto::ShowRun(index) => self.show_run(index),
            Goto::LeaveRun => {
                let shown = self.run.current;
                self.screen = match self.suite.has_run(shown) {
                    true => Screen::Suite,
                    false => Screen::Setup,
                };
            }
            Goto::Compare => self.open_compare(),
            Goto::Suite => {
                self.suite.open();
                self.screen = Screen::Suite;
            }
        }
    }

    /// Opens the comparison of the two runs marked on the run list (or the marked one and
    /// the highlighted one).
    pub fn open_compare(&mut self) {
        match self.setup.compare_pair(self.shared.runs.len()) {
            Some((a, b)) => {
                self.compare = Some(Compare::new(&self.shared.runs, a, b));
                self.screen = Screen::Compare;
            }
            None => self.shared.status = "mark two runs with Space, then press c to compare".into(),
        }
    }

    fn on_run_event(&mut self, index: usize, event: Event) {
        let Some(run) = self.shared.runs.get_mut(index) else {
            return;
        };
        let note = event_note(index, run, &event);
        let stacks_changed = run.apply(event);
        if let Some(note) = note {
            self.shared.status = note;
        }
        if stacks_changed {
            self.run.stacks_changed(index, &self.shared.runs);
        }
    }

    fn on_run_exit(&mut self, index: usize, code: Option<i32>, stderr: &str) {
        let Some(run) = self.shared.runs.get_mut(index) else {
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
        self.shared.status = format!("run {} failed: {message}", index + 1);
        run.error = Some(message);
    }
}

/// What the status line says of a run's event, if anything.
fn event_note(index: usize, run: &Run, event: &Event) -> Option<String> {
    match event {
        Event::Done { report, .. } if report.interrupted => {
            Some(format!("run {} stopped; partial report kept", index + 1))
        }
        Event::Done { report, .. } => Some(format!(
            "run {} done: {} ({})",
            index + 1,
            report.verdict_word(),
            crate::tui::widgets::fmt::fmt_rate(report.items_per_s)
        )),
        Event::Error { message } => Some(format!("run {} failed: {message}", index + 1)),
        Event::Prepare(progress) => Some(format!("run {}: {}", index + 1, progress.line())),
        Event::Start { .. } if run.preparing.is_some() => Some(format!(
            "run {} started: its input data is ready",
            index + 1
        )),
        _ => None,
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
            suite::after_run_change(&mut app.suite, &mut app.shared, run, false);
        }
        Action::RunExited { run, code, stderr } => {
            app.on_run_exit(run, code, &stderr);
            suite::after_run_change(&mut app.suite, &mut app.shared, run, true);
        }
        Action::Advance(_) => {
            replay::replay_action(&mut app.run, &mut app.shared, &action);
        }
        Action::Back if app.help => app.help = false,
        Action::Up if app.help => app.help_scroll = app.help_scroll.saturating_sub(1),
        Action::Down if app.help => {
            let max = crate::tui::keys::help_max_scroll(app.screen, app.size().1);
            app.help_scroll = (app.help_scroll + 1).min(max);
        }
        _ if app.help => {}
        action => screen_action(app, action),
    }
    if let Some(goto) = app.shared.goto.take() {
        app.follow(goto);
    }
}

/// Hands an action to the screen showing.
fn screen_action(app: &mut App, action: Action) {
    let shared = &mut app.shared;
    match app.screen {
        Screen::Setup => setup::update::setup_action(&mut app.setup, shared, action),
        Screen::Run => run::update::run_action(&mut app.run, shared, action),
        Screen::Compare => compare::update::compare_action(&mut app.compare, shared, action),
        Screen::Suite => suite::suite_action(&mut app.suite, shared, &app.setup.form, action),
    }
}
