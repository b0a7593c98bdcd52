//! Quick throughput check of the three `json-parse` parsers on one generated file.
//!
//! `cargo run --release --example json_speed [records] [parquet-out-dir]`

use boundscope::measure::WorkerCtx;
use boundscope::workload::json::{generate, JsonOptions, JsonParse, Output, Parser};
use boundscope::workload::DynWorkload;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let records: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(20_000);
    let out_dir = args.next().map(std::path::PathBuf::from);
    let input = tempfile::tempdir()?;
    let input_dir = match &out_dir {
        Some(dir) => dir.join("input"),
        None => input.path().to_path_buf(),
    };
    std::fs::create_dir_all(&input_dir)?;
    let summary = generate(&input_dir, 1, records)?;
    let mb = summary.bytes as f64 / 1e6;
    println!("input: {records} records, {mb:.2} MB");
    for output in [Output::None, Output::Parquet] {
        for parser in [Parser::Value, Parser::Typed, Parser::Fast] {
            let scratch = tempfile::tempdir()?;
            let opts = JsonOptions {
                input: Some(input_dir.clone()),
                parser,
                output,
                out_dir: Some(
                    out_dir
                        .clone()
                        .unwrap_or_else(|| scratch.path().to_path_buf()),
                ),
                ..JsonOptions::default()
            };
            let workload = JsonParse::new(opts)?;
            let mut ctx = WorkerCtx::standalone("speed");
            let runs = 10;
            let started = Instant::now();
            let mut digest = 0;
            for _ in 0..runs {
                digest = workload.run_unit(0, &mut ctx)?.digest;
            }
            let secs = started.elapsed().as_secs_f64() / runs as f64;
            println!(
                "{:>7} {:>7}: {:7.1} MB/s  ({:.2} ms/file, digest {digest:016x})",
                parser.as_str(),
                output.as_str(),
                mb / secs,
                secs * 1e3
            );
        }
    }
    Ok(())
}
