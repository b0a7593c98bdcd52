//! `api-fetch` against a real in-process server over loopback.

use super::*;
use crate::model::combine_digests;
use crate::server::{start_in_background, ServerHandle};
use crate::workload::DynWorkload;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

fn server(config: ServerConfig) -> ServerHandle {
    start_in_background(ServerConfig {
        tenants: 12,
        symbols: 20,
        ..config
    })
    .expect("server starts on loopback")
}

fn options(server: &ServerHandle) -> ApiOptions {
    ApiOptions {
        base_url: Some(server.url()),
        timeout: Duration::from_secs(2),
        ..ApiOptions::default()
    }
}

type UnitResult = Result<UnitOutcome, String>;

/// Runs every unit on `threads` plain threads (one `WorkerCtx` each), like an engine would.
fn run_all(workload: &ApiFetch, threads: usize) -> Vec<(usize, UnitResult)> {
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, UnitResult)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let next = &next;
                scope.spawn(move || {
                    let mut ctx = WorkerCtx::standalone(&format!("w{t}"));
                    let mut done = Vec::new();
                    loop {
                        let unit = next.fetch_add(1, Relaxed);
                        if unit >= workload.unit_count() {
                            return done;
                        }
                        let result = workload.run_unit(unit, &mut ctx);
                        done.push((unit, result.map_err(|e| e.to_string())));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker thread"))
            .collect()
    });
    results.sort_by_key(|r| r.0);
    results
}

fn checksum(results: &[(usize, UnitResult)]) -> String {
    let ok = results.iter().map(|(unit, r)| match r {
        Ok(outcome) => (*unit, outcome.digest),
        Err(e) => panic!("unit {unit} failed: {e}"),
    });
    combine_digests(ok)
}

#[test]
fn checksum_is_the_same_with_one_or_several_workers() {
    let server = server(ServerConfig::default());
    let sequential = ApiFetch::new(options(&server)).expect("plan");
    assert_eq!(sequential.unit_count(), 12 + 20);
    let threaded = ApiFetch::new(options(&server)).expect("plan");
    let one = run_all(&sequential, 1);
    let four = run_all(&threaded, 4);
    assert_eq!(checksum(&one), checksum(&four));
    let items: u64 = one
        .iter()
        .filter_map(|r| r.1.as_ref().ok())
        .map(|o| o.items)
        .sum();
    assert!(items >= 12 * 2 + 20 * 30, "items {items}");
    assert_eq!(sequential.content_checksum(), threaded.content_checksum());
    let batched = ApiFetch::new(ApiOptions {
        batch: 7,
        ..options(&server)
    })
    .expect("plan");
    assert_eq!(batched.unit_count(), 12 + 3);
    run_all(&batched, 2)
        .iter()
        .for_each(|r| assert!(r.1.is_ok()));
    assert_eq!(batched.content_checksum(), sequential.content_checksum());
}

#[test]
fn retries_ride_out_server_errors() {
    let server = server(ServerConfig {
        error_rate: 0.2,
        ..ServerConfig::default()
    });
    let workload = ApiFetch::new(ApiOptions {
        retries: 5,
        ..options(&server)
    })
    .expect("plan");
    let results = run_all(&workload, 3);
    assert!(results.iter().all(|r| r.1.is_ok()), "{results:?}");
    let totals = workload.totals();
    assert!(totals.retries > 0, "{totals:?}");
    assert_eq!(totals.server_errors, server.stats().by_status.server_error);
    assert_eq!(totals.failed, 0);
    assert!(described(&workload)["totals"]["retries"].as_u64() > Some(0));
}

#[test]
fn requests_that_never_answer_fail_with_the_url_named() {
    let server = server(ServerConfig {
        timeout_rate: 1.0,
        ..ServerConfig::default()
    });
    let workload = ApiFetch::new(ApiOptions {
        retries: 0,
        requests: Some(3),
        timeout: Duration::from_millis(150),
        ..options(&server)
    })
    .expect("listings are not held");
    let started = Instant::now();
    let results = run_all(&workload, 3);
    assert!(started.elapsed() < Duration::from_secs(3));
    for (unit, result) in &results {
        let message = result.as_ref().expect_err("held request fails");
        let url = format!("{}/tenants/{}/connections", server.url(), unit + 1);
        assert!(message.contains(&url), "{message}");
        assert!(message.contains("no answer in time"), "{message}");
    }
    let totals = workload.totals();
    assert_eq!((totals.failed, totals.timeouts, totals.retries), (3, 3, 0));
}

#[test]
fn rate_limit_is_honoured_without_a_request_storm() {
    let server = server(ServerConfig {
        rate_limit: Some(20.0),
        ..ServerConfig::default()
    });
    let workload = ApiFetch::new(ApiOptions {
        retries: 30,
        requests: Some(24),
        ..options(&server)
    })
    .expect("plan");
    let started = Instant::now();
    let results = run_all(&workload, 4);
    let elapsed = started.elapsed();
    assert!(results.iter().all(|r| r.1.is_ok()), "{results:?}");
    assert!(
        elapsed >= Duration::from_millis(1000),
        "{elapsed:?}: limit held"
    );
    let stats = server.stats();
    let refused = stats.by_status.too_many_requests;
    assert!(refused <= 12, "{refused} answers 429 for 24 units");
    assert_eq!(
        stats.requests,
        24 + 3 + refused,
        "no request beyond units and 429s"
    );
    assert_eq!(
        stats.by_status.ok,
        24 + 3,
        "units plus health and the two listings"
    );
    assert_eq!(workload.totals().rate_limited, refused);
}

#[test]
fn an_address_where_nothing_listens_is_bad_input_naming_it() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let result = ApiFetch::new(ApiOptions {
        base_url: Some(url.clone()),
        ..ApiOptions::default()
    });
    match result {
        Err(WorkloadError::Input(message)) => assert!(message.contains(&url), "{message}"),
        Err(other) => panic!("wrong kind of error: {other}"),
        Ok(_) => panic!("nothing listens there"),
    }
}

#[test]
fn the_cache_answers_repeated_urls_without_requests() {
    let server = server(ServerConfig::default());
    let workload = ApiFetch::new(ApiOptions {
        cache: true,
        requests: Some(64),
        ..options(&server)
    })
    .expect("plan");
    let before = server.stats().requests;
    let results = run_all(&workload, 1);
    assert!(results.iter().all(|r| r.1.is_ok()));
    assert_eq!(workload.totals().cache_hits, 32);
    assert_eq!(server.stats().requests - before, 32);
    assert_eq!(results[0].1.as_ref().ok(), results[32].1.as_ref().ok());
}

#[test]
fn connections_are_reused_per_worker_or_opened_per_request() {
    let server = server(ServerConfig::default());
    let count = |reuse: bool, threads: usize| {
        let workload = ApiFetch::new(ApiOptions {
            reuse_connections: reuse,
            requests: Some(8),
            ..options(&server)
        })
        .expect("plan");
        let before = server.stats().connections_accepted;
        assert!(run_all(&workload, threads).iter().all(|r| r.1.is_ok()));
        server.stats().connections_accepted - before
    };
    assert_eq!(count(false, 1), 8);
    assert!((1..=2).contains(&count(true, 2)));
}

#[test]
fn options_travel_as_json_and_are_checked() {
    let options = ApiOptions {
        timeout: Duration::from_millis(1500),
        batch: 5,
        ..ApiOptions::default()
    };
    let json = serde_json::to_value(&options).expect("serialise");
    assert_eq!(json["timeout_ms"], 1500.0);
    let back: ApiOptions = serde_json::from_value(json).expect("deserialise");
    assert_eq!(back, options);
    let bad = |o: ApiOptions| matches!(ApiFetch::new(o), Err(WorkloadError::Input(_)));
    assert!(bad(ApiOptions {
        batch: 0,
        ..ApiOptions::default()
    }));
    assert!(bad(ApiOptions {
        base_url: Some("https://example.invalid".into()),
        ..ApiOptions::default()
    }));
}

/// Runs every unit as a future on a small runtime, at most `in_flight` at once, like
/// `async` mode does.
fn run_all_async(workload: &Arc<ApiFetch>, in_flight: usize) -> Vec<(usize, UnitResult)> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let permits = Arc::new(tokio::sync::Semaphore::new(in_flight));
        let mut handles = Vec::new();
        for unit in 0..workload.unit_count() {
            let permit = permits.clone().acquire_owned().await.expect("open");
            let ctx = AsyncCtx::new(Arc::default());
            let future = workload
                .clone()
                .run_unit_async(unit, ctx)
                .expect("api-fetch has an async version");
            handles.push(tokio::spawn(async move {
                let result = future.await.map_err(|e| e.to_string());
                drop(permit);
                (unit, result)
            }));
        }
        let mut results = Vec::new();
        for handle in handles {
            results.push(handle.await.expect("task"));
        }
        results
    })
}

#[test]
fn async_units_give_the_blocking_results() {
    let server = server(ServerConfig::default());
    let blocking = ApiFetch::new(options(&server)).expect("plan");
    let asynchronous = Arc::new(ApiFetch::new(options(&server)).expect("plan"));
    let one = run_all(&blocking, 1);
    let many = run_all_async(&asynchronous, 16);
    assert_eq!(checksum(&one), checksum(&many));
    for ((_, a), (_, b)) in one.iter().zip(&many) {
        assert_eq!(a.as_ref().ok(), b.as_ref().ok(), "same outcome per unit");
    }
    assert_eq!(blocking.content_checksum(), asynchronous.content_checksum());
    assert_eq!(blocking.totals(), asynchronous.totals());
    assert_eq!(
        described(&asynchronous)["transport"],
        "async (hyper, one pooled client)"
    );
}

#[test]
fn async_retries_ride_out_server_errors_and_give_up_on_timeouts() {
    let server_errors = server(ServerConfig {
        error_rate: 0.2,
        ..ServerConfig::default()
    });
    let workload = Arc::new(
        ApiFetch::new(ApiOptions {
            retries: 5,
            ..options(&server_errors)
        })
        .expect("plan"),
    );
    let results = run_all_async(&workload, 8);
    assert!(results.iter().all(|r| r.1.is_ok()), "{results:?}");
    let totals = workload.totals();
    assert!(totals.retries > 0, "{totals:?}");
    assert_eq!(
        totals.server_errors,
        server_errors.stats().by_status.server_error
    );

    let held = server(ServerConfig {
        timeout_rate: 1.0,
        ..ServerConfig::default()
    });
    let workload = Arc::new(
        ApiFetch::new(ApiOptions {
            retries: 1,
            requests: Some(3),
            timeout: Duration::from_millis(150),
            ..options(&held)
        })
        .expect("listings are not held"),
    );
    let started = Instant::now();
    let results = run_all_async(&workload, 3);
    assert!(started.elapsed() < Duration::from_secs(2));
    for (unit, result) in &results {
        let message = result.as_ref().expect_err("held request fails");
        let url = format!("{}/tenants/{}/connections", held.url(), unit + 1);
        assert!(message.contains(&url), "{message}");
        assert!(message.contains("after 2 attempt(s)"), "{message}");
        assert!(message.contains("no answer in time"), "{message}");
    }
    let totals = workload.totals();
    assert_eq!((totals.failed, totals.timeouts, totals.retries), (3, 6, 3));
}

#[test]
fn async_connections_are_pooled_or_opened_per_request() {
    let server = server(ServerConfig::default());
    let count = |reuse: bool, in_flight: usize| {
        let workload = Arc::new(
            ApiFetch::new(ApiOptions {
                reuse_connections: reuse,
                requests: Some(8),
                ..options(&server)
            })
            .expect("plan"),
        );
        let before = server.stats().connections_accepted;
        assert!(run_all_async(&workload, in_flight)
            .iter()
            .all(|r| r.1.is_ok()));
        server.stats().connections_accepted - before
    };
    assert_eq!(count(false, 1), 8, "a new connection per request");
    // The pool gets a connection back just after its body is read, so on a busy machine the
    // next request may, rarely, race ahead of it and open a second one.
    assert!(
        (1..=2).contains(&count(true, 1)),
        "one pooled connection, reused"
    );
    assert!(
        (1..=4).contains(&count(true, 4)),
        "at most one per request in flight"
    );
}

#[test]
fn async_cache_answers_repeated_urls_without_requests() {
    let server = server(ServerConfig::default());
    let workload = Arc::new(
        ApiFetch::new(ApiOptions {
            cache: true,
            requests: Some(64),
            ..options(&server)
        })
        .expect("plan"),
    );
    let before = server.stats().requests;
    // One at a time, so the second round finds the first round's answers.
    let results = run_all_async(&workload, 1);
    assert!(results.iter().all(|r| r.1.is_ok()));
    assert_eq!(workload.totals().cache_hits, 32);
    assert_eq!(server.stats().requests - before, 32);
}

/// What the workload adds to its report's options.
fn described(workload: &ApiFetch) -> crate::workload::ReportOptions {
    let mut found = crate::workload::ReportOptions::new();
    workload.describe(&mut found);
    found
}
