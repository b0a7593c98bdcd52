//! Terminal input (keys, mouse, resize) mapped to `Action`s through the key map.

use super::map::KEY_MAP;
use crate::tui::state::{Action, Screen};
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};

/// Where the keys go: the screen showing, and whether a text is being typed there (then
/// characters are text, not commands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyTarget {
    pub screen: Screen,
    pub typing: bool,
}

/// The action for one terminal event, if it means anything here.
pub fn input_action(target: KeyTarget, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => key_action(target, key),
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

fn key_action(target: KeyTarget, key: &KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if !ctrl && target.typing {
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
        .filter(|b| b.scope.applies(target.screen))
        .flat_map(|b| b.keys)
        .find_map(|(k, action)| k.action_for(key, action))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(target: KeyTarget, code: KeyCode) -> Option<Action> {
        key_action(target, &KeyEvent::from(code))
    }

    fn name(action: Option<Action>) -> String {
        format!("{action:?}")
    }

    #[test]
    fn keys_mean_what_the_screen_says() {
        let mut app = KeyTarget {
            screen: Screen::Setup,
            typing: false,
        };
        assert_eq!(name(press(app, KeyCode::Char('c'))), "Some(Compare)");
        assert_eq!(name(press(app, KeyCode::Char('7'))), "Some(Digit(7))");
        assert_eq!(name(press(app, KeyCode::BackTab)), "Some(Tab)");
        app.screen = Screen::Run;
        assert_eq!(name(press(app, KeyCode::Char('c'))), "Some(Collapse)");
        assert_eq!(name(press(app, KeyCode::Char('7'))), "None");
        assert_eq!(name(press(app, KeyCode::Char('k'))), "Some(Up)");
        assert_eq!(name(press(app, KeyCode::Char('v'))), "Some(CycleProfile)");
        assert_eq!(name(press(app, KeyCode::Char('w'))), "Some(ExportData)");
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(name(key_action(app, &ctrl_c)), "Some(Quit)");
        app.typing = true;
        assert_eq!(
            name(press(app, KeyCode::Char('q'))),
            "Some(SearchChar('q'))"
        );
        assert_eq!(name(key_action(app, &ctrl_c)), "Some(Quit)");
        app.screen = Screen::Compare;
        app.typing = false;
        assert_eq!(name(press(app, KeyCode::Char('r'))), "Some(NewRun)");
        assert_eq!(name(press(app, KeyCode::Char('c'))), "None");
    }
}
