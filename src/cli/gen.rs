//! `boundscope gen`: writes a workload's generated input data where the user asks.

use super::args::WorkloadName;
use super::CliError;
use boundscope::workload::json::{generate, DEFAULT_FILES, DEFAULT_RECORDS};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  boundscope gen json-parse --out ./ticks
  boundscope gen json-parse --out ./small --files 4 --records 1000")]
pub struct GenArgs {
    /// The workload whose data to generate.
    #[arg(value_enum)]
    pub workload: WorkloadName,
    /// Directory to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Records per file.
    #[arg(long, default_value_t = DEFAULT_RECORDS, value_name = "N")]
    pub records: usize,
    /// Number of files.
    #[arg(long, default_value_t = DEFAULT_FILES, value_name = "K")]
    pub files: usize,
}

pub fn execute(args: GenArgs) -> Result<(), CliError> {
    if args.files == 0 || args.records == 0 {
        return Err(CliError::Usage(
            "--files and --records must be at least 1".into(),
        ));
    }
    match args.workload {
        WorkloadName::JsonParse => gen_json(&args),
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
    let summary = generate(&args.out, args.files, args.records)
        .map_err(|e| CliError::Failed(e.to_string()))?;
    println!(
        "wrote {} files, {} records, {:.1} MB to {}",
        summary.files.len(),
        summary.records,
        summary.bytes as f64 / 1e6,
        args.out.display()
    );
    Ok(())
}
