//! The key map (which key does what on which screen), input mapped to `Action`s through it, and
//! the `?` help generated from it.

use super::app::{Action, App, Focus, Screen};
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};

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
const SCREENS: [Scope; 4] = [Scope::Setup, Scope::Run, Scope::Compare, Scope::Suite];

impl Scope {
    fn applies(self, screen: Screen) -> bool {
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

    fn is_arrow(self) -> bool {
        matches!(
            self,
            Key::Code(KeyCode::Up | KeyCode::Down | KeyCode::Left | KeyCode::Right)
        )
    }

    /// The action `binding` gives this key for `event`, if the key is the one pressed.
    fn action_for(self, event: &KeyEvent, action: &Action) -> Option<Action> {
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
        help: "start the run (runs list: open it; a path: type it)",
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
        help: "zoom in / out (sandwich: refocus); Esc clears a range",
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
        help: "wall time, CPU samples, off-CPU time",
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
        help: "move the time cursor; b marks a range (or drag)",
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

/// The action for one terminal event, if it means anything here.
pub fn input_action(app: &App, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => key_action(app, key),
        Event::Mouse(m) => {
            let (col, row) = (m.column, m.row);
            match m.kind {
                MouseEventKind::Down(MouseButton::Left) => Some(Action::Click { col, row }),
                MouseEventKind::Drag(MouseButton::Left) => Some(Action::Drag { col, row }),
                MouseEventKind::Up(MouseButton::Left) => Some(Action::Release { col, row }),
                _ => None,
            }
        }
        Event::Resize(w, h) => Some(Action::Resize(*w, *h)),
        _ => None,
    }
}

fn key_action(app: &App, key: &KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if !ctrl && typing(app) {
        return Some(match key.code {
            KeyCode::Enter => Action::SearchConfirm,
            KeyCode::Esc => Action::SearchCancel,
            KeyCode::Backspace => Action::SearchBackspace,
            KeyCode::Char(c) => Action::SearchChar(c),
            _ => return None,
        });
    }
    KEY_MAP
        .iter()
        .filter(|b| b.scope.applies(app.screen))
        .flat_map(|b| b.keys)
        .find_map(|(k, action)| k.action_for(key, action))
}

/// True while keys type text: a search on the run screen, a path in the setup form.
fn typing(app: &App) -> bool {
    match app.screen {
        Screen::Run | Screen::Suite => app.search_input.is_some(),
        Screen::Setup => app.focus == Focus::Form && app.setup.is_typing(),
        Screen::Compare => false,
    }
}

/// The help's rows for `screen`: the keys that work everywhere, then this screen's, then the
/// other screens' (a heading, empty keys, where each screen's rows start).
pub fn help_rows(screen: Screen) -> Vec<(String, &'static str)> {
    let mut scopes = vec![Scope::Everywhere];
    scopes.extend(SCREENS.into_iter().filter(|s| s.applies(screen)));
    scopes.extend(SCREENS.into_iter().filter(|s| !s.applies(screen)));
    let mut rows = Vec::new();
    for scope in scopes {
        if let Some(heading) = scope.heading() {
            rows.push((String::new(), heading));
        }
        for binding in KEY_MAP.iter().filter(|b| b.scope == scope) {
            rows.push((keys_label(binding.keys), binding.help));
        }
    }
    rows
}

/// How many help rows fit a terminal `height` rows tall (inside the popup's borders).
pub fn help_visible_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(2))
}

/// The furthest the help can scroll on `screen` in a terminal `height` rows tall.
pub fn help_max_scroll(screen: Screen, height: u16) -> usize {
    help_rows(screen)
        .len()
        .saturating_sub(help_visible_rows(height))
}

/// `↑↓ j k`: labels separated by spaces, arrows run together.
fn keys_label(keys: &[(Key, Action)]) -> String {
    let mut out = String::new();
    let mut after_arrow = false;
    for (key, _) in keys {
        let run_together = after_arrow && key.is_arrow();
        if !out.is_empty() && !run_together {
            out.push(' ');
        }
        out.push_str(&key.label());
        after_arrow = key.is_arrow();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(app: &App, code: KeyCode) -> Option<Action> {
        key_action(app, &KeyEvent::from(code))
    }

    fn name(action: Option<Action>) -> String {
        format!("{action:?}")
    }

    #[test]
    fn keys_mean_what_the_screen_says() {
        let mut app = App::new(2, false, std::env::temp_dir());
        assert_eq!(name(press(&app, KeyCode::Char('c'))), "Some(Compare)");
        assert_eq!(name(press(&app, KeyCode::Char('7'))), "Some(Digit(7))");
        assert_eq!(name(press(&app, KeyCode::BackTab)), "Some(Tab)");
        app.screen = Screen::Run;
        assert_eq!(name(press(&app, KeyCode::Char('c'))), "Some(Collapse)");
        assert_eq!(name(press(&app, KeyCode::Char('7'))), "None");
        assert_eq!(name(press(&app, KeyCode::Char('k'))), "Some(Up)");
        assert_eq!(name(press(&app, KeyCode::Char('v'))), "Some(CycleProfile)");
        assert_eq!(name(press(&app, KeyCode::Char('w'))), "Some(ExportData)");
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(name(key_action(&app, &ctrl_c)), "Some(Quit)");
        app.search_input = Some(String::new());
        assert_eq!(
            name(press(&app, KeyCode::Char('q'))),
            "Some(SearchChar('q'))"
        );
        assert_eq!(name(key_action(&app, &ctrl_c)), "Some(Quit)");
        app.screen = Screen::Compare;
        assert_eq!(name(press(&app, KeyCode::Char('r'))), "Some(NewRun)");
        assert_eq!(name(press(&app, KeyCode::Char('c'))), "None");
    }

    #[test]
    fn no_key_is_bound_twice_where_it_applies() {
        for scope in SCREENS {
            let keys: Vec<Key> = KEY_MAP
                .iter()
                .filter(|b| b.scope == scope || b.scope == Scope::Everywhere)
                .flat_map(|b| b.keys.iter().map(|k| k.0))
                .collect();
            for (i, key) in keys.iter().enumerate() {
                assert!(!keys[..i].contains(key), "{key:?} twice on {scope:?}");
            }
        }
    }

    #[test]
    fn help_lists_every_binding_under_its_screen() {
        let rows = help_rows(Screen::Setup);
        let bindings = KEY_MAP.len();
        assert_eq!(
            rows.len(),
            bindings + SCREENS.len(),
            "one heading per screen"
        );
        assert_eq!(rows[0].0, "? q Ctrl-C");
        let run = rows.iter().position(|r| r.1 == "— run screen —").unwrap();
        assert_eq!(rows[run + 1].0, "↑↓←→ h j k l");
        assert!(rows.iter().any(|r| r.0 == "s w"));
        let view = rows
            .iter()
            .find(|r| r.0 == "v")
            .expect("the view key is listed");
        assert!(view.1.contains("wall time"), "{view:?}");
    }

    #[test]
    fn help_starts_with_the_screen_in_use() {
        for (screen, heading) in [
            (Screen::Setup, "— setup screen —"),
            (Screen::Run, "— run screen —"),
            (Screen::Compare, "— compare screen —"),
            (Screen::Suite, "— scenario / sweep screen —"),
        ] {
            let rows = help_rows(screen);
            let first_heading = rows.iter().find(|r| r.0.is_empty()).map(|r| r.1);
            assert_eq!(first_heading, Some(heading));
            assert_eq!(rows.len(), help_rows(Screen::Setup).len());
        }
        assert_eq!(help_max_scroll(Screen::Run, 200), 0);
        assert_eq!(
            help_max_scroll(Screen::Run, 24),
            help_rows(Screen::Run).len() - 22
        );
    }
}
