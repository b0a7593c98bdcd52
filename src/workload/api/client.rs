//! What the HTTP clients of `api-fetch` share, whatever their transport: settings, failure
//! classification, validation of an answer, the retry policy (exponential backoff with
//! jitter, `Retry-After` honoured run-wide), the optional cache and the run-wide counters.
//!
//! The transports only send one attempt and read its answer: `blocking.rs` (ureq, one agent
//! per worker thread) and `async_http.rs` (hyper, one pooled client for all tasks).

pub use super::totals::{Totals, TotalsSnapshot};
use crate::server::{content_digest, DIGEST_HEADER};
use http::HeaderMap;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest wait a server's `Retry-After` may impose.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);
const BACKOFF_BASE: Duration = Duration::from_millis(50);
const BACKOFF_CAP: Duration = Duration::from_secs(2);
/// Largest response body accepted.
pub(super) const BODY_LIMIT: u64 = 256 << 20;

/// Why one attempt failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Failure {
    #[error("HTTP {code}: {detail}")]
    Status {
        code: u16,
        retry_after: Option<Duration>,
        /// Time between two allowed requests (from `x-ratelimit-limit`), on 429.
        interval: Option<Duration>,
        detail: String,
    },
    #[error("no answer in time ({0})")]
    Timeout(String),
    #[error("connection failed ({0})")]
    Connect(String),
    #[error("the body does not match its {DIGEST_HEADER} (header {header}, body {body})")]
    Digest { header: String, body: String },
    #[error("{0}")]
    Other(String),
}

impl Failure {
    pub(super) fn retryable(&self) -> bool {
        match self {
            Failure::Status { code, .. } => *code == 429 || *code >= 500,
            Failure::Timeout(_) | Failure::Connect(_) => true,
            Failure::Digest { .. } | Failure::Other(_) => false,
        }
    }
}

/// What a retry loop does after an attempt (see `Client::settle`).
pub(super) enum Next {
    Done(Vec<u8>),
    Retry(Duration),
    GiveUp(FetchError),
}

/// A request that failed for good, after its retries.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("GET {url} failed after {attempts} attempt(s): {last}")]
pub struct FetchError {
    pub url: String,
    pub attempts: u32,
    pub last: Failure,
}

/// How the client behaves.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    pub base_url: String,
    pub timeout: Duration,
    pub retries: u32,
    pub reuse_connections: bool,
    pub cache: bool,
}

/// Shared by all workers (and tasks) of a run.
pub struct Client {
    pub(super) settings: ClientSettings,
    cache: Mutex<HashMap<String, Arc<Vec<u8>>>>,
    pub totals: Totals,
    draws: AtomicU64,
    /// When the last retry after a 429 was scheduled.
    last_slot: Mutex<Option<(Instant, Duration)>>,
}

impl Client {
    pub fn new(settings: ClientSettings) -> Client {
        Client {
            settings,
            cache: Mutex::default(),
            totals: Totals::default(),
            draws: AtomicU64::new(0),
            last_slot: Mutex::new(None),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.settings.base_url
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.base_url)
    }

    /// The cached answer to `url`, when the cache is on and has one (counted as a hit).
    pub(super) fn cached(&self, url: &str) -> Option<Arc<Vec<u8>>> {
        if !self.settings.cache {
            return None;
        }
        let hit = self.cache.lock().get(url).cloned()?;
        self.totals.cache_hit();
        Some(hit)
    }

    /// Shares a fetched body, keeping it for later units when the cache is on.
    pub(super) fn remember(&self, url: String, body: Vec<u8>) -> Arc<Vec<u8>> {
        let body = Arc::new(body);
        if self.settings.cache {
            self.cache.lock().insert(url, body.clone());
        }
        body
    }

    /// Books one finished attempt (number `*attempt`, from 0) and says what comes next: the
    /// body, a pause before another attempt, or a failure for good. Both transports drive
    /// their retry loop with it, so counting, classification and backoff are the same.
    pub(super) fn settle(
        &self,
        url: &str,
        attempt: &mut u32,
        retries: u32,
        outcome: Result<Vec<u8>, Failure>,
    ) -> Next {
        self.totals.request();
        let failure = match outcome {
            Ok(body) => return Next::Done(body),
            Err(failure) => failure,
        };
        self.totals.count(&failure);
        if !failure.retryable() || *attempt >= retries {
            self.totals.failure();
            return Next::GiveUp(FetchError {
                url: url.to_string(),
                attempts: *attempt + 1,
                last: failure,
            });
        }
        *attempt += 1;
        self.totals.retry();
        Next::Retry(self.pause(&failure, *attempt))
    }

    /// The wait before the next attempt: the server's `Retry-After` (plus up to 10 %), or an
    /// exponential backoff with jitter (half fixed, half random).
    fn pause(&self, failure: &Failure, attempt: u32) -> Duration {
        let draw = self.draw();
        if let Failure::Status {
            retry_after: Some(after),
            interval,
            ..
        } = failure
        {
            let after = (*after).min(MAX_RETRY_AFTER);
            return self.reserve_slot(after, interval.unwrap_or(after).min(MAX_RETRY_AFTER), draw);
        }
        let exp = BACKOFF_BASE.saturating_mul(1 << (attempt - 1).min(16));
        let full = exp.min(BACKOFF_CAP);
        full / 2 + full.mul_f64(0.5 * draw)
    }

    /// Honours `Retry-After` for the whole run: each rate-limited worker queues behind the
    /// slot reserved last, one `spacing` (the server's request interval) apart, instead of
    /// all retrying at the same instant (which would earn most of them another 429).
    fn reserve_slot(&self, after: Duration, spacing: Duration, draw: f64) -> Duration {
        let now = Instant::now();
        let mut last = self.last_slot.lock();
        let earliest = now + after;
        let slot = match *last {
            Some((prev, _)) if prev + spacing > earliest => prev + spacing,
            _ => earliest,
        };
        *last = Some((slot, spacing));
        (slot - now).mul_f64(1.0 + 0.05 * draw)
    }

    /// While retries are queued after 429s, a fresh request queues behind them too, so it
    /// does not take the token a waiting retry was promised. `None`: go now.
    pub(super) fn pace(&self) -> Option<Duration> {
        let now = Instant::now();
        let mut last = self.last_slot.lock();
        let (prev, spacing) = (*last)?;
        if prev <= now {
            return None;
        }
        let slot = prev + spacing;
        *last = Some((slot, spacing));
        Some(slot - now)
    }

    /// A pseudo-random number in `[0, 1)` (jitter only; results never depend on it).
    fn draw(&self) -> f64 {
        let n = self.draws.fetch_add(1, Relaxed);
        let bits = xxhash_rust::xxh3::xxh3_64(&n.to_le_bytes()) >> 11;
        bits as f64 / (1u64 << 53) as f64
    }
}

/// Checks one answer, whichever transport read it: it must be 200 with a body matching its
/// digest header. A refusal carries what a retry needs (`Retry-After`, the server's rate).
pub(super) fn validate(code: u16, headers: &HeaderMap, body: Vec<u8>) -> Result<Vec<u8>, Failure> {
    let header = |name: &str| {
        let value = headers.get(name)?;
        value.to_str().ok().map(str::to_string)
    };
    if code != 200 {
        let retry_after = retry_after(header("x-retry-after-ms"), header("retry-after"));
        let interval = header("x-ratelimit-limit")
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|rate| rate.is_finite() && *rate > 0.0)
            .and_then(|rate| Duration::try_from_secs_f64(1.0 / rate).ok());
        let detail = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
        return Err(Failure::Status {
            code,
            retry_after,
            interval,
            detail,
        });
    }
    check_digest(header(DIGEST_HEADER), &body)?;
    Ok(body)
}

fn check_digest(header: Option<String>, body: &[u8]) -> Result<(), Failure> {
    let actual = content_digest(body);
    match header {
        Some(expected) if expected.eq_ignore_ascii_case(&actual) => Ok(()),
        Some(expected) => Err(Failure::Digest {
            header: expected,
            body: actual,
        }),
        None => Err(Failure::Other(format!(
            "the answer has no {DIGEST_HEADER} header to validate it"
        ))),
    }
}

/// `x-retry-after-ms` (precise) wins over `Retry-After` (whole seconds).
fn retry_after(ms: Option<String>, secs: Option<String>) -> Option<Duration> {
    if let Some(ms) = ms.and_then(|v| v.trim().parse::<u64>().ok()) {
        return Some(Duration::from_millis(ms));
    }
    let secs = secs?.trim().parse::<u64>().ok()?;
    Some(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_prefers_milliseconds() {
        let both = retry_after(Some("120".into()), Some("1".into()));
        assert_eq!(both, Some(Duration::from_millis(120)));
        assert_eq!(
            retry_after(None, Some("2".into())),
            Some(Duration::from_secs(2))
        );
        assert_eq!(retry_after(None, Some("soon".into())), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let client = Client::new(ClientSettings {
            base_url: "http://127.0.0.1:9".into(),
            timeout: Duration::from_secs(1),
            retries: 3,
            reuse_connections: true,
            cache: false,
        });
        let failure = Failure::Timeout("t".into());
        let first = client.pause(&failure, 1);
        assert!(first >= BACKOFF_BASE / 2 && first <= BACKOFF_BASE);
        assert!(client.pause(&failure, 30) <= BACKOFF_CAP);
        let limited = Failure::Status {
            code: 429,
            retry_after: Some(Duration::from_millis(100)),
            interval: None,
            detail: String::new(),
        };
        let pause = client.pause(&limited, 1);
        assert!(pause >= Duration::from_millis(100) && pause <= Duration::from_millis(106));
        let queued = client.pause(&limited, 1);
        assert!(
            queued >= Duration::from_millis(195),
            "second waiter queues behind: {queued:?}"
        );
    }

    #[test]
    fn only_transient_failures_are_retried() {
        let status = |code| Failure::Status {
            code,
            retry_after: None,
            interval: None,
            detail: String::new(),
        };
        assert!(status(503).retryable() && status(429).retryable());
        assert!(!status(404).retryable());
        assert!(!check_digest(Some("00".into()), b"{}")
            .unwrap_err()
            .retryable());
        assert!(check_digest(Some(content_digest(b"{}")), b"{}").is_ok());
        assert!(check_digest(None, b"{}").is_err());
    }
}
