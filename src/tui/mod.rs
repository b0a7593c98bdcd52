//! The terminal UI, in layers that import only downwards:
//!
//! - the shell: `App` (every screen's state) and `update`, the key map (`keys`), drawing the
//!   whole UI (`render`), the event loop and terminal (`term`) and the runs' child processes;
//! - [`screens`]: one folder per screen with its state, its update and its render;
//! - [`widgets`]: the flamegraph view, chart and time axis, lanes and ledger, stage timeline,
//!   text input, status line and theme;
//! - [`state`]: the UI's plain data: actions, effects, the runs, what screens share.
//!
//! Rendering is a pure function of `&App`; update never calls it. This is the only module
//! that uses ratatui and crossterm; `tests/layers.rs` holds the layers.

pub mod app;
mod child;
pub mod keys;
pub mod render;
pub mod screens;
pub mod state;
mod term;
pub mod widgets;
mod wiring;

#[cfg(test)]
mod tests;

pub use app::{update, App};
pub use render::render;
pub use state::{Action, Run, Screen};
pub use term::restore_terminal;

/// True unless `NO_COLOR` is set to a non-empty value.
pub fn colors_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn new_app() -> App {
    let dir = std::env::current_dir().unwrap_or_else(|_| ".".into());
    App::new(crate::events::available_cores(), colors_enabled(), dir)
}

/// Opens the interactive UI on the setup screen.
pub fn run_interactive() -> std::io::Result<()> {
    term::run_loop(new_app())
}

/// Opens the UI on the run `request` asks for, started at once (`boundscope exec` at a
/// terminal).
pub fn run_started(request: crate::session::RunRequest) -> std::io::Result<()> {
    let mut app = new_app();
    screens::setup::update::launch(&mut app.shared, request);
    if let Some(goto) = app.shared.goto.take() {
        app.follow(goto);
    }
    term::run_loop(app)
}

/// Opens recorded runs in viewer mode. `Err(Ok(msg))`-style split: a bad file is `BadInput`.
pub fn run_viewer(
    paths: &[std::path::PathBuf],
    options: &screens::open::OpenOptions,
) -> Result<(), ViewerError> {
    let runs = screens::open::load_files_with(paths, options)
        .map_err(|e| ViewerError::BadInput(e.to_string()))?;
    term::run_loop(viewer_app(new_app(), runs)).map_err(ViewerError::Io)
}

/// `app` showing the first of `runs`, opened from files: a recording plays back from its
/// start, as it was recorded; a profile file (folded, pprof, …) simply shows.
fn viewer_app(mut app: App, runs: Vec<Run>) -> App {
    // A file's warning (a torn last line dropped) is taken now: playing back rebuilds the run.
    let warnings: Vec<String> = runs.iter().filter_map(|r| r.warning.clone()).collect();
    // One flamegraph build for the run shown, not one per file.
    app.shared.runs.extend(runs);
    app.show_run(0);
    if app.current_run().is_some_and(|r| r.recording.is_some()) {
        screens::run::replay::play_from_start(&mut app.run, &mut app.shared);
    }
    // The warnings go first on the status line, before the replay's keys.
    if !warnings.is_empty() {
        let status = std::mem::take(&mut app.shared.status);
        let all: Vec<&str> = warnings
            .iter()
            .map(String::as_str)
            .chain((!status.is_empty()).then_some(status.as_str()))
            .collect();
        app.shared.status = crate::sanitize::text(&all.join(" · ")).into_owned();
    }
    app
}

/// Why the viewer could not run.
#[derive(Debug, thiserror::Error)]
pub enum ViewerError {
    /// A file was missing or not understood (exit code 2).
    #[error("{0}")]
    BadInput(String),
    #[error("terminal error: {0}")]
    Io(std::io::Error),
}
