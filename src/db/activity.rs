//! Samples `pg_stat_activity` during a PostgreSQL run, on a connection of its own: every
//! ~200 ms, the state and wait event of each of the run's connections, which carry an
//! `application_name` unique to the run (see [`tag_url`]).

use super::pg_client::{BlockingClient, Target};
use super::postgres::error_text;
use super::DbError;
use crate::model::pg_activity::{PgActivity, PgSample};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Time between two samples.
pub const SAMPLE_INTERVAL: Duration = Duration::from_millis(100);

const QUERY: &str = "SELECT COALESCE(state, ''), wait_event_type, wait_event \
                     FROM pg_stat_activity WHERE application_name = $1 \
                     AND pid <> pg_backend_pid()";

/// A name for the connections of one run: unique among this machine's runs.
pub fn run_application_name() -> String {
    static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    format!(
        "boundscope-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Relaxed)
    )
}

/// `url` with `application_name` set (a later key in the URL overrides an earlier one, so
/// a name the user gave is replaced for this run).
pub fn tag_url(url: &str, application_name: &str) -> String {
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}application_name={application_name}")
}

/// A running sampler; `finish` stops it and returns what it saw.
pub struct ActivitySampler {
    application_name: String,
    stop: Arc<AtomicBool>,
    samples: Arc<Mutex<Vec<PgSample>>>,
    taken: usize,
    thread: Option<JoinHandle<()>>,
}

impl ActivitySampler {
    /// Connects to `url` (untagged: the sampler's own connection is not one of the run's)
    /// and starts sampling the connections named `application_name`; `t0` is the run's start.
    pub fn start(url: &str, application_name: &str, t0: Instant) -> Result<Self, DbError> {
        let mut target = Target::parse(url)?;
        target.config.application_name("boundscope-monitor");
        let client = BlockingClient::connect(&target)?;
        let stop = Arc::new(AtomicBool::new(false));
        let samples = Arc::new(Mutex::new(Vec::new()));
        let (name, flag, sink) = (application_name.to_string(), stop.clone(), samples.clone());
        let thread = std::thread::Builder::new()
            .name("bs-pg-activity".into())
            .spawn(move || {
                while !flag.load(Relaxed) {
                    let tick = Instant::now();
                    match sample(&client, &name, t0) {
                        Ok(s) => sink.lock().push(s),
                        Err(_) => break,
                    }
                    std::thread::sleep(SAMPLE_INTERVAL.saturating_sub(tick.elapsed()));
                }
            })
            .map_err(|e| DbError::Internal(format!("cannot start the activity sampler: {e}")))?;
        Ok(ActivitySampler {
            application_name: application_name.to_string(),
            stop,
            samples,
            taken: 0,
            thread: Some(thread),
        })
    }

    /// Samples taken since the previous call (for the live event stream).
    pub fn new_samples(&mut self) -> Vec<PgSample> {
        let samples = self.samples.lock();
        let fresh = samples[self.taken.min(samples.len())..].to_vec();
        self.taken = samples.len();
        fresh
    }

    /// Stops sampling and summarizes every sample.
    pub fn finish(mut self) -> PgActivity {
        self.halt();
        let series = std::mem::take(&mut *self.samples.lock());
        PgActivity::from_series(
            &self.application_name,
            SAMPLE_INTERVAL.as_millis() as u64,
            series,
        )
    }

    fn halt(&mut self) {
        self.stop.store(true, Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ActivitySampler {
    fn drop(&mut self) {
        self.halt();
    }
}

/// One look at the run's connections. Wait events count for active connections only: an
/// idle connection always "waits" for its client (`Client:ClientRead`), which says nothing
/// the state does not.
fn sample(client: &BlockingClient, name: &str, t0: Instant) -> Result<PgSample, DbError> {
    let params: [&(dyn postgres::types::ToSql + Sync); 1] = [&name];
    let rows = client
        .call(|c| c.query(QUERY, &params))?
        .map_err(|e| DbError::query(QUERY, error_text(&e)))?;
    let mut s = PgSample {
        t_s: t0.elapsed().as_secs_f64(),
        ..PgSample::default()
    };
    for row in rows {
        let state: String = row.get(0);
        let kind: Option<String> = row.get(1);
        let event: Option<String> = row.get(2);
        let wait = match (state.as_str(), kind, event) {
            ("active", Some(kind), Some(event)) => Some(format!("{kind}:{event}")),
            _ => None,
        };
        s.count(&state, wait);
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_run_name_is_added_to_the_url() {
        assert_eq!(
            tag_url("postgres://u@h/db", "bs-1"),
            "postgres://u@h/db?application_name=bs-1"
        );
        assert_eq!(
            tag_url("postgres://u@h/db?sslmode=disable", "bs-1"),
            "postgres://u@h/db?sslmode=disable&application_name=bs-1"
        );
        assert_ne!(run_application_name(), run_application_name());
    }
}
