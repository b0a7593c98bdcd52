//! What a run's own PostgreSQL connections were doing, as the server saw them: samples of
//! `pg_stat_activity` (state and wait event of each connection) over the run, and their
//! shares. Answers the census write-up's question "are the connections mostly idle?".

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Wait events listed in the report.
pub const TOP_WAITS: usize = 5;

/// The run's connections at one moment, counted by state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PgSample {
    /// Seconds since the run began.
    pub t_s: f64,
    pub active: u32,
    pub idle: u32,
    pub idle_in_transaction: u32,
    /// Any other state (fastpath, disabled, aborted transaction).
    pub other: u32,
    /// `wait_event_type:wait_event` of each connection that waited, counted.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub waits: BTreeMap<String, u32>,
}

impl PgSample {
    pub fn connections(&self) -> u32 {
        self.active + self.idle + self.idle_in_transaction + self.other
    }

    /// Counts one connection in `state` (as `pg_stat_activity.state` spells it).
    pub fn count(&mut self, state: &str, wait: Option<String>) {
        match state {
            "active" => self.active += 1,
            "idle" => self.idle += 1,
            "idle in transaction" => self.idle_in_transaction += 1,
            _ => self.other += 1,
        }
        if let Some(wait) = wait {
            *self.waits.entry(wait).or_default() += 1;
        }
    }
}

/// Share of connection-samples in each state (they add up to 1 when `samples` > 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StateShares {
    pub active: f64,
    pub idle: f64,
    pub idle_in_transaction: f64,
    pub other: f64,
}

/// A wait event and its share of connection-samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitShare {
    pub event: String,
    pub share: f64,
}

/// The report's `pg_activity` section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PgActivity {
    /// The `application_name` the run's connections carried (what the samples filter on).
    pub application_name: String,
    pub interval_ms: u64,
    /// Samples that saw at least one of the run's connections.
    pub samples: usize,
    pub max_connections: u32,
    pub shares: StateShares,
    pub top_waits: Vec<WaitShare>,
    /// Every sample, in time order.
    pub series: Vec<PgSample>,
}

impl PgActivity {
    /// Shares over `series` (samples without any connection do not count).
    pub fn from_series(application_name: &str, interval_ms: u64, series: Vec<PgSample>) -> Self {
        let seen: Vec<&PgSample> = series.iter().filter(|s| s.connections() > 0).collect();
        let total: f64 = seen.iter().map(|s| f64::from(s.connections())).sum();
        let share = |f: fn(&PgSample) -> u32| match total > 0.0 {
            true => seen.iter().map(|s| f64::from(f(s))).sum::<f64>() / total,
            false => 0.0,
        };
        let mut waits: BTreeMap<&str, u32> = BTreeMap::new();
        for (event, n) in seen.iter().flat_map(|s| &s.waits) {
            *waits.entry(event).or_default() += n;
        }
        let mut top_waits: Vec<WaitShare> = waits
            .into_iter()
            .map(|(event, n)| WaitShare {
                event: event.to_string(),
                share: f64::from(n) / total.max(1.0),
            })
            .collect();
        top_waits.sort_by(|a, b| b.share.total_cmp(&a.share));
        top_waits.truncate(TOP_WAITS);
        PgActivity {
            application_name: application_name.to_string(),
            interval_ms,
            samples: seen.len(),
            max_connections: seen.iter().map(|s| s.connections()).max().unwrap_or(0),
            shares: StateShares {
                active: share(|s| s.active),
                idle: share(|s| s.idle),
                idle_in_transaction: share(|s| s.idle_in_transaction),
                other: share(|s| s.other),
            },
            top_waits,
            series,
        }
    }

    /// One line: "12% active, 80% idle, 8% idle in transaction (n samples)" and the top
    /// wait event.
    pub fn line(&self) -> String {
        let pct = |x: f64| format!("{:.0}%", x * 100.0);
        let mut s = format!(
            "{} active, {} idle, {} idle in transaction",
            pct(self.shares.active),
            pct(self.shares.idle),
            pct(self.shares.idle_in_transaction)
        );
        if self.shares.other > 0.005 {
            s += &format!(", {} other", pct(self.shares.other));
        }
        s += &format!(
            " ({} samples, up to {} connections)",
            self.samples, self.max_connections
        );
        if let Some(top) = self.top_waits.first() {
            s += &format!("; top wait {} {}", top.event, pct(top.share));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(active: u32, idle: u32, in_tx: u32) -> PgSample {
        let mut s = PgSample::default();
        (0..active).for_each(|_| s.count("active", Some("IO:DataFileRead".into())));
        (0..idle).for_each(|_| s.count("idle", Some("Client:ClientRead".into())));
        (0..in_tx).for_each(|_| s.count("idle in transaction", None));
        s
    }

    #[test]
    fn shares_count_connection_samples_and_add_up_to_one() {
        let series = vec![sample(1, 3, 0), sample(0, 0, 0), sample(2, 1, 1)];
        let a = PgActivity::from_series("bs", 200, series);
        assert_eq!(a.samples, 2, "the empty sample does not count");
        assert_eq!(a.max_connections, 4);
        assert!((a.shares.active - 3.0 / 8.0).abs() < 1e-9);
        assert!((a.shares.idle - 4.0 / 8.0).abs() < 1e-9);
        let sum = a.shares.active + a.shares.idle + a.shares.idle_in_transaction + a.shares.other;
        assert!((sum - 1.0).abs() < 1e-9);
        assert_eq!(a.top_waits[0].event, "Client:ClientRead");
        let line = a.line();
        assert!(line.contains("% active, 50% idle, 1"), "{line}");
        assert!(line.contains("(2 samples, up to 4 connections)"), "{line}");
    }
}
