//! In-process tests of the API server over loopback HTTP.

use super::data::{
    Company, ErrorBody, Financials, PricesResponse, SymbolList, TenantConnections, TenantList,
};
use super::*;
use serde::de::DeserializeOwned;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

struct Answer {
    status: u16,
    body: Vec<u8>,
    digest: Option<String>,
    headers: ureq::http::HeaderMap,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        let value = self.headers.get(name)?;
        value.to_str().ok().map(str::to_string)
    }

    fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).expect("body has the documented shape")
    }
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

fn get_with(agent: &ureq::Agent, server: &ServerHandle, path: &str) -> Answer {
    let mut response = agent
        .get(format!("{}{path}", server.url()))
        .call()
        .expect("request completes");
    let body = response.body_mut().read_to_vec().expect("body reads");
    let headers = response.headers().clone();
    let digest = headers
        .get(DIGEST_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Answer {
        status: response.status().as_u16(),
        digest,
        headers,
        body,
    }
}

fn get(server: &ServerHandle, path: &str) -> Answer {
    get_with(&agent(Duration::from_secs(5)), server, path)
}

fn start(config: ServerConfig) -> ServerHandle {
    start_in_background(config).expect("server starts on loopback")
}

/// A route that fault injection applies to.
const FAULTY: &str = "/tenants/1/connections";

fn small() -> ServerConfig {
    ServerConfig {
        tenants: 5,
        symbols: 4,
        ..ServerConfig::default()
    }
}

#[test]
fn every_endpoint_answers_its_documented_shape_with_a_matching_digest() {
    let server = start(small());
    let tenants: TenantList = get(&server, "/tenants").json();
    assert_eq!(tenants.tenants.len(), 5);
    let conns: TenantConnections = get(&server, "/tenants/2/connections").json();
    assert_eq!(conns.tenant_id, 2);
    assert!(!conns.connections.is_empty());
    let symbols: SymbolList = get(&server, "/companies").json();
    assert_eq!(symbols.symbols.len(), 4);
    let (a, b) = (&symbols.symbols[0], &symbols.symbols[1]);
    let company: Company = get(&server, &format!("/companies/{a}")).json();
    assert_eq!(&company.symbol, a);
    let prices: PricesResponse = get(&server, &format!("/prices?symbols={a},{b}")).json();
    assert_eq!(prices.prices.len(), 2);
    assert!(prices
        .prices
        .iter()
        .all(|p| p.days.len() == data::PRICE_DAYS));
    let fin: Financials = get(&server, &format!("/financials/{b}")).json();
    assert_eq!(fin.statements.len(), data::QUARTERS);
    for path in [
        "/health",
        "/tenants",
        "/tenants/1/connections",
        "/prices?symbols=ZZZZ",
    ] {
        let answer = get(&server, path);
        assert_eq!(answer.digest, Some(content_digest(&answer.body)), "{path}");
    }
    let again = get(&server, &format!("/prices?symbols={a},{b}"));
    assert_eq!(again.json::<PricesResponse>(), prices, "deterministic body");
}

#[test]
fn unknown_things_are_json_errors() {
    let server = start(small());
    for (path, status) in [
        ("/tenants/99/connections", 404),
        ("/tenants/abc/connections", 404),
        ("/prices?symbols=ZZZZ", 404),
        ("/prices", 400),
        ("/companies/ZZZZ", 404),
        ("/nowhere", 404),
    ] {
        let answer = get(&server, path);
        assert_eq!(answer.status, status, "{path}");
        let error: ErrorBody = answer.json();
        assert_eq!(error.status, status);
    }
    let stats: StatsSnapshot = get(&server, "/stats").json();
    assert_eq!(stats.by_status.not_found, 5);
    assert_eq!(stats.by_status.other, 1);
    assert_eq!(stats.requests, 6, "/stats does not count itself");
}

#[test]
fn latency_is_applied_to_data_routes_but_not_health() {
    let server = start(ServerConfig {
        latency: Duration::from_millis(120),
        ..small()
    });
    let started = Instant::now();
    assert_eq!(get(&server, "/tenants/1/connections").status, 200);
    assert!(started.elapsed() >= Duration::from_millis(120));
    let started = Instant::now();
    assert_eq!(get(&server, "/tenants").status, 200, "listings are exempt");
    assert!(started.elapsed() < Duration::from_millis(120));
    let started = Instant::now();
    assert_eq!(get(&server, "/health").status, 200);
    assert!(started.elapsed() < Duration::from_millis(120));
}

#[test]
fn error_rate_one_answers_only_server_errors() {
    let server = start(ServerConfig {
        error_rate: 1.0,
        ..small()
    });
    for _ in 0..10 {
        let answer = get(&server, "/tenants/1/connections");
        assert!((500..600).contains(&answer.status), "{}", answer.status);
        assert_eq!(answer.digest, Some(content_digest(&answer.body)));
    }
    assert_eq!(server.stats().by_status.server_error, 10);
    assert_eq!(get(&server, "/health").status, 200, "health is exempt");
}

#[test]
fn rate_limit_answers_429_with_retry_after() {
    let server = start(ServerConfig {
        rate_limit: Some(5.0),
        ..small()
    });
    let agent = agent(Duration::from_secs(5));
    assert_eq!(get_with(&agent, &server, FAULTY).status, 200);
    let refused = get_with(&agent, &server, FAULTY);
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after").as_deref(), Some("1"));
    let ms: u64 = refused
        .header("x-retry-after-ms")
        .and_then(|v| v.parse().ok())
        .expect("precise wait given");
    assert!((1..=200).contains(&ms), "wait {ms} ms");
    assert_eq!(refused.header("x-ratelimit-limit").as_deref(), Some("5"));
    std::thread::sleep(Duration::from_millis(ms + 5));
    assert_eq!(get_with(&agent, &server, FAULTY).status, 200);
    assert_eq!(server.stats().by_status.too_many_requests, 1);
}

#[test]
fn concurrency_limit_queues_excess_requests() {
    let server = start(ServerConfig {
        concurrency: Some(2),
        latency: Duration::from_millis(150),
        ..small()
    });
    let started = Instant::now();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6)
            .map(|_| scope.spawn(|| get(&server, FAULTY).status))
            .collect();
        for handle in handles {
            assert_eq!(handle.join().expect("client thread"), 200);
        }
    });
    assert!(
        started.elapsed() >= Duration::from_millis(440),
        "3 waves of 150 ms"
    );
    let stats: StatsSnapshot = get(&server, "/stats").json();
    assert!((1..=2).contains(&stats.max_concurrent), "{stats:?}");
    assert!(stats.max_queued >= 1, "{stats:?}");
    assert_eq!(stats.in_flight, 0);
}

fn raw_request_closes(server: &ServerHandle) -> (String, bool) {
    let mut stream = std::net::TcpStream::connect(server.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_millis(700)))
        .expect("timeout set");
    let request = "GET /health HTTP/1.1\r\nhost: localhost\r\n\r\n";
    stream.write_all(request.as_bytes()).expect("request sent");
    let mut text = Vec::new();
    let closed = stream.read_to_end(&mut text).is_ok();
    (String::from_utf8_lossy(&text).to_lowercase(), closed)
}

#[test]
fn no_keepalive_closes_every_connection() {
    let server = start(ServerConfig {
        keepalive: false,
        ..small()
    });
    let (text, closed) = raw_request_closes(&server);
    assert!(text.contains("connection: close"), "{text}");
    assert!(closed, "server closed the connection after the response");
    let agent = agent(Duration::from_secs(5));
    for _ in 0..3 {
        assert_eq!(get_with(&agent, &server, "/tenants").status, 200);
    }
    assert_eq!(server.stats().connections_accepted, 4);
}

#[test]
fn keepalive_reuses_one_connection() {
    let server = start(small());
    let (_, closed) = raw_request_closes(&server);
    assert!(!closed, "connection stays open until the read times out");
    let agent = agent(Duration::from_secs(5));
    for _ in 0..3 {
        assert_eq!(get_with(&agent, &server, "/tenants").status, 200);
    }
    assert_eq!(server.stats().connections_accepted, 2);
}

#[test]
fn timeout_rate_holds_requests_until_the_client_gives_up() {
    let server = start(ServerConfig {
        timeout_rate: 1.0,
        ..small()
    });
    let started = Instant::now();
    let result = agent(Duration::from_millis(200))
        .get(format!("{}{FAULTY}", server.url()))
        .call();
    assert!(matches!(result, Err(ureq::Error::Timeout(_))), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.stats().timeouts_injected, 1);
    let started = Instant::now();
    server.shutdown();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "shutdown drops held requests"
    );
}

#[test]
fn non_loopback_addresses_are_refused_without_allow_remote() {
    let config = ServerConfig {
        addr: "0.0.0.0:0".parse().expect("literal"),
        ..small()
    };
    match start_in_background(config) {
        Err(ServerError::Remote(addr)) => assert_eq!(addr.port(), 0),
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("a non-loopback address was accepted"),
    }
}

#[test]
fn a_port_in_use_is_a_clear_bind_error() {
    let first = start(small());
    let err = start_in_background(ServerConfig {
        addr: first.addr,
        ..small()
    })
    .err()
    .expect("second bind fails");
    assert!(err.to_string().contains(&first.addr.to_string()), "{err}");
}

#[test]
fn bad_settings_are_usage_errors_and_a_failed_bind_is_not() {
    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let addr = held.local_addr().expect("address");
    let config = ServerConfig {
        addr,
        ..ServerConfig::default()
    };
    let err = start_in_background(config)
        .err()
        .expect("the port is taken");
    assert!(matches!(err, ServerError::Bind { .. }), "{err:?}");
    assert!(!err.is_usage());
    assert!(err
        .to_string()
        .starts_with(&format!("cannot listen on {addr}: ")));
    assert!(
        std::error::Error::source(&err).is_some(),
        "the io error is kept"
    );
    let bad = ServerConfig {
        tenants: 0,
        ..ServerConfig::default()
    };
    let err = start_in_background(bad).err().expect("no tenants");
    assert!(err.is_usage(), "{err}");
}
