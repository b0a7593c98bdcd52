//! `update` on the setup screen: the form (typing a text field, changing values, starting a
//! run) and the run list (opening, marking, comparing).

use super::{Focus, SetupScreen};
use crate::session::RunRequest;
use crate::tui::state::{Action, Effect, Goto, Run, RunLaunch, Shared};
use crate::tui::widgets::text_input::Typed;

pub fn setup_action(screen: &mut SetupScreen, shared: &mut Shared, action: Action) {
    if screen.focus == Focus::Runs {
        return run_list_action(screen, shared, action);
    }
    let form = &mut screen.form;
    match form.type_action(&action) {
        Some(Typed::Confirmed(text)) => return shared.status = form.finish_typing(&text),
        Some(_) => return,
        None => {}
    }
    match action {
        Action::Enter if form.begin_typing() => {}
        Action::Up => form.move_field(-1),
        Action::Down => form.move_field(1),
        Action::Left => form.change(-1),
        Action::Right => form.change(1),
        Action::Digit(d) => form.digit(d),
        Action::Backspace => form.backspace(),
        Action::Enter | Action::StartRun => start_run(screen, shared),
        Action::Tab if !shared.runs.is_empty() => screen.focus = Focus::Runs,
        Action::Back => shared.goto = Some(Goto::Run),
        Action::OpenSuite => shared.goto = Some(Goto::Suite),
        _ => {}
    }
}

fn run_list_action(screen: &mut SetupScreen, shared: &mut Shared, action: Action) {
    let last = shared.runs.len().saturating_sub(1);
    match action {
        Action::Up => screen.run_cursor = screen.run_cursor.saturating_sub(1),
        Action::Down => screen.run_cursor = (screen.run_cursor + 1).min(last),
        Action::Enter if !shared.runs.is_empty() => {
            shared.goto = Some(Goto::ShowRun(screen.run_cursor))
        }
        Action::Mark => toggle_mark(screen, shared.runs.len()),
        Action::Compare => shared.goto = Some(Goto::Compare),
        Action::Tab | Action::Back => screen.focus = Focus::Form,
        Action::OpenSuite => shared.goto = Some(Goto::Suite),
        Action::StartRun => start_run(screen, shared),
        _ => {}
    }
}

fn toggle_mark(screen: &mut SetupScreen, runs: usize) {
    let i = screen.run_cursor;
    if i >= runs {
        return;
    }
    if let Some(pos) = screen.marked.iter().position(|&m| m == i) {
        screen.marked.remove(pos);
    } else {
        screen.marked.push(i);
        if screen.marked.len() > 2 {
            screen.marked.remove(0);
        }
    }
}

/// Starts the form's run as a child (one run at a time) and shows it.
fn start_run(screen: &SetupScreen, shared: &mut Shared) {
    if let Some(live) = shared.live_run() {
        shared.status = format!("run {} is still going; press x to stop it", live + 1);
        return;
    }
    let form = &screen.form;
    if let Some(problem) = form.problem() {
        shared.status = problem;
        return;
    }
    let spec = match form.run_spec() {
        Ok(spec) => spec,
        Err(e) => {
            shared.status = e.to_string();
            return;
        }
    };
    launch(shared, RunRequest::events_only(spec));
}

/// Starts the run `request` asks for as a child and shows it.
pub fn launch(shared: &mut Shared, request: RunRequest) {
    let spec = &request.spec;
    let number = shared.runs.len() + 1;
    let name = spec.workload.name();
    let mut run = Run::new(number, name, spec.mode.as_str(), spec.workers, spec.gil);
    if let Some(program) = spec.workload.program() {
        run.label = format!("exec {}", program.command_line());
    }
    shared.status = format!("started run {number}: {}", run.label);
    let launch = RunLaunch::Request(Box::new(request));
    shared.runs.push(run);
    let index = shared.runs.len() - 1;
    shared.goto = Some(Goto::ShowRun(index));
    shared.effects.push(Effect::StartRun { run: index, launch });
}
