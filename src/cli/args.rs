//! Options shared by several commands: the workload's knobs, sampling, concurrency.

use boundscope::exec::Mode;
use boundscope::profile::DEFAULT_HZ;
use boundscope::session::RunSpec;
use boundscope::workload::json::{JsonOptions, Output, Parser, DEFAULT_FILES, DEFAULT_RECORDS};
use boundscope::workload::WorkloadSpec;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// The built-in workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WorkloadName {
    /// Parse ~30 files of newline-delimited stock ticks and write them as Parquet.
    JsonParse,
}

/// Knobs of the workloads (each applies to the workload named in its help).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Workload options")]
pub struct WorkloadArgs {
    /// json-parse: read your own directory of .json/.ndjson tick files instead of generated data.
    #[arg(long, value_name = "DIR")]
    pub input: Option<PathBuf>,
    /// json-parse: number of generated files (one unit of work each).
    #[arg(long, default_value_t = DEFAULT_FILES, value_name = "K")]
    pub files: usize,
    /// Records per generated file.
    #[arg(long, default_value_t = DEFAULT_RECORDS, value_name = "N")]
    pub records: usize,
    /// json-parse: value (untyped DOM, like json.loads), typed (serde structs), fast (SIMD).
    #[arg(long, value_enum, default_value_t = Parser::Value)]
    pub parser: Parser,
    /// json-parse: write each parsed file as Parquet, or discard the table.
    #[arg(long, value_enum, default_value_t = Output::Parquet)]
    pub output: Output,
    /// json-parse: where Parquet files go (default: a temporary directory, removed after).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

impl WorkloadArgs {
    pub fn spec(&self, name: WorkloadName) -> WorkloadSpec {
        match name {
            WorkloadName::JsonParse => WorkloadSpec::JsonParse(JsonOptions {
                input: self.input.clone(),
                files: self.files,
                records: self.records,
                parser: self.parser,
                output: self.output,
                out_dir: self.out_dir.clone(),
            }),
        }
    }
}

/// How the run is sampled and how many workers it gets.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Concurrency and sampling")]
pub struct ExecArgs {
    /// Workers: threads, tasks' runtime threads, or child processes [default: number of cores].
    #[arg(long, short = 'w', value_name = "N")]
    pub workers: Option<usize>,
    /// async mode: tasks in flight at once [default: --workers].
    #[arg(long, value_name = "N")]
    pub in_flight: Option<usize>,
    /// Simulate CPython's global interpreter lock: held during CPU work, released in waits.
    #[arg(long)]
    pub gil: bool,
    /// CPU sampling rate in Hz, 1 to 250.
    #[arg(long, default_value_t = DEFAULT_HZ, value_name = "HZ")]
    pub hz: u32,
    /// Do not sample the CPU (to measure the profiler's own cost).
    #[arg(long)]
    pub no_profile: bool,
}

impl ExecArgs {
    pub fn workers(&self) -> usize {
        self.workers
            .unwrap_or_else(boundscope::events::available_cores)
    }

    pub fn spec(&self, workload: WorkloadSpec, mode: Mode) -> RunSpec {
        // A sequential run has exactly one worker, whatever --workers says.
        let workers = if mode == Mode::Sequential {
            1
        } else {
            self.workers()
        };
        let mut spec = RunSpec::new(workload, mode, workers);
        spec.in_flight = self.in_flight;
        spec.gil = self.gil;
        spec.hz = self.hz;
        spec.profile = !self.no_profile;
        spec
    }
}
