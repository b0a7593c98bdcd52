//! boundscope: is a data job CPU-bound or IO-bound, and which concurrency makes it faster?
//!
//! The library runs built-in workloads under a chosen concurrency mode, accounts for every
//! worker's wall time, samples the CPU with pprof and reports the result. The binary adds
//! the command line (and later the terminal UI) on top.

pub mod db;
pub mod events;
pub mod exec;
pub mod flame;
pub mod measure;
pub mod model;
pub mod profile;
pub mod report;
pub mod scenario;
pub mod server;
pub mod session;
pub mod tmpdir;
pub mod toml_input;
pub mod tui;
pub mod workload;
