//! The terminal UI: plain state (`App`) changed by `Action`s through `update`, rendering as a
//! pure function of `&App`, and an event loop that runs workloads as child processes.
//!
//! This is the only module that uses ratatui and crossterm.

pub mod app;
mod app_run;
mod app_setup;
mod child;
pub mod compare;
pub mod export;
pub mod flame_focus;
pub mod flame_label;
pub mod flame_layout;
pub mod flame_rows;
pub mod flame_stats;
pub mod flame_view;
mod fmt;
mod key_help;
mod key_input;
mod keys;
pub mod lanes;
pub mod layout;
pub mod ledger;
pub mod open;
mod open_error;
pub mod profiles;
pub mod range;
pub mod render;
mod render_compare;
mod render_etl;
mod render_flame;
mod render_live;
mod render_pg;
mod render_prepare;
mod render_range;
mod render_sandwich;
mod render_setup;
mod render_suite;
pub mod replay;
pub mod runs;
pub mod sandwich_nav;
pub mod setup;
pub mod setup_fields;
mod setup_text;
pub mod suite;
pub mod suite_flow;
pub mod suite_overlay;
mod term;
pub mod theme;
pub mod timeline;

#[cfg(test)]
mod tests;

pub use app::{update, Action, App, Screen};
pub use render::render;
pub use runs::Run;
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

/// Opens recorded runs in viewer mode. `Err(Ok(msg))`-style split: a bad file is `BadInput`.
pub fn run_viewer(
    paths: &[std::path::PathBuf],
    options: &open::OpenOptions,
) -> Result<(), ViewerError> {
    let runs =
        open::load_files_with(paths, options).map_err(|e| ViewerError::BadInput(e.to_string()))?;
    let mut app = new_app();
    // One flamegraph build for the run shown, not one per file.
    app.runs.extend(runs);
    app.show_run(0);
    // A recording plays back from its start, as it was recorded.
    replay::play_from_start(&mut app);
    term::run_loop(app).map_err(ViewerError::Io)
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
