//! Why `open` cannot read a file: the file's name, then the reason, with its source kept.

use crate::events::EventError;
use crate::flame::limits::LimitExceeded;
use crate::flame::FlameError;

/// The formats `open` knows, for the message about a file that is none of them.
pub const TRIED: &str = "tried: boundscope event stream, folded stacks, pprof protobuf (gzipped or raw), speedscope JSON, perf script";

/// The longest time a recording may hold (about 116 days): far beyond any run, small enough
/// that charts over it stay finite.
pub const MAX_RECORDED_S: f64 = 1e7;

/// Why a file cannot be opened: one line naming the file, then why.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {source}")]
pub struct OpenError {
    /// The file's path as shown, or `stdin`.
    pub name: String,
    #[source]
    pub source: InputError,
}

/// Why an input is none of the formats `open` reads, or cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read it: {0}")]
    Read(#[source] std::io::Error),
    /// The input went past a limit of `InputLimits` (the message names it).
    #[error("{message}")]
    Limit {
        message: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the file is empty")]
    Empty,
    /// A known format that failed to decode (or went past a limit while decoding).
    #[error("{0}")]
    Decode(#[source] FlameError),
    #[error("no format fits ({TRIED}); as folded stacks: {0}")]
    NotFolded(#[source] FlameError),
    #[error("no format fits ({TRIED}): {0}")]
    NotPprof(#[source] FlameError),
    #[error("line {line}: {source} (an event stream? {TRIED})")]
    NotEvents {
        line: usize,
        #[source]
        source: EventError,
    },
    #[error("line {line}: {source}; the recording is damaged")]
    Damaged {
        line: usize,
        #[source]
        source: TimeError,
    },
}

impl InputError {
    pub(super) fn read(e: std::io::Error) -> InputError {
        match LimitExceeded::message(&e) {
            Some(message) => InputError::Limit { message, source: e },
            None => InputError::Read(e),
        }
    }
}

/// A recorded time that cannot be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TimeError {
    #[error("{what} is {} s; times must be 0 to {MAX_RECORDED_S:e} s", seconds_text(*.value))]
    OutOfRange { what: String, value: f64 },
    #[error("a tick's elapsed_s goes back from {from} s to {to} s")]
    GoesBack { from: f64, to: f64 },
}

/// Exponent notation for huge values: 1e308 printed in full is 309 digits.
fn seconds_text(value: f64) -> String {
    if value.abs() >= MAX_RECORDED_S {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}
