//! Request counters since start-up, served at `GET /stats`.

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

/// Live counters, shared by every connection task.
#[derive(Debug, Default)]
pub struct Stats {
    requests: AtomicU64,
    ok: AtomicU64,
    not_found: AtomicU64,
    too_many: AtomicU64,
    server_error: AtomicU64,
    other: AtomicU64,
    timeouts: AtomicU64,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
    queued: AtomicU64,
    max_queued: AtomicU64,
    connections: AtomicU64,
}

/// Answers counted by status class.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    #[serde(rename = "200")]
    pub ok: u64,
    #[serde(rename = "404")]
    pub not_found: u64,
    #[serde(rename = "429")]
    pub too_many_requests: u64,
    #[serde(rename = "5xx")]
    pub server_error: u64,
    pub other: u64,
}

/// The body of `GET /stats` (requests to `/stats` itself are not counted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsSnapshot {
    /// Requests received (including ones that were then refused or held).
    pub requests: u64,
    pub by_status: StatusCounts,
    /// Requests deliberately never answered (`timeout_rate`).
    pub timeouts_injected: u64,
    /// Most requests inside handlers at once (after the concurrency queue).
    pub max_concurrent: u64,
    /// Most requests waiting in the concurrency queue at once.
    pub max_queued: u64,
    /// Requests inside handlers right now.
    pub in_flight: u64,
    /// TCP connections accepted.
    pub connections_accepted: u64,
}

/// Counts one request as being inside a handler until dropped (also when cancelled).
pub struct InFlight(Arc<Stats>);

/// Counts one request as waiting in the concurrency queue until dropped.
pub struct Queued(Arc<Stats>);

fn raise_max(max: &AtomicU64, now: u64) {
    max.fetch_max(now, Relaxed);
}

impl Stats {
    pub fn request(&self) {
        self.requests.fetch_add(1, Relaxed);
    }

    pub fn connection(&self) {
        self.connections.fetch_add(1, Relaxed);
    }

    pub fn timeout(&self) {
        self.timeouts.fetch_add(1, Relaxed);
    }

    pub fn status(&self, code: u16) {
        let counter = match code {
            200 => &self.ok,
            404 => &self.not_found,
            429 => &self.too_many,
            500..=599 => &self.server_error,
            _ => &self.other,
        };
        counter.fetch_add(1, Relaxed);
    }

    pub fn enter(self: &Arc<Self>) -> InFlight {
        let now = self.in_flight.fetch_add(1, Relaxed) + 1;
        raise_max(&self.max_in_flight, now);
        InFlight(self.clone())
    }

    pub fn queue(self: &Arc<Self>) -> Queued {
        let now = self.queued.fetch_add(1, Relaxed) + 1;
        raise_max(&self.max_queued, now);
        Queued(self.clone())
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            requests: self.requests.load(Relaxed),
            by_status: StatusCounts {
                ok: self.ok.load(Relaxed),
                not_found: self.not_found.load(Relaxed),
                too_many_requests: self.too_many.load(Relaxed),
                server_error: self.server_error.load(Relaxed),
                other: self.other.load(Relaxed),
            },
            timeouts_injected: self.timeouts.load(Relaxed),
            max_concurrent: self.max_in_flight.load(Relaxed),
            max_queued: self.max_queued.load(Relaxed),
            in_flight: self.in_flight.load(Relaxed),
            connections_accepted: self.connections.load(Relaxed),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Relaxed);
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.queued.fetch_sub(1, Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_track_the_maximum_and_release_on_drop() {
        let stats = Arc::new(Stats::default());
        let a = stats.enter();
        let b = stats.enter();
        drop(a);
        let _c = stats.enter();
        drop(b);
        let snap = stats.snapshot();
        assert_eq!(snap.max_concurrent, 2);
        assert_eq!(snap.in_flight, 1);
        stats.status(503);
        stats.status(429);
        assert_eq!(stats.snapshot().by_status.server_error, 1);
        assert_eq!(stats.snapshot().by_status.too_many_requests, 1);
    }
}
