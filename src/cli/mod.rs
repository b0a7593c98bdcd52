//! The command line: argument parsing, dispatch, exit codes and user-facing errors.

mod args;
mod compare;
mod diff;
mod exports;
mod gen;
mod help;
mod program;
mod progress;
mod rounds;
mod run;
mod scenario;
mod scenario_real;
mod sweep;
#[cfg(test)]
mod tui_spec_tests;

use boundscope::flame::limits::InputLimits;
use boundscope::server::ServerError;
use boundscope::session::{self, RunHooks, SessionError};
use clap::{Parser, Subcommand};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

#[derive(Debug, Parser)]
#[command(
    name = "boundscope",
    version,
    about = "Is your data job CPU-bound or IO-bound, and which concurrency makes it faster?",
    after_help = "Without a command, boundscope opens the terminal UI.

Examples:
  boundscope
  boundscope compare json-parse --modes sequential,threads,rayon,async,processes --repeat 3
  boundscope sweep json-parse --mode threads --workers 1,2,4,8 --chart scaling.svg
  boundscope scenario gil
  boundscope run json-parse --mode threads --gil --svg flame.svg
  boundscope gen json-parse --out ./ticks --records 1000"
)]
pub struct Cli {
    /// With no command, the terminal UI opens.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run one workload in one concurrency mode, profile it, print a summary, export.
    Run(run::RunArgs),
    /// Run any command and observe it from outside: lanes, waits, stacks, verdict, exports.
    Exec(program::ProgramArgs),
    /// Run a workload under several modes, repeatedly, and compare wall time and speedup.
    Compare(compare::CompareArgs),
    /// Run a workload in one mode at several worker counts: speedup, efficiency, a chart.
    Sweep(sweep::SweepArgs),
    /// Run a scenario: a file (or built-in) of labelled runs, repeated together, with checks.
    Scenario(scenario::ScenarioArgs),
    /// Write a workload's generated input data to a directory.
    Gen(gen::GenArgs),
    /// Serve the built-in JSON API on loopback, with injected latency, errors and limits.
    #[command(after_help = "Examples:
  boundscope serve-api --addr 127.0.0.1:8080 --latency 50ms
  boundscope serve-api --latency 20ms --jitter 10ms --jitter-dist exponential --error-rate 0.05
  boundscope serve-api --concurrency 8 --rate-limit 200/s --no-keepalive")]
    ServeApi(boundscope::workload::api::serve_args::ServeArgs),
    /// Open recorded event streams (`--events F`), folded stacks or pprof profiles in the UI.
    Open {
        /// Files to open: event recordings, folded stacks or gzipped pprof (told apart by content).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<std::path::PathBuf>,
        /// Read at most this many MB of one input (after decompression; a pprof protobuf may
        /// be 1/8 of it, as decoding takes up to 8 times its size).
        #[arg(long, value_name = "MB", default_value_t = boundscope::flame::limits::DEFAULT_MAX_INPUT_MB,
              value_parser = clap::value_parser!(u64).range(1..))]
        max_input_mb: u64,
        /// Keep at most this many frames of one input.
        #[arg(long, value_name = "N", default_value_t = boundscope::flame::limits::DEFAULT_MAX_FRAMES)]
        max_frames: usize,
        /// For pprof files with several sample types (boundscope's: samples, cpu, wall): the
        /// one to show, as `go tool pprof -sample_index` (default: the first).
        #[arg(long, value_name = "TYPE")]
        sample_index: Option<String>,
    },
    /// Internal: a run started by the terminal UI (its request, a typed spec and its exports,
    /// comes on standard input; its events go to stdout, as `run --events - --quiet`).
    #[command(name = "__run", hide = true)]
    RunRequest,
    /// Internal: a child process of `--mode processes` (its spec comes on standard input).
    #[command(name = "__child", hide = true)]
    Child {
        /// The child's worker lane, shown in `ps` (the spec itself says it too).
        #[arg(long)]
        lane: Option<String>,
    },
}

/// Errors at the edge. `exit_code` is the one place that decides each one's exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad usage or bad input: exit code 2.
    #[error("{0}")]
    Usage(String),
    /// Anything else: exit code 1.
    #[error("{0}")]
    Failed(String),
    /// A run's error: a usage error or a failure, as `SessionError::is_usage` says.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// `serve-api`'s error: bad flag values are usage errors, a failure to listen or serve
    /// is not (`ServerError::is_usage`).
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error("interrupted")]
    Interrupted,
}

impl CliError {
    fn exit_code(&self) -> i32 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Failed(_) => 1,
            CliError::Session(SessionError::Interrupted) => 130,
            CliError::Session(e) => usage_or_failure(e.is_usage()),
            CliError::Server(e) => usage_or_failure(e.is_usage()),
            CliError::Interrupted => 130,
        }
    }
}

fn usage_or_failure(usage: bool) -> i32 {
    if usage {
        2
    } else {
        1
    }
}

/// Set by Ctrl-C: runs stop after the units in progress and still report. A second Ctrl-C
/// exits at once.
pub fn cancel_flag() -> Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        // The process's interrupt, which blocked waits watch (see `boundscope::interrupt`).
        let flag = boundscope::interrupt::Interrupt::process().flag();
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            let _ = signal_hook::flag::register_conditional_shutdown(signal, 130, flag.clone());
            let _ = signal_hook::flag::register(signal, flag.clone());
        }
        flag
    })
    .clone()
}

/// Parquet output with no `--out-dir`, and csv-import's default SQLite database, go to a
/// temporary run directory, which the caller keeps for the run and is removed after it.
fn scratch_out_dir(
    spec: &mut boundscope::workload::WorkloadSpec,
) -> Result<Option<tempfile::TempDir>, CliError> {
    use boundscope::workload::json::Output;
    use boundscope::workload::WorkloadSpec;
    let (json_scratch, csv_scratch) = match spec {
        WorkloadSpec::JsonParse(json) => (
            json.out_dir.is_none() && json.output == Output::Parquet,
            false,
        ),
        WorkloadSpec::CsvImport(csv) => (false, csv.db.trim().eq_ignore_ascii_case("sqlite")),
        _ => (false, false),
    };
    if !json_scratch && !csv_scratch {
        return Ok(None);
    }
    let dir = tempfile::Builder::new()
        .prefix(if csv_scratch {
            "boundscope-run-"
        } else {
            "boundscope-out-"
        })
        .tempdir()
        .map_err(|e| CliError::Failed(format!("cannot create a temporary directory: {e}")))?;
    match spec {
        WorkloadSpec::CsvImport(csv) => {
            let file = dir.path().join(boundscope::db::DEFAULT_SQLITE_FILE);
            csv.db = format!("sqlite:{}", file.display());
            // The database is this run's own: start it empty.
            csv.fresh = true;
        }
        WorkloadSpec::JsonParse(json) => json.out_dir = Some(dir.path().to_path_buf()),
        _ => {}
    }
    Ok(Some(dir))
}

/// A run's nothing-lost check: a mismatch fails the run (exit code 1) after the report.
fn verification_failed(report: &boundscope::model::RunReport) -> Result<(), CliError> {
    match &report.findings.verification {
        Some(v) if !v.ok => {
            let input: u64 = v.tables.iter().map(|t| t.input_rows).sum();
            Err(CliError::Failed(format!(
                "rows were lost or duplicated: {} stored + {} rejected != {} input rows ({})",
                v.stored(),
                v.rejected(),
                input,
                v.to_string().replace('\n', "; ")
            )))
        }
        _ => Ok(()),
    }
}

fn run_child() -> Result<(), CliError> {
    let spec = session::read_child_spec()?;
    let mut hooks = RunHooks {
        events: boundscope::events::EventSink::to_writer(Box::new(std::io::stdout())),
        on_tick: None,
        on_prepare: None,
        cancel: cancel_flag(),
    };
    session::run(&spec, &mut hooks)?;
    Ok(())
}

/// `serve-api`: Ctrl-C ends it as it ends a run (130).
fn serve_api(args: &boundscope::workload::api::serve_args::ServeArgs) -> Result<(), CliError> {
    use boundscope::server::Stopped;
    match boundscope::workload::api::serve_args::run_serve(args)? {
        Stopped::Interrupted => Err(CliError::Interrupted),
        Stopped::Terminated | Stopped::InputClosed => Ok(()),
    }
}

fn open_ui() -> Result<(), CliError> {
    boundscope::tui::run_interactive()
        .map_err(|e| CliError::Failed(format!("the terminal UI failed: {e}")))
}

fn open_files(
    files: &[std::path::PathBuf],
    options: &boundscope::tui::screens::open::OpenOptions,
) -> Result<(), CliError> {
    use boundscope::tui::ViewerError;
    boundscope::tui::run_viewer(files, options).map_err(|e| match e {
        ViewerError::BadInput(msg) => CliError::Usage(msg),
        ViewerError::Io(e) => CliError::Failed(format!("the terminal UI failed: {e}")),
    })
}

/// A write past the file-size limit (`ulimit -f`) raises SIGXFSZ, whose default action kills
/// the process without a word or a report. Ignored, the write fails with EFBIG instead, and
/// the run ends with that error (and its report) like any other failed write. An ignored
/// signal stays ignored across `exec`, so the children of `--mode processes` inherit it.
fn ignore_file_size_signal() {
    // SAFETY: SIG_IGN installs no handler code; nothing else in the process handles SIGXFSZ.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// Parses the command line, runs the command, and returns the process exit code.
pub fn main() -> i32 {
    ignore_file_size_signal();
    boundscope::profile::headroom::fit_allocator_to_limit();
    cancel_flag();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The help of a command that takes a workload is that workload's (see `help`); every
    // other command line goes to the parser as it is.
    let parsed = match help::tailored(&args) {
        Some(help) => Err(help),
        None => Cli::try_parse_from(&args),
    };
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    // Every temporary file of a command that runs work goes into this process's own
    // directory, removed on return. Not for the API server, which its parent kills: it makes
    // no temporary files.
    let runs_work = !matches!(
        cli.command,
        Some(Command::ServeApi(_) | Command::Open { .. } | Command::Gen(_))
    );
    let _temp = runs_work.then(boundscope::tmpdir::ProcessTempDir::claim);
    let result = match cli.command {
        None => open_ui(),
        Some(Command::Run(args)) => run::execute(args),
        Some(Command::Exec(args)) => program::execute(args),
        Some(Command::Compare(args)) => compare::execute(args),
        Some(Command::Sweep(args)) => sweep::execute(args),
        Some(Command::Scenario(args)) => scenario::execute(args),
        Some(Command::Gen(args)) => gen::execute(args),
        Some(Command::Open {
            files,
            max_input_mb,
            max_frames,
            sample_index,
        }) => {
            let options = boundscope::tui::screens::open::OpenOptions {
                sample_index,
                limits: InputLimits::new(max_input_mb, max_frames),
            };
            open_files(&files, &options)
        }
        Some(Command::ServeApi(args)) => serve_api(&args),
        Some(Command::Child { .. }) => run_child(),
        Some(Command::RunRequest) => run::execute_request(),
    };
    match result {
        Ok(()) => 0,
        Err(CliError::Interrupted) => 130,
        Err(e) => {
            // Errors quote input: file names, servers' and databases' messages.
            eprintln!("boundscope: {}", boundscope::sanitize::text(&e.to_string()));
            let code = e.exit_code();
            if let Some(limit) =
                boundscope::proc::soft_limit(libc::RLIMIT_FSIZE).filter(|_| code == 1)
            {
                eprintln!(
                    "boundscope: note: files written here may hold at most {limit} bytes \
                     (ulimit -f); a write past it fails (SQLite says \"disk I/O error\")"
                );
            }
            code
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use boundscope::model::RunReport;
    use boundscope::model::{TableCheck, Verification};

    #[test]
    fn a_verification_mismatch_fails_the_run_with_the_figures() {
        let mut report = RunReport::default();
        assert!(verification_failed(&report).is_ok(), "no check, no failure");
        report.findings.verification = Some(Verification::new(vec![TableCheck::new(
            "customers",
            "customers.csv",
            10,
            [10, 0, 10],
        )]));
        assert!(verification_failed(&report).is_ok());
        report.findings.verification = Some(Verification::new(vec![TableCheck::new(
            "customers",
            "customers.csv",
            10,
            [7, 1, 7],
        )]));
        let err = verification_failed(&report).expect_err("mismatch");
        assert_eq!(err.exit_code(), 1);
        let text = err.to_string();
        assert!(
            text.contains("7 stored + 1 rejected != 10 input rows") && text.contains("customers"),
            "{text}"
        );
    }

    #[test]
    fn server_errors_exit_by_what_they_are() {
        let bind = ServerError::Bind {
            addr: "127.0.0.1:1".parse().expect("address"),
            source: std::io::Error::from(std::io::ErrorKind::AddrInUse),
        };
        let text = bind.to_string();
        let err = CliError::from(bind);
        assert_eq!(err.exit_code(), 1);
        assert_eq!(err.to_string(), text, "the message is the server's");
        let config = CliError::from(ServerError::Config("tenants 0 is out of range".into()));
        assert_eq!(config.exit_code(), 2);
        let remote = CliError::from(ServerError::Remote("0.0.0.0:0".parse().expect("address")));
        assert_eq!(remote.exit_code(), 2);
    }
}
