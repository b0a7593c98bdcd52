//! `api-fetch`: per-tenant metadata and batched daily prices fetched over real HTTP from the
//! built-in API server (started as a child process) or any server at `base_url`.
//!
//! One unit is one request: every tenant's `/tenants/{id}/connections`, then
//! `/prices?symbols=..` for every symbol in batches of `batch`. The plan is fixed in `new()`
//! (after a `/health` check, so a wrong `base_url` fails fast as bad input).
//!
//! Processes mode: each child process builds its own `ApiFetch`; give the children
//! `options_for_children()` so they share this process's server instead of starting their own.
//! The child-server path runs `<this binary> serve-api`; tests use an in-process server
//! through `base_url`.
//!
//! Two transports share one `Client` (retry policy, validation, cache, counters): blocking
//! ureq agents for the thread-based modes (`run_unit`) and hyper's pooled async client for
//! `async` mode (`run_unit_async`). Both end in `ApiFetch::outcome`, so every mode gives
//! the same unit digests and the same checksum.

mod async_http;
mod blocking;
mod client;
pub mod fault_options;
pub mod options;
pub mod plan;
mod records;
pub mod serve_args;
pub mod server_child;
mod totals;

#[cfg(test)]
mod tests;

use super::{AsyncCtx, ReportOptions, UnitFuture, WorkloadError};
use crate::measure::{in_phase, WorkerCtx};
use crate::model::UnitOutcome;
use crate::server::config::duration_ms;
use crate::server::data::{SymbolList, TenantList};
use crate::server::routes::MAX_BATCH;
use crate::server::ServerConfig;
use async_http::AsyncHttp;
pub use blocking::WorkerAgent;
pub(crate) use client::{Client, ClientSettings};
pub use client::{Failure, FetchError, TotalsSnapshot};
use plan::UnitKind;
use records::ContentDigests;
use serde::{Deserialize, Serialize};
use serde_json::json;
use server_child::ServerChild;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Options of `api-fetch` (sent to child processes as JSON; durations in milliseconds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiOptions {
    /// An API to use (`http://HOST:PORT`); `None` starts our own server as a child process.
    pub base_url: Option<String>,
    /// Number of requests (units): fewer truncates the plan, more repeats it.
    pub requests: Option<usize>,
    /// Keep one connection per worker (`false`: a new connection for every request).
    pub reuse_connections: bool,
    /// Symbols per `/prices` request.
    pub batch: usize,
    /// Answer repeated URLs from an in-memory cache shared by the workers.
    pub cache: bool,
    /// Extra attempts on 5xx, 429, timeouts and connection errors.
    pub retries: u32,
    /// Limit for one request, connection to last byte.
    #[serde(rename = "timeout_ms", with = "duration_ms")]
    pub timeout: Duration,
    /// Faults and data size of our own server (ignored with `base_url`).
    pub server: ServerConfig,
}

impl Default for ApiOptions {
    fn default() -> Self {
        ApiOptions {
            base_url: None,
            requests: None,
            reuse_connections: true,
            batch: 1,
            cache: false,
            retries: 3,
            timeout: Duration::from_secs(5),
            server: ServerConfig::default(),
        }
    }
}

impl ApiOptions {
    /// Checks the options, naming the wrong value and what is accepted.
    pub fn validate(&self) -> Result<(), WorkloadError> {
        if !(1..=MAX_BATCH).contains(&self.batch) {
            return Err(WorkloadError::Input(format!(
                "batch {} is out of range; use 1 to {MAX_BATCH} symbols per request",
                self.batch
            )));
        }
        if self.requests == Some(0) {
            return Err(WorkloadError::Input(
                "requests 0 would do nothing; use 1 or more".into(),
            ));
        }
        if self.timeout.is_zero() {
            return Err(WorkloadError::Input(
                "a timeout of 0 would fail every request; use e.g. 5s".into(),
            ));
        }
        if self.base_url.is_none() {
            self.server
                .validate()
                .map_err(|e| WorkloadError::Input(e.to_string()))?;
        }
        Ok(())
    }
}

/// `http://host:port` without a trailing slash, or a clear error.
pub(crate) fn normalise_base_url(url: &str) -> Result<String, WorkloadError> {
    let trimmed = url.trim().trim_end_matches('/');
    let host = trimmed.strip_prefix("http://").unwrap_or("");
    if host.is_empty() {
        return Err(WorkloadError::Input(format!(
            "base URL '{url}' is not usable; give http://HOST:PORT (https is not supported)"
        )));
    }
    Ok(trimmed.to_string())
}

/// The `api-fetch` workload.
pub struct ApiFetch {
    options: ApiOptions,
    client: Client,
    plan: Vec<UnitKind>,
    tenants: usize,
    symbols: usize,
    content: ContentDigests,
    /// The async transport, made when `async` mode first asks for a unit future.
    async_http: OnceLock<AsyncHttp>,
    /// Our own server, stopped when the workload is dropped.
    server: Option<ServerChild>,
}

impl ApiFetch {
    /// Starts (or finds) the server, checks `/health` and fixes the plan.
    pub fn new(options: ApiOptions) -> Result<ApiFetch, WorkloadError> {
        options.validate()?;
        let (server, base_url) = match &options.base_url {
            None => {
                let child = ServerChild::spawn(&options.server)?;
                let url = child.url().to_string();
                (Some(child), url)
            }
            Some(url) => (None, normalise_base_url(url)?),
        };
        let client = Client::new(ClientSettings {
            base_url,
            timeout: options.timeout,
            retries: options.retries,
            reuse_connections: options.reuse_connections,
            cache: options.cache,
        });
        check_health(&client)?;
        let tenants: TenantList = setup_json(&client, "/tenants", options.retries)?;
        let symbols: SymbolList = setup_json(&client, "/companies", options.retries)?;
        let ids: Vec<u32> = tenants.tenants.iter().map(|t| t.id).collect();
        let plan = plan::build(&ids, &symbols.symbols, options.batch, options.requests);
        Ok(ApiFetch {
            tenants: ids.len(),
            symbols: symbols.symbols.len(),
            options,
            client,
            plan,
            content: ContentDigests::default(),
            async_http: OnceLock::new(),
            server,
        })
    }

    /// The API this workload talks to.
    pub fn base_url(&self) -> &str {
        self.client.base_url()
    }

    /// These options pointed at this workload's server, for child processes.
    pub fn options_for_children(&self) -> ApiOptions {
        ApiOptions {
            base_url: Some(self.base_url().to_string()),
            ..self.options.clone()
        }
    }

    /// Requests, retries, cache hits and failures so far.
    pub fn totals(&self) -> TotalsSnapshot {
        self.client.totals.snapshot()
    }

    /// Digest of every tenant and symbol fetched so far, independent of batch size and mode.
    pub fn content_checksum(&self) -> String {
        self.content.checksum()
    }

    /// What unit `unit` fetches.
    fn kind(&self, unit: usize) -> Result<&UnitKind, WorkloadError> {
        self.plan.get(unit).ok_or_else(|| {
            WorkloadError::Other(format!(
                "unit {unit} is beyond the {} planned requests",
                self.plan.len()
            ))
        })
    }

    /// A unit's result from its checked body, whichever transport fetched it: its records
    /// join the content digests and their digests make the unit's.
    fn outcome(
        &self,
        kind: &UnitKind,
        path: &str,
        body: &[u8],
        checkpoint: &mut dyn FnMut(),
    ) -> Result<UnitOutcome, WorkloadError> {
        let parsed = records::parse(kind, body, checkpoint)
            .map_err(|why| WorkloadError::caused(format!("GET {}{path}", self.base_url()), why))?;
        self.content.add(&parsed.records);
        Ok(UnitOutcome {
            items: parsed.items,
            bytes: body.len() as u64,
            rejected: Vec::new(),
            digest: parsed.digest(),
        })
    }

    /// Unit `unit` over the async transport.
    async fn unit_async(&self, unit: usize, ctx: AsyncCtx) -> Result<UnitOutcome, WorkloadError> {
        let kind = self.kind(unit)?;
        let path = kind.path();
        let http = self
            .async_http
            .get_or_init(|| AsyncHttp::new(self.options.reuse_connections));
        let body = self
            .client
            .get_async(http, &path)
            .await
            .map_err(|e| WorkloadError::Other(e.to_string()))?;
        let outcome = in_phase("decode", || self.outcome(kind, &path, &body, &mut || {}))?;
        ctx.progress(outcome.items, outcome.bytes);
        Ok(outcome)
    }
}

pub(crate) fn check_health(client: &Client) -> Result<(), WorkloadError> {
    client.get_untracked("/health", 0).map(drop).map_err(|e| {
        WorkloadError::Input(format!(
            "cannot reach the API at {}: {e}. Start one with `boundscope serve-api` or fix the base URL.",
            client.base_url()
        ))
    })
}

pub(crate) fn setup_json<T: serde::de::DeserializeOwned>(
    client: &Client,
    path: &str,
    retries: u32,
) -> Result<T, WorkloadError> {
    let body = client
        .get_untracked(path, retries)
        .map_err(|e| WorkloadError::Input(format!("cannot build the request plan: {e}")))?;
    serde_json::from_slice(&body).map_err(|e| {
        WorkloadError::Input(format!(
            "{}{path} did not answer the expected JSON ({e}); is this a boundscope API?",
            client.base_url()
        ))
    })
}

/// Each worker keeps its own agent (`Local`), so reused connections outlive a unit.
impl crate::workload::Workload for ApiFetch {
    type Local = WorkerAgent;

    /// Children of `processes` mode use the server this process started.
    fn spec_for_children(&self) -> Option<crate::workload::WorkloadSpec> {
        Some(crate::workload::WorkloadSpec::ApiFetch(
            self.options_for_children(),
        ))
    }

    fn name(&self) -> &'static str {
        options::NAME
    }

    fn unit_count(&self) -> usize {
        self.plan.len()
    }

    fn unit_label(&self, unit: usize) -> String {
        match self.plan.get(unit) {
            Some(kind) => format!("GET {}", kind.path()),
            None => format!("request {unit}"),
        }
    }

    fn run_unit(
        &self,
        unit: usize,
        ctx: &mut WorkerCtx,
        agent: &mut WorkerAgent,
    ) -> Result<UnitOutcome, WorkloadError> {
        let kind = self.kind(unit)?;
        let path = kind.path();
        let body = self
            .client
            .get(&path, ctx, agent)
            .map_err(|e| WorkloadError::Other(e.to_string()))?;
        let outcome = in_phase("decode", || {
            self.outcome(kind, &path, &body, &mut || ctx.checkpoint())
        })?;
        ctx.progress(outcome.items, outcome.bytes);
        Ok(outcome)
    }

    /// A real future: the request is in flight without holding a runtime thread.
    fn run_unit_async(self: Arc<Self>, unit: usize, ctx: AsyncCtx) -> Option<UnitFuture> {
        Some(Box::pin(async move { self.unit_async(unit, ctx).await }))
    }

    fn describe(&self, options: &mut ReportOptions) {
        let transport = match self.async_http.get() {
            Some(_) => "async (hyper, one pooled client)",
            None => "blocking (ureq, one agent per worker)",
        };
        options.extend([
            ("base_url".into(), json!(self.base_url())),
            ("own_server".into(), json!(self.server.is_some())),
            (
                "server_pid".into(),
                json!(self.server.as_ref().map(ServerChild::pid)),
            ),
            // The server's size as it answered (another server's, with --base-url).
            ("tenants".into(), json!(self.tenants)),
            ("symbols".into(), json!(self.symbols)),
            ("requests_planned".into(), json!(self.plan.len())),
            ("transport".into(), json!(transport)),
            ("totals".into(), json!(self.totals())),
            ("content_checksum".into(), json!(self.content_checksum())),
            ("content_records".into(), json!(self.content.record_count())),
        ]);
    }
}
