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
    /// The speedup the baseline's first run predicted for this variant (`None` when it does
    /// other work than the baseline: another size, parser or input).
    pub predicted: Option<f64>,
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
            predicted: None,
            runs,
        }
    }

    /// `predicted ≈1.9×, measured +5%`-style cell: the prediction and how far the
    /// measurement is from it (`—` when there is none).
    pub fn predicted_cell(&self) -> String {
        match self.predicted {
            Some(p) if p > 0.0 => format!("{p:.2}× {:+.0}%", (self.speedup / p - 1.0) * 100.0),
            _ => "—".into(),
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
        let bases = vec![0; variants.len()];
        Repeated::against(variants, &bases)
    }

    /// Each variant's runs against the first variant doing the same work (same workload,
    /// units and options; any mode, workers or lock), with that variant's index: a speedup
    /// over a run of another size says nothing.
    pub fn against_same_work(variants: Vec<Vec<RunReport>>) -> Vec<(Repeated, usize)> {
        let firsts: Vec<Option<&RunReport>> = variants.iter().map(|v| v.first()).collect();
        let bases: Vec<usize> = (0..variants.len())
            .map(|i| {
                (0..i)
                    .find(|&j| match (firsts[j], firsts[i]) {
                        (Some(a), Some(b)) => crate::predict::same_work(a, b),
                        _ => false,
                    })
                    .unwrap_or(i)
            })
            .collect();
        let stats = Repeated::against(variants, &bases);
        stats.into_iter().zip(bases).collect()
    }

    /// Each variant against the variant `bases` names: its speedup over that one's mean wall
    /// time, and the speedup that one's first run predicted for it.
    fn against(variants: Vec<Vec<RunReport>>, bases: &[usize]) -> Vec<Repeated> {
        let spreads: Vec<Spread> = variants
            .iter()
            .map(|runs| spread(runs, |r| r.wall_s))
            .collect();
        let firsts: Vec<Option<RunReport>> =
            variants.iter().map(|runs| runs.first().cloned()).collect();
        variants
            .into_iter()
            .zip(bases)
            .map(|(runs, &base)| {
                let mut repeated = Repeated::new(runs, spreads[base]);
                repeated.predicted = firsts[base]
                    .as_ref()
                    .zip(repeated.runs.first())
                    .and_then(|(first, own)| crate::predict::predict_like(first, own))
                    .map(|p| p.speedup);
                repeated
            })
            .collect()
    }
}

fn spread(runs: &[RunReport], figure: impl Fn(&RunReport) -> f64) -> Spread {
    Spread::of(&runs.iter().map(figure).collect::<Vec<_>>())
}
