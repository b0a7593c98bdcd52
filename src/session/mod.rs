//! Run orchestration: builds the workload, starts the sampler, drives the engine, ticks the
//! event stream, and assembles the report. Used in-process by the headless commands and by
//! the child side of `processes` mode and the TUI.

mod assemble;
#[cfg(test)]
mod assemble_tests;
pub mod child;
mod drive;
#[cfg(test)]
mod error_tests;
mod pg;
mod prepare;
mod processes;
pub mod program;
mod request;
mod spec;
#[cfg(test)]
mod spec_tests;

pub use crate::spec::RunSpec;
use drive::{drive, send_stacks, Outside, Profiles};
pub use processes::{ProcessesError, RemoteState};
pub use request::{RunExports, RunRequest};
pub use spec::MAX_WORKERS;

use crate::events::{Event, EventSink, HostInfo};
use crate::exec::{ExecError, RunEnv, UnitFeed};
use crate::flame::code::CodeMap;
use crate::flame::FoldedStacks;
use crate::measure::{thread_cpu_ns, Gil, MeterRegistry, RunCounters};
use crate::model::{GenProgress, Mode, RunReport, Tick, UnitRecord};
use crate::profile::{ProfileError, Sampler};
use crate::workload::{RunEnd, WorkloadError};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Bad input or bad usage: the user can fix it (exit code 2).
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Exec(#[from] ExecError),
    #[error(transparent)]
    Processes(#[from] ProcessesError),
    /// The workload failed at run time (its cause kept as the source).
    #[error("{0}")]
    Workload(#[source] WorkloadError),
    /// Ctrl-C came before the run started (while it was being prepared).
    #[error("interrupted before the run started")]
    Interrupted,
    #[error("cannot verify the stored rows: {0}")]
    Verify(#[source] WorkloadError),
    /// The run started and finished, but something failed late (verifying the stored rows,
    /// reading the profile): the outcome is kept, its report naming the failure, so the
    /// caller can still write it.
    #[error("{message}")]
    Late {
        message: String,
        outcome: LateOutcome,
    },
}

/// The outcome a late failure keeps (boxed: it is large; not printed in full by `Debug`).
pub struct LateOutcome(pub Box<RunOutcome>);

impl std::fmt::Debug for LateOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RunOutcome {{ failure: {:?}, .. }}",
            self.0.report.failure
        )
    }
}

impl SessionError {
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            SessionError::Input(_) | SessionError::Profile(ProfileError::BadRate(_))
        ) || matches!(self, SessionError::Exec(ExecError::NoWorkers(_)))
    }
}

impl From<WorkloadError> for SessionError {
    fn from(e: WorkloadError) -> Self {
        match e {
            WorkloadError::Input(m) => SessionError::Input(m),
            other => SessionError::Workload(other),
        }
    }
}

/// A finished run: its report, every sampled stack, and the unit outcomes.
pub struct RunOutcome {
    pub report: RunReport,
    /// The workers' CPU samples (counts).
    pub stacks: FoldedStacks,
    /// The workers' wall-clock profile (nanoseconds; see `flame::wall`).
    pub wall: FoldedStacks,
    /// The workers' wall time on the job's phases, by cause (nanoseconds; see
    /// `profile::phases`).
    pub phases: FoldedStacks,
    pub records: Vec<UnitRecord>,
    /// Addresses, source lines and modules of the frames this process symbolized (frames
    /// of `processes` mode's children are not in it).
    pub code: CodeMap,
}

/// Hooks a caller can attach to a run.
pub struct RunHooks<'a> {
    pub events: EventSink,
    pub on_tick: Option<&'a mut dyn FnMut(&Tick)>,
    /// Progress of input data generated before the run starts (also sent as `prepare`).
    pub on_prepare: Option<&'a mut dyn FnMut(&GenProgress)>,
    pub cancel: Arc<AtomicBool>,
}

impl RunHooks<'_> {
    pub fn quiet() -> Self {
        RunHooks {
            events: EventSink::none(),
            on_tick: None,
            on_prepare: None,
            cancel: Arc::default(),
        }
    }
}

/// The report of a run that ended before it started (`error` says why: refused, failed,
/// or interrupted while being prepared), for a caller that was asked for a report.
pub fn unstarted_report(spec: &RunSpec, error: &SessionError) -> RunReport {
    assemble::unstarted(spec, error)
}

/// Runs `spec` to the end (or until cancelled) and reports on it.
pub fn run(spec: &RunSpec, hooks: &mut RunHooks) -> Result<RunOutcome, SessionError> {
    let mut result = run_inner(spec, hooks);
    // The run's connections are closed now: what SQLite left beside the database stays.
    match &mut result {
        Ok(outcome) => note_journal_left(spec, &mut outcome.report),
        Err(SessionError::Late { outcome, .. }) => note_journal_left(spec, &mut outcome.0.report),
        Err(_) => {}
    }
    if let Err(e) = &result {
        hooks.events.emit(Event::Error {
            message: e.to_string(),
        });
    }
    result
}

fn run_inner(spec: &RunSpec, hooks: &mut RunHooks) -> Result<RunOutcome, SessionError> {
    spec.validate()?;
    if let Some(options) = spec.workload.program() {
        return program::run(spec, options, hooks);
    }
    let (tagged, pg_run) = pg::tag(spec);
    let spec = &tagged;
    let prepared = prepare::workload(spec, hooks)?;
    let workload = &prepared.workload;
    let env = RunEnv {
        registry: MeterRegistry::new(Instant::now())
            .walking_stacks(spec.wait_stacks)
            .booking_phases(spec.phases),
        counters: Arc::new(RunCounters::default()),
        gil: spec.gil.then(Gil::new),
        cancel: hooks.cancel.clone(),
    };
    // What `processes` children report, and (in a child) the units it streams to its parent.
    let outside = Outside {
        remote: RemoteState::default(),
        feed: match spec.shard {
            Some(_) => UnitFeed::enabled(),
            None => UnitFeed::default(),
        },
    };
    let mut warnings = Vec::new();
    let mut sampler = match spec.profile {
        true => start_sampler(spec.hz, &mut warnings)?,
        false => None,
    };
    let profiled = sampler.is_some();
    hooks.events.emit(Event::Start {
        // Shown and recorded: no password in it.
        spec: Box::new(spec.redacted()),
        host: HostInfo::current(),
    });
    if spec.shard.is_some() {
        wait_for_go(&hooks.cancel);
    }
    let cpu_before = crate::measure::process_cpu_seconds().0;
    // This thread ticks and symbolizes: its CPU time is the profiler's, not the work's.
    let profiler_cpu_before = thread_cpu_ns();
    let started = Instant::now();
    let mut profiles = Profiles::default();
    let mut failure = None;
    let mut pg_watch = pg::PgWatch::start(pg_run.as_ref(), started);
    let records = drive(
        workload,
        spec,
        (&env, &outside),
        hooks,
        &mut sampler,
        &mut profiles,
        (&mut failure, &mut pg_watch),
    )?;
    let pg_activity = pg_watch.finish(&mut hooks.events);
    // Like wall_s, cpu_s ends with the work: the profiler's last symbolization is not part of
    // it, and neither is its ticking and symbolizing during the run (that is profiler_cpu_s).
    let profiler_during_s = thread_cpu_ns().saturating_sub(profiler_cpu_before) as f64 / 1e9;
    let own_cpu_s =
        (crate::measure::process_cpu_seconds().0 - cpu_before - profiler_during_s).max(0.0);
    let remote = &outside.remote;
    let ended = remote.work_end.lock().unwrap_or_else(Instant::now);
    let work_started = remote.work_start.lock().unwrap_or(started);
    let wall = ended.saturating_duration_since(work_started);
    let startup = work_started.saturating_duration_since(started);
    env.registry.finish_all();
    if let Err(e) = send_stacks(hooks, &mut sampler, (&env, remote), &mut profiles, true) {
        failure.get_or_insert(e.to_string());
    }
    let code = sampler.as_ref().map(Sampler::code_map).unwrap_or_default();
    let profiler_cpu_s = (thread_cpu_ns().saturating_sub(profiler_cpu_before)) as f64 / 1e9;
    let Profiles {
        cpu: stacks,
        wall: wall_profile,
        phases,
        ..
    } = profiles;
    let parts = assemble::Parts {
        spec,
        workload: workload.as_ref(),
        env: &env,
        remote,
        wall,
        startup,
        own_cpu_s,
        stacks: &stacks,
        wall_profile: &wall_profile,
        phases: &phases,
        profiler_cpu_s,
        records: &records,
    };
    let mut report = assemble::report(parts);
    report.pg_activity = pg_activity;
    if !profiled {
        (report.profiled, report.sample_hz) = (false, 0);
    }
    report.warnings = warnings;
    report.warnings.extend(outside.remote.child_warnings());
    let result = workload.result(run_end(spec, &report, &records));
    if let Err(e) = report.absorb_result(result) {
        failure.get_or_insert(SessionError::Verify(e).to_string());
    }
    report.add_predictions();
    report.failure = run_failure(failure, remote);
    hooks.events.emit(Event::Done {
        report: Box::new(report.clone()),
        units: if spec.shard.is_some() {
            records.clone()
        } else {
            Vec::new()
        },
    });
    settle(RunOutcome {
        report,
        stacks,
        wall: wall_profile,
        phases,
        records,
        code,
    })
}

/// A SQLite database's `-wal` file left after the run's last connection closed holds
/// committed rows SQLite could not move into the database file (a write failed: the disk
/// was full, or past `ulimit -f`), and the database file may already hold part of them.
/// It is part of the database until SQLite next opens it with room to write, so it is kept
/// (deleting it would lose those rows, or corrupt the file), and the report says so.
fn note_journal_left(spec: &RunSpec, report: &mut RunReport) {
    let db = match &spec.workload {
        crate::workload::WorkloadSpec::CsvImport(o) => &o.db,
        crate::workload::WorkloadSpec::EtlPipeline(o) => &o.db,
        _ => return,
    };
    let Some(file) = crate::db::DbTarget::named_file(db).filter(|_| spec.shard.is_none()) else {
        return;
    };
    let wal = std::path::PathBuf::from(format!("{}-wal", file.display()));
    if wal.exists() {
        report.warnings.push(format!(
            "{} (and its -shm) was left beside the database: it holds committed rows SQLite \
             could not move into {} because a write failed; SQLite moves them in when the \
             database is next opened with room to write. Keep it: deleting it loses those rows",
            crate::sanitize::name(&wal.display().to_string()),
            crate::sanitize::name(&file.display().to_string())
        ));
    }
}

/// The CPU profiler, or, when it cannot start (too little address space, the system refuses
/// its timer), `None` and a warning: the run goes on without CPU samples rather than fail or
/// abort. A bad rate is the caller's mistake and stays an error.
fn start_sampler(hz: u32, warnings: &mut Vec<String>) -> Result<Option<Sampler>, SessionError> {
    let started = crate::profile::headroom::check_address_space().and_then(|()| Sampler::start(hz));
    match started {
        Ok(sampler) => Ok(Some(sampler)),
        Err(e @ ProfileError::BadRate(_)) => Err(e.into()),
        Err(e) => {
            warnings.push(format!("{e}; the run went on without CPU samples"));
            Ok(None)
        }
    }
}

/// A finished run whose report names a failure is a late error that keeps the outcome.
fn settle(outcome: RunOutcome) -> Result<RunOutcome, SessionError> {
    match outcome.report.failure.clone() {
        Some(message) => Err(SessionError::Late {
            message,
            outcome: LateOutcome(Box::new(outcome)),
        }),
        None => Ok(outcome),
    }
}

/// The run's failure: this process's own if it had one, else the first late failure a
/// child of `processes` mode reported.
fn run_failure(own: Option<String>, remote: &RemoteState) -> Option<String> {
    own.or_else(|| remote.reports.lock().iter().find_map(|r| r.failure.clone()))
}

/// How the run ended, for the workload's result: what it stored is checked unless the run
/// was interrupted or is one shard of the work. Child processes ran the units of
/// `processes` mode, so what they stored and rejected comes from the units' outcomes; in
/// the other modes this process saw it.
fn run_end<'a>(spec: &RunSpec, report: &RunReport, records: &'a [UnitRecord]) -> RunEnd<'a> {
    RunEnd {
        check: spec.shard.is_none() && !report.interrupted,
        remote: (spec.mode == Mode::Processes).then_some(records),
    }
}

/// The spec a `processes` child reads first thing: one JSON line on standard input.
pub fn read_child_spec() -> Result<RunSpec, SessionError> {
    request::read_json_line("child spec")
}

/// A `processes` child starts its work when the parent says so (one line on stdin), so
/// that all children start together, after their start-up. End of input means the parent
/// is gone: the child stops.
fn wait_for_go(cancel: &AtomicBool) {
    let mut line = String::new();
    match std::io::stdin().read_line(&mut line) {
        Ok(n) if n > 0 => {}
        _ => cancel.store(true, Relaxed),
    }
}
