//! Options shared by several commands: the workload's knobs, sampling, concurrency.

use boundscope::db::{DbError, InsertMode, Journal, SyncMode};
use boundscope::model::Mode;
use boundscope::profile::DEFAULT_HZ;
use boundscope::server::{args::FaultArgs, parse_duration, ServerConfig};
use boundscope::session::{RunSpec, MAX_WORKERS};
use boundscope::workload::api::ApiOptions;
use boundscope::workload::csv::{CsvOptions, Dataset, OptionError, WriterMode};
use boundscope::workload::etl::{EtlOptions, DEFAULT_SYMBOLS};
use boundscope::workload::json::{JsonOptions, Output, Parser, DEFAULT_FILES, DEFAULT_RECORDS};
use boundscope::workload::lines::MAX_LINE_BYTES;
use boundscope::workload::WorkloadSpec;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// The built-in workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WorkloadName {
    /// Parse ~30 files of newline-delimited stock ticks and write them as Parquet.
    JsonParse,
    /// Fetch per-tenant metadata and daily prices from an HTTP API (our own, by default).
    ApiFetch,
    /// A DAG of stages (fetch companies, prices, financials → load → TTM, ratios, metrics).
    EtlPipeline,
    /// Parse CSV files (customers + products, or census rows) and insert them into SQLite or
    /// PostgreSQL, checking that every row was stored or rejected.
    CsvImport,
}

/// `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

/// Knobs of the workloads (each applies to the workload named in its help).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Workload options")]
pub struct WorkloadArgs {
    /// json-parse: a directory of .json/.ndjson tick files; csv-import: one CSV file (with a
    /// header line) to import instead of generated data.
    #[arg(long, value_name = "PATH")]
    pub input: Option<PathBuf>,
    /// json-parse: number of generated files (one unit of work each).
    #[arg(long, default_value_t = DEFAULT_FILES, value_name = "K")]
    pub files: usize,
    /// Records per generated file [default: json-parse 20000, csv-import 50000].
    #[arg(long, value_name = "N")]
    pub records: Option<usize>,
    /// json-parse: value (untyped DOM, like json.loads), typed (serde structs), fast (record scanner).
    #[arg(long, value_enum, default_value_t = Parser::Value)]
    pub parser: Parser,
    /// json-parse: write each parsed file as Parquet, or discard the table.
    #[arg(long, value_enum, default_value_t = Output::Parquet)]
    pub output: Output,
    /// json-parse: where Parquet files go (default: a temporary directory, removed after).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// etl-pipeline: the pipeline file (TOML, [[stage]] tables) [default: workloads/etl.toml, built in].
    #[arg(long, value_name = "FILE")]
    pub pipeline: Option<PathBuf>,
    /// etl-pipeline: keep company profiles between runs for 24 hours and answer the company
    /// stage from them (the first run fetches and saves them).
    #[arg(long)]
    pub cache_profiles: bool,
    #[command(flatten)]
    pub api: ApiArgs,
    #[command(flatten)]
    pub csv: CsvArgs,
}

/// Knobs of `csv-import` (`--input`, `--records` and `--batch` are shared with the others).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "csv-import options")]
pub struct CsvArgs {
    /// Generated data set: default (customers.csv + products.csv) or census (~100 numeric
    /// columns per row).
    #[arg(long, value_parser = parse_dataset, default_value = "default", value_name = "NAME")]
    pub dataset: Dataset,
    /// Table for --input [default: the file name]; with generated data, a table name prefix.
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
    /// csv-import and etl-pipeline: the database. sqlite (a file in a temporary run
    /// directory, removed after the run),
    /// sqlite:PATH (kept), sqlite::memory:, or postgres://USER[:PASSWORD]@HOST[:PORT]/DB.
    /// A postgres URL without a password takes it from PGPASSWORD, which keeps it out of the
    /// command line (where `ps` shows it).
    #[arg(long, default_value = "sqlite", value_name = "DB")]
    pub db: String,
    /// Drop the tables first (otherwise rows already there make repeated rows duplicates,
    /// which the database refuses and the run lists as rejected).
    #[arg(long)]
    pub fresh: bool,
    /// How rows are sent: row (one prepared INSERT per row), multi (multi-row VALUES), copy
    /// (PostgreSQL COPY FROM STDIN).
    #[arg(long, value_parser = parse_insert, default_value = "row", value_name = "HOW")]
    pub insert: InsertMode,
    /// SQLite journal mode: wal, delete or off.
    #[arg(long, value_parser = parse_journal, default_value = "wal", value_name = "MODE")]
    pub journal: Journal,
    /// SQLite synchronous setting: full, normal or off.
    #[arg(long, value_parser = parse_sync, default_value = "normal", value_name = "MODE")]
    pub sync: SyncMode,
    /// Who writes: each (every worker has its own connection) or single (workers parse, one
    /// writer thread inserts everything).
    #[arg(long, value_parser = parse_writer, default_value = "each", value_name = "WHO")]
    pub writer: WriterMode,
    /// Records per unit of work (a chunk of an input file).
    #[arg(long, default_value_t = 5000, value_name = "N")]
    pub chunk_rows: usize,
    /// Longest CSV record kept, in KiB (json-parse's line cap, 16 MiB, by default). A longer
    /// record is rejected with its line number; it ends at the first newline past the limit,
    /// whatever its quotes say, and reading goes on there.
    #[arg(long, default_value_t = MAX_LINE_BYTES >> 10, value_name = "KIB")]
    pub max_record_kb: usize,
}

// clap shows these errors' messages as they are (`invalid value 'x' for '--flag': MESSAGE`).

fn parse_dataset(s: &str) -> Result<Dataset, OptionError> {
    s.parse()
}

fn parse_insert(s: &str) -> Result<InsertMode, DbError> {
    s.parse()
}

fn parse_journal(s: &str) -> Result<Journal, DbError> {
    s.parse()
}

fn parse_sync(s: &str) -> Result<SyncMode, DbError> {
    s.parse()
}

fn parse_writer(s: &str) -> Result<WriterMode, OptionError> {
    s.parse()
}

/// csv-import's default records per generated file.
pub const CSV_DEFAULT_RECORDS: usize = 50_000;
/// csv-import's default rows per transaction.
pub const CSV_DEFAULT_BATCH: usize = 1000;

/// Knobs of `api-fetch` and of the API server it starts.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "api-fetch options")]
pub struct ApiArgs {
    /// Use this server (http://HOST:PORT) instead of starting our own.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Number of requests [default: every tenant's connections, then prices of every symbol].
    #[arg(long, value_name = "N")]
    pub requests: Option<usize>,
    /// Keep connections open between requests (a pool), or open one per request.
    #[arg(long, value_enum, default_value_t = Switch::On)]
    pub reuse_connections: Switch,
    /// api-fetch and etl-pipeline: symbols per /prices request [default: 1]; csv-import: rows
    /// per transaction (1 = every row commits on its own) [default: 1000].
    #[arg(long, value_name = "N")]
    pub batch: Option<usize>,
    /// Cache responses that do not change (a repeated URL makes no request).
    #[arg(long)]
    pub cache: bool,
    /// Retries per request on 5xx, 429, timeouts and connection errors (backoff with jitter).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub retries: u32,
    /// Per-request timeout.
    #[arg(long, default_value = "5s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
    #[command(flatten)]
    pub faults: FaultArgs,
    /// Server: number of tenants.
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub tenants: usize,
    /// Server: number of symbols (etl-pipeline: symbols fetched by each fetch stage)
    /// [default: 100; etl-pipeline: 40].
    #[arg(long, value_name = "N")]
    pub symbols: Option<usize>,
}

impl ApiArgs {
    pub fn options(&self) -> ApiOptions {
        let defaults = ApiOptions::default();
        ApiOptions {
            base_url: self.base_url.clone(),
            requests: self.requests,
            reuse_connections: self.reuse_connections == Switch::On,
            batch: self.batch.unwrap_or(defaults.batch),
            cache: self.cache,
            retries: self.retries,
            timeout: self.timeout,
            server: self.faults.apply(ServerConfig {
                tenants: self.tenants,
                symbols: self.symbols.unwrap_or(defaults.server.symbols),
                ..defaults.server
            }),
        }
    }
}

impl WorkloadArgs {
    pub fn spec(&self, name: WorkloadName) -> WorkloadSpec {
        match name {
            WorkloadName::JsonParse => WorkloadSpec::JsonParse(JsonOptions {
                input: self.input.clone(),
                files: self.files,
                records: self.records.unwrap_or(DEFAULT_RECORDS),
                parser: self.parser,
                output: self.output,
                out_dir: self.out_dir.clone(),
            }),
            WorkloadName::ApiFetch => WorkloadSpec::ApiFetch(self.api.options()),
            WorkloadName::EtlPipeline => WorkloadSpec::EtlPipeline(EtlOptions {
                pipeline: self.pipeline.clone(),
                symbols: self.api.symbols.unwrap_or(DEFAULT_SYMBOLS),
                db: self.csv.db.clone(),
                api: self.api.options(),
                cache_profiles: self.cache_profiles,
                ..EtlOptions::default()
            }),
            WorkloadName::CsvImport => WorkloadSpec::CsvImport(self.csv_options()),
        }
    }

    pub fn csv_options(&self) -> CsvOptions {
        let c = &self.csv;
        CsvOptions {
            dataset: c.dataset,
            records: self.records.unwrap_or(CSV_DEFAULT_RECORDS) as u64,
            input: self.input.clone(),
            table: c.table.clone(),
            db: c.db.clone(),
            fresh: c.fresh,
            batch: self.api.batch.unwrap_or(CSV_DEFAULT_BATCH),
            insert: c.insert,
            journal: c.journal,
            sync: c.sync,
            writer: c.writer,
            chunk_rows: c.chunk_rows,
            max_record_bytes: c.max_record_kb.saturating_mul(1 << 10),
            ..CsvOptions::default()
        }
    }
}

/// How the run is sampled and how many workers it gets.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Concurrency and sampling")]
pub struct ExecArgs {
    /// Workers: threads, tasks' runtime threads, or child processes, 1 to 4096 [default:
    /// number of cores].
    #[arg(long, short = 'w', value_name = "N")]
    pub workers: Option<usize>,
    /// async mode: tasks in flight at once [default: --workers].
    #[arg(long, value_name = "N")]
    pub in_flight: Option<usize>,
    /// Simulate CPython's global interpreter lock: held during CPU work, released in waits.
    #[arg(long)]
    pub gil: bool,
    /// CPU sampling rate in Hz, 1 to 250.
    #[arg(long, default_value_t = DEFAULT_HZ, value_name = "HZ")]
    pub hz: u32,
    /// Do not sample the CPU (to measure the profiler's own cost).
    #[arg(long)]
    pub no_profile: bool,
    /// Do not walk the stack where each wait begins: the wall-clock profile then books waits
    /// under the thread alone (to measure what the walks cost).
    #[arg(long)]
    pub no_wait_stacks: bool,
}

impl ExecArgs {
    pub fn workers(&self) -> usize {
        self.workers
            .unwrap_or_else(boundscope::events::available_cores)
    }

    pub fn spec(&self, workload: WorkloadSpec, mode: Mode) -> RunSpec {
        // A sequential run has exactly one worker, whatever --workers says, but a --workers
        // that no mode accepts is passed on for the run's validation to refuse.
        let workers = match (mode, self.workers) {
            (Mode::Sequential, Some(n)) if n == 0 || n > MAX_WORKERS => n,
            (Mode::Sequential, _) => 1,
            _ => self.workers(),
        };
        let mut spec = RunSpec::new(workload, mode, workers);
        spec.in_flight = self.in_flight;
        spec.gil = self.gil;
        spec.hz = self.hz;
        spec.profile = !self.no_profile;
        spec.wait_stacks = !self.no_wait_stacks;
        spec
    }
}
