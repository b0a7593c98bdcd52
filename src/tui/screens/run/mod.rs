//! The run screen: one run, live, played back or read from a file — its figures, chart,
//! worker lanes, flamegraph (and top table, call tree, sandwich), a time range, a worker's
//! ledger, an etl-pipeline run's stages: its state, its `update` and its render.

pub mod export;
pub mod layout;
mod phase_entry;
pub mod range;
pub mod render;
pub mod render_prepare;
pub mod render_range;
pub mod replay;
pub mod state;
pub mod update;

pub use state::RunScreen;
