//! The API server's fault options, declared once: `serve-api`'s flags and the workloads that
//! start the server themselves (`api-fetch`, `etl-pipeline`) take them from here.

use crate::server::config::{parse_rate, JitterDist, ServerConfig};
use crate::workload::declare::kinds::{choice, duration, optional_number, switch};
use crate::workload::declare::options::{OptionDecl, OptionKind, OptionValueError};

const JITTER_DISTS: &[&str] = &["uniform", "normal", "exponential"];
/// The latencies the form steps through: from none to a slow remote API.
const LATENCY_STEPS: &[&str] = &[
    "0", "1ms", "2ms", "5ms", "10ms", "20ms", "50ms", "100ms", "200ms", "500ms", "1s",
];

/// A share between 0 and 1 (checked when the server's settings are validated).
fn share(
    name: &'static str,
    value_name: &'static str,
    help: &'static str,
    get: fn(&ServerConfig) -> f64,
    set: fn(&mut ServerConfig, f64),
) -> OptionDecl<ServerConfig> {
    OptionDecl::new(
        name,
        value_name,
        OptionKind::Text,
        help,
        move |c| Some(get(c).to_string()),
        move |c, text| {
            set(c, text.parse::<f64>()?);
            Ok(())
        },
    )
    .reporting(move |c| serde_json::json!(get(c)))
}

/// The fault flags, in the order the help lists them.
pub fn fault_options() -> Vec<OptionDecl<ServerConfig>> {
    vec![
        duration(
            "latency",
            "LATENCY",
            "Fixed delay added to every data request of the API server, e.g. 50ms, 1s, 250us, 0.",
            |c: &ServerConfig| c.latency,
            |c, d| c.latency = d,
        )
        .with_presets(LATENCY_STEPS)
        .in_form()
        .knob(0),
        duration(
            "jitter",
            "JITTER",
            "Scale of a random extra delay per request (see --jitter-dist), e.g. 20ms.",
            |c: &ServerConfig| c.jitter,
            |c, d| c.jitter = d,
        ),
        choice(
            "jitter-dist",
            "JITTER_DIST",
            JITTER_DISTS,
            "Distribution of the jitter: uniform in [0, J], normal (half-normal, sd J) or \
             exponential (mean J).",
            |c: &ServerConfig| c.jitter_dist,
            |c, v: JitterDist| c.jitter_dist = v,
        ),
        duration(
            "handshake",
            "HANDSHAKE",
            "Delay before the first answer on each new connection (a TLS handshake's cost), \
             e.g. 30ms: clients that open a connection per request pay it every time.",
            |c: &ServerConfig| c.handshake,
            |c, d| c.handshake = d,
        ),
        share(
            "error-rate",
            "ERROR_RATE",
            "Share of data requests answered with 503 or 500, between 0 and 1.",
            |c: &ServerConfig| c.error_rate,
            |c, v| c.error_rate = v,
        ),
        share(
            "timeout-rate",
            "TIMEOUT_RATE",
            "Share of data requests never answered (held open until the client gives up), \
             0 to 1.",
            |c: &ServerConfig| c.timeout_rate,
            |c, v| c.timeout_rate = v,
        ),
        optional_number(
            "concurrency",
            "Handle at most N requests at once; the rest wait in a queue (shows saturation).",
            |c: &ServerConfig| c.concurrency,
            |c, n| c.concurrency = n,
        ),
        OptionDecl::new(
            "rate-limit",
            "RATE",
            OptionKind::Text,
            "Requests per second allowed (token bucket), e.g. 100 or 100/s or 6000/m; over it → 429.",
            |c: &ServerConfig| c.rate_limit.map(|r| r.to_string()),
            |c, text| {
                c.rate_limit = Some(parse_rate(text).map_err(OptionValueError::from)?);
                Ok(())
            },
        )
        .clearable(|c| c.rate_limit = None),
        switch(
            "no-keepalive",
            "Answer `Connection: close` and close the connection after every response.",
            |c: &ServerConfig| !c.keepalive,
            |c, on| c.keepalive = !on,
        ),
    ]
}
