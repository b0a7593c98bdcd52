//! `boundscope gen`: writes a workload's generated input data where the user asks.

use super::args::WorkloadName;
use super::args::CSV_DEFAULT_RECORDS;
use super::CliError;
use boundscope::workload::csv::Dataset;
use boundscope::workload::json::{generate, DEFAULT_FILES, DEFAULT_RECORDS};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  boundscope gen json-parse --out ./ticks
  boundscope gen json-parse --out ./small --files 4 --records 1000
  boundscope gen csv-import --out ./csv --records 1000
  boundscope gen csv-import --out ./census --dataset census")]
pub struct GenArgs {
    /// The workload whose data to generate.
    #[arg(value_enum)]
    pub workload: WorkloadName,
    /// Directory to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
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
    if args.files == 0 || args.records == Some(0) {
        return Err(CliError::Usage(
            "--files and --records must be at least 1".into(),
        ));
    }
    match args.workload {
        WorkloadName::JsonParse => gen_json(&args),
        WorkloadName::CsvImport => gen_csv(&args),
        WorkloadName::ApiFetch => Err(CliError::Usage(
            "api-fetch has no input files: its data comes from `boundscope serve-api`".into(),
        )),
        WorkloadName::EtlPipeline => Err(CliError::Usage(
            "etl-pipeline has no input files: it fetches from `boundscope serve-api`".into(),
        )),
    }
}

fn gen_json(args: &GenArgs) -> Result<(), CliError> {
    std::fs::create_dir_all(&args.out)
        .map_err(|e| CliError::Usage(format!("cannot create {}: {e}", args.out.display())))?;
    let records = args.records.unwrap_or(DEFAULT_RECORDS);
    let summary =
        generate(&args.out, args.files, records).map_err(|e| CliError::Failed(e.to_string()))?;
    println!(
        "wrote {} files, {} records, {:.1} MB to {}",
        summary.files.len(),
        summary.records,
        summary.bytes as f64 / 1e6,
        args.out.display()
    );
    Ok(())
}

fn gen_csv(args: &GenArgs) -> Result<(), CliError> {
    let records = args.records.unwrap_or(CSV_DEFAULT_RECORDS) as u64;
    let files = boundscope::workload::csv::generate(&args.out, args.dataset, records)
        .map_err(|e| CliError::Usage(e.to_string()))?;
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
        args.out.display()
    );
    Ok(())
}
