//! Capacity per mode and worker count: the cores the rest of the machine leaves free, one
//! interpreter lock per process, one SQLite writer, the API server's limits.

use super::demand::number;
use crate::model::{Mode, RunReport};

/// The machine as the run found it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Machine {
    pub cores: f64,
    /// Threads of other processes wanting a CPU meanwhile, inferred from the run's own
    /// run queue: a worker that got a share `s` of a core while `k` workers wanted one
    /// shared `cores` with `cores / s - k` others.
    pub others: f64,
    /// The API server's `--concurrency` and `--rate-limit` (requests per second).
    pub server_concurrency: Option<f64>,
    pub rate_limit: Option<f64>,
}

impl Machine {
    pub fn of(report: &RunReport) -> Machine {
        let cores = report.cores.max(1) as f64;
        let cpu: f64 = report.worker_stats.iter().map(|w| w.cpu_s).sum();
        let queued: f64 = report.worker_stats.iter().map(|w| w.runqueue_s).sum();
        // Workers that wanted a core at once: with the lock, only its holder.
        let wanting = if report.gil && report.mode != Mode::Processes {
            1.0
        } else {
            report.workers.max(1) as f64
        };
        // The scheduler shares the cores fairly, so `share(wanting)` must give back the
        // share the run measured: k threads at a share s of a core each with `o` others
        // means cores / (k + o) = s. (Reading `min(cores, k) / s - k` instead made a
        // sequential run at half a core on 2 cores look as if it had run at a whole one,
        // its own time half what it measured, and every bound beside it too large.)
        let others = if cpu > 0.0 && queued > 0.0 {
            let share = cpu / (cpu + queued);
            (cores / share - wanting).max(0.0)
        } else {
            0.0
        };
        let limit = |name| Some(number(report, name)).filter(|n| *n > 0.0);
        Machine {
            cores,
            others,
            server_concurrency: limit("concurrency"),
            rate_limit: limit("rate_limit"),
        }
    }

    /// The share of a core each of `k` threads wanting one gets (the scheduler is fair).
    pub fn share(&self, k: f64) -> f64 {
        (self.cores / (k + self.others)).min(1.0)
    }

    /// Cores `k` threads wanting one get together.
    pub fn cores_for(&self, k: f64) -> f64 {
        k * self.share(k)
    }
}

/// A mode at a worker count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    pub mode: Mode,
    pub workers: usize,
    /// Async mode's tasks in flight (`--in-flight`; the worker count when not given).
    pub in_flight: Option<usize>,
    pub gil: bool,
}

impl Target {
    /// The mode, worker count and lock of a finished run.
    pub fn of(report: &RunReport) -> Target {
        let in_flight = number(report, "in_flight") as usize;
        Target {
            mode: report.mode,
            workers: report.workers.max(1),
            in_flight: (in_flight > 0).then_some(in_flight),
            gil: report.gil,
        }
    }

    /// Threads that can run the work at once.
    pub fn lanes(&self) -> f64 {
        match self.mode {
            Mode::Sequential => 1.0,
            _ => self.workers.max(1) as f64,
        }
    }

    /// Units in progress at once (requests in flight, connections busy).
    pub fn concurrency(&self) -> f64 {
        match self.mode {
            Mode::Async => self.in_flight.unwrap_or(self.workers).max(1) as f64,
            _ => self.lanes(),
        }
    }

    /// Interpreter locks: one per process.
    pub fn locks(&self) -> f64 {
        match self.mode {
            Mode::Processes => self.lanes(),
            _ => 1.0,
        }
    }
}
