//! The parent's side of `processes` without starting children: how a child's ticks become
//! the run's counters and lanes, what a child that died leaves behind, and how its end is
//! described.

use super::*;
use crate::measure::MeterRegistry;
use crate::model::RunReport;
use crate::model::{UnitFailure, UnitOutcome, WorkerSnapshot};
use crate::session::child::StderrTail;
use crate::workload::testing::TestWorkload;
use std::collections::BTreeSet;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

/// Seven units labelled `u0` .. `u6`; never run here.
fn seven() -> TestWorkload {
    TestWorkload::idle("seven", 7)
}

/// The parent's state for one test: the engine's counters and the children's reports.
struct World {
    env: RunEnv,
    remote: RemoteState,
}

impl World {
    fn parent(&self) -> Parent<'_> {
        Parent {
            env: &self.env,
            remote: &self.remote,
        }
    }
}

fn env() -> World {
    World {
        env: RunEnv {
            registry: MeterRegistry::new(Instant::now()),
            counters: Arc::default(),
            gil: None,
            cancel: Arc::default(),
        },
        remote: RemoteState::default(),
    }
}

/// How a child ended: its status and what it wrote to stderr.
fn exit(status: Option<ExitStatus>, stderr: &str) -> ChildExit {
    let mut tail = StderrTail::default();
    tail.push(stderr);
    ChildExit {
        status,
        stderr: tail,
    }
}

fn lane(name: &str, cpu_s: f64) -> WorkerSnapshot {
    WorkerSnapshot {
        name: name.into(),
        wall_s: 2.0 * cpu_s,
        cpu_s,
        ..WorkerSnapshot::default()
    }
}

/// A child's cumulative counts: items, bytes, rejected, errors, units done of total.
fn tick(counts: [u64; 6], workers: Vec<WorkerSnapshot>) -> Event {
    let [items, bytes, rejected, errors, units_done, units_total] = counts;
    Event::Tick(Tick {
        elapsed_s: 0.0,
        items,
        bytes,
        errors,
        rejected,
        units_done,
        units_total,
        workers,
    })
}

fn done(unit: usize, lane: &str) -> UnitRecord {
    UnitRecord {
        unit,
        label: format!("u{unit}"),
        outcome: Ok(UnitOutcome {
            items: 1,
            ..UnitOutcome::default()
        }),
        worker: lane.into(),
        start_s: 0.0,
        end_s: 1.0,
    }
}

fn counts(world: &World) -> [u64; 5] {
    let c = &world.env.counters;
    [&c.items, &c.bytes, &c.rejected, &c.errors, &c.units_done].map(|a| a.load(Relaxed))
}

#[test]
fn a_childs_cumulative_ticks_add_only_what_is_new() {
    let env = env();
    let mut harvest = ChildHarvest::default();
    let first = tick([10, 100, 1, 0, 1, 3], vec![lane("bs-proc-0", 0.5)]);
    absorb_event(first, &mut harvest, env.parent());
    assert_eq!(counts(&env), [10, 100, 1, 0, 1]);
    let second = tick([25, 250, 3, 1, 2, 3], vec![lane("bs-proc-0", 1.5)]);
    absorb_event(second, &mut harvest, env.parent());
    // Each tick carries the child's totals so far: adding them whole would give 35 items.
    assert_eq!(counts(&env), [25, 250, 3, 1, 2]);
    assert_eq!(harvest.last.items, 25);
    assert!(harvest.units_done_at.is_none(), "2 of 3 units is not done");
    // The lane shows the child's latest snapshot, not a sum of them.
    assert_eq!(env.remote.lanes.lock()["bs-proc-0"].cpu_s, 1.5);
    absorb_event(
        tick([30, 300, 3, 1, 3, 3], vec![]),
        &mut harvest,
        env.parent(),
    );
    assert!(harvest.units_done_at.is_some(), "3 of 3 units is done");
}

#[test]
fn two_childrens_counters_add_up_and_their_lanes_stay_apart() {
    let env = env();
    let (mut a, mut b) = (ChildHarvest::default(), ChildHarvest::default());
    absorb_event(
        tick([4, 40, 0, 0, 1, 4], vec![lane("bs-proc-0", 1.0)]),
        &mut a,
        env.parent(),
    );
    absorb_event(
        tick([7, 70, 2, 1, 2, 3], vec![lane("bs-proc-1", 2.0)]),
        &mut b,
        env.parent(),
    );
    absorb_event(
        tick([9, 90, 1, 0, 3, 4], vec![lane("bs-proc-0", 3.0)]),
        &mut a,
        env.parent(),
    );
    // Child 0 got to 9 items, child 1 to 7: whatever order their ticks came in.
    assert_eq!(counts(&env), [9 + 7, 90 + 70, 1 + 2, 1, 3 + 2]);
    let lanes = env.remote.lanes.lock();
    let names: Vec<&str> = lanes.keys().map(String::as_str).collect();
    assert_eq!(names, ["bs-proc-0", "bs-proc-1"]);
    assert_eq!(lanes["bs-proc-0"].cpu_s, 3.0);
    assert_eq!(lanes["bs-proc-1"].cpu_s, 2.0);
}

#[test]
fn a_killed_child_keeps_its_streamed_units_and_the_rest_of_its_shard_fail_with_why() {
    let env = env();
    let mut harvest = ChildHarvest::default();
    // Child 1 of 2 owns units 1, 3 and 5; it streamed two of them, then was killed.
    let streamed = vec![done(1, "bs-proc-1"), done(3, "bs-proc-1")];
    absorb_event(Event::Units { units: streamed }, &mut harvest, env.parent());
    let why = describe_exit(&exit(Some(ExitStatus::from_raw(libc::SIGKILL)), ""));
    harvest.error = Some(format!("child process 1 (bs-proc-1) {why}"));
    let missing = missing_units(&seven(), 1, 2, &harvest);
    assert_eq!(missing.len(), 1);
    let lost = &missing[0];
    assert_eq!((lost.unit, lost.label.as_str()), (5, "u5"));
    assert_eq!(lost.worker, "bs-proc-1");
    let Err(UnitFailure(message)) = &lost.outcome else {
        panic!("a unit the child never reported is failed: {lost:?}");
    };
    assert!(
        message.starts_with("u5: child process 1 (bs-proc-1)"),
        "{message}"
    );
    assert!(message.contains("killed by signal 9"), "{message}");
    // Kept plus lost is the shard, each unit once.
    let all: BTreeSet<usize> = harvest
        .records
        .iter()
        .chain(&missing)
        .map(|r| r.unit)
        .collect();
    assert_eq!(harvest.records.len() + missing.len(), all.len());
    assert_eq!(all, BTreeSet::from([1, 3, 5]));
    let ok = harvest.records.iter().filter(|r| r.outcome.is_ok()).count();
    assert_eq!(ok, 2, "the units it finished stay finished");
}

#[test]
fn a_child_that_died_before_any_unit_fails_its_whole_shard_and_no_other() {
    let harvest = ChildHarvest {
        error: Some("child process 0 (bs-proc-0) exited with status 1".into()),
        ..ChildHarvest::default()
    };
    let missing = missing_units(&seven(), 0, 3, &harvest);
    let units: Vec<usize> = missing.iter().map(|r| r.unit).collect();
    assert_eq!(units, [0, 3, 6]);
    assert!(missing.iter().all(|r| r.outcome.is_err()));
}

#[test]
fn a_finished_childs_final_list_replaces_what_it_streamed_and_nothing_is_lost() {
    let env = env();
    let mut harvest = ChildHarvest::default();
    let streamed = vec![done(0, "bs-proc-0")];
    absorb_event(Event::Units { units: streamed }, &mut harvest, env.parent());
    let report = RunReport {
        cpu_s: 1.25,
        ..RunReport::default()
    };
    let units = vec![done(0, "bs-proc-0"), done(2, "bs-proc-0")];
    let end = Event::Done {
        report: Box::new(report),
        units,
    };
    absorb_event(end, &mut harvest, env.parent());
    assert!(harvest.finished);
    // Unit 0 came twice (streamed, then in the final list) and is kept once.
    let units: Vec<usize> = harvest.records.iter().map(|r| r.unit).collect();
    assert_eq!(units, [0, 2]);
    assert_eq!(env.remote.reports.lock()[0].cpu_s, 1.25);
    assert!(missing_units(&seven(), 0, 2, &harvest).is_empty());
}

#[test]
fn a_childs_error_event_is_kept_as_its_reason() {
    let env = env();
    let mut harvest = ChildHarvest::default();
    let error = Event::Error {
        message: "cannot open the input".into(),
    };
    absorb_event(error, &mut harvest, env.parent());
    let missing = missing_units(&seven(), 0, 7, &harvest);
    assert_eq!(missing.len(), 1);
    assert_eq!(
        missing[0].outcome,
        Err(UnitFailure("u0: cannot open the input".into()))
    );
}

#[test]
fn the_exit_description_says_how_the_child_ended_and_what_it_said() {
    let status = ExitStatus::from_raw(3 << 8);
    assert_eq!(
        describe_exit(&exit(Some(status), "")),
        "exited with status 3 before finishing its units"
    );
    let killed = ExitStatus::from_raw(libc::SIGTERM);
    assert_eq!(
        describe_exit(&exit(Some(killed), "disk full\ngiving up\n")),
        format!(
            "was killed by signal {} (SIGTERM) before finishing its units: disk full / giving up",
            libc::SIGTERM
        )
    );
    assert!(describe_exit(&exit(None, "")).starts_with("could not be waited for"));
}

#[test]
fn the_stderr_tail_is_the_last_three_lines_that_say_something() {
    let said = |text: &str| describe_exit(&exit(Some(ExitStatus::from_raw(1 << 8)), text));
    assert!(said("one\ntwo\n\nthree\n   \nfour\n").ends_with(": two / three / four"));
    assert!(said("only\n").ends_with("units: only"));
    assert!(said("").ends_with("units"));
}

#[test]
fn the_work_ends_with_the_last_child_and_is_unknown_if_one_did_not_finish() {
    let t0 = Instant::now();
    let at = |ms, finished| ChildHarvest {
        finished,
        units_done_at: Some(t0 + Duration::from_millis(ms)),
        ..ChildHarvest::default()
    };
    let end = work_end(&[at(30, true), at(50, true), at(10, true)]);
    assert_eq!(end, Some(t0 + Duration::from_millis(50)));
    assert_eq!(work_end(&[at(30, true), at(50, false)]), None);
    let never = ChildHarvest {
        finished: true,
        ..ChildHarvest::default()
    };
    assert_eq!(work_end(&[at(30, true), never]), None);
}

#[test]
fn the_childrens_warnings_reach_the_parent_once_each_with_how_many_said_it() {
    let world = env();
    let said = |warnings: &[&str]| RunReport {
        warnings: warnings.iter().map(|w| w.to_string()).collect(),
        ..RunReport::default()
    };
    world.remote.reports.lock().extend([
        said(&["no profiler here"]),
        said(&["no profiler here", "only once"]),
        said(&[]),
    ]);
    assert_eq!(
        world.remote.child_warnings(),
        [
            "no profiler here (in 2 of 3 child processes)",
            "only once (in 1 of 3 child processes)"
        ]
    );
}
