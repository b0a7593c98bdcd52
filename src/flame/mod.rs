//! Flame graph logic: folded stack sets, a navigable frame tree with its transforms, and SVG export.
//!
//! This module is pure logic: it knows nothing about the terminal UI or the profiler. Samples arrive
//! as [`FoldedStacks`] (`thread;caller;...;leaf` → count), are explored as a [`FrameTree`] and can be
//! written out as an SVG flame graph through inferno with [`write_svg`], or as pprof and
//! speedscope files; `perf script` text is read through inferno's collapser. Two profiles of different
//! concurrency modes are compared with their worker roots merged ([`merge_worker_roots`]),
//! normalized ([`ProfileSum`]) and written as differential folded text or SVG.

pub mod code;
mod diff;
mod engine;
mod folded;
pub mod limits;
mod perf;
pub mod phase_tag;
mod pprof;
mod pprof_proto;
mod sandwich;
pub mod speedscope;
mod svg;
mod tree;
mod tree_ops;
pub mod wall;

pub use diff::{
    diff_folded_text, merge_worker_roots, parse_diff_folded, Normalize, ProfileSum, Weight,
    WORKERS_ROOT,
};
pub use engine::{EngineFold, Engines};
pub use folded::{FoldedLineError, FoldedStacks, NO_STACK};
pub use perf::{looks_like_perf, read_perf, PerfProfile};
pub use pprof::{
    decode_pprof, decode_pprof_index, decode_pprof_index_limited, decode_pprof_limited,
    encode_pprof, encode_pprof_profile, pprof_summary, PprofInput, PprofSummary, NO_PHASE_LABEL,
    PHASE_LABEL, THREAD_LABEL, WAIT_LABEL,
};
pub use sandwich::Sandwich;
pub use svg::{write_diff_svg, write_diff_svg_file, write_svg, write_svg_file, SvgOptions};
pub use tree::{FrameNode, FrameTree, LiveTree, NodeId, ROOT_NAME};
pub use tree_ops::{DiffEntry, DiffTree};

/// Everything that can go wrong while reading, transforming or exporting flame graph data.
#[derive(Debug, thiserror::Error)]
pub enum FlameError {
    /// A line of folded-stack text could not be understood.
    #[error("folded stacks, line {line}: {reason}")]
    Parse {
        /// 1-based line number in the input text.
        line: usize,
        /// What was wrong with the line.
        #[source]
        reason: FoldedLineError,
    },
    /// A node id did not belong to the tree it was used with.
    #[error("no frame with id {0} in this flame graph")]
    NoSuchNode(NodeId),
    /// inferno refused to render the stacks.
    #[error("could not render the flame graph: {0}")]
    Render(String),
    /// A speedscope file could not be read or written.
    #[error("speedscope: {0}")]
    Speedscope(String),
    /// `perf script` text could not be collapsed.
    #[error("perf script: {0}")]
    Perf(String),
    /// An input went past a limit of [`limits::InputLimits`] (the message names it).
    #[error("{0}")]
    Limit(String),
    /// Writing the SVG failed.
    #[error("could not write the flame graph: {0}")]
    Io(#[from] std::io::Error),
    /// The output file could not be written, or may not be (see `outfile`).
    #[error(transparent)]
    Output(#[from] crate::outfile::OutfileError),
}
