//! Options shared by several commands: the workload's knobs, sampling, concurrency.

use super::CliError;
use boundscope::model::Mode;
use boundscope::profile::DEFAULT_HZ;
use boundscope::session::{RunSpec, MAX_WORKERS};
use boundscope::workload::declare::flags;
use boundscope::workload::{workload, workloads, WorkloadDecl, WorkloadSpec};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::Args;

/// A workload named on the command line: its declaration.
#[derive(Debug, Clone, Copy)]
pub struct WorkloadName(pub &'static WorkloadDecl);

impl PartialEq for WorkloadName {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}

impl WorkloadName {
    pub fn name(self) -> &'static str {
        self.0.name
    }
}

/// Parses the positional WORKLOAD: one of the declared names (clap lists them, each with
/// its one-line help, and refuses others in its own words).
#[derive(Debug, Clone, Copy)]
pub struct WorkloadParser;

impl WorkloadParser {
    fn names() -> PossibleValuesParser {
        PossibleValuesParser::new(
            workloads()
                .iter()
                .map(|w| PossibleValue::new(w.name).help(w.about)),
        )
    }
}

impl TypedValueParser for WorkloadParser {
    type Value = WorkloadName;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<WorkloadName, clap::Error> {
        let name = Self::names().parse_ref(cmd, arg, value)?;
        workload(&name)
            .map(WorkloadName)
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            workloads()
                .iter()
                .map(|w| PossibleValue::new(w.name).help(w.about)),
        ))
    }
}

/// The workloads' options as given on the command line. The flags are built from the
/// workloads' declarations (`boundscope::workload::workloads()`): a flag several workloads
/// declare is one flag. The parser takes every workload's flags, so that one of another
/// workload is refused by name (`spec`); help shows one workload's only (`super::help`).
#[derive(Debug, Clone, Default)]
pub struct WorkloadArgs {
    /// (flag name without dashes, value as typed); a switch given reads `true`.
    pub given: Vec<(&'static str, String)>,
}

impl clap::FromArgMatches for WorkloadArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        Ok(WorkloadArgs {
            given: flags::given_workload_flags(matches, workloads()),
        })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for WorkloadArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.args(flags::workload_flags(workloads()))
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl WorkloadArgs {
    /// The workload's spec: its defaults with the given flags applied; a flag only other
    /// workloads take is a usage error (the run would quietly go without it).
    pub fn spec(&self, name: WorkloadName) -> Result<WorkloadSpec, CliError> {
        for (flag, _) in &self.given {
            name.0
                .check_takes(flag)
                .map_err(|e| CliError::Usage(e.to_string()))?;
        }
        let given = self.given.iter().map(|(n, v)| (*n, v.as_str()));
        name.0
            .spec(given)
            .map_err(|e| CliError::Usage(e.to_string()))
    }
}

/// How the run is sampled and how many workers it gets.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Concurrency and sampling")]
pub struct ExecArgs {
    /// Workers: threads, tasks' runtime threads, or child processes, 1 to 4096 [default:
    /// number of cores].
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
    /// Do not walk the stack where each wait begins: the wall-clock profile then books waits
    /// under the thread alone (to measure what the walks cost).
    #[arg(long)]
    pub no_wait_stacks: bool,
    /// Do not book the workers' time on the job's phases (to measure what that costs).
    #[arg(long)]
    pub no_phases: bool,
}

impl ExecArgs {
    pub fn workers(&self) -> usize {
        self.workers
            .unwrap_or_else(boundscope::events::available_cores)
    }

    pub fn spec(&self, workload: WorkloadSpec, mode: Mode) -> RunSpec {
        // A sequential run has exactly one worker, whatever --workers says, but a --workers
        // that no mode accepts is passed on for the run's validation to refuse.
        let workers = match (mode, self.workers) {
            (Mode::Sequential, Some(n)) if n == 0 || n > MAX_WORKERS => n,
            (Mode::Sequential, _) => 1,
            _ => self.workers(),
        };
        let mut spec = RunSpec::new(workload, mode, workers);
        spec.in_flight = self.in_flight;
        spec.gil = self.gil;
        spec.hz = self.hz;
        spec.profile = !self.no_profile;
        spec.wait_stacks = !self.no_wait_stacks;
        spec.phases = !self.no_phases;
        spec
    }
}
