//! Repeated, interleaved runs of several specs (compare's modes, sweep's worker counts), and
//! the files they write afterwards.

use super::run::run_with_progress;
use super::CliError;
use boundscope::events::EventSink;
use boundscope::model::RunReport;
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

/// The reading line of the table of an interrupted series.
pub const PARTIAL: &str = "interrupted: only the runs that had finished are shown";

/// The timed runs of a series, each variant's in the specs' order. `interrupted`: Ctrl-C
/// ended the series early; the runs that had finished are kept (the one in progress is not).
pub struct Series {
    pub runs: Vec<Vec<RunReport>>,
    pub interrupted: bool,
}

impl Series {
    /// Variants with at least one finished run: a prefix of the specs, since every round
    /// runs them in order.
    pub fn finished_variants(&self) -> usize {
        self.runs.iter().take_while(|r| !r.is_empty()).count()
    }

    /// Keeps the variants that have runs (for a table of an interrupted series).
    pub fn finished(mut self) -> Vec<Vec<RunReport>> {
        self.runs.truncate(self.finished_variants());
        self.runs
    }

    /// What an interrupted series says after its table (on stderr).
    pub fn interrupted_note(&self, planned: usize) -> String {
        let done: usize = self.runs.iter().map(Vec::len).sum();
        format!(
            "interrupted: {done} of {planned} timed runs had finished; the table shows those \
             (no checks, exports or diffs were written)"
        )
    }
}

/// Runs the first spec `--warmup` times untimed, then every spec once per round for
/// `--repeat` rounds (a b c, a b c, ...), so that drift on a noisy machine hits all alike.
/// Returns the reports of each spec, in the specs' order; `on_outcome` sees each timed run's
/// whole outcome (its profiles too) with the spec's index before only the report is kept.
/// Ctrl-C ends the series with the runs finished so far (`Series::interrupted`).
pub fn interleaved(
    specs: &[RunSpec],
    series: &SeriesArgs,
    on_outcome: &mut dyn FnMut(usize, &RunOutcome),
) -> Result<Series, CliError> {
    let (repeat, warmup, quiet) = (series.repeat, series.warmup, series.quiet);
    let mut runs = Series {
        runs: vec![Vec::new(); specs.len()],
        interrupted: false,
    };
    if let Some(first) = specs.first() {
        for _ in 0..warmup {
            let outcome = run_with_progress(&fresh_run(first), EventSink::none(), quiet)?;
            if outcome.is_none_or(|o| o.report.interrupted) {
                runs.interrupted = true;
                return Ok(runs);
            }
        }
    }
    for round in 0..repeat {
        for (i, spec) in specs.iter().enumerate() {
            if !quiet {
                eprintln!("round {}/{repeat}: {}", round + 1, spec.title());
            }
            let outcome = run_with_progress(&fresh_run(spec), EventSink::none(), quiet)?;
            let Some(outcome) = outcome.filter(|o| !o.report.interrupted) else {
                runs.interrupted = true;
                return Ok(runs);
            };
            super::verification_failed(&outcome.report)?;
            on_outcome(i, &outcome);
            runs.runs[i].push(outcome.report);
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

/// Writes an exported table, chart or JSON file (through a temporary file, see `outfile`).
pub fn write_file(path: &Path, text: String) -> Result<(), CliError> {
    boundscope::outfile::write(path, text).map_err(super::exports::outfile_error)
}
