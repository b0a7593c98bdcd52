//! The UI's plain data, below every screen and widget: its vocabulary (actions, effects,
//! screens), the runs as the UI knows them with their profiles and lanes, and what every
//! screen shares (the run list, the status line, the terminal's size).

pub mod action;
pub mod lanes;
pub mod profiles;
pub mod recording;
pub mod replay;
pub mod runs;
pub mod shared;
mod window;

pub use action::{Action, Effect, Goto, RunLaunch, Screen};
pub use runs::{Run, RunStatus};
pub use shared::Shared;
