//! The key map: which key does what on which screen, declared once.

use crate::tui::state::{Action, Screen};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Setup,
    Run,
    Compare,
    Suite,
}

/// The scopes of the screens, in the help's order.
pub(super) const SCREENS: [Scope; 4] = [Scope::Setup, Scope::Run, Scope::Compare, Scope::Suite];

impl Scope {
    pub(super) fn applies(self, screen: Screen) -> bool {
        match self {
            Scope::Everywhere => true,
            Scope::Setup => screen == Screen::Setup,
            Scope::Run => screen == Screen::Run,
            Scope::Compare => screen == Screen::Compare,
            Scope::Suite => screen == Screen::Suite,
        }
    }

    /// The help's heading over the scope's rows (none for keys that work everywhere).
    pub fn heading(self) -> Option<&'static str> {
        match self {
            Scope::Everywhere => None,
            Scope::Setup => Some("— setup screen —"),
            Scope::Run => Some("— run screen —"),
            Scope::Compare => Some("— compare screen —"),
            Scope::Suite => Some("— scenario / sweep screen —"),
        }
    }
}

/// A key as the map names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Code(KeyCode),
    /// The letter with Ctrl held.
    Ctrl(char),
    /// Any of 0-9: the binding's action is `Digit` of the digit typed.
    Digits,
}

impl Key {
    /// How the help names the key.
    pub fn label(self) -> String {
        match self {
            Key::Code(KeyCode::Up) => "↑".into(),
            Key::Code(KeyCode::Down) => "↓".into(),
            Key::Code(KeyCode::Left) => "←".into(),
            Key::Code(KeyCode::Right) => "→".into(),
            Key::Code(KeyCode::Backspace) => "⌫".into(),
            Key::Code(KeyCode::Char(' ')) => "Space".into(),
            Key::Code(KeyCode::Char(c)) => c.to_string(),
            Key::Code(code) => code.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Key::Digits => "0-9".into(),
        }
    }

    pub(super) fn is_arrow(self) -> bool {
        matches!(
            self,
            Key::Code(KeyCode::Up | KeyCode::Down | KeyCode::Left | KeyCode::Right)
        )
    }

    /// The action `binding` gives this key for `event`, if the key is the one pressed.
    pub(super) fn action_for(self, event: &KeyEvent, action: &Action) -> Option<Action> {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        // Shift-Tab arrives as BackTab; it does what Tab does.
        let code = match event.code {
            KeyCode::BackTab => KeyCode::Tab,
            code => code,
        };
        match (self, code) {
            (Key::Ctrl(c), KeyCode::Char(pressed)) if ctrl && c == pressed => Some(action.clone()),
            (Key::Code(k), pressed) if !ctrl && k == pressed => Some(action.clone()),
            (Key::Digits, KeyCode::Char(d @ '0'..='9')) if !ctrl => {
                Some(Action::Digit(d as u8 - b'0'))
            }
            _ => None,
        }
    }
}

/// One row of the help: keys with their actions, and what they do together.
#[derive(Debug)]
pub struct Binding {
    pub scope: Scope,
    pub keys: &'static [(Key, Action)],
    pub help: &'static str,
}

const fn ch(c: char) -> Key {
    Key::Code(KeyCode::Char(c))
}

const UP: Key = Key::Code(KeyCode::Up);
const DOWN: Key = Key::Code(KeyCode::Down);
const LEFT: Key = Key::Code(KeyCode::Left);
const RIGHT: Key = Key::Code(KeyCode::Right);
const ENTER: Key = Key::Code(KeyCode::Enter);
const ESC: Key = Key::Code(KeyCode::Esc);
const TAB: Key = Key::Code(KeyCode::Tab);
const BACKSPACE: Key = Key::Code(KeyCode::Backspace);
const HOME: Key = Key::Code(KeyCode::Home);
const END: Key = Key::Code(KeyCode::End);

/// Every key, grouped by where it applies; the first binding that applies wins.
pub const KEY_MAP: &[Binding] = &[
    Binding {
        scope: Scope::Everywhere,
        keys: &[
            (ch('?'), Action::Help),
            (ch('q'), Action::Quit),
            (Key::Ctrl('c'), Action::Quit),
        ],
        help: "help / quit (stops a live run; killed after 2 s)",
    },
    Binding {
        scope: Scope::Setup,
        keys: &[
            (UP, Action::Up),
            (DOWN, Action::Down),
            (ch('j'), Action::Down),
            (ch('k'), Action::Up),
        ],
        help: "choose a field / a run",
    },
    Binding {
        scope: Scope::Setup,
        keys: &[
            (LEFT, Action::Left),
            (RIGHT, Action::Right),
            (ch('h'), Action::Left),
            (ch('l'), Action::Right),
            (Key::Digits, Action::Digit(0)),
            (BACKSPACE, Action::Backspace),
        ],
        help: "change the value; type or erase a number",
    },
    Binding {
        scope: Scope::Setup,
        keys: &[(ENTER, Action::Enter), (ch('s'), Action::StartRun)],
        help: "start the run (runs list: open it; text field: type)",
    },
    Binding {
        scope: Scope::Setup,
        keys: &[(TAB, Action::Tab), (ESC, Action::Back)],
        help: "form ↔ runs list / back to the run shown",
    },
    Binding {
        scope: Scope::Setup,
        keys: &[(ch(' '), Action::Mark), (ch('c'), Action::Compare)],
        help: "mark runs, compare the two marked",
    },
    Binding {
        scope: Scope::Setup,
        keys: &[(ch('e'), Action::OpenSuite)],
        help: "run a scenario or a sweep, its lines side by side",
    },
    Binding {
        scope: Scope::Run,
        keys: FRAME_MOVES,
        help: "frames / sandwich callers ↑ callees ↓ (click selects)",
    },
    Binding {
        scope: Scope::Run,
        keys: &[
            (ENTER, Action::Enter),
            (ESC, Action::Back),
            (BACKSPACE, Action::Backspace),
        ],
        help: "zoom in / out (on a phase: its code; sandwich: refocus)",
    },
    Binding {
        scope: Scope::Run,
        keys: &[(ch('c'), Action::Collapse)],
        help: "collapse or expand the selected frame",
    },
    Binding {
        scope: Scope::Run,
        keys: &[
            (ch('L'), Action::CollapseLibs),
            (ch('m'), Action::MergeThreads),
            (ch('o'), Action::Orientation),
        ],
        help: "fold libraries, merge threads, flip orientation",
    },
    Binding {
        scope: Scope::Run,
        keys: &[(ch('u'), Action::FullStacks)],
        help: "unfold / fold the engine's frames above the workload",
    },
    Binding {
        scope: Scope::Run,
        keys: &[(ch('i'), Action::Invert), (ch('t'), Action::FilterThread)],
        help: "inverted callers view / only the selected thread",
    },
    Binding {
        scope: Scope::Run,
        keys: &[(ch('/'), Action::SearchStart)],
        help: "regex search: highlights matches and their share",
    },
    Binding {
        scope: Scope::Run,
        keys: &[
            (ch('n'), Action::SearchNext),
            (ch('N'), Action::SearchPrev),
            (ch('S'), Action::Sandwich),
            (ch('d'), Action::Detail),
        ],
        help: "next/previous match, sandwich, detail panel",
    },
    Binding {
        scope: Scope::Run,
        keys: &[(TAB, Action::Tab)],
        help: "flamegraph, top functions, call tree",
    },
    Binding {
        scope: Scope::Run,
        keys: &[(ch('v'), Action::CycleProfile)],
        help: "phases, code by phase, wall time, CPU samples, off-CPU time",
    },
    Binding {
        scope: Scope::Run,
        keys: &[(ch('W'), Action::Ledger)],
        help: "a worker's ledger, next worker (click a lane too)",
    },
    Binding {
        scope: Scope::Run,
        keys: &[
            (ch(','), Action::CursorLeft),
            (ch('.'), Action::CursorRight),
            (ch('b'), Action::MarkRange),
        ],
        help: "move the time cursor; b marks a range (or drag), Esc clears it",
    },
    Binding {
        scope: Scope::Run,
        keys: &[
            (ch(' '), Action::PlayPause),
            (ch('['), Action::StepBack),
            (ch(']'), Action::StepForward),
        ],
        help: "replay: play/pause, step one tick back / on",
    },
    Binding {
        scope: Scope::Run,
        keys: &[
            (ch('-'), Action::Slower),
            (ch('+'), Action::Faster),
            (HOME, Action::SeekStart),
            (END, Action::SeekEnd),
        ],
        help: "replay slower / faster, seek to its start / end",
    },
    Binding {
        scope: Scope::Run,
        keys: &[(ch('T'), Action::StageTimeline)],
        help: "etl-pipeline: show / hide the stage timeline",
    },
    Binding {
        scope: Scope::Run,
        keys: &[(ch('f'), Action::Freeze)],
        help: "freeze the flamegraph while the run goes on",
    },
    Binding {
        scope: Scope::Run,
        keys: &[(ch('s'), Action::ExportSvg), (ch('w'), Action::ExportData)],
        help: "export SVG / folded stacks and JSON report",
    },
    Binding {
        scope: Scope::Run,
        keys: &[(ch('x'), Action::StopRun), (ch('r'), Action::NewRun)],
        help: "stop the run / set up a new run",
    },
    Binding {
        scope: Scope::Compare,
        keys: FRAME_MOVES,
        help: "select a frame: before, after and change below the graph",
    },
    Binding {
        scope: Scope::Compare,
        keys: &[
            (TAB, Action::Tab),
            (ESC, Action::Back),
            (ch('r'), Action::NewRun),
        ],
        help: "swap baseline / back to the runs / new run",
    },
    Binding {
        scope: Scope::Suite,
        keys: &[
            (UP, Action::Up),
            (DOWN, Action::Down),
            (ch('j'), Action::Down),
            (ch('k'), Action::Up),
        ],
        help: "choose a scenario, the sweep, or a line",
    },
    Binding {
        scope: Scope::Suite,
        keys: &[
            (LEFT, Action::Left),
            (RIGHT, Action::Right),
            (ch('h'), Action::Left),
            (ch('l'), Action::Right),
        ],
        help: "quick sizes ↔ full sizes (a scenario's)",
    },
    Binding {
        scope: Scope::Suite,
        keys: &[(ENTER, Action::Enter)],
        help: "start it / type a path or counts / open a line's run",
    },
    Binding {
        scope: Scope::Suite,
        keys: &[
            (ch('x'), Action::StopRun),
            (ch('n'), Action::NewRun),
            (ESC, Action::Back),
        ],
        help: "stop the suite / pick another / back",
    },
];

/// Arrows and hjkl move between frames, in the run's flamegraph and in a comparison's.
const FRAME_MOVES: &[(Key, Action)] = &[
    (UP, Action::Up),
    (DOWN, Action::Down),
    (LEFT, Action::Left),
    (RIGHT, Action::Right),
    (ch('h'), Action::Left),
    (ch('j'), Action::Down),
    (ch('k'), Action::Up),
    (ch('l'), Action::Right),
];
