//! What a scenario should show, and how its runs met it: `faster` means a ratio of at
//! least 1 (the line really was faster), `as_fast … at_least` is a tolerance worded as
//! one, `predicted … from … within` holds a line's measured speedup to the one its base's
//! first run predicted, and a verdict is the one most repeats got. Each check's line says
//! what was compared.

use crate::model::{RunReport, VerdictKind};
use crate::report::Spread;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An expectation of a scenario file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(try_from = "ExpectFields")]
pub enum Expect {
    /// `faster`'s mean wall time is at least `by` (≥ 1) times shorter than `than`'s, and at
    /// most `up_to` times when given.
    Faster {
        faster: String,
        than: String,
        by: f64,
        up_to: Option<f64>,
    },
    /// `run` is at least `at_least` (at most 1) times as fast as `than` — a tolerance: it may
    /// be slower — and at most `up_to` times when given.
    AsFast {
        run: String,
        than: String,
        at_least: f64,
        up_to: Option<f64>,
    },
    /// The verdict most of `run`'s repeats got (ties: see `Majority::of`).
    Verdict { run: String, verdict: VerdictKind },
    /// `run`'s measured speedup over `from` (mean wall times) is within `within` (a share:
    /// 0.25 is 25%) of the speedup `from`'s first run predicted for `run`'s mode, workers and
    /// lock from its ledger.
    Predicted {
        run: String,
        from: String,
        within: f64,
    },
}

/// An `[[expect]]` table as written; it must hold one of the three shapes of `Expect`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectFields {
    faster: Option<String>,
    than: Option<String>,
    by: Option<f64>,
    up_to: Option<f64>,
    as_fast: Option<String>,
    #[serde(rename = "as")]
    as_what: Option<String>,
    at_least: Option<f64>,
    run: Option<String>,
    verdict: Option<String>,
    predicted: Option<String>,
    from: Option<String>,
    within: Option<f64>,
}

/// An `[[expect]]` table that is not one of the kinds (serde shows the message with the
/// table's position).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExpectError {
    #[error(
        "`up_to = {0}` bounds a speed ratio from above: use it with `faster` or `as_fast`, \
         and make it at least `by` or `at_least`"
    )]
    UpTo(f64),
    #[error(
        "`by = {0}` is not a speed-up factor: `faster` means at least 1 (1.5 means 1.5 times \
         faster); for a tolerance write `as_fast = A`, `as = B`, `at_least = {0}`"
    )]
    By(f64),
    #[error("`at_least = {0}` is not a share of speed: use a number above 0 and at most 1")]
    AtLeast(f64),
    #[error(
        "`within = {0}` is not a share of error: use a number above 0 and at most 1 (0.25 is 25%)"
    )]
    Within(f64),
    #[error("`verdict = {0:?}` is not a verdict: use one of {verdicts}", verdicts = VerdictKind::all().map(VerdictKind::as_str).collect::<Vec<_>>().join(", "))]
    Verdict(String),
    #[error(
        "an [[expect]] takes `faster`, `than` (and `by`), or `as_fast`, `as` and `at_least`, \
         or `run` and `verdict`, or `predicted`, `from` and `within`"
    )]
    Kind,
}

impl TryFrom<ExpectFields> for Expect {
    type Error = ExpectError;

    fn try_from(f: ExpectFields) -> Result<Expect, ExpectError> {
        if f.predicted.is_some() || f.from.is_some() || f.within.is_some() {
            return predicted(f);
        }
        let floor = f.by.or(f.at_least).unwrap_or(1.0);
        if let Some(top) = f.up_to {
            if !(top.is_finite() && top >= floor) || f.run.is_some() {
                return Err(ExpectError::UpTo(top));
            }
        }
        match f {
            ExpectFields {
                faster: Some(faster),
                than: Some(than),
                as_fast: None,
                as_what: None,
                at_least: None,
                run: None,
                verdict: None,
                by,
                up_to,
                ..
            } => match by.unwrap_or(1.0) {
                by if by.is_finite() && by >= 1.0 => Ok(Expect::Faster {
                    faster,
                    than,
                    by,
                    up_to,
                }),
                by => Err(ExpectError::By(by)),
            },
            ExpectFields {
                as_fast: Some(run),
                as_what: Some(than),
                at_least: Some(at_least),
                faster: None,
                than: None,
                by: None,
                run: None,
                verdict: None,
                up_to,
                ..
            } if at_least > 0.0 && at_least <= 1.0 => Ok(Expect::AsFast {
                run,
                than,
                at_least,
                up_to,
            }),
            ExpectFields {
                at_least: Some(bad),
                ..
            } => Err(ExpectError::AtLeast(bad)),
            ExpectFields {
                run: Some(run),
                verdict: Some(verdict),
                faster: None,
                than: None,
                by: None,
                up_to: None,
                as_fast: None,
                as_what: None,
                at_least: None,
                ..
            } => verdict
                .parse()
                .map(|verdict| Expect::Verdict { run, verdict })
                .map_err(|_| ExpectError::Verdict(verdict)),
            _ => Err(ExpectError::Kind),
        }
    }
}

/// A `predicted` table: `predicted`, `from` and `within`, and nothing else.
fn predicted(f: ExpectFields) -> Result<Expect, ExpectError> {
    let others = [f.faster, f.than, f.as_fast, f.as_what, f.run, f.verdict];
    let numbers = [f.by, f.up_to, f.at_least];
    if others.iter().any(Option::is_some) || numbers.iter().any(Option::is_some) {
        return Err(ExpectError::Kind);
    }
    match (f.predicted, f.from, f.within) {
        (Some(run), Some(from), Some(within)) if within > 0.0 && within <= 1.0 => {
            Ok(Expect::Predicted { run, from, within })
        }
        (_, _, Some(bad)) if !(bad > 0.0 && bad <= 1.0) => Err(ExpectError::Within(bad)),
        _ => Err(ExpectError::Kind),
    }
}

/// An expectation and how the runs met it.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub expectation: String,
    pub measured: String,
    /// What the measurement was made of (`threads 0.405 s, async 0.303 s`), when more than
    /// its figure.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub compared: String,
    pub ok: bool,
}

impl Expect {
    /// The run labels the expectation reads.
    pub fn labels(&self) -> Vec<&str> {
        match self {
            Expect::Faster { faster, than, .. } => vec![faster, than],
            Expect::AsFast { run, than, .. } => vec![run, than],
            Expect::Verdict { run, .. } => vec![run],
            Expect::Predicted { run, from, .. } => vec![run, from],
        }
    }

    /// Checks the expectation against the reports of each label.
    pub fn check(&self, reports: &BTreeMap<String, Vec<RunReport>>) -> Check {
        match self {
            Expect::Faster {
                faster,
                than,
                by,
                up_to,
            } => {
                let bound = match up_to {
                    Some(top) => format!("by {by:.2}× to {top:.2}×"),
                    None => format!("by ≥ {by:.2}×"),
                };
                let expectation = format!("{faster} faster than {than} {bound}");
                speed_check(reports, (faster, than), (*by, *up_to), expectation)
            }
            Expect::AsFast {
                run,
                than,
                at_least,
                up_to,
            } => {
                let expectation = match up_to {
                    Some(top) => format!("{run} {at_least:.2}× to {top:.2}× as fast as {than}"),
                    None => format!("{run} at least {at_least:.2}× as fast as {than}"),
                };
                speed_check(reports, (run, than), (*at_least, *up_to), expectation)
            }
            Expect::Verdict { run, verdict } => {
                let runs = reports.get(run).map(Vec::as_slice).unwrap_or_default();
                let got = crate::report::majority::Majority::of(runs);
                Check {
                    expectation: format!("{run} is {verdict}"),
                    measured: got.to_string(),
                    compared: String::new(),
                    ok: got.verdict == Some(*verdict),
                }
            }
            Expect::Predicted { run, from, within } => {
                predicted_check(reports, (run, from), *within)
            }
        }
    }
}

/// `run`'s measured speedup over `from` against the one `from`'s first run predicted for
/// it: `predicted 7.60×, measured 6.90×, error −9%`. A pair doing different work has no
/// prediction, and fails saying so.
fn predicted_check(
    reports: &BTreeMap<String, Vec<RunReport>>,
    (run, from): (&str, &str),
    within: f64,
) -> Check {
    let expectation = format!(
        "{run}'s speedup over {from} within {:.0}% of the one predicted from {from}'s first run",
        within * 100.0
    );
    let mut check = speed_check(reports, (run, from), (0.0, None), expectation);
    let first = |label: &str| reports.get(label).and_then(|runs| runs.first());
    let prediction = first(from)
        .zip(first(run))
        .and_then(|(base, own)| crate::predict::predict_like(base, own))
        .filter(|p| p.speedup > 0.0);
    let measured = check.measured.clone();
    match prediction {
        Some(p) => {
            let (ratio, _) = measured_ratio(reports, (run, from));
            let error = ratio / p.speedup - 1.0;
            check.measured = format!(
                "predicted {:.2}×, measured {measured}, error {:+.0}%",
                p.speedup,
                error * 100.0
            );
            check.ok = error.abs() <= within;
        }
        None => {
            check.measured =
                format!("{measured}, no prediction ({from} and {run} do different work)");
            check.ok = false;
        }
    }
    check
}

/// `a`'s speed over `b`'s (`b`'s mean wall time ÷ `a`'s) within `[low, high]`, measured as
/// the ratio and both wall times.
fn speed_check(
    reports: &BTreeMap<String, Vec<RunReport>>,
    (a, b): (&str, &str),
    (low, high): (f64, Option<f64>),
    expectation: String,
) -> Check {
    let (ratio, (wa, wb)) = measured_ratio(reports, (a, b));
    Check {
        expectation,
        measured: format!("{ratio:.2}×"),
        compared: format!("mean wall time: {a} {wa:.3} s, {b} {wb:.3} s"),
        ok: ratio >= low && high.is_none_or(|top| ratio <= top),
    }
}

/// `b`'s mean wall time ÷ `a`'s (0 when `a` has none), with both means.
fn measured_ratio(
    reports: &BTreeMap<String, Vec<RunReport>>,
    (a, b): (&str, &str),
) -> (f64, (f64, f64)) {
    let wall = |label: &str| {
        let runs = reports.get(label).map(Vec::as_slice).unwrap_or_default();
        Spread::of(&runs.iter().map(|r| r.wall_s).collect::<Vec<_>>()).mean
    };
    let (wa, wb) = (wall(a), wall(b));
    let ratio = if wa > 0.0 { wb / wa } else { 0.0 };
    (ratio, (wa, wb))
}

#[cfg(test)]
#[path = "expect_tests.rs"]
mod tests;
