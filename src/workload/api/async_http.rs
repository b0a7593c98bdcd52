//! The async transport of `api-fetch` (hyper's pooled client on tokio), used by `async`
//! mode: requests are futures, so thousands can be in flight on a couple of runtime threads
//! with no thread per request. What to retry, how long to back off, the cache and the
//! counters come from the shared `Client`, exactly as on the blocking path.

use super::client::{validate, Client, Failure, FetchError, Next, BODY_LIMIT};
use crate::measure::{in_phase_async, in_phase_beside_async, wait_async};
use crate::model::WaitCategory;
use http::header::{CONNECTION, USER_AGENT};
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

type HyperClient = hyper_util::client::legacy::Client<HttpConnector, Empty<Bytes>>;

/// One client for every task of a run.
pub struct AsyncHttp {
    client: HyperClient,
    /// Connections are not reused: each request says `Connection: close`.
    close: bool,
}

impl AsyncHttp {
    /// Reusing connections: one shared pool with no cap on idle connections, so that as many
    /// connections stay open as there are requests in flight (`--in-flight 500` keeps 500).
    /// Not reusing: no idle connection is kept and every request asks the server to close,
    /// so each opens a new connection.
    pub fn new(reuse_connections: bool) -> AsyncHttp {
        raise_open_files_limit();
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let idle_per_host = if reuse_connections { usize::MAX } else { 0 };
        let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(idle_per_host)
            .build(connector);
        AsyncHttp {
            client,
            close: !reuse_connections,
        }
    }

    /// One attempt, read to the end and validated, within `timeout` (connection included).
    async fn once(&self, url: &str, timeout: Duration) -> Result<Vec<u8>, Failure> {
        let attempt = async {
            let mut request = http::Request::get(url).header(USER_AGENT, "boundscope");
            if self.close {
                request = request.header(CONNECTION, "close");
            }
            let request = request
                .body(Empty::new())
                .map_err(|e| Failure::Other(format!("cannot build a request for {url}: {e}")))?;
            let response = self.client.request(request).await.map_err(|e| {
                let connect = e.is_connect();
                classify(&e, connect)
            })?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, BODY_LIMIT as usize)
                .collect()
                .await
                .map_err(|e| classify(e.as_ref(), false))?
                .to_bytes();
            validate(parts.status.as_u16(), &parts.headers, body.to_vec())
        };
        let waited = wait_async(WaitCategory::Net, tokio::time::timeout(timeout, attempt));
        match waited.await {
            Ok(result) => result,
            Err(_) => Err(Failure::Timeout(format!(
                "timed out after {} ms",
                timeout.as_millis()
            ))),
        }
    }
}

impl Client {
    /// Fetches `path` for a task: from the cache if allowed, else over the network, with
    /// the same retries and pauses as the blocking `get` (slept with `tokio::time::sleep`,
    /// so a waiting task holds no thread).
    pub async fn get_async(
        &self,
        http: &AsyncHttp,
        path: &str,
    ) -> Result<Arc<Vec<u8>>, FetchError> {
        in_phase_async("request", self.fetch_async(http, path)).await
    }

    /// [`Client::get_async`] in its phase `request`; each attempt waits for its answer in
    /// phase `answer` beside it, as the blocking client does.
    async fn fetch_async(&self, http: &AsyncHttp, path: &str) -> Result<Arc<Vec<u8>>, FetchError> {
        let url = self.url(path);
        if let Some(hit) = self.cached(&url) {
            return Ok(hit);
        }
        if let Some(pause) = self.pace() {
            tokio::time::sleep(pause).await;
        }
        let mut attempt = 0;
        loop {
            let once = http.once(&url, self.settings.timeout);
            let outcome = in_phase_beside_async("answer", once).await;
            match self.settle(&url, &mut attempt, self.settings.retries, outcome) {
                Next::Done(body) => return Ok(self.remember(url, body)),
                Next::GiveUp(error) => return Err(error),
                Next::Retry(pause) => tokio::time::sleep(pause).await,
            }
        }
    }
}

/// A transport error as a `Failure`: connection-level trouble (refused, reset, closed
/// early) is retryable `Connect`, as ureq's IO errors are on the blocking path.
fn classify(err: &(dyn StdError + 'static), connect: bool) -> Failure {
    let text = chain_text(err);
    if connect || is_transport(err) {
        Failure::Connect(text)
    } else {
        Failure::Other(text)
    }
}

fn is_transport(err: &(dyn StdError + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(e) = next {
        if e.is::<std::io::Error>() {
            return true;
        }
        if let Some(h) = e.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                return true;
            }
        }
        next = e.source();
    }
    false
}

/// `outer: inner: root cause` (hyper's own messages are terse: the cause is in the chain).
fn chain_text(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// Each request in flight holds a socket, and `--in-flight 5000` is allowed: raise this
/// process's soft open-files limit (often 1024) to its hard limit, once, when the async path
/// is first used. Failure is not fatal: the run goes on with the limit it has, and a
/// request that cannot open a socket fails with the system's "too many open files".
fn raise_open_files_limit() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit only read and write the struct passed to them.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0
                || limit.rlim_cur >= limit.rlim_max
            {
                return;
            }
            let hard = limit.rlim_max;
            limit.rlim_cur = hard;
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                // An unlimited hard limit is refused for files: Linux caps it at nr_open.
                limit.rlim_cur = hard.min(1 << 20);
                let _ = libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_files_limit_is_raised_to_the_hard_limit() {
        raise_open_files_limit();
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: as above.
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
            0
        );
        assert!(limit.rlim_cur == limit.rlim_max || limit.rlim_cur >= 1 << 20);
    }

    #[test]
    fn nothing_listening_is_a_retryable_connect_failure() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let http = AsyncHttp::new(true);
        let url = format!("http://127.0.0.1:{port}/health");
        let failure = runtime
            .block_on(http.once(&url, Duration::from_secs(2)))
            .expect_err("nothing listens");
        assert!(matches!(failure, Failure::Connect(_)), "{failure:?}");
        assert!(failure.retryable());
        assert!(failure.to_string().contains("refused"), "{failure}");
    }
}
