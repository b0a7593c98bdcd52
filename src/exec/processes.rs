//! `processes`: N child processes of this binary, each running a shard of the units and
//! streaming the event protocol back; the parent merges counts, lanes, stacks and results.

use super::{ExecError, ExecSpec, Mode, RunEnv, UnitRecord};
use crate::events::{Envelope, Event, Tick};
use crate::workload::DynWorkload;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

#[cfg(test)]
#[path = "processes_tests.rs"]
mod tests;

/// Makes the command for child `index` of `count`, whose worker lane is called `lane`.
pub type MakeChildCommand =
    dyn Fn(usize, usize, &str) -> std::io::Result<ChildLaunch> + Send + Sync;

/// How to start one child: the command, and what to write to its standard input first.
/// The spec travels through the pipe, not the command line: a command line is readable by
/// every local user (`ps`), and the spec may hold a database password.
pub struct ChildLaunch {
    pub command: Command,
    /// One line (newline included) the child reads before anything else.
    pub first_line: Vec<u8>,
}

/// How `processes` mode starts its children.
#[derive(Clone)]
pub struct ChildCommand(pub Arc<MakeChildCommand>);

/// What one child reported before it exited.
#[derive(Default)]
struct ChildHarvest {
    records: Vec<UnitRecord>,
    finished: bool,
    error: Option<String>,
    last: Tick,
    units_done_at: Option<Instant>,
}

pub(super) fn run(
    workload: &Arc<dyn DynWorkload>,
    spec: &ExecSpec,
    env: &RunEnv,
) -> Result<Vec<UnitRecord>, ExecError> {
    let launcher = env
        .child
        .clone()
        .ok_or_else(|| ExecError::Child("processes mode has no way to start children".into()))?;
    let count = spec.workers;
    let mut children = Vec::with_capacity(count);
    for index in 0..count {
        let lane = super::lane_name(Mode::Processes, index);
        children.push((
            index,
            lane.clone(),
            spawn_child(&launcher, index, count, &lane)?,
        ));
    }
    let pids: Vec<u32> = children.iter().map(|(_, _, c)| c.id()).collect();
    let done = std::sync::atomic::AtomicBool::new(false);
    let ready = Barrier::new(count);
    let harvests = std::thread::scope(|scope| {
        let forwarder = scope.spawn(|| forward_cancel(env, &pids, &done));
        let ready = &ready;
        let handles: Vec<_> = children
            .into_iter()
            .map(|(index, lane, child)| {
                scope.spawn(move || drive_child(index, &lane, child, env, ready))
            })
            .collect();
        let harvests: Vec<_> = handles.into_iter().map(|h| h.join()).collect();
        done.store(true, Relaxed);
        let _ = forwarder.join();
        harvests
    });
    let harvests = harvests
        .into_iter()
        .enumerate()
        .map(|(i, h)| h.map_err(|_| ExecError::Child(format!("reader of child {i} panicked"))))
        .collect::<Result<Vec<ChildHarvest>, ExecError>>()?;
    *env.remote.work_end.lock() = work_end(&harvests);
    let mut records = Vec::new();
    for (index, harvest) in harvests.into_iter().enumerate() {
        records.extend(missing_units(workload.as_ref(), index, count, &harvest));
        records.extend(harvest.records);
    }
    Ok(records)
}

/// The work ended when the last child finished its units; unknown if any child failed.
fn work_end(harvests: &[ChildHarvest]) -> Option<Instant> {
    harvests
        .iter()
        .map(|h| h.units_done_at.filter(|_| h.finished))
        .collect::<Option<Vec<Instant>>>()
        .and_then(|ends| ends.into_iter().max())
}

fn spawn_child(
    launcher: &ChildCommand,
    index: usize,
    count: usize,
    lane: &str,
) -> Result<Child, ExecError> {
    let ChildLaunch {
        mut command,
        first_line,
    } = (launcher.0)(index, count, lane)
        .map_err(|e| ExecError::Child(format!("could not find this program to re-run: {e}")))?;
    // Own process group: a Ctrl-C at the terminal reaches only the parent, which passes the
    // stop on (forward_cancel) once the child can take it gracefully.
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|e| ExecError::Child(format!("could not start child process {index}: {e}")))?;
    // A spec longer than the pipe holds waits for the child to read it: its first act.
    let sent = match child.stdin.as_mut() {
        Some(stdin) => stdin.write_all(&first_line).and_then(|()| stdin.flush()),
        None => Err(std::io::Error::other("no pipe to its standard input")),
    };
    if let Err(e) = sent {
        let _ = child.kill();
        let _ = child.wait();
        return Err(ExecError::Child(format!(
            "could not send child process {index} its spec: {e}"
        )));
    }
    Ok(child)
}

/// Passes a stop request on to children that did not get the terminal's Ctrl-C themselves.
fn forward_cancel(env: &RunEnv, pids: &[u32], done: &std::sync::atomic::AtomicBool) {
    while !done.load(Relaxed) {
        if env.cancelled() {
            for pid in pids {
                // SAFETY: kill with a pid we started; a process already gone gives ESRCH.
                unsafe { libc::kill(*pid as libc::pid_t, libc::SIGINT) };
            }
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn drive_child(
    index: usize,
    lane: &str,
    mut child: Child,
    env: &RunEnv,
    ready: &Barrier,
) -> ChildHarvest {
    let stderr = child.stderr.take();
    let stderr_reader = std::thread::spawn(move || read_tail(stderr));
    let mut harvest = ChildHarvest::default();
    let mut go = child.stdin.take();
    let mut waiting = true;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Ok(envelope) = Envelope::parse_line(&line) else {
                continue;
            };
            if waiting && matches!(envelope.event, Event::Start { .. }) {
                waiting = false;
                release_together(ready, go.as_mut(), env);
            }
            absorb_event(envelope.event, &mut harvest, env);
        }
    }
    if waiting {
        // The child died before it was ready; do not keep the others waiting for it.
        ready.wait();
    }
    drop(go);
    let status = child.wait();
    let stderr_text = stderr_reader.join().unwrap_or_default();
    if !harvest.finished {
        let why = describe_exit(status.ok(), &stderr_text);
        harvest.error = Some(format!("child process {index} ({lane}) {why}"));
    }
    harvest
}

/// Waits until every child is ready, then tells this one to go; the work clock starts then.
fn release_together(ready: &Barrier, stdin: Option<&mut ChildStdin>, env: &RunEnv) {
    if ready.wait().is_leader() {
        *env.remote.work_start.lock() = Some(Instant::now());
    }
    if let Some(stdin) = stdin {
        let _ = stdin.write_all(b"go\n").and_then(|_| stdin.flush());
    }
}

fn absorb_event(event: Event, harvest: &mut ChildHarvest, env: &RunEnv) {
    match event {
        Event::Tick(tick) => {
            let counters = &env.counters;
            counters
                .items
                .fetch_add(tick.items.saturating_sub(harvest.last.items), Relaxed);
            counters
                .bytes
                .fetch_add(tick.bytes.saturating_sub(harvest.last.bytes), Relaxed);
            counters
                .rejected
                .fetch_add(tick.rejected.saturating_sub(harvest.last.rejected), Relaxed);
            counters
                .errors
                .fetch_add(tick.errors.saturating_sub(harvest.last.errors), Relaxed);
            counters.units_done.fetch_add(
                tick.units_done.saturating_sub(harvest.last.units_done),
                Relaxed,
            );
            let mut lanes = env.remote.lanes.lock();
            for worker in &tick.workers {
                lanes.insert(worker.name.clone(), worker.clone());
            }
            if tick.units_done >= tick.units_total {
                harvest.units_done_at = Some(Instant::now());
            }
            harvest.last = tick;
        }
        Event::Stacks { stacks, wall, .. } => {
            env.remote.pending_stacks.lock().merge(&stacks);
            env.remote.pending_wall.lock().merge(&wall);
        }
        Event::Units { units } => harvest.records.extend(units),
        Event::Done { report, units } => {
            // Every unit of the shard, those already streamed included.
            harvest.records = units;
            harvest.finished = true;
            env.remote.reports.lock().push(*report);
        }
        Event::Error { message } => harvest.error = Some(message),
        // Children never sample PostgreSQL activity: the parent does, for all of them.
        // A child generates no data the parent has not generated before it.
        Event::Start { .. } | Event::PgActivity { .. } | Event::Prepare(_) => {}
    }
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
    super::shard_units(workload.unit_count(), Some((index, count)))
        .into_iter()
        .filter(|u| !harvest.records.iter().any(|r| r.unit == *u))
        .map(|unit| UnitRecord {
            unit,
            label: workload.unit_label(unit),
            outcome: Err(super::UnitFailure::new(&workload.unit_label(unit), &error)),
            worker: super::lane_name(Mode::Processes, index),
            start_s: 0.0,
            end_s: 0.0,
        })
        .collect()
}

fn read_tail(stream: Option<impl Read>) -> String {
    let mut text = String::new();
    if let Some(mut stream) = stream {
        let _ = stream.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(3)..].join(" / ")
}

fn describe_exit(status: Option<ExitStatus>, stderr: &str) -> String {
    use std::os::unix::process::ExitStatusExt;
    let how = match status {
        Some(s) if s.signal().is_some() => {
            format!("was killed by signal {}", s.signal().unwrap_or(0))
        }
        Some(s) => format!("exited with status {}", s.code().unwrap_or(-1)),
        None => "could not be waited for".to_string(),
    };
    if stderr.is_empty() {
        format!("{how} before finishing its units")
    } else {
        format!("{how} before finishing its units: {stderr}")
    }
}
