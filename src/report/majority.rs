//! The reading of repeated runs as a whole: the verdict most of them got, and how many did.

use crate::model::RunReport;
use crate::model::VerdictKind;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// The majority verdict of a series of runs ("gil-bound in 2 of 3").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Majority {
    #[serde(with = "crate::model::verdict::optional_word")]
    pub verdict: Option<VerdictKind>,
    /// How many runs got `verdict`, of `runs`.
    pub agree: usize,
    pub runs: usize,
}

impl Majority {
    /// The verdict most runs got. A tie goes to the tied verdict of the median-time run
    /// (the lower middle one when sorted by wall time); when that run's verdict is not one
    /// of the tied, to the tied verdict of the run nearest it in that order, the faster one
    /// first. The median run is the typical one; the fastest or slowest may be an outlier.
    pub fn of(runs: &[RunReport]) -> Majority {
        let mut counts: BTreeMap<Option<VerdictKind>, usize> = BTreeMap::new();
        for run in runs {
            *counts.entry(run.verdict).or_default() += 1;
        }
        let top = counts.values().copied().max().unwrap_or(0);
        let mut by_wall: Vec<&RunReport> = runs.iter().collect();
        by_wall.sort_by(|a, b| a.wall_s.total_cmp(&b.wall_s));
        let median = by_wall.len().saturating_sub(1) / 2;
        let mut order: Vec<usize> = (0..by_wall.len()).collect();
        order.sort_by_key(|&rank| (rank.abs_diff(median), rank));
        let verdict = order
            .into_iter()
            .map(|rank| by_wall[rank].verdict)
            .find(|v| counts.get(v) == Some(&top))
            .flatten();
        Majority {
            verdict,
            agree: top,
            runs: runs.len(),
        }
    }
}

impl Majority {
    /// The verdict's word, empty when no run was read.
    pub fn word(&self) -> &'static str {
        self.verdict.map_or("", VerdictKind::as_str)
    }
}

/// "gil-bound in 2 of 3"; a single run's verdict alone.
impl fmt::Display for Majority {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.runs > 1 {
            write!(f, "{} in {} of {}", self.word(), self.agree, self.runs)
        } else {
            f.write_str(self.word())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(list: &[(f64, &str)]) -> Vec<RunReport> {
        list.iter()
            .map(|(wall_s, verdict)| RunReport {
                wall_s: *wall_s,
                verdict: verdict.parse().ok(),
                ..RunReport::default()
            })
            .collect()
    }

    #[test]
    fn the_most_common_verdict_wins_not_the_last() {
        let m = Majority::of(&runs(&[
            (1.0, "gil-bound"),
            (1.1, "gil-bound"),
            (0.9, "cpu-bound"),
        ]));
        assert_eq!(m.to_string(), "gil-bound in 2 of 3");
        let all = Majority::of(&runs(&[(1.0, "io-bound"); 3]));
        assert_eq!(all.to_string(), "io-bound in 3 of 3");
    }

    #[test]
    fn a_tie_goes_to_the_median_time_run() {
        // Sorted by wall: cpu 0.8, gil 0.9, cpu 1.0, gil 1.1; the lower middle is gil 0.9.
        let tie = runs(&[
            (1.0, "cpu-bound"),
            (1.1, "gil-bound"),
            (0.8, "cpu-bound"),
            (0.9, "gil-bound"),
        ]);
        assert_eq!(Majority::of(&tie).to_string(), "gil-bound in 2 of 4");
        let mut other_way = tie.clone();
        other_way[3].wall_s = 1.2;
        // Now: cpu 0.8, cpu 1.0, gil 1.1, gil 1.2; the lower middle is cpu 1.0.
        assert_eq!(Majority::of(&other_way).to_string(), "cpu-bound in 2 of 4");
    }

    #[test]
    fn a_median_run_outside_the_tie_defers_to_its_nearest_tied_neighbour() {
        // Sorted: cpu 1, io 2, mixed 3 (median, not tied), io 4, cpu 5: io is nearest.
        let m = Majority::of(&runs(&[
            (1.0, "cpu-bound"),
            (2.0, "io-bound"),
            (3.0, "mixed"),
            (4.0, "io-bound"),
            (5.0, "cpu-bound"),
        ]));
        // Ranks 1 and 3 (io) are equally near; either way io, and the faster first.
        assert_eq!(m.to_string(), "io-bound in 2 of 5");
        let m = Majority::of(&runs(&[
            (1.0, "cpu-bound"),
            (2.0, "mixed"),
            (3.0, "starved"),
            (4.0, "io-bound"),
            (5.0, "cpu-bound"),
            (6.0, "io-bound"),
        ]));
        // Median rank 2 (starved) is not tied; ranks 1 (mixed) and 3 (io): io is.
        assert_eq!(m.to_string(), "io-bound in 2 of 6");
    }

    #[test]
    fn one_run_reads_as_its_verdict_and_none_as_nothing() {
        assert_eq!(
            Majority::of(&runs(&[(1.0, "cpu-bound")])).to_string(),
            "cpu-bound"
        );
        assert_eq!(Majority::of(&[]).verdict, None);
    }
}
