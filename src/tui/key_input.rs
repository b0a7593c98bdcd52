//! Terminal input (keys, mouse, resize) mapped to `Action`s through the key map.

use super::app::{Action, App, Focus, Screen};
use super::keys::KEY_MAP;
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};

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
}
