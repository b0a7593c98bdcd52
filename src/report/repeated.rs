//! Repeated runs of one variant (a mode, a worker count, a scenario line) summarized: the
//! spread of wall time, throughput and busy cores, and the speedup over a baseline.

use super::majority::Majority;
use super::{speedup, Spread};
use crate::model::RunReport;
use crate::model::VerdictKind;
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Repeated {
    pub wall_s: Spread,
    pub items_per_s: Spread,
    pub busy_cores: Spread,
    /// The baseline's mean wall time over this one's, and its error.
    pub speedup: f64,
    pub speedup_err: f64,
    /// The verdict most runs got, and how many of them (see [`Majority`]).
    #[serde(with = "crate::model::verdict::optional_word")]
    pub verdict: Option<VerdictKind>,
    pub verdict_agree: usize,
    /// The last run's checksum.
    pub checksum: String,
    pub runs: Vec<RunReport>,
}

impl Repeated {
    /// `runs` against `base`, the baseline's wall-time spread.
    pub fn new(runs: Vec<RunReport>, base: Spread) -> Repeated {
        let wall_s = spread(&runs, |r| r.wall_s);
        let (speedup, speedup_err) = speedup(base, wall_s);
        let majority = Majority::of(&runs);
        let checksum = runs.last().map(|r| r.checksum.clone()).unwrap_or_default();
        Repeated {
            wall_s,
            items_per_s: spread(&runs, |r| r.items_per_s),
            busy_cores: spread(&runs, |r| r.busy_cores),
            speedup,
            speedup_err,
            verdict: majority.verdict,
            verdict_agree: majority.agree,
            checksum,
            runs,
        }
    }

    /// The majority reading with its agreement: "gil-bound in 2 of 3".
    pub fn reading(&self) -> String {
        Majority {
            verdict: self.verdict,
            agree: self.verdict_agree,
            runs: self.runs.len(),
        }
        .to_string()
    }

    /// Each variant's runs against the first variant's.
    pub fn against_first(variants: Vec<Vec<RunReport>>) -> Vec<Repeated> {
        let base = variants
            .first()
            .map(|runs| spread(runs, |r| r.wall_s))
            .unwrap_or_default();
        variants
            .into_iter()
            .map(|runs| Repeated::new(runs, base))
            .collect()
    }
}

fn spread(runs: &[RunReport], figure: impl Fn(&RunReport) -> f64) -> Spread {
    Spread::of(&runs.iter().map(figure).collect::<Vec<_>>())
}
