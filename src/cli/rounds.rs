//! Repeated, interleaved runs of several specs (compare's modes, sweep's worker counts), and
//! the files they write afterwards.

use super::run::run_with_progress;
use super::CliError;
use boundscope::events::EventSink;
use boundscope::report::RunReport;
use boundscope::session::{RunOutcome, RunSpec};
use clap::Args;
use std::path::{Path, PathBuf};

/// How a series of runs is repeated and what it writes.
#[derive(Debug, Args)]
pub struct SeriesArgs {
    /// Timed runs of each variant, interleaved (a b c, a b c, ...).
    #[arg(long, default_value_t = 3, value_name = "R")]
    pub repeat: usize,
    /// Untimed runs of the first variant before measuring (warms caches and generates data).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub warmup: usize,
    /// Write the result table as Markdown.
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
    /// Write every run's report and the summary as JSON.
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Print only the table.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Runs the first spec `--warmup` times untimed, then every spec once per round for
/// `--repeat` rounds (a b c, a b c, ...), so that drift on a noisy machine hits all alike.
/// Returns the reports of each spec, in the specs' order; `on_outcome` sees each timed run's
/// whole outcome (its profiles too) with the spec's index before only the report is kept.
pub fn interleaved(
    specs: &[RunSpec],
    series: &SeriesArgs,
    on_outcome: &mut dyn FnMut(usize, &RunOutcome),
) -> Result<Vec<Vec<RunReport>>, CliError> {
    let (repeat, warmup, quiet) = (series.repeat, series.warmup, series.quiet);
    if let Some(first) = specs.first() {
        for _ in 0..warmup {
            run_with_progress(&fresh_run(first), EventSink::none(), quiet)?;
        }
    }
    let mut runs: Vec<Vec<RunReport>> = vec![Vec::new(); specs.len()];
    for round in 0..repeat {
        for (i, spec) in specs.iter().enumerate() {
            if !quiet {
                eprintln!("round {}/{repeat}: {}", round + 1, spec.title());
            }
            let outcome = run_with_progress(&fresh_run(spec), EventSink::none(), quiet)?;
            if outcome.report.interrupted {
                return Err(CliError::Interrupted);
            }
            super::verification_failed(&outcome.report)?;
            on_outcome(i, &outcome);
            runs[i].push(outcome.report);
        }
    }
    Ok(runs)
}

/// csv-import runs of a series each start from empty tables (a run of its own), so that
/// every run does the same work.
fn fresh_run(spec: &RunSpec) -> RunSpec {
    let mut spec = spec.clone();
    if let boundscope::workload::WorkloadSpec::CsvImport(csv) = &mut spec.workload {
        csv.fresh = true;
        csv.run_id = boundscope::workload::csv::new_run_id();
    }
    spec
}

/// Writes an exported table, chart or JSON file.
pub fn write_file(path: &Path, text: String) -> Result<(), CliError> {
    std::fs::write(path, text)
        .map_err(|e| CliError::Failed(format!("cannot write {}: {e}", path.display())))
}
