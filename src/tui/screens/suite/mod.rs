//! The suite screen: pick a built-in scenario, a scenario file or a sweep of the setup form's
//! run; its lines then run one after another as child runs, shown side by side.

pub mod flow;
pub mod lines;
pub mod overlay;
pub mod render;
