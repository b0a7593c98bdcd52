//! `boundscope gen`: writes a workload's generated input data where the user asks.

use super::args::{WorkloadName, WorkloadParser};
use super::progress::Progress;
use super::CliError;
use boundscope::model::GenProgress;
use boundscope::workload::csv::Dataset;
use boundscope::workload::json::{generate_observed, DEFAULT_FILES, DEFAULT_RECORDS};
use boundscope::workload::WorkloadSpec;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  boundscope gen json-parse --out ./ticks
  boundscope gen json-parse --out ./small --files 4 --records 1000
  boundscope gen csv-import --out ./csv --records 1000
  boundscope gen csv-import --out ./census --dataset census
  boundscope gen --clean

Runs without --input generate their data once into the data cache and reuse it:
$BOUNDSCOPE_DATA, else $XDG_CACHE_HOME/boundscope, else ~/.cache/boundscope. Each cached
file's size and digest are checked before use (a damaged set is generated again); past
$BOUNDSCOPE_CACHE_MAX_MB (default 4096) the least recently used sets are removed.")]
pub struct GenArgs {
    /// The workload whose data to generate.
    #[arg(value_parser = WorkloadParser, required_unless_present = "clean")]
    pub workload: Option<WorkloadName>,
    /// Directory to write into (created if missing).
    #[arg(long, value_name = "DIR", required_unless_present = "clean")]
    pub out: Option<PathBuf>,
    /// Remove every generated data set from the data cache, and nothing else.
    #[arg(long, conflicts_with_all = ["workload", "out"])]
    pub clean: bool,
    /// Records per file [default: json-parse 20000, csv-import 50000].
    #[arg(long, value_name = "N")]
    pub records: Option<usize>,
    /// csv-import: default (customers.csv + products.csv) or census.
    #[arg(long, value_parser = |s: &str| s.parse::<Dataset>(), default_value = "default", value_name = "NAME")]
    pub dataset: Dataset,
    /// json-parse: number of files.
    #[arg(long, default_value_t = DEFAULT_FILES, value_name = "K")]
    pub files: usize,
}

pub fn execute(args: GenArgs) -> Result<(), CliError> {
    let (Some(workload), Some(out)) = (args.workload, args.out.clone()) else {
        return clean_cache();
    };
    if args.files == 0 || args.records == Some(0) {
        return Err(CliError::Usage(
            "--files and --records must be at least 1".into(),
        ));
    }
    match (workload.0.defaults)() {
        WorkloadSpec::JsonParse(_) => gen_json(&args, &out),
        WorkloadSpec::CsvImport(csv) => gen_csv(&args, &out, csv.records),
        WorkloadSpec::ApiFetch(_) | WorkloadSpec::EtlPipeline(_) => Err(CliError::Usage(format!(
            "{} has no input files: it fetches from `boundscope serve-api`",
            workload.name()
        ))),
        // The parser takes built-in workloads only.
        WorkloadSpec::Exec(_) => Err(CliError::Usage("exec has no input files".into())),
    }
}

/// `gen --clean`: empties the data cache of what boundscope put there.
fn clean_cache() -> Result<(), CliError> {
    use boundscope::workload::data::{cache, generate};
    let dir = generate::cache_dir();
    let cleaned = cache::clean(&dir, generate::MANIFEST_FILE)
        .map_err(|e| CliError::Failed(format!("cannot clean {}: {e}", dir.display())))?;
    println!(
        "removed {} cached data set(s), {:.1} MB, from {}",
        cleaned.entries,
        cleaned.bytes as f64 / 1e6,
        dir.display()
    );
    Ok(())
}

fn gen_json(args: &GenArgs, out: &std::path::Path) -> Result<(), CliError> {
    std::fs::create_dir_all(out)
        .map_err(|e| CliError::Usage(format!("cannot create {}: {e}", out.display())))?;
    let records = args.records.unwrap_or(DEFAULT_RECORDS);
    let mut progress = Progress::new(false, "gen json-parse");
    let summary = generate_observed(out, args.files, records, &mut |p: &GenProgress| {
        progress.prepare(p)
    });
    progress.finish();
    let summary = summary.map_err(|e| CliError::Failed(e.to_string()))?;
    println!(
        "wrote {} files, {} records, {:.1} MB to {}",
        summary.files.len(),
        summary.records,
        summary.bytes as f64 / 1e6,
        out.display()
    );
    Ok(())
}

fn gen_csv(args: &GenArgs, out: &std::path::Path, default_records: u64) -> Result<(), CliError> {
    let records = args.records.map_or(default_records, |n| n as u64);
    let mut progress = Progress::new(false, "gen csv-import");
    let files = boundscope::workload::csv::generate_observed(
        out,
        args.dataset,
        records,
        &mut |p: &GenProgress| progress.prepare(p),
    );
    progress.finish();
    let files = files.map_err(|e| CliError::Usage(e.to_string()))?;
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let names: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    println!(
        "wrote {} ({} records each, {:.1} MB) to {}",
        names.join(", "),
        records,
        bytes as f64 / 1e6,
        out.display()
    );
    Ok(())
}
