//! Widgets every screen may use: the flamegraph view (its state, layout, labels, focus,
//! sandwich and tables), the throughput chart and its time axis, the worker lanes and ledger,
//! the stage timeline, one line of typed text, the status line, numbers and colours. A
//! widget knows nothing of screens or the shell.

pub mod chart;
pub mod flame;
pub mod fmt;
pub mod lanes;
pub mod stages;
pub mod status;
pub mod text_input;
pub mod theme;
