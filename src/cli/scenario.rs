//! `boundscope scenario`: a scenario file's runs, repeated together, and its expectations
//! checked.

use super::compare::{summarize, ModeResult};
use super::rounds::{interleaved, write_file, SeriesArgs};
use super::run::RunArgs;
use super::CliError;
use boundscope::events::available_cores;
use boundscope::model::{Mode, RunReport};
use boundscope::outfile::Claims;
use boundscope::scenario::{Check, Scenario, BUILT_IN};
use boundscope::session::RunSpec;
use clap::{Args, Parser};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  boundscope scenario --list
  boundscope scenario gil
  boundscope scenario workloads/scenarios/csv-writers.toml --repeat 5
  boundscope scenario census-pg --db postgres://user@localhost/db
  boundscope scenario --all --quick --repeat 1
  boundscope scenario my-experiment.toml --export-json result.json

A scenario file is TOML: a `title`, an optional `description`, `common` arguments added to
every run, `repeat`, [[run]] tables (a `label` and the `args` of `boundscope run`) and
[[expect]] tables (`faster`, `than` and `by`: the mean wall time ratio, at least 1;
`as_fast`, `as` and `at_least`: a tolerance, at most 1; `run` and `verdict`; or
`predicted`, `from` and `within`: the measured speedup within a share of the one `from`'s
first run predicted). The runs are interleaved like compare's. Exit code 1 when an expectation is
not met or checksums differ.

Scenarios marked `postgres = true` need a server: --db postgres://..., or the environment
variable BOUNDSCOPE_PG. Without one such a scenario is refused (--all skips it and runs the
others). A URL without a password takes it from PGPASSWORD, as with `run`.")]
pub struct ScenarioArgs {
    /// A scenario file, or the name of a built-in scenario (see --list).
    #[arg(value_name = "FILE.toml|NAME", required_unless_present_any = ["list", "all"])]
    pub scenario: Option<String>,
    /// List the built-in scenarios and exit.
    #[arg(long)]
    pub list: bool,
    /// Run every built-in scenario, one after another.
    #[arg(long, conflicts_with = "scenario")]
    pub all: bool,
    /// Small sizes (the scenario's `quick` arguments): a smoke test of its lesson.
    #[arg(long)]
    pub quick: bool,
    /// Also run the scenario's real programs (`real = true` lines: CPython twins of the
    /// simulated runs), in one table with them.
    #[arg(long)]
    pub real: bool,
    /// The PostgreSQL server of scenarios that need one [default: $BOUNDSCOPE_PG].
    #[arg(long, value_name = "postgres://...")]
    pub db: Option<String>,
    /// Timed runs of each line [default: the file's `repeat`].
    #[arg(long, value_name = "R")]
    pub repeat: Option<usize>,
    /// Write every run's report and the checks as JSON.
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Print only the table and the checks.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// One scenario line parsed as `boundscope run` arguments.
#[derive(Parser)]
#[command(name = "run")]
struct RunLine {
    #[command(flatten)]
    run: RunArgs,
}

/// One scenario line parsed as `boundscope exec` arguments.
#[derive(Parser)]
#[command(name = "exec")]
struct ProgramLine {
    #[command(flatten)]
    program: super::program::ProgramArgs,
}

#[derive(Serialize)]
struct ScenarioExport<'a> {
    title: &'a str,
    source: &'a str,
    repeat: usize,
    cores: usize,
    checks: &'a [Check],
    runs: &'a [ModeResult],
}

/// The environment variable naming the PostgreSQL server of scenarios that need one.
pub const PG_ENV: &str = boundscope::db::target::SERVER_ENV;

pub fn execute(args: ScenarioArgs) -> Result<(), CliError> {
    if args.list {
        print!("{}", list_text());
        return Ok(());
    }
    if let Some(repeat) = args.repeat {
        if repeat == 0 {
            return Err(CliError::Usage(
                "--repeat 0 is not allowed: use at least 1".into(),
            ));
        }
    }
    // Each scenario claims it again with its files; this refuses a bad path at once.
    super::exports::claim_outputs(&mut Claims::new(), [("--export-json", &args.export_json)])?;
    if !args.all {
        return run_one(&args, &args.scenario.clone().unwrap_or_default());
    }
    let mut failed = Vec::new();
    for (name, text) in BUILT_IN {
        let needs_pg = Scenario::parse(text).is_ok_and(|s| s.postgres);
        if needs_pg && pg_url(&args).is_none() {
            println!("skipped {name}: it needs a PostgreSQL server (--db or {PG_ENV})\n");
            continue;
        }
        match run_one(&args, name) {
            Err(e) => {
                println!("{name}: {}\n", boundscope::sanitize::text(&e.to_string()));
                failed.push(name);
            }
            Ok(()) => println!(),
        }
    }
    match failed.len() {
        0 => Ok(()),
        _ => Err(CliError::Failed(format!(
            "scenarios that did not pass: {}",
            failed.join(", ")
        ))),
    }
}

/// The PostgreSQL server given for scenarios that need one.
fn pg_url(args: &ScenarioArgs) -> Option<String> {
    args.db
        .clone()
        .or_else(|| std::env::var(PG_ENV).ok())
        .filter(|url| !url.trim().is_empty())
}

fn run_one(args: &ScenarioArgs, name: &str) -> Result<(), CliError> {
    let (source, text) = load(name)?;
    let mut scenario =
        Scenario::parse(&text).map_err(|e| CliError::Usage(format!("{source}: {e}")))?;
    scenario.keep_real(args.real);
    if let Some(repeat) = args.repeat {
        scenario.repeat = repeat;
    }
    if scenario.postgres {
        let url = pg_url(args).ok_or_else(|| {
            CliError::Usage(format!(
                "{source} needs a PostgreSQL server: give --db postgres://USER@HOST/DB or set {PG_ENV}"
            ))
        })?;
        scenario.common = format!("{} --db {url}", scenario.common);
    }
    let mut scratch_dirs = Vec::new();
    let specs = specs(&scenario, args.quick, &mut scratch_dirs)?;
    claim_files(name, &specs, &args.export_json)?;
    if !args.quiet {
        let about = format!("{}\n{}", scenario.title, scenario.description.trim());
        eprintln!("{}\n", boundscope::sanitize::text(&about));
    }
    let series = SeriesArgs {
        repeat: scenario.repeat,
        warmup: 1,
        export_markdown: None,
        export_json: None,
        quiet: args.quiet,
    };
    let series = interleaved(&specs, &series, &mut |_, _| {})?;
    if series.interrupted {
        let note = series.interrupted_note(specs.len() * scenario.repeat);
        let labels: Vec<String> = scenario.runs.iter().map(|r| r.label.clone()).collect();
        let done = series.finished_variants();
        let results = summarize(&labels[..done], series.finished());
        if !results.is_empty() {
            let table = table_text(&scenario, &source, &results, &[]);
            print!("{}", boundscope::sanitize::text(&table));
        }
        eprintln!("{note}");
        return Err(CliError::Interrupted);
    }
    let runs = series.runs;
    let by_label: BTreeMap<String, Vec<RunReport>> = scenario
        .runs
        .iter()
        .map(|r| r.label.clone())
        .zip(runs.iter().cloned())
        .collect();
    let checks: Vec<Check> = scenario
        .expects
        .iter()
        .map(|e| e.check(&by_label))
        .collect();
    let labels: Vec<String> = scenario.runs.iter().map(|r| r.label.clone()).collect();
    let results = summarize_same_work(&labels, runs);
    // The scenario's title, labels and expectations are the file's text.
    let table = table_text(&scenario, &source, &results, &checks);
    print!("{}", boundscope::sanitize::text(&table));
    if let Some(path) = &args.export_json {
        let export = ScenarioExport {
            title: &scenario.title,
            source: &source,
            repeat: scenario.repeat,
            cores: available_cores(),
            checks: &checks,
            runs: &results,
        };
        let json =
            serde_json::to_string_pretty(&export).map_err(|e| CliError::Failed(e.to_string()))?;
        write_file(path, json + "\n")?;
    }
    outcome(&scenario, &results, &checks)
}

/// The scenario's text: a file if one exists at `name`, else a built-in scenario.
fn load(name: &str) -> Result<(String, String), CliError> {
    let path = Path::new(name);
    if path.is_file() {
        let text = boundscope::toml_input::read_capped(path, "scenario file")
            .map_err(|e| CliError::Usage(e.to_string()))?;
        return Ok((name.to_string(), text));
    }
    match BUILT_IN.iter().find(|(built_in, _)| *built_in == name) {
        Some((_, text)) => Ok((format!("built-in scenario {name}"), text.to_string())),
        None => Err(CliError::Usage(format!(
            "no scenario file {name} and no built-in scenario of that name (built-in: {})",
            BUILT_IN.map(|(n, _)| n).join(", ")
        ))),
    }
}

/// Each built-in scenario: its name and title, then its lesson (the description's first
/// line), indented.
fn list_text() -> String {
    let mut s = String::new();
    for (name, text) in BUILT_IN {
        let Ok(scenario) = Scenario::parse(text) else {
            continue;
        };
        let needs = if scenario.postgres {
            " [needs PostgreSQL]"
        } else {
            ""
        };
        let _ = writeln!(s, "{name:<14} {}{needs}", scenario.title);
        for line in wrap(&scenario.lesson(), 76) {
            let _ = writeln!(s, "{:<14} {line}", "");
        }
    }
    s
}

/// Refuses, before the runs, an `--export-json` that is the scenario file or an input or
/// database of one of its runs.
fn claim_files(name: &str, specs: &[RunSpec], export: &Option<PathBuf>) -> Result<(), CliError> {
    let mut claims = Claims::new();
    if Path::new(name).is_file() {
        claims.input("the scenario file", Path::new(name));
    }
    for spec in specs {
        spec.workload.claim_files(&mut claims);
    }
    super::exports::claim_outputs(&mut claims, [("--export-json", export)])
}

/// `text` in lines of at most `width` characters (a longer word stands alone).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// Each line's run spec; `scratch_dirs` keeps the runs' scratch output alive until the end.
fn specs(
    scenario: &Scenario,
    quick: bool,
    scratch_dirs: &mut Vec<tempfile::TempDir>,
) -> Result<Vec<RunSpec>, CliError> {
    let mut specs = Vec::with_capacity(scenario.runs.len());
    let mut real: Option<super::scenario_real::RealInputs> = None;
    for (index, line) in scenario.runs.iter().enumerate() {
        let bad_line = |e: clap::Error| {
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or_default().to_string();
            CliError::Usage(format!("run {:?} ({}): {first}", line.label, line.args))
        };
        if line.is_program() {
            let real = match &mut real {
                Some(real) => real,
                None => real.insert(super::scenario_real::RealInputs::new()?),
            };
            let first = specs
                .iter()
                .find(|s: &&RunSpec| s.workload.program().is_none());
            let argv = real.expand(scenario.argv(index, quick), first)?;
            let program = ProgramLine::try_parse_from(argv).map_err(bad_line)?.program;
            if program.exports.any() {
                return Err(CliError::Usage(format!(
                    "run {:?}: scenario runs take no exports (use --export-json for the reports)",
                    line.label
                )));
            }
            specs.push(super::program::spec_of(program, false));
            continue;
        }
        let argv = std::iter::once("run".to_string()).chain(scenario.argv(index, quick));
        let run = RunLine::try_parse_from(argv).map_err(bad_line)?;
        let run = run.run;
        if run.exports.any() {
            return Err(CliError::Usage(format!(
                "run {:?}: scenario runs take no exports (use --export-json for the reports)",
                line.label
            )));
        }
        let mut workload = run.workload_args.spec(run.workload)?;
        scratch_dirs.extend(super::scratch_out_dir(&mut workload)?);
        specs.push(run.exec.spec(workload, run.mode));
    }
    // The twins and their input stay until the runs are over.
    scratch_dirs.extend(real.map(super::scenario_real::RealInputs::into_dir));
    Ok(specs)
}

/// Means, spreads and speedups of each line, each over the first line doing the same work.
fn summarize_same_work(labels: &[String], runs: Vec<Vec<RunReport>>) -> Vec<ModeResult> {
    boundscope::report::repeated::Repeated::against_same_work(runs)
        .into_iter()
        .zip(labels)
        .map(|((stats, base), label)| ModeResult {
            mode: label.clone(),
            over: labels.get(base).cloned(),
            stats,
        })
        .collect()
}

/// Which line each speedup is over, when not all are over the first: `speedups over
/// linear 25k: pool 25k, pool 25k + GIL`.
fn bases_text(results: &[ModeResult]) -> String {
    let mut s = String::new();
    let first = results.first().map(|r| r.mode.as_str());
    if results.iter().all(|r| r.over.as_deref() == first) {
        return s;
    }
    for base in results
        .iter()
        .filter(|r| r.over.as_deref() == Some(&r.mode))
    {
        let others: Vec<&str> = results
            .iter()
            .filter(|r| r.over == base.over && r.mode != base.mode)
            .map(|r| r.mode.as_str())
            .collect();
        let others = match others.is_empty() {
            true => "none (no other line does the same work)".to_string(),
            false => others.join(", "),
        };
        let _ = writeln!(s, "speedups over {}: {others}", base.mode);
    }
    s
}

fn table_text(
    scenario: &Scenario,
    source: &str,
    results: &[ModeResult],
    checks: &[Check],
) -> String {
    let width = results
        .iter()
        .map(|r| r.mode.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} — {source}, {} timed runs per line (interleaved), {} cores",
        scenario.title,
        scenario.repeat,
        available_cores()
    );
    s += &super::compare::rows_text(results, "run", width + 1);
    let _ = writeln!(s, "{}", super::compare::PREDICTED_NOTE);
    s += &bases_text(results);
    for r in results {
        for note in boundscope::report::lessons::line_notes(&r.stats.runs) {
            let _ = writeln!(s, "  {:<width$} {note}", r.mode);
        }
    }
    if scenario.progression {
        let steps: Vec<(String, f64)> = results
            .iter()
            .map(|r| (r.mode.clone(), r.stats.wall_s.mean))
            .collect();
        s += &boundscope::report::lessons::progression_text(&steps);
    }
    let checksum = match scenario.same_result {
        true => super::compare::checksum_line(&with_checksums(results), "run"),
        false => "not compared (the runs do different work: same_result = false)".into(),
    };
    let _ = writeln!(s, "checksum: {checksum}");
    for check in checks {
        let status = if check.ok { "ok" } else { "NOT MET" };
        let compared = match check.compared.is_empty() {
            true => String::new(),
            false => format!(" ({})", check.compared),
        };
        let _ = writeln!(
            s,
            "expect: {}: measured {}{compared} — {status}",
            check.expectation, check.measured
        );
    }
    s
}

/// The lines whose runs have a checksum (a program's have none: its results are its own).
fn with_checksums(results: &[ModeResult]) -> Vec<&ModeResult> {
    results
        .iter()
        .filter(|r| {
            r.stats
                .runs
                .first()
                .is_none_or(|run| run.mode != Mode::Exec)
        })
        .collect()
}

/// Exit status: checksums must agree (when the runs do the same work) and every
/// expectation must be met.
fn outcome(scenario: &Scenario, results: &[ModeResult], checks: &[Check]) -> Result<(), CliError> {
    let agree = with_checksums(results)
        .windows(2)
        .all(|w| w[0].stats.checksum == w[1].stats.checksum);
    if scenario.same_result && !agree {
        return Err(CliError::Failed(
            "the runs produced different checksums: the same work gave different results".into(),
        ));
    }
    let missed = checks.iter().filter(|c| !c.ok).count();
    match missed {
        0 => Ok(()),
        n => Err(CliError::Failed(format!(
            "{n} of {} expectations not met",
            checks.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_scenario_line_is_a_valid_run() {
        for (name, text) in BUILT_IN {
            let scenario = Scenario::parse(text).expect("built-in scenarios parse");
            let mut dirs = Vec::new();
            for quick in [false, true] {
                let specs = specs(&scenario, quick, &mut dirs)
                    .unwrap_or_else(|e| panic!("built-in scenario {name}: {e}"));
                assert_eq!(specs.len(), scenario.runs.len(), "{name}");
            }
        }
    }

    #[test]
    fn a_line_with_a_bad_flag_or_an_export_is_named() {
        let bad = |args: &str| {
            let text = format!("title = \"t\"\n[[run]]\nlabel = \"odd\"\nargs = \"{args}\"\n");
            let scenario = Scenario::parse(&text).expect("the file itself is fine");
            specs(&scenario, false, &mut Vec::new()).expect_err("the line is refused")
        };
        let err = bad("json-parse --mode fibers").to_string();
        assert!(err.contains("\"odd\"") && err.contains("fibers"), "{err}");
        let err = bad("json-parse --svg x.svg").to_string();
        assert!(err.contains("no exports"), "{err}");
    }
}
