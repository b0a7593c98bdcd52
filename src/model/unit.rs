//! Units of work and what each produced: outcome, rejected records, failure, and the run's
//! checksum over them.

use serde::{Deserialize, Serialize};

/// One input record that was not stored, with where it came from and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// File (or other source) the record came from.
    pub source: String,
    /// 1-based line number inside `source`.
    pub line: u64,
    /// Why the record was rejected, in words a user understands.
    pub reason: String,
}

/// What one unit of work produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitOutcome {
    /// Records processed successfully.
    pub items: u64,
    /// Input bytes consumed.
    pub bytes: u64,
    /// Records rejected, each with its line and reason.
    pub rejected: Vec<Rejection>,
    /// Deterministic digest of this unit's *result* (not of timing or order of execution).
    pub digest: u64,
}

/// The result of one unit, successful or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitRecord {
    pub unit: usize,
    pub label: String,
    pub outcome: Result<UnitOutcome, UnitFailure>,
    /// The worker (lane) that ran it, and when, in seconds since the run began.
    #[serde(default)]
    pub worker: String,
    #[serde(default)]
    pub start_s: f64,
    #[serde(default)]
    pub end_s: f64,
}

/// Why a unit failed, as its record keeps it: `LABEL: MESSAGE`. Only the message is kept, as
/// records cross process boundaries (a `processes` child sends them as JSON, where this is a
/// plain string); the run goes on with the other units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(transparent)]
#[error("{0}")]
pub struct UnitFailure(pub String);

/// Combines per-unit digests, in unit order, into the run's checksum (hex).
pub fn combine_digests(digests: impl IntoIterator<Item = (usize, u64)>) -> String {
    let mut sorted: Vec<(usize, u64)> = digests.into_iter().collect();
    sorted.sort_unstable();
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for (unit, digest) in sorted {
        hasher.update(&(unit as u64).to_le_bytes());
        hasher.update(&digest.to_le_bytes());
    }
    format!("{:016x}", hasher.digest())
}
