//! What a run spec may say (its checks) and the engine's part of it; the spec itself is
//! [`crate::spec::RunSpec`].

use super::SessionError;
use crate::exec::ExecSpec;
use crate::model::Mode;
use crate::spec::{RunSpec, HZ_RANGE};
use crate::workload::WorkloadSpec;

/// The most workers a run may ask for (threads, runtime threads or child processes).
pub const MAX_WORKERS: usize = 4096;

impl RunSpec {
    pub fn validate(&self) -> Result<(), SessionError> {
        if self.workload.program().is_some() != (self.mode == Mode::Exec) {
            return Err(SessionError::Input(
                "a program runs with its own concurrency (mode exec), and only a program does"
                    .into(),
            ));
        }
        if self
            .workload
            .program()
            .is_some_and(|p| p.command.is_empty())
        {
            return Err(SessionError::Input(
                "no command was given: boundscope exec [options] -- COMMAND ARGS...".into(),
            ));
        }
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
}
