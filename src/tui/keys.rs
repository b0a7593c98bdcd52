//! Maps terminal input (keys, mouse, resize) to `Action`s, given what the screen shows.

use super::app::{Action, App, Focus, Screen};
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};

/// The action for one terminal event, if it means anything here.
pub fn input_action(app: &App, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => key_action(app, key),
        Event::Mouse(m) if m.kind == MouseEventKind::Down(MouseButton::Left) => {
            Some(Action::Click {
                col: m.column,
                row: m.row,
            })
        }
        Event::Resize(w, h) => Some(Action::Resize(*w, *h)),
        _ => None,
    }
}

fn key_action(app: &App, key: &KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, KeyCode::Char('c')).then_some(Action::Quit);
    }
    if app.search_input.is_some() && app.screen == Screen::Run {
        return Some(match key.code {
            KeyCode::Enter => Action::SearchConfirm,
            KeyCode::Esc => Action::SearchCancel,
            KeyCode::Backspace => Action::SearchBackspace,
            KeyCode::Char(c) => Action::SearchChar(c),
            _ => return None,
        });
    }
    if let Some(action) = common_key(key.code) {
        return Some(action);
    }
    match key.code {
        KeyCode::Char(c @ '0'..='9') if app.screen == Screen::Setup && app.focus == Focus::Form => {
            Some(Action::Digit(c as u8 - b'0'))
        }
        KeyCode::Char(c) => letter(app, c),
        _ => None,
    }
}

fn common_key(code: KeyCode) -> Option<Action> {
    Some(match code {
        KeyCode::Up => Action::Up,
        KeyCode::Down => Action::Down,
        KeyCode::Left => Action::Left,
        KeyCode::Right => Action::Right,
        KeyCode::Enter => Action::Enter,
        KeyCode::Esc => Action::Back,
        KeyCode::Backspace => Action::Backspace,
        KeyCode::Tab | KeyCode::BackTab => Action::Tab,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('q') => Action::Quit,
        _ => return None,
    })
}

fn letter(app: &App, c: char) -> Option<Action> {
    let nav = match c {
        'k' => Some(Action::Up),
        'j' => Some(Action::Down),
        'h' => Some(Action::Left),
        'l' => Some(Action::Right),
        _ => None,
    };
    if nav.is_some() {
        return nav;
    }
    match (app.screen, c) {
        (Screen::Setup, ' ') => Some(Action::Mark),
        (Screen::Setup, 'c') => Some(Action::Compare),
        (Screen::Setup, 's') => Some(Action::StartRun),
        (Screen::Run, 'c') => Some(Action::Collapse),
        (Screen::Run, 'L') => Some(Action::CollapseLibs),
        (Screen::Run, 'm') => Some(Action::MergeThreads),
        (Screen::Run, 'i') => Some(Action::Invert),
        (Screen::Run, 't') => Some(Action::FilterThread),
        (Screen::Run, 'o') => Some(Action::Orientation),
        (Screen::Run, 'f') => Some(Action::Freeze),
        (Screen::Run, '/') => Some(Action::SearchStart),
        (Screen::Run, 's') => Some(Action::ExportSvg),
        (Screen::Run, 'w') => Some(Action::ExportData),
        (Screen::Run, 'x') => Some(Action::StopRun),
        (_, 'r') => Some(Action::NewRun),
        _ => None,
    }
}
