//! The screens, one folder each with its state, its `update` and its render: setup (the form
//! and the run list), run (a run live, recorded or read from a file), compare (two runs
//! side by side), suite (a scenario or a sweep) and open (files read into runs). A screen
//! uses widgets and the UI's plain state, never the shell above it nor another screen: what
//! passes between screens goes through [`Shared`](super::state::Shared) and its `goto`.

pub mod compare;
pub mod open;
pub mod run;
pub mod setup;
pub mod suite;
