//! `boundscope sweep`: one workload and mode at several worker counts — the scaling curve.

use super::args::{ExecArgs, WorkloadArgs, WorkloadName, WorkloadParser};
use super::rounds::SeriesArgs;
use super::CliError;
use boundscope::events::available_cores;
use boundscope::model::Mode;
use boundscope::report::sweep::{self, SweepPoint};
use boundscope::report::sweep_chart;
use clap::Args;
use serde::Serialize;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  boundscope sweep json-parse --mode threads --workers 1,2,4,8 --chart scaling.svg
  boundscope sweep json-parse --mode threads --gil --workers 1,2,4
  boundscope sweep api-fetch --mode async --workers 1,2 --in-flight 200 --latency 20ms
  boundscope sweep csv-import --mode processes --workers 1,2,4 --repeat 5 --export-json sweep.json

Speedup and efficiency are relative to the first worker count. The serial fraction is the
Karp–Flatt estimate from the speedup at each count.")]
pub struct SweepArgs {
    /// The workload to run.
    #[arg(value_parser = WorkloadParser)]
    pub workload: WorkloadName,
    /// The mode whose scaling is measured (not sequential: it has one worker).
    #[arg(long, short = 'm', value_enum, default_value_t = Mode::Threads)]
    pub mode: Mode,
    /// Worker counts, comma-separated; the first is the baseline for speedups.
    #[arg(
        long,
        short = 'w',
        value_delimiter = ',',
        required = true,
        value_name = "N,N,.."
    )]
    pub workers: Vec<usize>,
    /// async mode: tasks in flight at once [default: each point's worker count].
    #[arg(long, value_name = "N")]
    pub in_flight: Option<usize>,
    /// Simulate CPython's global interpreter lock.
    #[arg(long)]
    pub gil: bool,
    /// CPU sampling rate in Hz, 1 to 250.
    #[arg(long, default_value_t = boundscope::profile::DEFAULT_HZ, value_name = "HZ")]
    pub hz: u32,
    /// Do not sample the CPU.
    #[arg(long)]
    pub no_profile: bool,
    #[command(flatten)]
    pub series: SeriesArgs,
    #[command(flatten)]
    pub workload_args: WorkloadArgs,
    /// Write the scaling chart (items/s against workers, with ideal scaling) as SVG.
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
}

#[derive(Serialize)]
struct SweepExport<'a> {
    workload: &'a str,
    mode: String,
    gil: bool,
    repeat: usize,
    cores: usize,
    reading: &'a str,
    points: &'a [SweepPoint],
}

pub fn execute(args: SweepArgs) -> Result<(), CliError> {
    check_usage(&args)?;
    let mut workload = args.workload_args.spec(args.workload)?;
    let mut claims = super::exports::workload_claims(&workload);
    super::exports::claim_outputs(
        &mut claims,
        [
            ("--chart", &args.chart),
            ("--export-markdown", &args.series.export_markdown),
            ("--export-json", &args.series.export_json),
        ],
    )?;
    let _scratch = super::scratch_out_dir(&mut workload)?;
    let specs: Vec<_> = args
        .workers
        .iter()
        .map(|&n| exec_args(&args, n).spec(workload.clone(), args.mode))
        .collect();
    let series = super::rounds::interleaved(&specs, &args.series, &mut |_, _| {})?;
    let cores = available_cores();
    if series.interrupted {
        let note = series.interrupted_note(specs.len() * args.series.repeat);
        let done = series.finished_variants();
        let points = sweep::summarize(&args.workers[..done], series.finished());
        if !points.is_empty() {
            print!(
                "{}",
                table_text(&args, &points, super::rounds::PARTIAL, cores)
            );
        }
        eprintln!("{note}");
        return Err(CliError::Interrupted);
    }
    let points = sweep::summarize(&args.workers, series.runs);
    let reading = sweep::reading(&points, cores);
    print!("{}", table_text(&args, &points, &reading, cores));
    export(&args, &points, &reading, cores)?;
    let agree = points
        .windows(2)
        .all(|w| w[0].stats.checksum == w[1].stats.checksum);
    if !agree {
        return Err(CliError::Failed(
            "worker counts produced different checksums: the same work gave different results"
                .into(),
        ));
    }
    Ok(())
}

fn check_usage(args: &SweepArgs) -> Result<(), CliError> {
    if args.mode == Mode::Sequential {
        return Err(CliError::Usage(
            "--mode sequential has one worker, so there is nothing to sweep; use threads, \
             rayon, async or processes"
                .into(),
        ));
    }
    if let Some(zero) = args.workers.iter().find(|n| **n == 0) {
        return Err(CliError::Usage(format!(
            "--workers {zero}: every worker count must be at least 1"
        )));
    }
    if args.series.repeat == 0 {
        return Err(CliError::Usage(
            "--repeat 0 is not allowed: use at least 1".into(),
        ));
    }
    Ok(())
}

fn exec_args(args: &SweepArgs, workers: usize) -> ExecArgs {
    ExecArgs {
        workers: Some(workers),
        in_flight: args.in_flight,
        gil: args.gil,
        hz: args.hz,
        no_profile: args.no_profile,
        no_wait_stacks: false,
        no_phases: false,
    }
}

fn title(args: &SweepArgs, points: &[SweepPoint]) -> String {
    let workload = points
        .first()
        .and_then(|p| p.stats.runs.first())
        .map(|r| r.workload.clone())
        .unwrap_or_default();
    let gil = if args.gil { ", simulated GIL" } else { "" };
    format!("{workload} · {}{gil}: items/s by workers", args.mode)
}

fn table_text(args: &SweepArgs, points: &[SweepPoint], reading: &str, cores: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} — {} timed runs per count (interleaved, after {} warm-up), {cores} cores",
        title(args, points),
        args.series.repeat,
        args.series.warmup
    );
    let _ = writeln!(
        s,
        "{:>7} {:<17} {:>12} {:<15} {:<16} {:>10} {:>10} {:>9}  reading",
        "workers",
        "wall s (mean ± σ)",
        "items/s",
        "speedup",
        "predicted, error",
        "efficiency",
        "busy cores",
        "serial"
    );
    for p in points {
        let wall = format!("{:.3} ± {:.3}", p.stats.wall_s.mean, p.stats.wall_s.stddev);
        let speedup = format!("{:.2}× ± {:.2}", p.stats.speedup, p.stats.speedup_err);
        let serial = match p.serial_fraction {
            Some(e) if p.workers <= cores => format!("{:.0}%", e * 100.0),
            _ => "-".to_string(),
        };
        let _ = writeln!(
            s,
            "{:>7} {wall:<17} {:>12.0} {speedup:<15} {:<16} {:>9.0}% {:>10.2} {serial:>9}  {}",
            p.workers,
            p.stats.items_per_s.mean,
            p.stats.predicted_cell(),
            p.efficiency * 100.0,
            p.stats.busy_cores.mean,
            p.stats.reading()
        );
    }
    let checksum = match points.first() {
        Some(first)
            if points
                .iter()
                .all(|p| p.stats.checksum == first.stats.checksum) =>
        {
            format!("{} (identical at every count)", first.stats.checksum)
        }
        _ => "MISMATCH between worker counts".to_string(),
    };
    let _ = writeln!(s, "{}", super::compare::PREDICTED_NOTE);
    let _ = writeln!(s, "checksum: {checksum}");
    let _ = writeln!(
        s,
        "serial: the Karp–Flatt serial fraction, shown up to the core count"
    );
    let _ = writeln!(s, "reading: {reading}");
    s
}

fn markdown(points: &[SweepPoint], reading: &str) -> String {
    let mut s = String::from(
        "| workers | wall s (mean ± σ) | items/s | speedup | efficiency | busy cores | reading |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for p in points {
        let _ = writeln!(
            s,
            "| {} | {:.3} ± {:.3} | {:.0} | {:.2}× ± {:.2} | {:.0}% | {:.2} | {} |",
            p.workers,
            p.stats.wall_s.mean,
            p.stats.wall_s.stddev,
            p.stats.items_per_s.mean,
            p.stats.speedup,
            p.stats.speedup_err,
            p.efficiency * 100.0,
            p.stats.busy_cores.mean,
            p.stats.reading()
        );
    }
    let _ = writeln!(s, "\n{reading}");
    s
}

fn export(
    args: &SweepArgs,
    points: &[SweepPoint],
    reading: &str,
    cores: usize,
) -> Result<(), CliError> {
    let write = super::rounds::write_file;
    if let Some(path) = &args.chart {
        write(
            path,
            sweep_chart::chart_svg(points, &title(args, points), cores),
        )?;
        if !args.series.quiet {
            eprintln!("wrote chart → {}", path.display());
        }
    }
    if let Some(path) = &args.series.export_markdown {
        write(path, markdown(points, reading))?;
    }
    if let Some(path) = &args.series.export_json {
        let workload = points.first().and_then(|p| p.stats.runs.first());
        let export = SweepExport {
            workload: workload.map(|r| r.workload.as_str()).unwrap_or(""),
            mode: args.mode.to_string(),
            gil: args.gil,
            repeat: args.series.repeat,
            cores,
            reading,
            points,
        };
        let json =
            serde_json::to_string_pretty(&export).map_err(|e| CliError::Failed(e.to_string()))?;
        write(path, json + "\n")?;
    }
    Ok(())
}
