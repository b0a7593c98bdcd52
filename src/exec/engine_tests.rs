//! Engine tests with a tiny in-memory workload: every mode runs every unit once, and a
//! panicking unit is reported as failed while the others go on.

use super::*;
use crate::measure::WorkerCtx;
use crate::workload::{UnitOutcome, WorkloadError};
use std::time::Instant;

/// Unit `u` yields digest `u * 7`; unit 3 panics.
struct Toy;

impl Workload for Toy {
    fn name(&self) -> &'static str {
        "toy"
    }
    fn unit_count(&self) -> usize {
        8
    }
    fn unit_label(&self, unit: usize) -> String {
        format!("unit-{unit}")
    }
    fn run_unit(&self, unit: usize, _ctx: &mut WorkerCtx) -> Result<UnitOutcome, WorkloadError> {
        assert!(unit != 3, "toy unit 3 always breaks");
        Ok(UnitOutcome {
            items: 1,
            digest: unit as u64 * 7,
            ..UnitOutcome::default()
        })
    }
}

fn env() -> RunEnv {
    RunEnv {
        registry: MeterRegistry::new(Instant::now()),
        counters: Arc::default(),
        gil: None,
        cancel: Arc::default(),
        remote: RemoteState::default(),
        child: None,
    }
}

#[test]
fn a_panicking_unit_fails_alone_in_every_in_process_mode() {
    let workload: Arc<dyn Workload> = Arc::new(Toy);
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
                (3, Err(message)) => assert!(
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
