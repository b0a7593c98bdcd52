//! The `processes` executor: N child processes of this binary, each running a shard of the
//! units in-process and streaming the event protocol back; this parent merges their counts,
//! lanes, stacks and results. It sits beside the engine (which runs units in-process), not
//! inside it, and starts its children through the shared child helper.

use super::child::{describe_status, ChildError, ChildExit, ChildHandle, ChildProcess};
use super::child::{Launch, Signal};
use super::RunSpec;
use crate::events::Event;
use crate::exec::{lane_name, shard_units, RunEnv};
use crate::flame::FoldedStacks;
use crate::model::RunReport;
use crate::model::Tick;
use crate::model::WorkerSnapshot;
use crate::model::{Mode, UnitFailure, UnitRecord};
use crate::workload::DynWorkload;
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

#[cfg(test)]
#[path = "processes_tests.rs"]
mod tests;

/// Lines of a dead child's stderr quoted in its units' failure.
const STDERR_LINES: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum ProcessesError {
    #[error("could not start child process {index}: {source}")]
    Start {
        index: usize,
        #[source]
        source: ChildError,
    },
    #[error("the reader of child process {0} panicked")]
    ReaderPanicked(usize),
}

/// What the children have reported so far.
#[derive(Default)]
pub struct RemoteState {
    pub lanes: Mutex<BTreeMap<String, WorkerSnapshot>>,
    pub pending_stacks: Mutex<FoldedStacks>,
    pub pending_wall: Mutex<FoldedStacks>,
    pub pending_phases: Mutex<FoldedStacks>,
    pub reports: Mutex<Vec<RunReport>>,
    /// When the last child reported all its units done. Children then still symbolize and
    /// send their profile; like the in-process modes, that profiler teardown is not part of
    /// the work's wall time.
    pub work_end: Mutex<Option<Instant>>,
    /// When every child was ready (profiler running) and was told to go.
    pub work_start: Mutex<Option<Instant>>,
}

impl RemoteState {
    /// The children's warnings (a profiler that could not start), each said once with how
    /// many children said it: children under the same limits say the same.
    pub fn child_warnings(&self) -> Vec<String> {
        let reports = self.reports.lock();
        let mut said: Vec<(&str, usize)> = Vec::new();
        for warning in reports.iter().flat_map(|r| &r.warnings) {
            match said.iter_mut().find(|(text, _)| text == warning) {
                Some((_, count)) => *count += 1,
                None => said.push((warning, 1)),
            }
        }
        said.into_iter()
            .map(|(text, count)| {
                format!("{text} (in {count} of {} child processes)", reports.len())
            })
            .collect()
    }
}

/// What one child reported before it exited.
#[derive(Default)]
struct ChildHarvest {
    records: Vec<UnitRecord>,
    finished: bool,
    error: Option<String>,
    last: Tick,
    units_done_at: Option<Instant>,
}

/// The parent's side of a run: the engine's shared state and what the children report.
#[derive(Clone, Copy)]
struct Parent<'a> {
    env: &'a RunEnv,
    remote: &'a RemoteState,
}

/// Runs `spec`'s units in `spec.workers` children; one record per unit (those of a child
/// that died unfinished are failed with the reason).
pub(super) fn run(
    workload: &Arc<dyn DynWorkload>,
    spec: &RunSpec,
    env: &RunEnv,
    remote: &RemoteState,
) -> Result<Vec<UnitRecord>, ProcessesError> {
    let mut shared = spec.clone();
    if let Some(workload_spec) = workload.spec_for_children() {
        shared.workload = workload_spec;
    }
    let count = spec.workers;
    let mut children = Vec::with_capacity(count);
    for index in 0..count {
        let lane = lane_name(Mode::Processes, index);
        let child = launch(&shared, index, count, &lane)
            .and_then(Launch::spawn)
            .map_err(|source| ProcessesError::Start { index, source })?;
        children.push((index, lane, child));
    }
    let handles: Vec<ChildHandle> = children.iter().map(|(_, _, c)| c.handle()).collect();
    let parent = Parent { env, remote };
    let harvests = harvest_all(children, &handles, parent)?;
    *remote.work_end.lock() = work_end(&harvests);
    let mut records = Vec::new();
    for (index, harvest) in harvests.into_iter().enumerate() {
        records.extend(missing_units(workload.as_ref(), index, count, &harvest));
        records.extend(harvest.records);
    }
    Ok(records)
}

/// Reads every child on its own thread until all have ended, passing a stop on meanwhile.
fn harvest_all(
    children: Vec<(usize, String, ChildProcess)>,
    handles: &[ChildHandle],
    parent: Parent,
) -> Result<Vec<ChildHarvest>, ProcessesError> {
    let done = AtomicBool::new(false);
    let ready = Barrier::new(children.len());
    let joined = std::thread::scope(|scope| {
        let forwarder = scope.spawn(|| forward_cancel(parent.env, handles, &done));
        let ready = &ready;
        let readers: Vec<_> = children
            .into_iter()
            .map(|(index, lane, child)| {
                scope.spawn(move || drive_child(index, &lane, child, parent, ready))
            })
            .collect();
        let joined: Vec<_> = readers.into_iter().map(|h| h.join()).collect();
        done.store(true, Relaxed);
        let _ = forwarder.join();
        joined
    });
    joined
        .into_iter()
        .enumerate()
        .map(|(i, h)| h.map_err(|_| ProcessesError::ReaderPanicked(i)))
        .collect()
}

/// How child `index` of `count` starts: this binary, the shared spec narrowed to one shard,
/// sent as the first line of its standard input (see `read_child_spec`).
fn launch(spec: &RunSpec, index: usize, count: usize, lane: &str) -> Result<Launch, ChildError> {
    // The lane name only, so that `ps` tells the children apart.
    let mut launch = Launch::this_binary(&["__child", "--lane", lane])?
        .with_spec(&spec.for_child(index, count, lane))?
        .keep_stdin();
    let command = launch.command_mut();
    // The spec already holds the password, if `PGPASSWORD` gave one: no copy of it in the
    // children's environment.
    command.env_remove(crate::db::PASSWORD_ENV);
    // Own process group: a Ctrl-C at the terminal reaches only the parent, which passes the
    // stop on (forward_cancel) once the child can take it gracefully.
    std::os::unix::process::CommandExt::process_group(command, 0);
    Ok(launch)
}

/// Passes a stop request on to children that did not get the terminal's Ctrl-C themselves.
fn forward_cancel(env: &RunEnv, children: &[ChildHandle], done: &AtomicBool) {
    while !done.load(Relaxed) {
        if env.cancelled() {
            for child in children {
                // A child that has already ended and been reaped is not signalled.
                let _ = child.signal(Signal::Interrupt);
            }
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn drive_child(
    index: usize,
    lane: &str,
    mut child: ChildProcess,
    parent: Parent,
    ready: &Barrier,
) -> ChildHarvest {
    let mut harvest = ChildHarvest::default();
    let mut waiting = true;
    // Lines that are not events (none are expected) are skipped.
    for envelope in child.events().flatten() {
        if waiting && matches!(envelope.event, Event::Start { .. }) {
            waiting = false;
            release_together(ready, &mut child, parent.remote);
        }
        absorb_event(envelope.event, &mut harvest, parent);
    }
    if waiting {
        // The child died before it was ready; do not keep the others waiting for it.
        ready.wait();
    }
    let exit = child.wait();
    if !harvest.finished {
        let why = describe_exit(&exit);
        harvest.error = Some(format!("child process {index} ({lane}) {why}"));
    }
    harvest
}

/// Waits until every child is ready, then tells this one to go; the work clock starts then.
fn release_together(ready: &Barrier, child: &mut ChildProcess, remote: &RemoteState) {
    if ready.wait().is_leader() {
        *remote.work_start.lock() = Some(Instant::now());
    }
    if let Some(stdin) = child.stdin() {
        let _ = stdin.write_all(b"go\n").and_then(|()| stdin.flush());
    }
}

fn absorb_event(event: Event, harvest: &mut ChildHarvest, parent: Parent) {
    match event {
        Event::Tick(tick) => absorb_tick(tick, harvest, parent),
        Event::Stacks {
            stacks,
            wall,
            phases,
            ..
        } => {
            parent.remote.pending_stacks.lock().merge(&stacks);
            parent.remote.pending_wall.lock().merge(&wall);
            parent.remote.pending_phases.lock().merge(&phases);
        }
        Event::Units { units } => harvest.records.extend(units),
        Event::Done { report, units } => {
            // Every unit of the shard, those already streamed included.
            harvest.records = units;
            harvest.finished = true;
            parent.remote.reports.lock().push(*report);
        }
        Event::Error { message } => harvest.error = Some(message),
        // Children never sample PostgreSQL activity: the parent does, for all of them.
        // A child generates no data the parent has not generated before it.
        Event::Start { .. } | Event::PgActivity { .. } | Event::Prepare(_) => {}
    }
}

/// A child's tick holds its totals so far: the run's counters get what is new since its
/// previous tick, and its lanes show its latest snapshot.
fn absorb_tick(tick: Tick, harvest: &mut ChildHarvest, parent: Parent) {
    let counters = &parent.env.counters;
    let last = &harvest.last;
    let pairs = [
        (&counters.items, tick.items, last.items),
        (&counters.bytes, tick.bytes, last.bytes),
        (&counters.rejected, tick.rejected, last.rejected),
        (&counters.errors, tick.errors, last.errors),
        (&counters.units_done, tick.units_done, last.units_done),
    ];
    for (counter, now, before) in pairs {
        counter.fetch_add(now.saturating_sub(before), Relaxed);
    }
    let mut lanes = parent.remote.lanes.lock();
    for worker in &tick.workers {
        lanes.insert(worker.name.clone(), worker.clone());
    }
    if tick.units_done >= tick.units_total {
        harvest.units_done_at = Some(Instant::now());
    }
    harvest.last = tick;
}

/// The work ended when the last child finished its units; unknown if any child failed.
fn work_end(harvests: &[ChildHarvest]) -> Option<Instant> {
    harvests
        .iter()
        .map(|h| h.units_done_at.filter(|_| h.finished))
        .collect::<Option<Vec<Instant>>>()
        .and_then(|ends| ends.into_iter().max())
}

/// Units of a child's shard that it never reported: failed, so nothing disappears silently.
fn missing_units(
    workload: &dyn DynWorkload,
    index: usize,
    count: usize,
    harvest: &ChildHarvest,
) -> Vec<UnitRecord> {
    let Some(error) = &harvest.error else {
        return Vec::new();
    };
    shard_units(workload.unit_count(), Some((index, count)))
        .into_iter()
        .filter(|u| !harvest.records.iter().any(|r| r.unit == *u))
        .map(|unit| UnitRecord {
            unit,
            label: workload.unit_label(unit),
            outcome: Err(UnitFailure::new(&workload.unit_label(unit), &error)),
            worker: lane_name(Mode::Processes, index),
            start_s: 0.0,
            end_s: 0.0,
        })
        .collect()
}

/// How a child that did not finish ended, with the last lines of its stderr.
fn describe_exit(exit: &ChildExit) -> String {
    let how = describe_status(exit.status);
    let said = exit.stderr.last_lines(STDERR_LINES);
    if said.is_empty() {
        format!("{how} before finishing its units")
    } else {
        format!("{how} before finishing its units: {said}")
    }
}
