//! `api-fetch`'s name and options, declared once (the CLI, the setup form and scenario checks
//! read them from here); `etl-pipeline` takes most of them too.

use super::fault_options::fault_options;
use super::ApiOptions;
use crate::server::ServerConfig;
use crate::workload::declare::kinds::{duration, number, optional_number, optional_text, switch};
use crate::workload::declare::options::{OptionDecl, OptionKind};

/// The workload's name (the CLI's and the reports').
pub const NAME: &str = "api-fetch";
/// One line on what it does.
pub const ABOUT: &str =
    "Fetch per-tenant metadata and daily prices from an HTTP API (our own, by default).";

/// The options when no flag is given.
pub fn cli_defaults() -> ApiOptions {
    ApiOptions::default()
}

/// The client's options, then the server's faults and size (`symbols` last: `etl-pipeline`
/// declares its own).
pub fn options() -> Vec<OptionDecl<ApiOptions>> {
    let mut all = vec![
        optional_text(
            "base-url",
            "URL",
            "Use this server (http://HOST:PORT) instead of starting our own.",
            |o: &ApiOptions| o.base_url.clone(),
            |o, url: Option<String>| o.base_url = url,
        ),
        optional_number(
            "requests",
            "Number of requests [default: every tenant's connections, then prices of every \
             symbol].",
            |o: &ApiOptions| o.requests,
            |o, n| o.requests = n,
        )
        .in_form()
        .knob(1),
        reuse_connections(),
        number(
            "batch",
            "Symbols per /prices request.",
            |o: &ApiOptions| o.batch,
            |o, n| o.batch = n,
        )
        .in_form()
        .knob(2)
        .knob_with(|mark| mark.unless = Some("1")),
        switch(
            "cache",
            "Cache responses that do not change (a repeated URL makes no request).",
            |o: &ApiOptions| o.cache,
            |o, on| o.cache = on,
        ),
        number(
            "retries",
            "Retries per request on 5xx, 429, timeouts and connection errors (backoff with \
             jitter).",
            |o: &ApiOptions| o.retries,
            |o, n| o.retries = n,
        )
        .reported_as("retries_allowed"),
        duration(
            "timeout",
            "DURATION",
            "Per-request timeout.",
            |o: &ApiOptions| o.timeout,
            |o, d| o.timeout = d,
        ),
    ];
    fn server(o: &ApiOptions) -> Option<&ServerConfig> {
        Some(&o.server)
    }
    fn server_mut(o: &mut ApiOptions) -> Option<&mut ServerConfig> {
        Some(&mut o.server)
    }
    all.extend(
        fault_options()
            .into_iter()
            .map(|d| d.lift(server, server_mut)),
    );
    let size = [
        number(
            "tenants",
            "The API server's number of tenants.",
            |c: &ServerConfig| c.tenants,
            |c, n| c.tenants = n,
        ),
        number(
            "symbols",
            "The API server's number of company symbols.",
            |c: &ServerConfig| c.symbols,
            |c, n| c.symbols = n,
        ),
    ];
    all.extend(size.into_iter().map(|d| d.lift(server, server_mut)));
    all
}

fn reuse_connections() -> OptionDecl<ApiOptions> {
    let kind = OptionKind::Choice {
        values: &["on", "off"],
        strict: true,
    };
    OptionDecl::new(
        "reuse-connections",
        "REUSE_CONNECTIONS",
        kind,
        "Keep connections open between requests (a pool), or open one per request.",
        |o: &ApiOptions| Some(if o.reuse_connections { "on" } else { "off" }.into()),
        |o, text| {
            o.reuse_connections = text == "on";
            Ok(())
        },
    )
    .reporting(|o| serde_json::json!(o.reuse_connections))
    .knob(2)
    .knob_with(|mark| {
        mark.label = "reuse";
        mark.unless = Some("on");
    })
}
