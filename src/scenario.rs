//! Scenario files: a named set of `boundscope run` command lines that reproduce one
//! experiment, run together and repeated, with expectations saying what it should show.
//!
//! ```toml
//! title = "The interpreter lock"
//! common = "--files 12"              # added to every run
//! [[run]]
//! label = "threads + GIL"
//! args = "json-parse --mode threads --gil"
//! [[run]]
//! label = "processes + GIL"
//! args = "json-parse --mode processes --gil"
//! [[expect]]
//! faster = "processes + GIL"
//! than = "threads + GIL"
//! by = 1.4
//! ```

use crate::report::{RunReport, Spread};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The scenarios that ship with boundscope (`boundscope scenario NAME`).
pub const BUILT_IN: [(&str, &str); 4] = [
    ("gil", include_str!("../workloads/scenarios/gil.toml")),
    (
        "fast-parser",
        include_str!("../workloads/scenarios/fast-parser.toml"),
    ),
    (
        "csv-writers",
        include_str!("../workloads/scenarios/csv-writers.toml"),
    ),
    (
        "api-threads",
        include_str!("../workloads/scenarios/api-threads.toml"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("not a scenario file: {0}")]
    Format(String),
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Arguments added to every run's command line.
    #[serde(default)]
    pub common: String,
    /// Timed runs of each line (interleaved).
    #[serde(default = "default_repeat")]
    pub repeat: usize,
    /// Whether every run does the same work, so that all checksums must agree.
    #[serde(default = "default_true")]
    pub same_result: bool,
    #[serde(rename = "run")]
    pub runs: Vec<ScenarioRun>,
    #[serde(default, rename = "expect")]
    pub expects: Vec<Expect>,
}

fn default_repeat() -> usize {
    3
}

fn default_true() -> bool {
    true
}

/// One line: a label and the arguments of `boundscope run`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRun {
    pub label: String,
    pub args: String,
}

/// What the experiment should show.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(try_from = "ExpectFields")]
pub enum Expect {
    /// `faster`'s mean wall time is at least `by` times shorter than `than`'s.
    Faster {
        faster: String,
        than: String,
        by: f64,
    },
    /// The verdict most of `run`'s repeats got (ties: see `Majority::of`).
    Verdict { run: String, verdict: String },
}

/// An `[[expect]]` table as written; it must hold one of the two shapes of `Expect`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectFields {
    faster: Option<String>,
    than: Option<String>,
    by: Option<f64>,
    run: Option<String>,
    verdict: Option<String>,
}

impl TryFrom<ExpectFields> for Expect {
    type Error = String;

    fn try_from(f: ExpectFields) -> Result<Expect, String> {
        match f {
            ExpectFields {
                faster: Some(_),
                than: Some(_),
                by: Some(by),
                run: None,
                verdict: None,
            } if !(by.is_finite() && by > 0.0) => Err(format!(
                "`by = {by}` is not a speed-up factor: use a number above 0 (1.5 means 1.5 times faster)"
            )),
            ExpectFields {
                faster: Some(faster),
                than: Some(than),
                by: Some(by),
                run: None,
                verdict: None,
            } => Ok(Expect::Faster { faster, than, by }),
            ExpectFields {
                run: Some(_),
                verdict: Some(verdict),
                faster: None,
                than: None,
                by: None,
            } if !crate::report::VERDICTS.contains(&verdict.as_str()) => Err(format!(
                "`verdict = {verdict:?}` is not a verdict: use one of {}",
                crate::report::VERDICTS.join(", ")
            )),
            ExpectFields {
                run: Some(run),
                verdict: Some(verdict),
                faster: None,
                than: None,
                by: None,
            } => Ok(Expect::Verdict { run, verdict }),
            _ => Err(
                "an [[expect]] takes either `faster`, `than` and `by`, or `run` and \
                      `verdict`"
                    .into(),
            ),
        }
    }
}

/// An expectation and how the runs met it.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub expectation: String,
    pub measured: String,
    pub ok: bool,
}

impl Scenario {
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario =
            crate::toml_input::parse(text).map_err(|e| ScenarioError::Format(e.to_string()))?;
        scenario.validate()?;
        Ok(scenario)
    }

    fn validate(&self) -> Result<(), ScenarioError> {
        if self.runs.is_empty() {
            return Err(ScenarioError::Invalid(
                "a scenario needs at least one [[run]]".into(),
            ));
        }
        if self.repeat == 0 {
            return Err(ScenarioError::Invalid("repeat must be at least 1".into()));
        }
        for (i, run) in self.runs.iter().enumerate() {
            if self.runs[..i].iter().any(|r| r.label == run.label) {
                return Err(ScenarioError::Invalid(format!(
                    "two runs are labelled {:?}; labels must differ",
                    run.label
                )));
            }
        }
        for expect in &self.expects {
            for label in expect.labels() {
                if !self.runs.iter().any(|r| r.label == label) {
                    return Err(ScenarioError::Invalid(format!(
                        "an [[expect]] names {label:?}, which no [[run]] is labelled"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Run `index`'s full argument list: its own arguments, then the common ones.
    pub fn argv(&self, index: usize) -> Vec<String> {
        let own = self.runs[index].args.split_whitespace();
        own.chain(self.common.split_whitespace())
            .map(str::to_string)
            .collect()
    }
}

impl Expect {
    fn labels(&self) -> Vec<&str> {
        match self {
            Expect::Faster { faster, than, .. } => vec![faster, than],
            Expect::Verdict { run, .. } => vec![run],
        }
    }

    /// Checks the expectation against the reports of each label.
    pub fn check(&self, reports: &BTreeMap<String, Vec<RunReport>>) -> Check {
        let wall = |label: &str| {
            let runs = reports.get(label).map(Vec::as_slice).unwrap_or_default();
            Spread::of(&runs.iter().map(|r| r.wall_s).collect::<Vec<_>>()).mean
        };
        match self {
            Expect::Faster { faster, than, by } => {
                let ratio = match wall(faster) {
                    w if w > 0.0 => wall(than) / w,
                    _ => 0.0,
                };
                Check {
                    expectation: format!("{faster} faster than {than} by ≥ {by:.2}×"),
                    measured: format!("{ratio:.2}×"),
                    ok: ratio >= *by,
                }
            }
            Expect::Verdict { run, verdict } => {
                let runs = reports.get(run).map(Vec::as_slice).unwrap_or_default();
                let got = crate::report::majority::Majority::of(runs);
                Check {
                    expectation: format!("{run} is {verdict}"),
                    measured: got.to_string(),
                    ok: got.verdict == *verdict,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_RUNS: &str = r#"
        title = "t"
        common = "--files 2"
        [[run]]
        label = "a"
        args = "json-parse --mode threads"
        [[run]]
        label = "b"
        args = "json-parse"
        [[expect]]
        faster = "a"
        than = "b"
        by = 1.5
        [[expect]]
        run = "a"
        verdict = "cpu-bound"
    "#;

    fn report(wall_s: f64, verdict: &str) -> RunReport {
        RunReport {
            wall_s,
            verdict: verdict.into(),
            ..RunReport::default()
        }
    }

    #[test]
    fn every_built_in_scenario_parses() {
        for (name, text) in BUILT_IN {
            let scenario = Scenario::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(scenario.runs.len() >= 2, "{name}");
        }
    }

    #[test]
    fn a_run_line_is_its_own_arguments_then_the_common_ones() {
        let scenario = Scenario::parse(TWO_RUNS).expect("valid");
        assert_eq!(scenario.repeat, 3);
        assert_eq!(
            scenario.argv(0),
            ["json-parse", "--mode", "threads", "--files", "2"]
        );
    }

    #[test]
    fn expectations_pass_and_fail_on_the_measured_means() {
        let scenario = Scenario::parse(TWO_RUNS).expect("valid");
        let mut reports = BTreeMap::new();
        reports.insert("a".to_string(), vec![report(1.0, "cpu-bound"); 2]);
        reports.insert("b".to_string(), vec![report(2.0, "cpu-bound"); 2]);
        let checks: Vec<Check> = scenario.expects.iter().map(|e| e.check(&reports)).collect();
        assert!(checks.iter().all(|c| c.ok), "{checks:?}");
        assert_eq!(checks[0].measured, "2.00×");
        reports.insert("b".to_string(), vec![report(1.2, "cpu-bound")]);
        reports.insert(
            "a".to_string(),
            vec![
                report(1.0, "gil-bound"),
                report(1.0, "gil-bound"),
                report(1.0, "cpu-bound"),
            ],
        );
        let checks: Vec<Check> = scenario.expects.iter().map(|e| e.check(&reports)).collect();
        assert!(checks.iter().all(|c| !c.ok), "{checks:?}");
        assert_eq!(checks[1].measured, "gil-bound in 2 of 3");
    }

    #[test]
    fn mistakes_in_a_file_are_named() {
        let unknown = TWO_RUNS.replace("by = 1.5", "by = 1.5\n        typo = 1");
        assert!(Scenario::parse(&unknown).is_err());
        let dangling = TWO_RUNS.replace("than = \"b\"", "than = \"c\"");
        let err = Scenario::parse(&dangling).expect_err("names a missing run");
        assert!(err.to_string().contains("\"c\""), "{err}");
        let twice = TWO_RUNS.replace("label = \"b\"", "label = \"a\"");
        assert!(Scenario::parse(&twice).is_err());
        let dag = include_str!("../workloads/etl.toml");
        assert!(Scenario::parse(dag).is_err());
    }
}
