//! What to run: workload (with its options), mode, workers, GIL, sampling. Serializable, so
//! a child process (in `processes` mode) and the UI's run receive exactly this spec, and the
//! event stream's `start` carries it.

use crate::model::Mode;
use crate::workload::declare::options::OptionKind;
use crate::workload::declare::spec::Knob;
use crate::workload::{WorkloadDecl, WorkloadSpec};
use serde::{Deserialize, Serialize};

/// CPU sampling rates a run may ask for, in Hz (the kernel tick caps sampling near 250 Hz).
pub const HZ_RANGE: std::ops::RangeInclusive<u32> = 1..=250;
/// The sampling rate when none is asked for: off the kernel's tick multiples.
pub const DEFAULT_HZ: u32 = 99;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunSpec {
    pub workload: WorkloadSpec,
    pub mode: Mode,
    pub workers: usize,
    #[serde(default)]
    pub in_flight: Option<usize>,
    pub gil: bool,
    pub profile: bool,
    pub hz: u32,
    pub tick_ms: u64,
    /// Walk the stack where each wait begins, for the wall-clock profile (off: waits are
    /// booked under the thread alone, to measure what the walks cost).
    #[serde(default = "yes")]
    pub wait_stacks: bool,
    /// Book each worker's time on the job's phases (off: the phase view holds only the
    /// workers, to measure what the phase clock costs).
    #[serde(default = "yes")]
    pub phases: bool,
    /// Set for a child of `processes` mode: its shard (index, count) and lane name.
    #[serde(default)]
    pub shard: Option<(usize, usize)>,
    #[serde(default)]
    pub lane: Option<String>,
}

fn yes() -> bool {
    true
}

impl RunSpec {
    pub fn new(workload: WorkloadSpec, mode: Mode, workers: usize) -> RunSpec {
        RunSpec {
            workload,
            mode,
            workers,
            in_flight: None,
            gil: false,
            profile: true,
            hz: DEFAULT_HZ,
            tick_ms: 250,
            wait_stacks: true,
            phases: true,
            shard: None,
            lane: None,
        }
    }

    /// The workload's knobs, then the run-level ones that apply (`in-flight`).
    pub fn knobs(&self) -> Vec<Knob> {
        let mut knobs = self.workload.knobs();
        if let Some(in_flight) = self.in_flight.filter(|_| self.mode == Mode::Async) {
            knobs.push(Knob {
                name: "in-flight",
                value: in_flight.to_string(),
            });
        }
        knobs
    }

    /// The words of `boundscope run` that make this run: `run WORKLOAD --mode M [--workers N]
    /// [--in-flight K] [--gil]`, then every declared option whose value differs from the
    /// CLI's default, under the CLI's names (derived from the spec and `workload`'s
    /// declarations, never kept by hand).
    pub fn run_args(&self, workload: &WorkloadDecl) -> Vec<String> {
        let mut args = vec!["run".to_string(), workload.name.to_string()];
        args.extend(["--mode".to_string(), self.mode.as_str().to_string()]);
        if self.mode != Mode::Sequential {
            args.extend(["--workers".to_string(), self.workers.to_string()]);
        }
        if let Some(n) = self.in_flight {
            args.extend(["--in-flight".to_string(), n.to_string()]);
        }
        if self.gil {
            args.push("--gil".into());
        }
        let defaults = (workload.defaults)();
        for option in &workload.options {
            let value = option.get(&self.workload);
            if value == option.get(&defaults) {
                continue;
            }
            match (option.kind, value) {
                (OptionKind::Switch, Some(on)) if on == "true" => {
                    args.push(format!("--{}", option.name))
                }
                (OptionKind::Switch, _) | (_, None) => {}
                (_, Some(value)) => args.extend([format!("--{}", option.name), value]),
            }
        }
        args
    }

    /// The spec a `processes` child runs: one sequential worker over one shard.
    pub fn for_child(&self, index: usize, count: usize, lane: &str) -> RunSpec {
        RunSpec {
            mode: Mode::Sequential,
            workers: 1,
            in_flight: None,
            shard: Some((index, count)),
            lane: Some(lane.to_string()),
            ..self.clone()
        }
    }

    /// How many of `units` this process runs.
    pub fn units_in_shard(&self, units: usize) -> usize {
        match self.shard {
            Some((index, count)) if count > 0 => (0..units).filter(|u| u % count == index).count(),
            _ => units,
        }
    }

    /// This spec as it may be shown or recorded: database passwords masked.
    pub fn redacted(&self) -> RunSpec {
        RunSpec {
            workload: self.workload.redacted(),
            ..self.clone()
        }
    }

    pub fn title(&self) -> String {
        if let Some(program) = self.workload.program() {
            return format!("exec · {}", program.command_line());
        }
        let gil = if self.gil { " (simulated GIL)" } else { "" };
        format!(
            "{} · {} × {}{gil}",
            self.workload.name(),
            self.mode,
            crate::model::workers(self.workers)
        )
    }
}
