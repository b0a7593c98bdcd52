//! `update` on the setup screen (the form and the run list) and the compare screen.

use super::app::{Action, App, Focus, Screen};
use super::compare::Compare;

pub(super) fn setup_action(app: &mut App, action: Action) {
    if app.focus == Focus::Runs {
        return run_list_action(app, action);
    }
    let form = &mut app.setup;
    match action {
        Action::SearchChar(c) => form.type_char(c),
        Action::SearchBackspace => form.type_backspace(),
        Action::SearchCancel => form.cancel_typing(),
        Action::SearchConfirm => app.status = form.finish_typing(),
        Action::Enter if form.begin_typing() => {}
        Action::Up => form.move_field(-1),
        Action::Down => form.move_field(1),
        Action::Left => form.change(-1),
        Action::Right => form.change(1),
        Action::Digit(d) => form.digit(d),
        Action::Backspace => form.backspace(),
        Action::Enter | Action::StartRun => app.start_run(),
        Action::Tab if !app.runs.is_empty() => app.focus = Focus::Runs,
        Action::Back if app.current.is_some() => app.screen = Screen::Run,
        Action::OpenSuite => super::suite_flow::open(app),
        _ => {}
    }
}

fn run_list_action(app: &mut App, action: Action) {
    let last = app.runs.len().saturating_sub(1);
    match action {
        Action::Up => app.run_cursor = app.run_cursor.saturating_sub(1),
        Action::Down => app.run_cursor = (app.run_cursor + 1).min(last),
        Action::Enter if !app.runs.is_empty() => app.show_run(app.run_cursor),
        Action::Mark => toggle_mark(app),
        Action::Compare => open_compare(app),
        Action::Tab | Action::Back => app.focus = Focus::Form,
        Action::OpenSuite => super::suite_flow::open(app),
        Action::StartRun => app.start_run(),
        _ => {}
    }
}

fn toggle_mark(app: &mut App) {
    let i = app.run_cursor;
    if i >= app.runs.len() {
        return;
    }
    if let Some(pos) = app.marked.iter().position(|&m| m == i) {
        app.marked.remove(pos);
    } else {
        app.marked.push(i);
        if app.marked.len() > 2 {
            app.marked.remove(0);
        }
    }
}

/// Opens the comparison of the two marked runs (or the marked one and the highlighted one).
pub fn open_compare(app: &mut App) {
    let pair = match app.marked[..] {
        [a, b] => Some((a, b)),
        [a] if a != app.run_cursor && app.run_cursor < app.runs.len() => Some((a, app.run_cursor)),
        _ => None,
    };
    match pair {
        Some((a, b)) => {
            app.compare = Some(Compare::new(&app.runs, a, b));
            app.screen = Screen::Compare;
        }
        None => app.status = "mark two runs with Space, then press c to compare".into(),
    }
}

pub(super) fn compare_action(app: &mut App, action: Action) {
    match action {
        Action::Back => app.screen = Screen::Setup,
        Action::Tab => {
            if let Some(c) = app.compare.as_mut() {
                c.swap(&app.runs);
            }
        }
        Action::NewRun => {
            app.screen = Screen::Setup;
            app.focus = Focus::Form;
        }
        action => {
            if let Some(c) = app.compare.as_mut() {
                c.navigate(&action);
            }
        }
    }
}
