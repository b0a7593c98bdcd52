//! What to run: workload, mode, workers, GIL, sampling. Serializable, so a child process
//! (in `processes` mode) receives exactly the parent's spec.

use super::SessionError;
use crate::exec::ExecSpec;
use crate::model::Mode;
use crate::profile::{DEFAULT_HZ, HZ_RANGE};
use crate::workload::WorkloadSpec;
use serde::{Deserialize, Serialize};

/// The most workers a run may ask for (threads, runtime threads or child processes).
pub const MAX_WORKERS: usize = 4096;

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
            shard: None,
            lane: None,
        }
    }

    /// The workload's knobs, then the run-level ones that apply (`in-flight`).
    pub fn knobs(&self) -> Vec<crate::workload::spec::Knob> {
        let mut knobs = self.workload.knobs();
        if let Some(in_flight) = self.in_flight.filter(|_| self.mode == Mode::Async) {
            knobs.push(crate::workload::spec::Knob {
                name: "in-flight",
                value: in_flight.to_string(),
            });
        }
        knobs
    }

    pub fn validate(&self) -> Result<(), SessionError> {
        if self.workers == 0 {
            return Err(SessionError::Input(
                "--workers 0 is not allowed: use at least 1 worker".into(),
            ));
        }
        if self.workers > MAX_WORKERS {
            return Err(SessionError::Input(format!(
                "--workers {} is too many: use 1 to {MAX_WORKERS}",
                self.workers
            )));
        }
        if self.profile && !HZ_RANGE.contains(&self.hz) {
            return Err(SessionError::Input(format!(
                "--hz {} is out of range: use 1 to 250 (the kernel tick caps sampling near 250 Hz)",
                self.hz
            )));
        }
        if self.mode == Mode::Processes && self.shard.is_none() {
            self.workload.check_processes()?;
        }
        if let WorkloadSpec::CsvImport(csv) = &self.workload {
            if csv.batch == 0 || csv.chunk_rows == 0 {
                return Err(SessionError::Input(
                    "--batch and --chunk-rows must be at least 1".into(),
                ));
            }
            if csv.max_record_bytes == 0 {
                return Err(SessionError::Input(
                    "--max-record-kb 0 is not allowed: use at least 1".into(),
                ));
            }
        }
        if self.in_flight == Some(0) {
            return Err(SessionError::Input(
                "--in-flight 0 is not allowed: use at least 1".into(),
            ));
        }
        Ok(())
    }

    pub(crate) fn exec_spec(&self) -> ExecSpec {
        ExecSpec {
            mode: self.mode,
            workers: self.workers,
            in_flight: self.in_flight,
            shard: self.shard,
            lane: self.lane.clone(),
        }
    }

    /// The spec a `processes` child runs: one sequential worker over one shard.
    pub(crate) fn for_child(&self, index: usize, count: usize, lane: &str) -> RunSpec {
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
    pub(crate) fn units_in_shard(&self, units: usize) -> usize {
        match self.shard {
            Some((index, count)) if count > 0 => (0..units).filter(|u| u % count == index).count(),
            _ => units,
        }
    }

    /// `json-parse · threads × 2 (GIL)`: used in titles.
    /// This spec as it may be shown or recorded: database passwords masked.
    pub fn redacted(&self) -> RunSpec {
        RunSpec {
            workload: self.workload.redacted(),
            ..self.clone()
        }
    }

    pub fn title(&self) -> String {
        let gil = if self.gil { " (simulated GIL)" } else { "" };
        format!(
            "{} · {} × {} workers{gil}",
            self.workload.name(),
            self.mode,
            self.workers
        )
    }
}
