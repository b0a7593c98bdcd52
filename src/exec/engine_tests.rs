//! Engine tests with a tiny in-memory workload: every mode runs every unit once, and a
//! panicking unit is reported as failed while the others go on.

use super::*;
use crate::measure::WorkerCtx;
use crate::model::UnitOutcome;
use crate::workload::testing::{TestWorkload, Units};
use crate::workload::WorkloadError;
use std::time::Instant;

/// Eight units labelled `unit-0` ..: unit `u` yields one item and digest `u * 7`; unit 3
/// panics.
fn toy() -> TestWorkload {
    TestWorkload {
        label_prefix: "unit-",
        runs: Units::Yield {
            items: 1,
            bytes: 0,
            digest_step: 7,
            panics_at: Some(3),
        },
        ..TestWorkload::idle("toy", 8)
    }
}

fn env() -> RunEnv {
    RunEnv {
        registry: MeterRegistry::new(Instant::now()),
        counters: Arc::default(),
        gil: None,
        cancel: Arc::default(),
    }
}

#[test]
fn a_panicking_unit_fails_alone_in_every_in_process_mode() {
    let workload: Arc<dyn DynWorkload> = Arc::new(toy());
    for mode in [Mode::Sequential, Mode::Threads, Mode::Rayon, Mode::Async] {
        let spec = ExecSpec {
            mode,
            workers: 2,
            in_flight: None,
            shard: None,
            lane: None,
        };
        let env = env();
        let records = execute(&workload, &spec, &env).expect("the run itself succeeds");
        let units: Vec<usize> = records.iter().map(|r| r.unit).collect();
        assert_eq!(
            units,
            (0..8).collect::<Vec<_>>(),
            "{mode}: every unit once, in order"
        );
        for record in &records {
            match (record.unit, &record.outcome) {
                (3, Err(super::UnitFailure(message))) => assert!(
                    message.contains("unit-3") && message.contains("panicked"),
                    "{mode}: {message}"
                ),
                (3, Ok(_)) => panic!("{mode}: unit 3 should have failed"),
                (u, Ok(outcome)) => assert_eq!(outcome.digest, u as u64 * 7),
                (u, Err(e)) => panic!("{mode}: unit {u} failed: {e}"),
            }
        }
        assert_eq!(
            env.counters
                .errors
                .load(std::sync::atomic::Ordering::Relaxed),
            1
        );
    }
}

/// Blocking units that only finish once `peers` of them run at the same time (or give up
/// after a generous deadline), each recording the thread it ran on.
struct Rendezvous {
    peers: usize,
    arrived: std::sync::atomic::AtomicUsize,
    threads: parking_lot::Mutex<Vec<String>>,
}

impl crate::workload::Workload for Rendezvous {
    type Local = ();
    fn name(&self) -> &'static str {
        "rendezvous"
    }
    fn unit_count(&self) -> usize {
        self.peers
    }
    fn unit_label(&self, unit: usize) -> String {
        format!("unit-{unit}")
    }
    fn run_unit(
        &self,
        unit: usize,
        ctx: &mut WorkerCtx,
        _local: &mut (),
    ) -> Result<UnitOutcome, WorkloadError> {
        use std::sync::atomic::Ordering::SeqCst;
        // The name the system (and the profiler) knows the thread by.
        let comm = std::fs::read_to_string("/proc/thread-self/comm").unwrap_or_default();
        let thread = comm.trim_end().to_string();
        self.threads.lock().push(thread);
        self.arrived.fetch_add(1, SeqCst);
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        ctx.wait(crate::model::WaitCategory::Db, || {
            // Every unit waits a little, even the last to arrive: peers that start together
            // could otherwise all find the others there and record no wait at all.
            std::thread::sleep(std::time::Duration::from_millis(5));
            while self.arrived.load(SeqCst) < self.peers && Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        });
        match self.arrived.load(SeqCst) >= self.peers {
            true => Ok(UnitOutcome {
                items: 1,
                digest: unit as u64,
                ..UnitOutcome::default()
            }),
            false => Err(WorkloadError::Other("ran without its peers".into())),
        }
    }
    fn async_blocking_pool(&self) -> bool {
        true
    }
}

#[test]
fn async_mode_runs_blocking_units_in_the_blocking_pool_as_lanes_of_their_own() {
    // One runtime thread, three units in flight that block until all three run: only the
    // blocking pool can run them together.
    let workload = Arc::new(Rendezvous {
        peers: 3,
        arrived: Default::default(),
        threads: Default::default(),
    });
    let spec = ExecSpec {
        mode: Mode::Async,
        workers: 1,
        in_flight: Some(3),
        shard: None,
        lane: None,
    };
    let env = env();
    let dyn_workload: Arc<dyn DynWorkload> = workload.clone();
    let records = execute(&dyn_workload, &spec, &env).expect("the run itself succeeds");
    for record in &records {
        assert!(record.outcome.is_ok(), "{record:?}");
        assert!(record.worker.starts_with("bs-blocking-"), "{record:?}");
    }
    assert_eq!(records.len(), 3);
    let mut threads = workload.threads.lock().clone();
    threads.sort();
    assert_eq!(threads, ["bs-blocking-0", "bs-blocking-1", "bs-blocking-2"]);
    // The pool threads are the lanes, with their waits; the runtime thread is not one.
    let lanes: Vec<String> = env
        .registry
        .snapshots()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(lanes, ["bs-blocking-0", "bs-blocking-1", "bs-blocking-2"]);
    // The first two waited for the third, in their own lanes.
    let waited = env.registry.snapshots().into_iter().filter(|lane| {
        lane.waits
            .get(&crate::model::WaitCategory::Db)
            .is_some_and(|s| *s > 0.0)
    });
    assert!(waited.count() >= 2);
}
