//! The blocking transport of `api-fetch` (ureq): one agent per worker thread, kept between
//! units when connections are reused. Network time is a worker's `net` wait.

use super::client::{validate, Client, Failure, FetchError, Next, BODY_LIMIT};
use crate::measure::{in_phase, in_phase_beside, WorkerCtx};
use crate::model::WaitCategory;
use std::sync::Arc;
use ureq::Agent;

/// A worker's own agent, kept from unit to unit (a workload's `Local`) when connections
/// are reused, so its pooled connections serve the worker's next requests.
#[derive(Default)]
pub struct WorkerAgent(Option<Agent>);

/// Where blocking network time is accounted: a worker's `Net` wait, or nowhere (setup).
pub trait NetWait {
    fn net<T>(&mut self, f: impl FnOnce() -> T) -> T;
}

impl NetWait for WorkerCtx {
    fn net<T>(&mut self, f: impl FnOnce() -> T) -> T {
        self.wait(WaitCategory::Net, f)
    }
}

/// Setup calls outside any worker.
pub struct Untracked;

impl NetWait for Untracked {
    fn net<T>(&mut self, f: impl FnOnce() -> T) -> T {
        f()
    }
}

fn failure_from_ureq(err: ureq::Error) -> Failure {
    match err {
        ureq::Error::Timeout(_) => Failure::Timeout(err.to_string()),
        ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
            Failure::Connect(err.to_string())
        }
        other => Failure::Other(other.to_string()),
    }
}

impl Client {
    /// A new agent: pooled connections when reusing, none kept otherwise.
    pub fn new_agent(&self) -> Agent {
        let mut config = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(self.settings.timeout))
            .user_agent("boundscope");
        if !self.settings.reuse_connections {
            config = config
                .max_idle_connections(0)
                .max_idle_connections_per_host(0);
        }
        config.build().into()
    }

    /// Fetches `path` for a worker: from the cache if allowed, else over the network with
    /// the worker's own agent (kept in `kept` between units when connections are reused).
    pub fn get(
        &self,
        path: &str,
        ctx: &mut WorkerCtx,
        kept: &mut WorkerAgent,
    ) -> Result<Arc<Vec<u8>>, FetchError> {
        in_phase("request", || {
            let url = self.url(path);
            if let Some(hit) = self.cached(&url) {
                return Ok(hit);
            }
            let result = if self.settings.reuse_connections {
                let agent = kept.0.get_or_insert_with(|| self.new_agent());
                self.fetch(agent, ctx, &url, self.settings.retries)
            } else {
                self.fetch(&self.new_agent(), ctx, &url, self.settings.retries)
            };
            Ok(self.remember(url, result?))
        })
    }

    /// A setup request outside any worker (plan building, health check).
    pub fn get_untracked(&self, path: &str, retries: u32) -> Result<Vec<u8>, FetchError> {
        let url = self.url(path);
        self.fetch(&self.new_agent(), &mut Untracked, &url, retries)
    }

    /// GETs `url` until it succeeds, fails for good, or the retries are spent.
    fn fetch<W: NetWait>(
        &self,
        agent: &Agent,
        wait: &mut W,
        url: &str,
        retries: u32,
    ) -> Result<Vec<u8>, FetchError> {
        if let Some(pause) = self.pace() {
            wait.net(|| std::thread::sleep(pause));
        }
        let mut attempt = 0;
        loop {
            // Waiting for the answer is its own step, beside sending the request.
            let outcome = in_phase_beside("answer", || wait.net(|| self.once(agent, url)));
            match self.settle(url, &mut attempt, retries, outcome) {
                Next::Done(body) => return Ok(body),
                Next::GiveUp(error) => return Err(error),
                Next::Retry(pause) => wait.net(|| std::thread::sleep(pause)),
            }
        }
    }

    /// One attempt, read to the end and validated.
    fn once(&self, agent: &Agent, url: &str) -> Result<Vec<u8>, Failure> {
        let mut request = agent.get(url);
        if !self.settings.reuse_connections {
            request = request.header("connection", "close");
        }
        let mut response = request.call().map_err(failure_from_ureq)?;
        let code = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_vec()
            .map_err(failure_from_ureq)?;
        validate(code, response.headers(), body)
    }
}
