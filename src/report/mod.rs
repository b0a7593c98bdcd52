//! Reading run reports: the verdict, the printed summary, stage timelines, repeated runs,
//! sweeps and lessons (the report itself is `model::RunReport`).

mod findings;
pub mod lessons;
pub mod majority;
mod predictions;
pub mod repeated;
mod stats;
mod summary;
pub mod sweep;
pub mod sweep_chart;
pub mod timeline;
mod verdict;
pub mod window;

pub use stats::{speedup, Spread};
pub use summary::{format_bytes_rate, summary_text};
pub use verdict::{judge, judge_worker};

use crate::model::RunReport;

impl RunReport {
    /// Derived rates and shares, once wall, CPU, samples and workers are known.
    pub fn finish_figures(&mut self) {
        let wall = self.wall_s.max(1e-9);
        self.busy_cores = self.cpu_s / wall;
        self.items_per_s = self.items as f64 / wall;
        self.mb_per_s = self.bytes as f64 / 1e6 / wall;
        self.waits.clear();
        for worker in &self.worker_stats {
            for (category, seconds) in &worker.waits {
                *self.waits.entry(*category).or_default() += seconds;
            }
        }
        if self.profiled && self.cpu_s > 0.0 {
            self.sample_hz_effective = self.samples as f64 / self.cpu_s;
            self.capture_ratio = self.sample_hz_effective / f64::from(self.sample_hz.max(1));
        }
        let worker_wall: f64 = self.worker_stats.iter().map(|w| w.wall_s).sum();
        if self.profiled && worker_wall > 0.0 {
            let sampled_seconds = self.samples as f64 / f64::from(self.sample_hz.max(1));
            self.cpu_sample_coverage = (sampled_seconds / worker_wall).min(1.0);
        }
        let verdict = judge(self);
        self.verdict = Some(verdict.kind);
        self.verdict_detail = verdict.detail;
    }
}
