//! Fault injection in front of every data route: rate limit, concurrency queue, latency,
//! jitter, held (never answered) requests and server errors.
//!
//! Only the per-item data routes are faulty. `/health`, `/stats` and the directory listings
//! `/tenants` and `/companies` are exempt, so readiness checks, tests and a client building
//! its work plan always get through; the faults hit the fetches that make up a run.
//! Decisions are drawn from `(seed, request number)`, so a sequential client meets the same
//! faults on every run; with concurrent clients the numbering follows arrival order.

use super::config::{JitterDist, ServerConfig};
use super::data::unit_f64;
use super::routes::{json_error, AppState};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use parking_lot::Mutex;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// How long a "timed out" request is held before the server gives up on it itself.
const HOLD_MAX: Duration = Duration::from_secs(300);
const STREAM_JITTER: u64 = 101;
const STREAM_JITTER2: u64 = 102;
const STREAM_TIMEOUT: u64 = 103;
const STREAM_ERROR: u64 = 104;
const STREAM_ERROR_KIND: u64 = 105;

/// A token bucket: `rate` tokens per second, holding at most `burst` (a tenth of a second's
/// worth, at least one), so that the limit shows up quickly.
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    pub fn new(rate: f64) -> TokenBucket {
        let burst = (rate / 10.0).ceil().max(1.0);
        TokenBucket {
            rate,
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    /// Takes one token, or says how long until one is available.
    pub fn take(&self) -> Result<(), Duration> {
        let mut state = self.state.lock();
        let now = Instant::now();
        let refill = now.duration_since(state.1).as_secs_f64() * self.rate;
        state.0 = (state.0 + refill).min(self.burst);
        state.1 = now;
        if state.0 >= 1.0 {
            state.0 -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - state.0) / self.rate))
        }
    }
}

/// Remembered client addresses beyond which the set starts over (a port reused much later
/// then pays the handshake again, as a new connection would).
const MAX_SEEN_PEERS: usize = 100_000;

/// The fault settings of one server, with their live state.
pub struct Faults {
    latency: Duration,
    handshake: Duration,
    /// Client addresses (one per connection) that already paid the handshake.
    seen: Mutex<HashSet<SocketAddr>>,
    jitter: Duration,
    dist: JitterDist,
    error_rate: f64,
    timeout_rate: f64,
    seed: u64,
    pub keepalive: bool,
    bucket: Option<TokenBucket>,
    limit: Option<Arc<Semaphore>>,
    counter: AtomicU64,
}

impl Faults {
    pub fn new(config: &ServerConfig) -> Faults {
        Faults {
            latency: config.latency,
            handshake: config.handshake,
            seen: Mutex::default(),
            jitter: config.jitter,
            dist: config.jitter_dist,
            error_rate: config.error_rate,
            timeout_rate: config.timeout_rate,
            seed: config.seed,
            keepalive: config.keepalive,
            bucket: config.rate_limit.map(TokenBucket::new),
            limit: config.concurrency.map(|n| Arc::new(Semaphore::new(n))),
            counter: AtomicU64::new(0),
        }
    }

    /// True the first time a connection (its client address) is seen, when a handshake
    /// delay is set.
    fn new_connection(&self, peer: Option<SocketAddr>) -> bool {
        let Some(peer) = peer.filter(|_| !self.handshake.is_zero()) else {
            return false;
        };
        let mut seen = self.seen.lock();
        if seen.len() >= MAX_SEEN_PEERS {
            seen.clear();
        }
        seen.insert(peer)
    }

    fn draw(&self, stream: u64, request: u64) -> f64 {
        unit_f64(self.seed, stream, request, 0)
    }

    /// Latency plus this request's jitter.
    pub fn delay(&self, request: u64) -> Duration {
        let j = self.jitter.as_secs_f64();
        let u = self.draw(STREAM_JITTER, request);
        let extra = match self.dist {
            JitterDist::Uniform => u * j,
            JitterDist::Normal => {
                let u2 = self.draw(STREAM_JITTER2, request);
                let z = (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                (z.abs() * j).min(4.0 * j)
            }
            JitterDist::Exponential => (-(1.0 - u).ln() * j).min(10.0 * j),
        };
        self.latency + Duration::from_secs_f64(extra.max(0.0))
    }
}

/// Middleware: counts every request (except `/stats`), applies faults to data routes and
/// marks responses `Connection: close` when keep-alive is off.
pub async fn apply(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    if state.faults.new_connection(peer) {
        super::timer::sleep_precisely(state.faults.handshake).await;
    }
    let counted = path != "/stats";
    if counted {
        state.stats.request();
    }
    let exempt = matches!(
        path.as_str(),
        "/stats" | "/health" | "/tenants" | "/companies"
    );
    let mut response = if !exempt {
        faulty(&state, req, next).await
    } else {
        next.run(req).await
    };
    if !state.faults.keepalive {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    if counted {
        state.stats.status(response.status().as_u16());
    }
    response
}

async fn faulty(state: &Arc<AppState>, req: Request, next: Next) -> Response {
    let faults = &state.faults;
    let n = faults.counter.fetch_add(1, Relaxed);
    if let Some(Err(wait)) = faults.bucket.as_ref().map(TokenBucket::take) {
        return too_many_requests(wait, faults.bucket.as_ref().map_or(0.0, |b| b.rate));
    }
    let permit = match &faults.limit {
        Some(sem) => {
            let _queued = state.stats.queue();
            sem.clone().acquire_owned().await.ok()
        }
        None => None,
    };
    let inside = state.stats.enter();
    let delay = faults.delay(n);
    if !delay.is_zero() {
        super::timer::sleep_precisely(delay).await;
    }
    if faults.draw(STREAM_TIMEOUT, n) < faults.timeout_rate {
        state.stats.timeout();
        // A held request is not being worked on: it frees its slot for others.
        drop((inside, permit));
        tokio::time::sleep(HOLD_MAX).await;
        return json_error(
            StatusCode::GATEWAY_TIMEOUT,
            "request held past the server's limit",
        );
    }
    if faults.draw(STREAM_ERROR, n) < faults.error_rate {
        return injected_error(faults.draw(STREAM_ERROR_KIND, n));
    }
    next.run(req).await
}

fn injected_error(kind: f64) -> Response {
    if kind < 0.5 {
        json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "injected fault: service unavailable",
        )
    } else {
        json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "injected fault: internal error",
        )
    }
}

/// 429 with `Retry-After` in whole seconds (at least 1, as HTTP requires), the precise
/// wait in `x-retry-after-ms` and the limit (requests per second) in `x-ratelimit-limit`.
fn too_many_requests(wait: Duration, rate: f64) -> Response {
    let mut response = json_error(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded");
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    let ms = (wait.as_secs_f64() * 1e3).ceil().max(1.0) as u64;
    let headers = response.headers_mut();
    headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    headers.insert("x-retry-after-ms", HeaderValue::from(ms));
    if let Ok(limit) = HeaderValue::from_str(&rate.to_string()) {
        headers.insert("x-ratelimit-limit", limit);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_a_burst_then_asks_to_wait() {
        let bucket = TokenBucket::new(20.0);
        assert!(bucket.take().is_ok(), "burst of 2");
        assert!(bucket.take().is_ok());
        let wait = bucket.take().expect_err("bucket empty");
        assert!(wait <= Duration::from_millis(51), "wait {wait:?}");
    }

    #[test]
    fn jitter_stays_within_its_distribution_bounds() {
        for dist in [
            JitterDist::Uniform,
            JitterDist::Normal,
            JitterDist::Exponential,
        ] {
            let config = ServerConfig {
                latency: Duration::from_millis(10),
                jitter: Duration::from_millis(5),
                jitter_dist: dist,
                ..ServerConfig::default()
            };
            let faults = Faults::new(&config);
            let delays: Vec<Duration> = (0..200).map(|n| faults.delay(n)).collect();
            assert!(delays.iter().all(|d| *d >= Duration::from_millis(10)));
            assert!(delays.iter().all(|d| *d <= Duration::from_millis(60)));
            assert!(
                delays.iter().any(|d| *d > Duration::from_millis(11)),
                "{dist:?}"
            );
            assert_eq!(
                faults.delay(7),
                Faults::new(&config).delay(7),
                "deterministic"
            );
        }
    }
}
