//! A run asked of a child process of this binary (`boundscope __run`): the typed spec and the
//! files to write, read as one JSON line on the child's standard input, its events streamed
//! on its stdout as `run --events - --quiet` does.

use super::{RunSpec, SessionError};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What a `__run` child runs and writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRequest {
    pub spec: RunSpec,
    #[serde(default)]
    pub exports: RunExports,
}

/// The files a run writes besides its event stream (the CLI's export flags).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunExports {
    pub svg: Option<PathBuf>,
    pub folded: Option<PathBuf>,
    /// `--svg` and `--folded` hold the wall-clock profile instead of the CPU samples.
    #[serde(default)]
    pub wall_view: bool,
    pub pprof: Option<PathBuf>,
    pub speedscope: Option<PathBuf>,
    pub report: Option<PathBuf>,
}

impl RunRequest {
    /// `spec`, writing nothing but its events.
    pub fn events_only(spec: RunSpec) -> RunRequest {
        RunRequest {
            spec,
            exports: RunExports::default(),
        }
    }

    /// The request a `__run` child reads first thing: one JSON line on standard input.
    pub fn read_stdin() -> Result<RunRequest, SessionError> {
        read_json_line("run request")
    }

    /// The request as the child reads it (its spec holds a password if the run has one).
    fn wire(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self).ok()
    }
}

/// Two requests are equal when a child would read the same line: the spec's option types
/// are compared in their wire form, which is what the child gets.
impl PartialEq for RunRequest {
    fn eq(&self, other: &RunRequest) -> bool {
        match (self.wire(), other.wire()) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for RunRequest {}

/// One JSON line from standard input: what a child of this binary reads before anything else.
pub(super) fn read_json_line<T: serde::de::DeserializeOwned>(
    what: &str,
) -> Result<T, SessionError> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| SessionError::Input(format!("cannot read the {what}: {e}")))?;
    serde_json::from_str(&line).map_err(|e| SessionError::Input(format!("bad {what}: {e}")))
}
