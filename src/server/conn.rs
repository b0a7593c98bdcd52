//! The server's connections: accepted up to a cap, each served by hyper and closed when it
//! stays silent too long, so that idle sockets never keep new clients out.
//!
//! - A connection waiting for its next request is closed after `idle_timeout`; once a
//!   request's first bytes arrive, its headers must be complete within `header_timeout`.
//!   A request being handled has no limit here (a held request is a fault the client asked
//!   for; the client's own timeout ends it).
//! - At most `max_connections` are open at once. A client beyond that gets `503` at once
//!   and its connection is closed, rather than waiting in the kernel's queue behind idle
//!   sockets (or failing to be accepted at all when the process is out of descriptors).

use super::stats::Stats;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use parking_lot::Mutex;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// How long connections may stay silent, and how many may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnLimits {
    pub idle_timeout: Duration,
    pub header_timeout: Duration,
    pub max_connections: usize,
}

/// Default `idle_timeout`: a keep-alive client reuses its connection well within it.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default `header_timeout`: headers arrive in one packet or a few.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Default `max_connections`, unless the open-file limit is lower (see [`default_cap`]).
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

impl Default for ConnLimits {
    fn default() -> Self {
        ConnLimits {
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            max_connections: default_cap(),
        }
    }
}

/// [`DEFAULT_MAX_CONNECTIONS`], or half the open-file limit if that is lower: the other
/// half leaves room to accept (and refuse) more clients, and for the process's own files.
pub fn default_cap() -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given, which lives on this stack.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    let half = usize::try_from(limit.rlim_cur / 2).unwrap_or(usize::MAX);
    match ok {
        true => DEFAULT_MAX_CONNECTIONS.min(half).max(1),
        false => DEFAULT_MAX_CONNECTIONS,
    }
}

/// Accepts connections on `listener` and serves `router` on each, within `limits`.
pub(super) async fn accept_loop(
    listener: TcpListener,
    router: Router,
    stats: Arc<Stats>,
    limits: ConnLimits,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(_) => {
                // Out of descriptors, or the client left before it was accepted: try
                // again shortly rather than spin.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        stats.connection();
        let _ = stream.set_nodelay(true);
        match permits.clone().try_acquire_owned() {
            Ok(permit) => {
                tokio::spawn(serve_one(stream, peer, router.clone(), limits, permit));
            }
            Err(_) => {
                tokio::spawn(refuse(stream));
            }
        }
    }
}

/// Serves one connection until it closes or stays silent too long.
async fn serve_one(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: ConnLimits,
    _permit: OwnedSemaphorePermit,
) {
    let phase = Arc::new(Mutex::new(State {
        phase: Phase::Waiting(Instant::now()),
        reader: None,
    }));
    let io = TokioIo::new(Watched {
        inner: stream,
        state: phase.clone(),
        limits,
        alarm: Box::pin(tokio::time::sleep(limits.idle_timeout)),
    });
    let app = TowerToHyperService::new(router);
    let service = hyper::service::service_fn(move |mut request| {
        // Each connection's client address reaches the handlers, for the handshake fault.
        request.extensions_mut().insert(ConnectInfo(peer));
        phase.lock().phase = Phase::Busy;
        let response = hyper::service::Service::call(&app, request);
        let phase = phase.clone();
        async move {
            let response = response.await;
            phase.lock().wait_again();
            response
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        // The header timeout is `Watched`'s: hyper's would start while the connection
        // waits for a request, so it would also be the idle timeout.
        .header_read_timeout(None)
        .serve_connection(io, service)
        .await;
}

/// The answer to a client beyond the cap: `503`, then the connection is closed (after
/// reading what the client sent, briefly, so that closing does not reset the connection
/// before the client reads the answer).
async fn refuse(mut stream: TcpStream) {
    const BODY: &str = "too many connections; try again later\n";
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\
         retry-after: 1\r\nconnection: close\r\n\r\n{BODY}",
        BODY.len()
    );
    let answer = async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, io::Error>(())
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), answer).await;
}

/// Where a connection stands between requests.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Waiting for the first bytes of the next request, since then.
    Waiting(Instant),
    /// A request's first bytes arrived then; its headers have not all arrived.
    Head(Instant),
    /// A request is being handled.
    Busy,
}

/// A connection's phase, shared by its socket and its service.
struct State {
    phase: Phase,
    /// The read that was pending while a request was handled. hyper does not read again
    /// until it is woken, so it is woken when the request ends: the idle clock then runs.
    reader: Option<Waker>,
}

impl State {
    fn wait_again(&mut self) {
        self.phase = Phase::Waiting(Instant::now());
        if let Some(reader) = self.reader.take() {
            reader.wake();
        }
    }
}

/// A connection's socket, whose reads fail with `TimedOut` once it has been silent longer
/// than its phase allows (hyper then closes the connection).
struct Watched {
    inner: TcpStream,
    state: Arc<Mutex<State>>,
    limits: ConnLimits,
    alarm: Pin<Box<Sleep>>,
}

impl Watched {
    /// When a pending read times out (none while a request is handled: then `waker` is
    /// kept to be woken when it ends).
    fn deadline(&self, waker: &Waker) -> Option<Instant> {
        let mut state = self.state.lock();
        match state.phase {
            Phase::Waiting(since) => Some(since + self.limits.idle_timeout),
            Phase::Head(since) => Some(since + self.limits.header_timeout),
            Phase::Busy => {
                state.reader = Some(waker.clone());
                None
            }
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if polled.is_ready() {
            let mut state = self.state.lock();
            if matches!(state.phase, Phase::Waiting(_)) && buf.filled().len() > before {
                state.phase = Phase::Head(Instant::now());
            }
            return polled;
        }
        let Some(deadline) = self.deadline(cx.waker()) else {
            return Poll::Pending;
        };
        self.alarm.as_mut().reset(deadline);
        match self.alarm.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stayed silent too long",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
