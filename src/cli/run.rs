//! `boundscope run`: one workload, one mode, a summary and the exports.

use super::args::{ExecArgs, WorkloadArgs, WorkloadName, WorkloadParser};
use super::exports::{ExportArgs, Exports};
use super::progress::Progress;
use super::{cancel_flag, CliError};
use boundscope::events::EventSink;
use boundscope::model::GenProgress;
use boundscope::model::Mode;
use boundscope::report::summary_text;
use boundscope::session::{self, RunHooks, RunSpec, SessionError};
use clap::Args;
use std::cell::RefCell;
use std::io::Write;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  boundscope run json-parse --mode rayon --workers 2
  boundscope run json-parse --mode threads --gil --svg threads.svg --report threads.json
  boundscope run json-parse --parser fast --output none --records 5000
  boundscope run json-parse --input ./my-ticks --mode processes --events run.ndjson
  boundscope run api-fetch --latency 20ms --mode async --workers 2 --in-flight 500 --requests 5000
  boundscope run etl-pipeline --mode threads --workers 3 --latency 10ms --symbols 20
  boundscope run etl-pipeline --pipeline my-etl.toml --db postgres://me@localhost/etl
  boundscope run csv-import --mode sequential --insert multi --svg import.svg
  boundscope run csv-import --input people.csv --table people --db sqlite:people.db --fresh
  boundscope run csv-import --mode threads --writer single --dataset census
  boundscope run csv-import --db postgres://user@localhost/db --insert copy --fresh

Exit codes: 0 every unit succeeded; 1 the run finished but some units failed (the report
and exports are still written and list each failure), or it could not run; 2 bad usage or
bad input (an unknown option, an API or database that cannot be reached). csv-import
checks after the run that stored + rejected == input rows; a mismatch exits with 1.")]
pub struct RunArgs {
    /// The workload to run.
    #[arg(value_parser = WorkloadParser)]
    pub workload: WorkloadName,
    /// Concurrency mode.
    #[arg(long, short = 'm', value_enum, default_value_t = Mode::Sequential)]
    pub mode: Mode,
    #[command(flatten)]
    pub exec: ExecArgs,
    #[command(flatten)]
    pub workload_args: WorkloadArgs,
    #[command(flatten)]
    pub exports: ExportArgs,
    /// Print nothing but errors (no progress bar, no summary).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn execute(args: RunArgs) -> Result<(), CliError> {
    let mut workload = args.workload_args.spec(args.workload)?;
    let _scratch = super::scratch_out_dir(&mut workload)?;
    let spec = args.exec.spec(workload, args.mode);
    run_and_write(&spec, &args.exports, args.quiet)
}

/// `boundscope __run`: the run the terminal UI asked for on standard input, its events on
/// stdout and nothing else there, its exit code as `run`'s.
pub fn execute_request() -> Result<(), CliError> {
    let request = boundscope::session::RunRequest::read_stdin()?;
    let mut spec = request.spec;
    let _scratch = super::scratch_out_dir(&mut spec.workload)?;
    run_and_write(&spec, &ExportArgs::streaming(&request.exports), true)
}

/// Runs `spec`, writes its exports and summary, and ends with the run's exit status.
pub(super) fn run_and_write(
    spec: &RunSpec,
    export_args: &ExportArgs,
    quiet: bool,
) -> Result<(), CliError> {
    let events_to_stdout = export_args.events_to_stdout();
    let mut exports = Exports::open(export_args, &spec.workload)?;
    // A run that started and failed late still writes its report and exports (the failure is
    // in the report), then ends with that failure.
    let (outcome, late) = match run_session(spec, exports.take_event_sink(), quiet) {
        Ok(outcome) => (outcome, None),
        Err(SessionError::Late { message, outcome }) => (*outcome.0, Some(message)),
        Err(e) => {
            // Refused or ended before the run: the report still says so, and why.
            exports.write_report(&session::unstarted_report(spec, &e))?;
            return Err(e.into());
        }
    };
    exports.write(spec, &outcome)?;
    if !quiet {
        // The summary quotes input (stage names, rejected lines, failures): sanitized here,
        // where it reaches the terminal.
        let text = boundscope::sanitize::text(&summary_text(&outcome.report)).into_owned();
        let written = boundscope::sanitize::text(&exports.written_lines()).into_owned();
        if events_to_stdout {
            eprint!("{text}{written}");
        } else {
            print!("{text}{written}");
            let _ = std::io::stdout().flush();
        }
    }
    // Ctrl-C decides the exit code: what failed after it (a database call it cut short)
    // is in the report.
    if outcome.report.interrupted {
        return Err(CliError::Interrupted);
    }
    if let Some(message) = late {
        return Err(CliError::Failed(message));
    }
    failed_units(&outcome.report)?;
    program_failed(&outcome.report)?;
    super::verification_failed(&outcome.report)
}

/// A run whose units failed (an API that kept answering 5xx, a request that timed out)
/// still writes its report and summary, then exits with code 1: the failures are not a
/// usage error, but a script must not take the result for a complete one. Rejected
/// records are not failures (the unit ran; its bad lines are listed).
fn failed_units(report: &boundscope::model::RunReport) -> Result<(), CliError> {
    if report.errors == 0 {
        return Ok(());
    }
    let first = report.failures.first().map(String::as_str).unwrap_or("");
    Err(CliError::Failed(format!(
        "{} of {} units failed (all are listed in the report); the first: {first}",
        report.errors, report.units_total
    )))
}

/// An `exec` run whose program did not succeed ends with code 1, its report written.
fn program_failed(report: &boundscope::model::RunReport) -> Result<(), CliError> {
    match report.program_exit {
        Some(exit) if !exit.success() => Err(CliError::Failed(format!("the program {exit}"))),
        _ => Ok(()),
    }
}

/// Runs a spec in this process with a progress bar (when stderr is a terminal); `None`
/// when Ctrl-C came before the run started.
pub fn run_with_progress(
    spec: &RunSpec,
    events: EventSink,
    quiet: bool,
) -> Result<Option<session::RunOutcome>, CliError> {
    match run_session(spec, events, quiet) {
        Ok(outcome) => Ok(Some(outcome)),
        Err(SessionError::Interrupted) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// [`run_with_progress`], keeping the session's error (a late one carries the outcome).
fn run_session(
    spec: &RunSpec,
    events: EventSink,
    quiet: bool,
) -> Result<session::RunOutcome, SessionError> {
    // Both hooks move one bar; they are never called at the same time.
    let progress = RefCell::new(Progress::new(quiet, &spec.title()));
    let mut on_tick = |tick: &boundscope::model::Tick| progress.borrow_mut().update(tick);
    let mut on_prepare = |p: &GenProgress| progress.borrow_mut().prepare(p);
    let mut hooks = RunHooks {
        events,
        on_tick: Some(&mut on_tick),
        on_prepare: Some(&mut on_prepare),
        cancel: cancel_flag(),
    };
    let result = session::run(spec, &mut hooks);
    drop(hooks);
    progress.into_inner().finish();
    result
}
