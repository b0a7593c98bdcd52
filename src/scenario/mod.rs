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
//!
//! `quick` arguments (the file's, then a run's own) replace or add to a line's in a quick
//! run (`scenario --quick`: small sizes for a smoke test); a later `--flag` replaces an
//! earlier one's value. `postgres = true` marks a scenario that needs a PostgreSQL server
//! (every run gets `--db URL`). `progression = true` reads the lines as successive steps
//! (each compared with the one before and with the first). An `[[expect]]` of `faster`
//! checks that a line was faster (its ratio at least `by`, which is at least 1); one of
//! `as_fast = A`, `as = B`, `at_least = X` (X at most 1) is a tolerance: A at least X times
//! as fast as B, so A may be slower. Either may bound the ratio from above with `up_to`.
//! `predicted = A`, `from = B`, `within = E` holds A's measured speedup over B to within a
//! share E of the speedup B's first run predicted for A.
//!
//! A line whose `args` begin with `exec` runs a program, as `boundscope exec` does
//! (`exec --progress 'done (\d+)' -- python3 twin.py`): the file's `common` and `quick`
//! arguments are workload flags and do not apply to it; its own `quick`, when given, is the
//! whole line of a quick run. Lines marked `real = true` (a CPython twin of the simulated
//! runs, say) run only with `scenario --real`; the program lines of a scenario count as one
//! piece of work, their speedups over the first of them.

use crate::shell_words;
use crate::workload::ForeignOption;

mod expect;
pub use expect::{Check, Expect, ExpectError};
use serde::{Deserialize, Serialize};

/// The scenarios that ship with boundscope (`boundscope scenario NAME`): one per write-up
/// first, in the order of `DESIGN.md`, then closer looks at single effects.
pub const BUILT_IN: [(&str, &str); 8] = [
    (
        "csv-sqlite",
        include_str!("../../workloads/scenarios/csv-sqlite.toml"),
    ),
    (
        "census-pg",
        include_str!("../../workloads/scenarios/census-pg.toml"),
    ),
    (
        "json-gil",
        include_str!("../../workloads/scenarios/json-gil.toml"),
    ),
    (
        "etl-phases",
        include_str!("../../workloads/scenarios/etl-phases.toml"),
    ),
    (
        "api-threads",
        include_str!("../../workloads/scenarios/api-threads.toml"),
    ),
    ("gil", include_str!("../../workloads/scenarios/gil.toml")),
    (
        "fast-parser",
        include_str!("../../workloads/scenarios/fast-parser.toml"),
    ),
    (
        "csv-writers",
        include_str!("../../workloads/scenarios/csv-writers.toml"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("not a scenario file: {0}")]
    Format(#[source] crate::toml_input::TomlError),
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
    /// Arguments that replace or add to every line's in a quick run.
    #[serde(default)]
    pub quick: String,
    /// The runs need a PostgreSQL server (`--db`), given when the scenario is run.
    #[serde(default)]
    pub postgres: bool,
    /// The lines are successive steps: print each one's gain over the previous and the first.
    #[serde(default)]
    pub progression: bool,
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
    /// This line's own quick-run arguments (after the file's `quick`; a program line's
    /// whole quick line).
    #[serde(default)]
    pub quick: String,
    /// Run only with `scenario --real` (a real program beside the simulated runs).
    #[serde(default)]
    pub real: bool,
}

impl ScenarioRun {
    /// Whether the line runs a program (`exec …`) rather than a built-in workload.
    pub fn is_program(&self) -> bool {
        self.args.split_whitespace().next() == Some("exec")
    }
}

impl Scenario {
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario = crate::toml_input::parse(text).map_err(ScenarioError::Format)?;
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
        self.check_quoting()?;
        for (index, run) in self.runs.iter().enumerate() {
            if run.is_program() {
                continue;
            }
            for quick in [false, true] {
                if let Err(foreign) = check_flags(&self.argv(index, quick)) {
                    return Err(ScenarioError::Invalid(format!(
                        "run {:?}: {foreign}",
                        run.label
                    )));
                }
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

    /// Every argument field splits into words: an open quote is refused on load, naming the
    /// run line (or the file-wide field) and the field.
    fn check_quoting(&self) -> Result<(), ScenarioError> {
        let fields = [("common", &self.common), ("quick", &self.quick)]
            .map(|(name, text)| (String::from("the file's"), name, text));
        let lines = self.runs.iter().flat_map(|run| {
            let line = format!("run {:?}:", run.label);
            [("args", &run.args), ("quick", &run.quick)].map(|(n, t)| (line.clone(), n, t))
        });
        for (whose, name, text) in fields.into_iter().chain(lines) {
            if let Err(open) = shell_words::split(text) {
                return Err(ScenarioError::Invalid(format!(
                    "{whose} {name} = {text:?}: {open} (quote a path with spaces as \
                     \"my dir/in.csv\" or 'my dir/in.csv')"
                )));
            }
        }
        Ok(())
    }

    /// Run `index`'s full argument list: its own arguments, then the common ones, then (in
    /// a quick run) the quick ones, a later `--flag` replacing an earlier one's value. Each
    /// field is split with shell quoting (`shell_words`); an open quote, refused on load,
    /// would leave its text as the last word.
    pub fn argv(&self, index: usize, quick: bool) -> Vec<String> {
        let run = &self.runs[index];
        let split = |text: &str| shell_words::split(text).unwrap_or_else(|open| open.words);
        if run.is_program() {
            return match quick && !run.quick.trim().is_empty() {
                true => split(&run.quick),
                false => split(&run.args),
            };
        }
        let mut fields = vec![&run.args, &self.common];
        if quick {
            fields.extend([&self.quick, &run.quick]);
        }
        let words: Vec<String> = fields
            .into_iter()
            .flat_map(|text| shell_words::split(text).unwrap_or_else(|open| open.words))
            .collect();
        merge_flags(&words)
    }

    /// Leaves out the `real = true` lines (and the expectations that name them) unless
    /// `real`.
    pub fn keep_real(&mut self, real: bool) {
        if real {
            return;
        }
        let dropped: Vec<String> = self
            .runs
            .iter()
            .filter(|r| r.real)
            .map(|r| r.label.clone())
            .collect();
        self.runs.retain(|r| !r.real);
        self.expects
            .retain(|e| e.labels().iter().all(|l| !dropped.iter().any(|d| d == l)));
    }

    /// The description's first sentence: the lesson.
    pub fn lesson(&self) -> String {
        let text = self
            .description
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        match text.find(". ") {
            Some(end) => text[..=end].to_string(),
            None => text,
        }
    }
}

/// The first flag of a `run` line (workload first) that is some workload's option but not
/// its workload's. Other flags (`--mode`, exports) and an unknown workload are left to the
/// command line's own checks.
fn check_flags(words: &[String]) -> Result<(), ForeignOption> {
    let Some(declared) = words
        .first()
        .and_then(|name| crate::workload::workload(name))
    else {
        return Ok(());
    };
    for word in &words[1..] {
        if let Some(flag) = word.strip_prefix("--") {
            declared.check_takes(flag.split('=').next().unwrap_or(flag))?;
        }
    }
    Ok(())
}

/// Words of a command line with repeated long flags merged: the last value wins, in the
/// first one's place. A flag's value is the next word unless that is a flag itself.
fn merge_flags(words: &[String]) -> Vec<String> {
    let mut items: Vec<(String, Option<String>)> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = words[i].to_string();
        let value = words
            .get(i + 1)
            .filter(|next| word.starts_with("--") && !next.starts_with("--"))
            .map(|v| v.to_string());
        i += 1 + usize::from(value.is_some());
        match items
            .iter_mut()
            .find(|(w, _)| w.starts_with("--") && *w == word)
        {
            Some(item) => item.1 = value,
            None => items.push((word, value)),
        }
    }
    items
        .into_iter()
        .flat_map(|(w, v)| std::iter::once(w).chain(v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RunReport;
    use std::collections::BTreeMap;

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
            verdict: verdict.parse().ok(),
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
            scenario.argv(0, false),
            ["json-parse", "--mode", "threads", "--files", "2"]
        );
    }

    #[test]
    fn arguments_use_shell_quoting_and_an_open_quote_names_its_line() {
        let quoted = TWO_RUNS.replace(
            r#"args = "json-parse --mode threads""#,
            r#"args = "json-parse --out-dir 'my dir/out' --mode \"threads\" ""#,
        );
        let scenario = Scenario::parse(&quoted).expect("valid");
        assert_eq!(
            scenario.argv(0, false),
            [
                "json-parse",
                "--out-dir",
                "my dir/out",
                "--mode",
                "threads",
                "--files",
                "2"
            ]
        );
        let open = TWO_RUNS.replace(
            r#"args = "json-parse""#,
            r#"args = "json-parse --out-dir 'my dir""#,
        );
        let err = Scenario::parse(&open).expect_err("open quote").to_string();
        assert!(
            err.contains(r#"run "b": args"#)
                && err.contains("a single quote opened at character 22 is never closed"),
            "{err}"
        );
    }

    #[test]
    fn quick_arguments_replace_the_values_of_the_same_flags() {
        let text = TWO_RUNS.replace(
            "common = \"--files 2\"",
            "common = \"--files 2 --gil\"\nquick = \"--files 1 --records 10\"",
        );
        let mut scenario = Scenario::parse(&text).expect("valid");
        scenario.runs[0].quick = "--mode sequential".into();
        assert_eq!(
            scenario.argv(0, true),
            [
                "json-parse",
                "--mode",
                "sequential",
                "--files",
                "1",
                "--gil",
                "--records",
                "10"
            ]
        );
        assert_eq!(
            scenario.argv(1, false),
            ["json-parse", "--files", "2", "--gil"]
        );
    }

    #[test]
    fn a_flag_the_lines_workload_does_not_declare_is_refused_on_load() {
        let text = TWO_RUNS.replace("json-parse --mode threads", "json-parse --db sqlite");
        let err = Scenario::parse(&text)
            .expect_err("json-parse has no --db")
            .to_string();
        assert!(
            err.contains("--db") && err.contains("json-parse") && err.contains("--parser"),
            "{err}"
        );
        // Through the quick arguments too, and in the --flag=value spelling.
        let quick = format!("quick = \"--requests=3\"\n{TWO_RUNS}");
        let err = Scenario::parse(&quick).expect_err("json-parse has no --requests");
        assert!(err.to_string().contains("--requests"), "{err}");
        // Run-level flags and the workload's own pass.
        let own = TWO_RUNS.replace("--mode threads", "--mode threads --files 2 --gil");
        assert!(Scenario::parse(&own).is_ok());
    }

    #[test]
    fn faster_fails_when_the_line_is_slower_and_says_what_was_compared() {
        let text = TWO_RUNS.replace("by = 1.5\n", "");
        let scenario = Scenario::parse(&text).expect("`by` defaults to 1");
        let mut reports = BTreeMap::new();
        reports.insert("a".to_string(), vec![report(0.405, "cpu-bound")]);
        reports.insert("b".to_string(), vec![report(0.303, "cpu-bound")]);
        let check = scenario.expects[0].check(&reports);
        assert!(!check.ok, "a is slower than b: {check:?}");
        assert_eq!(check.expectation, "a faster than b by ≥ 1.00×");
        assert_eq!(check.measured, "0.75×");
        assert_eq!(check.compared, "mean wall time: a 0.405 s, b 0.303 s");
        let loose = TWO_RUNS.replace("by = 1.5", "by = 0.4");
        let err = Scenario::parse(&loose).expect_err("faster by 0.4 is not faster");
        assert!(err.to_string().contains("as_fast"), "{err}");
    }

    #[test]
    fn a_tolerance_is_worded_as_what_it_checks() {
        let text = TWO_RUNS.replace(
            "faster = \"a\"\n        than = \"b\"\n        by = 1.5",
            "as_fast = \"a\"\n        as = \"b\"\n        at_least = 0.4",
        );
        let scenario = Scenario::parse(&text).expect("valid");
        let mut reports = BTreeMap::new();
        reports.insert("a".to_string(), vec![report(0.405, "cpu-bound")]);
        reports.insert("b".to_string(), vec![report(0.303, "cpu-bound")]);
        let check = scenario.expects[0].check(&reports);
        assert!(check.ok, "{check:?}");
        assert_eq!(check.expectation, "a at least 0.40× as fast as b");
        reports.insert("b".to_string(), vec![report(0.1, "cpu-bound")]);
        assert!(!scenario.expects[0].check(&reports).ok);
        let over = text.replace("at_least = 0.4", "at_least = 1.4");
        assert!(Scenario::parse(&over).is_err());
    }

    #[test]
    fn an_upper_bound_fails_a_ratio_above_it() {
        let text = TWO_RUNS.replace("by = 1.5", "by = 1.0\n        up_to = 1.2");
        let scenario = Scenario::parse(&text).expect("valid");
        let mut reports = BTreeMap::new();
        reports.insert("a".to_string(), vec![report(1.0, "cpu-bound")]);
        reports.insert("b".to_string(), vec![report(1.1, "cpu-bound")]);
        assert!(scenario.expects[0].check(&reports).ok);
        reports.insert("b".to_string(), vec![report(2.0, "cpu-bound")]);
        let check = scenario.expects[0].check(&reports);
        assert!(
            !check.ok && check.expectation.contains("1.20×"),
            "{check:?}"
        );
        let inverted = TWO_RUNS.replace("by = 1.5", "by = 1.5\n        up_to = 1.2");
        assert!(Scenario::parse(&inverted).is_err());
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
        let dag = include_str!("../../workloads/etl.toml");
        assert!(Scenario::parse(dag).is_err());
    }

    #[test]
    fn a_bad_expectation_is_said_in_full_and_keeps_the_toml_error() {
        let bad = TWO_RUNS.replace("by = 1.5", "by = 0");
        let err = Scenario::parse(&bad).expect_err("by 0");
        assert!(matches!(err, ScenarioError::Format(_)), "{err:?}");
        let text = err.to_string();
        assert!(
            text.starts_with("not a scenario file: ")
                && text.contains("`by = 0` is not a speed-up factor: `faster` means at least 1"),
            "{text}"
        );
        assert!(
            std::error::Error::source(&err).is_some(),
            "the TOML error is kept"
        );
        let up_to = ExpectError::UpTo(1.0).to_string();
        assert!(
            up_to.contains("use it with `faster` or `as_fast`, and make"),
            "{up_to}"
        );
    }
}
