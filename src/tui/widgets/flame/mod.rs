//! The flamegraph widget: the view's state (tree, zoom, collapses, search, selection), its
//! layout as boxes, labels, the sandwich of a function, the top table and the call tree, and
//! drawing them.

pub mod focus;
pub mod fold;
pub mod label;
pub mod layout;
pub mod paint;
pub mod parts;
pub mod render;
pub mod render_sandwich;
pub mod rows;
pub mod sandwich;
pub mod stats;
pub mod view;
