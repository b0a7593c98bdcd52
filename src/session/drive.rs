//! A run's middle: the units run on their own thread (in this process's engine, or in child
//! processes for `processes`) while this thread ticks, streaming counters, lanes and stacks.

use super::processes::{self, RemoteState};
use super::{pg, RunHooks, RunSpec, SessionError};
use crate::events::Event;
use crate::exec::{self, ExecError, RunEnv, UnitFeed};
use crate::flame::FoldedStacks;
use crate::model::Tick;
use crate::model::{Mode, UnitRecord};
use crate::profile::phases::PhaseAccount;
use crate::profile::{ProfileDelta, Sampler};
use crate::workload::DynWorkload;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The workers' profiles of a run so far.
#[derive(Default)]
pub(super) struct Profiles {
    pub(super) cpu: FoldedStacks,
    pub(super) wall: FoldedStacks,
    /// The workers' wall time on their phases, by cause (kept with or without sampling).
    pub(super) phases: FoldedStacks,
    pub(super) phase_account: PhaseAccount,
}

/// Runs the engine on its own thread while this one ticks.
pub(super) fn drive(
    workload: &Arc<dyn DynWorkload>,
    spec: &RunSpec,
    (env, outside): (&RunEnv, &Outside),
    hooks: &mut RunHooks,
    sampler: &mut Option<Sampler>,
    profiles: &mut Profiles,
    (failure, pg_watch): (&mut Option<String>, &mut pg::PgWatch),
) -> Result<Vec<UnitRecord>, SessionError> {
    let exec_spec = spec.exec_spec();
    let started = Instant::now();
    std::thread::scope(|scope| {
        let engine = std::thread::Builder::new()
            .name("bs-engine".into())
            .spawn_scoped(scope, || {
                execute(workload, spec, &exec_spec, (env, outside))
            })
            .map_err(ExecError::Spawn)?;
        let tick_every = Duration::from_millis(spec.tick_ms.max(10));
        let mut ticks = 0u32;
        while !engine.is_finished() {
            sleep_until_next_tick(&engine, started, tick_every, ticks);
            ticks += 1;
            emit_tick(hooks, (env, outside), workload.unit_count(), spec, started);
            pg_watch.emit(&mut hooks.events);
            // Stacks go out with every tick, so a time range selected in the UI splits the
            // flamegraph at the chart's step (every fourth tick before; the cost, measured
            // in BENCHMARKS.md: +0.03 s profiler CPU on a 2-second run, throughput the same).
            let parent = (env, &outside.remote);
            if let Err(e) = send_stacks(hooks, sampler, parent, profiles, false) {
                // The work goes on and is reported; the profile stops here.
                failure.get_or_insert(format!("{e}; sampling stopped there"));
                *sampler = None;
            }
        }
        let records = engine
            .join()
            .map_err(|_| ExecError::Panicked("the engine thread"))??;
        emit_tick(hooks, (env, outside), workload.unit_count(), spec, started);
        Ok(records)
    })
}

fn sleep_until_next_tick<T>(
    engine: &std::thread::ScopedJoinHandle<'_, T>,
    started: Instant,
    every: Duration,
    ticks: u32,
) {
    let due = started + every * (ticks + 1);
    while !engine.is_finished() {
        let now = Instant::now();
        if now >= due {
            return;
        }
        std::thread::sleep((due - now).min(Duration::from_millis(10)));
    }
}

fn emit_tick(
    hooks: &mut RunHooks,
    (env, outside): (&RunEnv, &Outside),
    units: usize,
    spec: &RunSpec,
    t0: Instant,
) {
    // Finished units go first, so a reader that counts a tick's units has their records.
    let finished = outside.feed.drain();
    if !finished.is_empty() {
        hooks.events.emit(Event::Units { units: finished });
    }
    let mut workers = env.registry.snapshots();
    workers.extend(outside.remote.lanes.lock().values().cloned());
    let c = &env.counters;
    let tick = Tick {
        elapsed_s: t0.elapsed().as_secs_f64(),
        items: c.items.load(Relaxed),
        bytes: c.bytes.load(Relaxed),
        errors: c.errors.load(Relaxed),
        rejected: c.rejected.load(Relaxed),
        units_done: c.units_done.load(Relaxed),
        units_total: spec.units_in_shard(units) as u64,
        workers,
    };
    if let Some(on_tick) = hooks.on_tick.as_mut() {
        on_tick(&tick);
    }
    hooks.events.emit(Event::Tick(tick));
}

pub(super) fn send_stacks(
    hooks: &mut RunHooks,
    sampler: &mut Option<Sampler>,
    (env, remote): (&RunEnv, &RemoteState),
    profiles: &mut Profiles,
    last: bool,
) -> Result<(), SessionError> {
    let workers = env.registry.snapshots();
    let waits = env.registry.drain_wall();
    let clocks = env.registry.drain_phases();
    let mut phases = profiles.phase_account.delta(&workers, &clocks, &waits);
    let mut delta = match sampler.as_mut() {
        Some(s) => {
            let delta = s.take_worker_delta(&workers, &waits)?;
            if last {
                s.stop();
            }
            delta
        }
        None => ProfileDelta::default(),
    };
    delta
        .cpu
        .merge(&std::mem::take(&mut *remote.pending_stacks.lock()));
    delta
        .wall
        .merge(&std::mem::take(&mut *remote.pending_wall.lock()));
    phases.merge(&std::mem::take(&mut *remote.pending_phases.lock()));
    if delta.cpu.is_empty() && delta.wall.is_empty() && phases.is_empty() {
        return Ok(());
    }
    profiles.cpu.merge(&delta.cpu);
    profiles.wall.merge(&delta.wall);
    profiles.phases.merge(&phases);
    hooks.events.emit(Event::Stacks {
        samples: delta.cpu.total(),
        stacks: delta.cpu,
        wall: delta.wall,
        phases,
    });
    Ok(())
}

/// A run's state beside the engine's: what `processes` children report, and the units a
/// child streams to its parent.
pub(super) struct Outside {
    pub(super) remote: RemoteState,
    pub(super) feed: UnitFeed,
}

/// Runs the units: in this process's engine, or in child processes for `processes`.
fn execute(
    workload: &Arc<dyn DynWorkload>,
    spec: &RunSpec,
    exec_spec: &exec::ExecSpec,
    (env, outside): (&RunEnv, &Outside),
) -> Result<Vec<UnitRecord>, SessionError> {
    if spec.mode == Mode::Processes {
        let mut records = processes::run(workload, spec, env, &outside.remote)?;
        records.sort_by_key(|r| r.unit);
        return Ok(records);
    }
    Ok(exec::execute_streaming(
        workload,
        exec_spec,
        env,
        &outside.feed,
    )?)
}
