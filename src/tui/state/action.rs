//! The UI's vocabulary: the screens, the `Action`s that change the UI, the `Effect`s that
//! `update` asks the event loop for, and where a screen asks to go next. Plain data that every
//! layer of the UI speaks, so it sits below them all (the key map turns keys into these).

use crate::events::Event;
use crate::session::RunRequest;

/// Which screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Setup,
    Run,
    Compare,
    /// A scenario or sweep: the picker, then its lines side by side.
    Suite,
}

/// A screen's request to the shell to show another screen, made during `update` and carried
/// out by the shell right after it (a screen never changes another screen's state itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goto {
    /// The setup screen as it was left.
    Setup,
    /// The setup screen with the form focused (to start a new run).
    SetupForm,
    /// The run screen, showing the run it showed.
    Run,
    /// The run screen, showing run `0` (an index into the run list).
    ShowRun(usize),
    /// Back from the run screen: to the suite when the run shown is one of its lines, else
    /// to the setup screen.
    LeaveRun,
    /// The comparison of the runs marked on the setup screen's run list.
    Compare,
    /// The scenario and sweep screen.
    Suite,
}

/// Work for the event loop that `update` cannot do itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Start a child of this binary for run index `run`.
    StartRun { run: usize, launch: RunLaunch },
    /// Ask the live run to stop (SIGINT).
    StopRun,
}

/// How a run is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunLaunch {
    /// A typed request (the setup form's run).
    Request(Box<RunRequest>),
    /// `boundscope <words>`: a scenario or sweep line, whose source is words by nature.
    Words(Vec<String>),
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
    /// Shows every frame of the code views, or folds the engine's frames above the workload.
    FullStacks,
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
