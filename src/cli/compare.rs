//! `boundscope compare`: several modes, repeated and interleaved, in one table.

use super::args::{ExecArgs, WorkloadArgs, WorkloadName, WorkloadParser};
use super::diff::{DiffArgs, DiffCollector};
use super::rounds::SeriesArgs;
use super::CliError;
use boundscope::model::Mode;
use boundscope::model::RunReport;
use boundscope::report::repeated::Repeated;
use boundscope::session::RunSpec;
use boundscope::workload::program::ProgramOptions;
use boundscope::workload::WorkloadSpec;
use clap::Args;
use serde::Serialize;
use std::fmt::Write;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  boundscope compare json-parse --modes sequential,threads,rayon,async,processes --repeat 3
  boundscope compare json-parse --modes sequential,threads,processes --gil --workers 2
  boundscope compare json-parse --modes sequential,rayon --export-markdown result.md
  boundscope compare csv-import --modes sequential,threads,async --db postgres://u@localhost/db
  boundscope compare json-parse --modes sequential,threads --gil --diff diff.svg --diff-folded diff.folded
  boundscope compare --exec 'python3 job.py --threads 8' --exec 'python3 job.py --processes 8'

csv-import runs of a comparison each drop and recreate their tables (as with --fresh).

--diff draws the second mode against the first, both summed over their repeats and divided by
the repeat count, with every worker thread merged into one `workers` root and each mode's
engine frames above the workload's code dropped (--full-stacks keeps them), so that the same
work on other threads cancels out. --diff-normalize total (the default) keeps the sums over
all workers: frames that grew are what concurrency added, such as [gil wait],
[db-lock wait] or [run queue]; elapsed divides by the number of workers first.")]
pub struct CompareArgs {
    /// The workload to run.
    #[arg(value_parser = WorkloadParser, required_unless_present = "programs")]
    pub workload: Option<WorkloadName>,
    /// Modes to compare, comma-separated; the first is the baseline for speedups.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        required_unless_present = "programs"
    )]
    pub modes: Vec<Mode>,
    /// Compare commands instead of a workload's modes: each observed as `boundscope exec`
    /// does (give it twice or more; the first is the baseline).
    #[arg(long = "exec", value_name = "COMMAND", conflicts_with_all = ["workload", "modes"])]
    pub programs: Vec<String>,
    #[command(flatten)]
    pub series: SeriesArgs,
    #[command(flatten)]
    pub exec: ExecArgs,
    #[command(flatten)]
    pub workload_args: WorkloadArgs,
    #[command(flatten)]
    pub diff: DiffArgs,
}

/// One mode's (or one scenario line's) repeated runs.
#[derive(Debug, Serialize)]
pub struct ModeResult {
    /// The mode, or the scenario line's label.
    pub mode: String,
    /// The line its speedup is over (scenarios: the first line doing the same work).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over: Option<String>,
    #[serde(flatten)]
    pub stats: Repeated,
}

#[derive(Debug, Serialize)]
struct CompareExport<'a> {
    workload: &'a str,
    workers: usize,
    gil: bool,
    repeat: usize,
    cores: usize,
    checksums_agree: bool,
    reading: &'a str,
    modes: &'a [ModeResult],
}

pub fn execute(args: CompareArgs) -> Result<(), CliError> {
    if args.series.repeat == 0 {
        return Err(CliError::Usage(
            "--repeat 0 is not allowed: use at least 1".into(),
        ));
    }
    let Variants {
        specs,
        labels,
        scratch: _scratch,
    } = variants(&args)?;
    let mut claims = boundscope::outfile::Claims::default();
    for spec in &specs {
        spec.workload.claim_files(&mut claims);
    }
    super::exports::claim_outputs(
        &mut claims,
        [
            ("--export-markdown", &args.series.export_markdown),
            ("--export-json", &args.series.export_json),
            ("--diff", &args.diff.diff),
            ("--diff-folded", &args.diff.diff_folded),
        ],
    )?;
    let mut diff = DiffCollector::new(&args.diff);
    let series =
        super::rounds::interleaved(&specs, &args.series, &mut |i, outcome| diff.add(i, outcome))?;
    if series.interrupted {
        let note = series.interrupted_note(specs.len() * args.series.repeat);
        let done = series.finished_variants();
        let results = summarize(&labels[..done], series.finished());
        if !results.is_empty() {
            print!("{}", table_text(&args, &results, super::rounds::PARTIAL));
        }
        eprintln!("{note}");
        return Err(CliError::Interrupted);
    }
    let results = summarize(&labels, series.runs);
    let agree = results
        .windows(2)
        .all(|w| w[0].stats.checksum == w[1].stats.checksum);
    let reading = reading(&results, agree);
    let table = table_text(&args, &results, &reading);
    print!("{table}");
    export(&args, &results, agree, &reading)?;
    if let [first, second, ..] = &labels[..] {
        let written = diff.write(&args.diff, workload_name(&results), [first, second])?;
        if !args.series.quiet {
            written.iter().for_each(|line| println!("{line}"));
        }
    }
    if !agree {
        return Err(CliError::Failed(
            "modes produced different checksums: the same work gave different results".into(),
        ));
    }
    Ok(())
}

/// The runs to compare, with their labels.
struct Variants {
    specs: Vec<RunSpec>,
    labels: Vec<String>,
    /// The workload's scratch directory, kept for the runs.
    scratch: Option<tempfile::TempDir>,
}

/// A workload in each mode, or each command given with `--exec`.
fn variants(args: &CompareArgs) -> Result<Variants, CliError> {
    if !args.programs.is_empty() {
        args.diff.check(args.programs.len())?;
        let mut specs = Vec::new();
        for line in &args.programs {
            let command = boundscope::shell_words::split(line)
                .map_err(|e| CliError::Usage(format!("--exec {line:?}: {e}")))?;
            let program = ProgramOptions {
                command,
                ..ProgramOptions::default()
            };
            let mut spec = RunSpec::new(WorkloadSpec::Exec(program), Mode::Exec, 1);
            spec.hz = args.exec.hz;
            specs.push(spec);
        }
        return Ok(Variants {
            specs,
            labels: args.programs.clone(),
            scratch: None,
        });
    }
    args.diff.check(args.modes.len())?;
    let name = args
        .workload
        .ok_or_else(|| CliError::Usage("name a workload, or give --exec commands".into()))?;
    let mut workload = args.workload_args.spec(name)?;
    let scratch = super::scratch_out_dir(&mut workload)?;
    let specs = args
        .modes
        .iter()
        .map(|m| args.exec.spec(workload.clone(), *m))
        .collect();
    let labels = args.modes.iter().map(Mode::to_string).collect();
    Ok(Variants {
        specs,
        labels,
        scratch,
    })
}

/// Means, spreads and speedups (over the first) of each labelled series of runs.
pub(super) fn summarize(labels: &[String], runs: Vec<Vec<RunReport>>) -> Vec<ModeResult> {
    labels
        .iter()
        .zip(Repeated::against_first(runs))
        .map(|(label, stats)| ModeResult {
            mode: label.clone(),
            over: None,
            stats,
        })
        .collect()
}

/// The workload's name as the runs report it.
fn workload_name(results: &[ModeResult]) -> &str {
    results
        .first()
        .and_then(|r| r.stats.runs.first())
        .map(|r| r.workload.as_str())
        .unwrap_or("")
}

/// One sentence on what the numbers say.
fn reading(results: &[ModeResult], agree: bool) -> String {
    if !agree {
        return "checksums differ between modes — results are not comparable".into();
    }
    let Some(best) = results
        .iter()
        .max_by(|a, b| a.stats.speedup.total_cmp(&b.stats.speedup))
    else {
        return String::new();
    };
    let base = &results[0].mode;
    if results.len() == 1 {
        return format!("{base} alone: {}", results[0].stats.reading());
    }
    if best.stats.speedup < 1.2 {
        return format!(
            "no mode beats {base} by 20% or more (best: {} at {:.2}×): the work is serialized \
             somewhere — check the waits (gil, db-lock) and busy cores",
            best.mode, best.stats.speedup
        );
    }
    format!(
        "{} is fastest at {:.2}× {base} ({:.2} busy cores, {}); {}",
        best.mode,
        best.stats.speedup,
        best.stats.busy_cores.mean,
        best.stats.reading(),
        laggards(results, best)
    )
}

fn laggards(results: &[ModeResult], best: &ModeResult) -> String {
    let slow: Vec<String> = results[1..]
        .iter()
        .filter(|r| r.stats.speedup < best.stats.speedup * 0.8 && r.mode != best.mode)
        .map(|r| format!("{} {:.2}×", r.mode, r.stats.speedup))
        .collect();
    if slow.is_empty() {
        "the other modes come close".into()
    } else {
        format!("lagging: {}", slow.join(", "))
    }
}

fn table_text(args: &CompareArgs, results: &[ModeResult], reading: &str) -> String {
    let mut s = String::new();
    let first = results.first().and_then(|r| r.stats.runs.first());
    let cores = first.map(|r| r.cores).unwrap_or(0);
    if !args.programs.is_empty() {
        let _ = writeln!(
            s,
            "exec — {} timed runs per command (interleaved, after {} warm-up), {cores} cores",
            args.series.repeat, args.series.warmup
        );
        let width = results.iter().map(|r| r.mode.chars().count()).max();
        s += &rows_text(results, "command", width.unwrap_or(7).max(7));
        let _ = writeln!(s, "reading: {reading}");
        return s;
    }
    let gil = if args.exec.gil { ", simulated GIL" } else { "" };
    let _ = writeln!(
        s,
        "{} — {}{gil}, {} timed runs per mode (interleaved, after {} warm-up), {cores} cores",
        workload_name(results),
        boundscope::model::workers(args.exec.workers()),
        args.series.repeat,
        args.series.warmup
    );
    s += &rows_text(results, "mode", 11);
    let _ = writeln!(s, "{PREDICTED_NOTE}");
    let _ = writeln!(s, "checksum: {}", checksum_line(results, "mode"));
    let _ = writeln!(s, "reading: {reading}");
    s
}

/// What the `predicted` column is.
pub(super) const PREDICTED_NOTE: &str = "predicted: the speedup the first line's first run \
     predicted from its ledger; error: measured over predicted";

/// The table's heading and one row per mode (or scenario line), the first column `width`
/// wide.
pub(super) fn rows_text(results: &[ModeResult], first: &str, width: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{first:<width$} {:<17} {:>12} {:<15} {:<16} {:>10}  reading",
        "wall s (mean ± σ)", "items/s", "speedup", "predicted, error", "busy cores"
    );
    for r in results {
        let wall = format!("{:.3} ± {:.3}", r.stats.wall_s.mean, r.stats.wall_s.stddev);
        let speedup = format!("{:.2}× ± {:.2}", r.stats.speedup, r.stats.speedup_err);
        let _ = writeln!(
            s,
            "{:<width$} {wall:<17} {:>12.0} {speedup:<15} {:<16} {:>10.2}  {}",
            r.mode,
            r.stats.items_per_s.mean,
            r.stats.predicted_cell(),
            r.stats.busy_cores.mean,
            r.stats.reading()
        );
    }
    s
}

pub(super) fn checksum_line<R: std::borrow::Borrow<ModeResult>>(
    results: &[R],
    each: &str,
) -> String {
    let results: Vec<&ModeResult> = results.iter().map(|r| r.borrow()).collect();
    match results.first() {
        Some(first)
            if results
                .iter()
                .all(|r| r.stats.checksum == first.stats.checksum) =>
        {
            format!("{} (identical in every {each})", first.stats.checksum)
        }
        _ => {
            results
                .iter()
                .map(|r| format!("{}={}", r.mode, r.stats.checksum))
                .collect::<Vec<_>>()
                .join(" ")
                + "  — MISMATCH"
        }
    }
}

fn markdown(args: &CompareArgs, results: &[ModeResult], reading: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| mode | wall s (mean ± σ) | items/s | speedup | busy cores | reading |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for r in results {
        let _ = writeln!(
            s,
            "| {} | {:.3} ± {:.3} | {:.0} | {:.2}× ± {:.2} | {:.2} | {} |",
            r.mode,
            r.stats.wall_s.mean,
            r.stats.wall_s.stddev,
            r.stats.items_per_s.mean,
            r.stats.speedup,
            r.stats.speedup_err,
            r.stats.busy_cores.mean,
            r.stats.reading()
        );
    }
    let _ = writeln!(
        s,
        "\n{}, {} runs per mode. {reading}",
        boundscope::model::workers(args.exec.workers()),
        args.series.repeat
    );
    s
}

fn export(
    args: &CompareArgs,
    results: &[ModeResult],
    agree: bool,
    reading: &str,
) -> Result<(), CliError> {
    let write = super::rounds::write_file;
    if let Some(path) = &args.series.export_markdown {
        write(path, markdown(args, results, reading))?;
    }
    if let Some(path) = &args.series.export_json {
        let export = CompareExport {
            workload: workload_name(results),
            workers: args.exec.workers(),
            gil: args.exec.gil,
            repeat: args.series.repeat,
            cores: boundscope::events::available_cores(),
            checksums_agree: agree,
            reading,
            modes: results,
        };
        let json =
            serde_json::to_string_pretty(&export).map_err(|e| CliError::Failed(e.to_string()))?;
        write(path, json + "\n")?;
    }
    Ok(())
}
