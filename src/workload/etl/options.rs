//! `etl-pipeline`'s options, declared once (the CLI, the setup form and scenario checks read
//! them from here): its own, then the API client's and server's it shares with `api-fetch`.

use super::EtlOptions;
use crate::workload::api::options as api;
use crate::workload::api::ApiOptions;
use crate::workload::csv::options::db_option;
use crate::workload::declare::kinds::{number, optional_text, switch};
use crate::workload::declare::options::OptionDecl;
use std::path::PathBuf;

/// One line on what it does.
pub const ABOUT: &str =
    "A DAG of stages (fetch companies, prices, financials → load → TTM, ratios, metrics).";

/// The options when no flag is given.
pub fn cli_defaults() -> EtlOptions {
    EtlOptions::default()
}

/// API options that do not apply: the plan is the pipeline's, and `symbols` is declared
/// here (it sizes the fetches and the server alike).
const NOT_FROM_API: &[&str] = &["requests", "symbols"];

pub fn options() -> Vec<OptionDecl<EtlOptions>> {
    let mut all = vec![
        optional_text(
            "pipeline",
            "FILE",
            "The pipeline file (TOML, [[stage]] tables) [default: workloads/etl.toml, built in].",
            |o: &EtlOptions| o.pipeline.as_ref().map(|p| p.display().to_string()),
            |o, p: Option<PathBuf>| o.pipeline = p,
        )
        .in_form(),
        number(
            "symbols",
            "Symbols fetched by each fetch stage (and served by the API server).",
            |o: &EtlOptions| o.symbols,
            |o, n| {
                o.symbols = n;
                o.api.server.symbols = n;
            },
        ),
        db_option(|o: &EtlOptions| &o.db, |o, db| o.db = db),
        switch(
            "cache-profiles",
            "Keep company profiles between runs for 24 hours and answer the company stage \
             from them (the first run fetches and saves them).",
            |o: &EtlOptions| o.cache_profiles,
            |o, on| o.cache_profiles = on,
        )
        .knob(1)
        .knob_with(|mark| mark.unless = Some("off")),
    ];
    let from_api = api::options()
        .into_iter()
        .filter(|d| !NOT_FROM_API.contains(&d.name))
        .map(for_etl);
    all.extend(from_api.map(|d| d.lift(|o: &EtlOptions| Some(&o.api), |o| Some(&mut o.api))));
    all
}

/// An API option as `etl-pipeline` reports it: `batch` is `batch_prices` (the load stage's
/// own batch is the report's `batch`). Its knobs stay: latency, connection reuse and batching
/// are the steps the ETL write-up took.
fn for_etl(decl: OptionDecl<ApiOptions>) -> OptionDecl<ApiOptions> {
    match decl.name {
        "batch" => decl.reported_as("batch_prices"),
        _ => decl,
    }
}
