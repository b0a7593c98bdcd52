//! `boundscope exec`: any program run as a child and observed from outside. Its threads are
//! read from `/proc` at the run's rate (see `observe`), their time booked as lanes and
//! profiles (see [`book`]), and the same events and report as a built-in run's come out, so
//! every viewer, export and comparison works on it unchanged.

mod book;
mod launch;
mod stacks;

pub use book::SampledThread;
pub use launch::{LaunchError, GRACE};
pub use stacks::{StackReader, StackReaders};

use super::{RunHooks, RunOutcome, RunSpec, SessionError};
use crate::events::{available_cores, Event, HostInfo};
use crate::flame::FoldedStacks;
use crate::model::{Mode, ProgramExit, RunReport, Tick, WorkerSnapshot};
use crate::observe::Observer;
use crate::workload::program::ProgramOptions;
use book::{Book, Seen};
use launch::{OutputWatch, Program};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs the program of `options` to its end (or until cancelled, then ends it) and reports.
pub(super) fn run(
    spec: &RunSpec,
    options: &ProgramOptions,
    hooks: &mut RunHooks,
) -> Result<RunOutcome, SessionError> {
    let pattern = options
        .progress_pattern()
        .map_err(|e| SessionError::Input(e.to_string()))?;
    let items = Arc::new(AtomicU64::new(0));
    let watch = OutputWatch {
        pattern,
        items: items.clone(),
        echo: options.echo,
    };
    let program = launch::start(&options.command, watch).map_err(|e| match e {
        LaunchError::Spawn { .. } => SessionError::Input(format!("{e}: {}", source_of(&e))),
        e => SessionError::Input(e.to_string()),
    })?;
    hooks.events.emit(Event::Start {
        spec: Box::new(spec.redacted()),
        host: HostInfo::current(),
    });
    let native = stacks::NativeStacks::start(program.pid(), spec.hz);
    let readers = StackReaders::new(stacks::python_reader, native);
    let mut watched = Watched {
        observer: Observer::new(program.pid()),
        book: Book::new(program.pid()),
        readers,
        items,
        started: Instant::now(),
    };
    // This thread reads the program: its CPU time is the observer's, not the program's.
    let observer_cpu = crate::measure::thread_cpu_ns();
    let (exit, program) = watch_until_exit(spec, program, &mut watched, hooks);
    let observer_cpu_s = crate::measure::thread_cpu_ns().saturating_sub(observer_cpu) as f64 / 1e9;
    let killed = program.was_killed();
    let left = program.sweep();
    let mut report = watched.report(spec, exit, hooks.cancel.load(Relaxed));
    report.profiler_cpu_s = observer_cpu_s;
    if killed {
        report.warnings.push(format!(
            "the program did not end on Ctrl-C nor on SIGTERM {} s later: it was killed",
            GRACE.as_secs()
        ));
    }
    if left > 0 {
        report.warnings.push(format!(
            "the program left {left} process(es) running in its group when it ended; they were \
             ended too"
        ));
    }
    report.warnings.extend(watched.readers.notes());
    hooks.events.emit(Event::Done {
        report: Box::new(report.clone()),
        units: Vec::new(),
    });
    Ok(RunOutcome {
        report,
        stacks: watched.book.cpu,
        wall: watched.book.wall,
        phases: FoldedStacks::new(),
        records: Vec::new(),
        code: Default::default(),
    })
}

fn source_of(e: &LaunchError) -> String {
    std::error::Error::source(e).map_or_else(String::new, |s| s.to_string())
}

/// The observation of a running program.
struct Watched {
    observer: Observer,
    book: Book,
    readers: StackReaders,
    items: Arc<AtomicU64>,
    started: Instant,
}

/// Reads the program's threads at the run's rate, ticking every `tick_ms`, until it exits;
/// an interrupt ends it (see [`Program::press_end`]).
fn watch_until_exit(
    spec: &RunSpec,
    mut program: Program,
    watched: &mut Watched,
    hooks: &mut RunHooks,
) -> (ProgramExit, Program) {
    let every = Duration::from_secs_f64(1.0 / f64::from(spec.hz.max(1)));
    let tick_every = Duration::from_millis(spec.tick_ms.max(10));
    let mut next_tick = watched.started + tick_every;
    let mut sent = (FoldedStacks::new(), FoldedStacks::new(), 0u64);
    let mut jitter = Jitter(u64::from(program.pid()) | 1);
    loop {
        // Read before asking whether it ended: once reaped, its threads cannot be read.
        watched.read();
        let exit = program.exited();
        if exit.is_some() || Instant::now() >= next_tick {
            next_tick += tick_every;
            watched.tick(hooks, &mut sent);
        }
        if let Some(exit) = exit {
            return (exit, program);
        }
        if hooks.cancel.load(Relaxed) {
            program.press_end();
        }
        std::thread::sleep(jitter.around(every));
    }
}

/// Spreads the readings around their period (±30%): a program that does something
/// periodic (CPython hands its lock over every 5 ms) would otherwise be read at the same
/// point of its cycle each time, and a thread always caught running would never show what
/// it waits for between readings.
struct Jitter(u64);

impl Jitter {
    fn around(&mut self, period: Duration) -> Duration {
        // xorshift64: cheap, and only the spread matters.
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let unit = (self.0 >> 11) as f64 / (1u64 << 53) as f64;
        period.mul_f64(0.7 + 0.6 * unit)
    }
}

impl Watched {
    /// One reading of every thread, booked with its stack where one could be read.
    fn read(&mut self) {
        let found = self.observer.read();
        let ids = found.threads.iter().map(|t| (t.id.pid, t.id.tid));
        let stacks = self.readers.sample(ids);
        for reading in &found.threads {
            let thread = self
                .observer
                .ledger(&reading.id)
                .map(|l| l.name.clone())
                .unwrap_or_default();
            self.book.add(Seen {
                reading,
                thread: &thread,
                stack: stacks.get(&reading.id.tid),
            });
        }
    }

    /// Sends a tick and the profiles' growth since the last one.
    fn tick(&self, hooks: &mut RunHooks, sent: &mut (FoldedStacks, FoldedStacks, u64)) {
        let tick = Tick {
            elapsed_s: self.started.elapsed().as_secs_f64(),
            items: self.items.load(Relaxed),
            workers: self.book.lanes(),
            ..Tick::default()
        };
        if let Some(on_tick) = hooks.on_tick.as_mut() {
            on_tick(&tick);
        }
        hooks.events.emit(Event::Tick(tick));
        let (cpu, wall) = (&self.book.cpu, &self.book.wall);
        hooks.events.emit(Event::Stacks {
            samples: self.book.samples - sent.2,
            stacks: cpu.delta_since(&sent.0),
            wall: wall.delta_since(&sent.1),
            phases: FoldedStacks::new(),
        });
        *sent = (cpu.clone(), wall.clone(), self.book.samples);
    }

    /// The run's report: lanes, profiles' summaries, the program's end and the verdict.
    fn report(&self, spec: &RunSpec, exit: ProgramExit, interrupted: bool) -> RunReport {
        let worker_stats = self.book.lanes();
        let mut report = RunReport {
            workload: crate::workload::program::NAME.into(),
            mode: Mode::Exec,
            workers: worker_stats.len(),
            items: self.items.load(Relaxed),
            wall_s: self.started.elapsed().as_secs_f64(),
            cpu_s: worker_stats.iter().map(|w| w.cpu_s).sum(),
            profiled: true,
            samples: self.book.samples,
            sample_hz: spec.hz,
            cores: available_cores(),
            interrupted,
            options: self.options(spec),
            worker_stats,
            top_functions: self.top_functions(),
            program_exit: Some(exit),
            ..RunReport::default()
        };
        report.finish_figures();
        judge_working_threads(&mut report);
        let worker_wall: f64 = report.worker_stats.iter().map(|w| w.wall_s).sum();
        if worker_wall > 0.0 {
            report.wall_coverage = self.book.wall.total() as f64 / 1e9 / worker_wall;
        }
        report.top_wall = crate::flame::wall::top_places(&self.book.wall, 5);
        report
    }
}

impl Watched {
    /// The CPU profile's functions by self time, without the lanes' own frames (a thread
    /// with no stack read has its samples on its lane alone).
    fn top_functions(&self) -> Vec<crate::model::FunctionCost> {
        let lanes: Vec<String> = self.book.lanes().into_iter().map(|l| l.name).collect();
        let mut top = self.book.cpu.top_functions(10 + lanes.len());
        top.retain(|f| !lanes.contains(&f.name));
        top.truncate(10);
        top
    }
}

impl Watched {
    /// The report's `options`: the declared ones, and how many processes the program had.
    fn options(&self, spec: &RunSpec) -> serde_json::Value {
        let mut options = spec
            .workload
            .declaration()
            .map(|w| w.report_options(&spec.workload, spec.mode))
            .unwrap_or_default();
        options.insert("processes".into(), self.book.processes.len().into());
        serde_json::Value::Object(options)
    }
}

/// The verdict over the threads that worked. A thread that barely ran and only waited on
/// the program's own locks, pipes or children is a bystander (a pool's manager, a
/// main thread joining its workers): counted in, it would make every CPU-bound pool read as
/// waiting. Its lane stays; the verdict says how many were left out.
fn judge_working_threads(report: &mut RunReport) {
    let (working, bystanders): (Vec<WorkerSnapshot>, Vec<WorkerSnapshot>) = report
        .worker_stats
        .iter()
        .cloned()
        .partition(|w| !is_bystander(w));
    if bystanders.is_empty() || working.is_empty() {
        return;
    }
    let mut judged = RunReport {
        worker_stats: working,
        ..report.clone()
    };
    judged.finish_figures();
    report.verdict = judged.verdict;
    report.verdict_detail = format!(
        "{}; {} thread(s) that only waited on the others are left out",
        judged.verdict_detail,
        bystanders.len()
    );
}

fn is_bystander(worker: &WorkerSnapshot) -> bool {
    use crate::model::WaitCategory::{Child, Lock, Pipe, Unknown};
    let waited: f64 = [Lock, Pipe, Child, Unknown]
        .iter()
        .filter_map(|c| worker.waits.get(c))
        .sum();
    worker.wall_s > 0.0 && worker.cpu_s < 0.1 * worker.wall_s && waited > 0.5 * worker.wall_s
}

/// The lane's share of wall time on each kind, for tests.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WaitCategory;

    fn lane(name: &str, cpu_s: f64, waits: &[(WaitCategory, f64)]) -> WorkerSnapshot {
        let waits: std::collections::BTreeMap<_, _> = waits.iter().copied().collect();
        WorkerSnapshot {
            name: name.into(),
            wall_s: cpu_s + waits.values().sum::<f64>(),
            cpu_s,
            runqueue_s: 0.0,
            waits,
        }
    }

    #[test]
    fn a_pool_read_over_its_workers_not_its_waiting_manager_threads() {
        let mut report = RunReport {
            wall_s: 1.0,
            cpu_s: 2.0,
            workers: 5,
            worker_stats: vec![
                lane("1/1 main", 0.0, &[(WaitCategory::Pipe, 1.0)]),
                lane("1/2 handler", 0.01, &[(WaitCategory::Lock, 0.99)]),
                lane("1/3 results", 0.0, &[(WaitCategory::Lock, 1.0)]),
                lane("2/2 worker", 1.0, &[]),
                lane("3/3 worker", 1.0, &[]),
            ],
            ..RunReport::default()
        };
        report.finish_figures();
        assert_ne!(report.verdict_word(), "cpu-bound");
        judge_working_threads(&mut report);
        assert_eq!(report.verdict_word(), "cpu-bound");
        assert!(report.verdict_detail.contains("3 thread(s)"));
    }
}
