//! `boundscope exec`: any command, run as a child and observed from outside, with the same
//! summary, verdict and exports as a built-in run.

use super::exports::ExportArgs;
use super::CliError;
use boundscope::model::Mode;
use boundscope::session::{RunRequest, RunSpec};
use boundscope::spec::DEFAULT_HZ;
use boundscope::workload::program::ProgramOptions;
use boundscope::workload::WorkloadSpec;
use clap::Args;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  boundscope exec -- python3 job.py --workers 8
  boundscope exec --progress 'done (\\d+)' --svg job.svg --view wall -- python3 import.py
  boundscope exec --report run.json --events run.ndjson -- sha256sum big.file

Each thread of the command (and of the processes it starts) gets a lane: CPU and run-queue
time exactly, from the kernel's scheduler statistics; time off the CPU by what the thread
waited on, from its system call (socket: net, file: disk, futex: lock, ...), or
[unknown wait] where that cannot be told. Python programs (CPython 3.8-3.13) get their
stacks, and a thread that waits for the interpreter lock is a [gil wait].

The command's standard input is empty; its output passes through to standard error.
Ctrl-C is passed on to the command's process group; one that goes on gets SIGTERM, then
SIGKILL.

Exit codes: 0 the command succeeded; 1 it exited otherwise (the report says how); 2 bad
usage or a command that cannot be started; 130 interrupted.")]
pub struct ProgramArgs {
    /// Count items from the command's output: each line matching REGEX is one item, or the
    /// number its first group captures (`done (\d+)`).
    #[arg(long, value_name = "REGEX")]
    pub progress: Option<String>,
    /// How often each thread is read, in Hz (1 to 250).
    #[arg(long, default_value_t = DEFAULT_HZ, value_name = "HZ")]
    pub hz: u32,
    #[command(flatten)]
    pub exports: ExportArgs,
    /// Print nothing but errors and the command's own output (no summary).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print the summary at the end instead of showing the live run screen (the default when
    /// standard input or output is not a terminal, and with --events).
    #[arg(long)]
    pub headless: bool,
    /// The command and its arguments (after `--` when they start with a dash).
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<String>,
}

pub fn execute(args: ProgramArgs) -> Result<(), CliError> {
    use std::io::IsTerminal;
    let live = !(args.headless || args.quiet || args.exports.events.is_some())
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal();
    let exports = args.exports.clone();
    let quiet = args.quiet;
    // On the live screen the program's output would tear the picture.
    let spec = spec_of(args, !live);
    if live {
        spec.validate()?;
        let request = RunRequest {
            spec,
            exports: exports.for_request()?,
        };
        return boundscope::tui::run_started(request)
            .map_err(|e| CliError::Failed(format!("terminal UI failed: {e}")));
    }
    super::run::run_and_write(&spec, &exports, quiet)
}

/// The run of `args`' program; `echo` passes its output on to standard error.
pub(super) fn spec_of(args: ProgramArgs, echo: bool) -> RunSpec {
    let program = ProgramOptions {
        command: args.command,
        progress: args.progress,
        echo,
    };
    let mut spec = RunSpec::new(WorkloadSpec::Exec(program), Mode::Exec, 1);
    spec.hz = args.hz;
    spec
}
