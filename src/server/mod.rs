//! The built-in HTTP API server (axum on tokio): a deterministic JSON API with injectable
//! latency, jitter, errors, held requests, a concurrency queue and a rate limit.
//!
//! Endpoints: `/health`, `/tenants`, `/tenants/{id}/connections`, `/companies`,
//! `/companies/{symbol}`, `/prices?symbols=A,B`, `/financials/{symbol}`, `/stats`.
//! It listens on loopback only unless `allow_remote` is set.

pub mod config;
pub mod conn;
pub mod data;
mod faults;
pub mod routes;
pub mod stats;
mod timer;

pub use config::{parse_duration, parse_rate, JitterDist, ServerConfig, ValueError};
pub use conn::ConnLimits;
pub use routes::{content_digest, DIGEST_HEADER};
pub use stats::StatsSnapshot;

use axum::Router;
use routes::AppState;
use stats::Stats;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::oneshot;

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("refusing to listen on {0}: it is not a loopback address; pass --allow-remote to serve other machines")]
    Remote(SocketAddr),
    #[error("{0}")]
    Config(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the server's runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("the server stopped with an error: {0}")]
    Serve(#[source] std::io::Error),
}

impl ServerError {
    /// Whether the settings were wrong (the user can fix them) rather than the server
    /// failing to listen or serve.
    pub fn is_usage(&self) -> bool {
        matches!(self, ServerError::Remote(_) | ServerError::Config(_))
    }
}

/// A server running on its own threads; stops on `shutdown()` or when dropped.
pub struct ServerHandle {
    pub addr: SocketAddr,
    stats: Arc<Stats>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// `http://ADDR`, ready to have paths appended.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The same counters `GET /stats` serves, read directly.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }

    /// Stops the server, dropping open connections and held requests, and waits for it.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A bound socket and the app that will serve it.
struct Prepared {
    listener: std::net::TcpListener,
    addr: SocketAddr,
    router: Router,
    stats: Arc<Stats>,
}

fn prepare(config: &ServerConfig) -> Result<Prepared, ServerError> {
    config.validate()?;
    let bind_error = |source| ServerError::Bind {
        addr: config.addr,
        source,
    };
    let listener = std::net::TcpListener::bind(config.addr).map_err(bind_error)?;
    listener.set_nonblocking(true).map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let stats = Arc::new(Stats::default());
    let state = Arc::new(AppState {
        data: data::Dataset::new(config.tenants, config.symbols),
        stats: stats.clone(),
        faults: faults::Faults::new(config),
    });
    Ok(Prepared {
        listener,
        addr,
        router: routes::router(state),
        stats,
    })
}

fn runtime(threads: usize) -> Result<tokio::runtime::Runtime, ServerError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("bs-api-srv")
        .enable_all()
        .build()
        .map_err(ServerError::Runtime)
}

/// Serves until `stop` completes (returning what it says); open connections are dropped
/// with the runtime.
async fn serve_until<T>(
    prepared: Prepared,
    limits: ConnLimits,
    stop: impl Future<Output = T> + Send,
) -> Result<T, ServerError> {
    let listener =
        tokio::net::TcpListener::from_std(prepared.listener).map_err(ServerError::Serve)?;
    let serving = conn::accept_loop(listener, prepared.router, prepared.stats, limits);
    tokio::select! {
        () = serving => Err(ServerError::Serve(std::io::Error::other("stopped accepting"))),
        stopped = stop => Ok(stopped),
    }
}

/// Starts a server on its own runtime threads and returns once it is listening.
pub fn start_in_background(config: ServerConfig) -> Result<ServerHandle, ServerError> {
    let prepared = prepare(&config)?;
    let addr = prepared.addr;
    let stats = prepared.stats.clone();
    let rt = runtime(2)?;
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("bs-api-main".into())
        .spawn(move || {
            let stop = async {
                let _ = stop_rx.await;
            };
            let _ = rt.block_on(serve_until(prepared, ConnLimits::default(), stop));
            rt.shutdown_timeout(Duration::from_millis(200));
        })
        .map_err(ServerError::Runtime)?;
    Ok(ServerHandle {
        addr,
        stats,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

/// Why a server serving in the calling thread stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// SIGINT (Ctrl-C).
    Interrupted,
    /// SIGTERM.
    Terminated,
    /// Standard input closed (`stop_on_stdin_eof`: the parent is gone).
    InputClosed,
}

/// Serves in the calling thread until SIGINT or SIGTERM arrives — or, when
/// `config.stop_on_stdin_eof` is set, until standard input closes (so a child server dies
/// with its parent). `on_ready` gets the bound address once the socket is listening.
pub fn serve_blocking(
    config: ServerConfig,
    limits: ConnLimits,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<Stopped, ServerError> {
    let prepared = prepare(&config)?;
    let rt = runtime(2)?;
    // Listening for the signals starts before the server says it is ready: a signal sent
    // as soon as it is would otherwise be missed.
    let signals = {
        let _entered = rt.enter();
        Signals::listen().map_err(ServerError::Runtime)?
    };
    on_ready(prepared.addr);
    let stop = signals.stopped(config.stop_on_stdin_eof);
    let result = rt.block_on(serve_until(prepared, limits, stop));
    rt.shutdown_timeout(Duration::from_millis(200));
    result
}

/// The signals that stop a server serving in the calling thread.
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    /// Starts listening (inside a runtime).
    fn listen() -> std::io::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn stopped(mut self, watch_stdin: bool) -> Stopped {
        let stdin = async {
            if watch_stdin {
                stdin_closed().await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            _ = self.interrupt.recv() => Stopped::Interrupted,
            _ = self.terminate.recv() => Stopped::Terminated,
            () = stdin => Stopped::InputClosed,
        }
    }
}

/// Completes when standard input reaches end-of-file (read on a plain thread).
async fn stdin_closed() {
    let (tx, rx) = oneshot::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("bs-api-stdin".into())
        .spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
            let _ = tx.send(());
        });
    match spawned {
        Ok(_) => {
            let _ = rx.await;
        }
        Err(_) => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests;
