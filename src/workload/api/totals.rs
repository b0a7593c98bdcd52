//! Run-wide request counters of `api-fetch`, reported under `describe()["totals"]`.

use super::client::Failure;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Run-wide request counters (shown in the report's workload section).
#[derive(Debug, Default)]
pub struct Totals {
    requests: AtomicU64,
    retries: AtomicU64,
    cache_hits: AtomicU64,
    failed: AtomicU64,
    rate_limited: AtomicU64,
    server_errors: AtomicU64,
    timeouts: AtomicU64,
}

/// A reading of `Totals`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TotalsSnapshot {
    /// HTTP requests sent (attempts, including retries).
    pub requests: u64,
    pub retries: u64,
    pub cache_hits: u64,
    /// Requests that still failed after their retries.
    pub failed: u64,
    /// Answers 429 received.
    pub rate_limited: u64,
    /// Answers 5xx received.
    pub server_errors: u64,
    /// Attempts that got no answer in time.
    pub timeouts: u64,
}

impl Totals {
    pub fn snapshot(&self) -> TotalsSnapshot {
        TotalsSnapshot {
            requests: self.requests.load(Relaxed),
            retries: self.retries.load(Relaxed),
            cache_hits: self.cache_hits.load(Relaxed),
            failed: self.failed.load(Relaxed),
            rate_limited: self.rate_limited.load(Relaxed),
            server_errors: self.server_errors.load(Relaxed),
            timeouts: self.timeouts.load(Relaxed),
        }
    }

    pub fn request(&self) {
        self.requests.fetch_add(1, Relaxed);
    }

    pub fn retry(&self) {
        self.retries.fetch_add(1, Relaxed);
    }

    pub fn failure(&self) {
        self.failed.fetch_add(1, Relaxed);
    }

    pub fn cache_hit(&self) {
        self.cache_hits.fetch_add(1, Relaxed);
    }

    /// Counts a failed attempt by kind.
    pub fn count(&self, failure: &Failure) {
        let counter = match failure {
            Failure::Status { code: 429, .. } => &self.rate_limited,
            Failure::Status { code, .. } if *code >= 500 => &self.server_errors,
            Failure::Timeout(_) => &self.timeouts,
            _ => return,
        };
        counter.fetch_add(1, Relaxed);
    }
}
