//! `RunSpec`: what a `processes` child is given, how units split into shards, and which
//! specs are refused before anything runs.

use super::{RunSpec, SessionError, MAX_WORKERS};
use crate::model::Mode;
use crate::workload::csv::CsvOptions;
use crate::workload::json::JsonOptions;
use crate::workload::WorkloadSpec;

fn json(mode: Mode, workers: usize) -> RunSpec {
    RunSpec::new(
        WorkloadSpec::JsonParse(JsonOptions::default()),
        mode,
        workers,
    )
}

fn refused(spec: &RunSpec) -> String {
    match spec.validate() {
        Err(e @ SessionError::Input(_)) => e.to_string(),
        other => panic!("expected a usage error, got {other:?}"),
    }
}

#[test]
fn a_child_runs_one_sequential_worker_over_its_shard_with_the_parents_settings() {
    let mut parent = json(Mode::Processes, 4);
    parent.gil = true;
    parent.hz = 97;
    parent.in_flight = Some(8);
    let child = parent.for_child(2, 4, "bs-proc-2");
    assert_eq!((child.mode, child.workers), (Mode::Sequential, 1));
    assert_eq!(child.shard, Some((2, 4)));
    assert_eq!(child.lane.as_deref(), Some("bs-proc-2"));
    assert_eq!(
        child.in_flight, None,
        "a sequential child has nothing in flight"
    );
    assert!(child.gil);
    assert_eq!(child.hz, 97);
    let as_json = |s: &RunSpec| serde_json::to_value(&s.workload).expect("serialises");
    assert_eq!(as_json(&child), as_json(&parent));
    let exec = child.exec_spec();
    assert_eq!(
        (exec.shard, exec.lane),
        (Some((2, 4)), Some("bs-proc-2".into()))
    );
}

#[test]
fn the_childrens_shards_add_up_to_every_unit() {
    let parent = json(Mode::Processes, 3);
    for units in [0, 1, 2, 7, 10] {
        let sizes: Vec<usize> = (0..3)
            .map(|i| parent.for_child(i, 3, "x").units_in_shard(units))
            .collect();
        assert_eq!(sizes.iter().sum::<usize>(), units, "{units}: {sizes:?}");
        // Round robin: no shard has more than one unit over another.
        let (min, max) = (sizes.iter().min(), sizes.iter().max());
        assert!(max.zip(min).is_some_and(|(a, b)| a - b <= 1), "{sizes:?}");
    }
    assert_eq!(
        parent.units_in_shard(10),
        10,
        "the parent itself has no shard"
    );
}

#[test]
fn out_of_range_workers_rate_and_in_flight_are_refused_as_usage_errors() {
    assert!(json(Mode::Threads, 1).validate().is_ok());
    assert!(json(Mode::Threads, MAX_WORKERS).validate().is_ok());
    assert!(refused(&json(Mode::Threads, 0)).contains("--workers 0"));
    assert!(refused(&json(Mode::Threads, MAX_WORKERS + 1)).contains("too many"));
    let mut fast = json(Mode::Threads, 2);
    fast.hz = 10_000;
    assert!(refused(&fast).contains("--hz 10000"));
    fast.profile = false;
    assert!(
        fast.validate().is_ok(),
        "the rate does not matter unprofiled"
    );
    let mut none_in_flight = json(Mode::Async, 2);
    none_in_flight.in_flight = Some(0);
    assert!(refused(&none_in_flight).contains("--in-flight 0"));
}

#[test]
fn a_workload_processes_cannot_run_is_refused_only_in_the_parent() {
    let memory = CsvOptions {
        db: "sqlite::memory:".into(),
        ..CsvOptions::default()
    };
    let parent = RunSpec::new(WorkloadSpec::CsvImport(memory), Mode::Processes, 2);
    assert!(refused(&parent).contains("processes"));
    let threads = RunSpec {
        mode: Mode::Threads,
        ..parent.clone()
    };
    assert!(threads.validate().is_ok());
    let mut zero_batch = threads.clone();
    if let WorkloadSpec::CsvImport(csv) = &mut zero_batch.workload {
        csv.batch = 0;
    }
    assert!(refused(&zero_batch).contains("--batch"));
}

#[test]
fn in_flight_is_a_knob_of_async_runs_only() {
    let mut spec = json(Mode::Async, 2);
    spec.in_flight = Some(16);
    let named =
        |spec: &RunSpec| -> Vec<String> { spec.knobs().iter().map(|k| k.to_string()).collect() };
    assert!(
        named(&spec).contains(&"in-flight 16".to_string()),
        "{:?}",
        named(&spec)
    );
    spec.mode = Mode::Threads;
    assert!(!named(&spec).iter().any(|k| k.starts_with("in-flight")));
}

#[test]
fn the_recorded_spec_masks_the_database_password() {
    let csv = CsvOptions {
        db: "postgres://me:secret@localhost/db".into(),
        ..CsvOptions::default()
    };
    let spec = RunSpec::new(WorkloadSpec::CsvImport(csv), Mode::Threads, 2);
    let shown = serde_json::to_string(&spec.redacted()).expect("a spec serialises");
    assert!(!shown.contains("secret"), "{shown}");
    assert!(shown.contains("localhost"), "{shown}");
    assert_eq!(spec.title(), "csv-import · threads × 2 workers");
    let one = RunSpec::new(spec.workload.clone(), Mode::Sequential, 1);
    assert_eq!(one.title(), "csv-import · sequential × 1 worker");
}
