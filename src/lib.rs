//! boundscope: is a data job CPU-bound or IO-bound, and which concurrency makes it faster?
//!
//! The library runs built-in workloads under a chosen concurrency mode, accounts for every
//! worker's wall time, samples the CPU (with its own SIGPROF sampler) and reports the result;
//! the terminal UI is in `tui`, and the binary adds the command line on top. The modules form
//! layers, lowest first: `model` (plain data), `sanitize` (text from input), `outfile`
//! (writing files); `symbolize` (names of machine code);
//! `flame`, `predict`, `tmpdir`, `toml_input`, `proc`, `observe`, `shell_words`, `interrupt`;
//! `measure`, `server`; `db`; `workload`; `spec`; `exec`, `profile`, `events`; `report`;
//! `session`; `scenario`; `tui`. Each uses only the layers below it (`tests/layers.rs` checks
//! it).

pub mod db;
pub mod events;
pub mod exec;
pub mod flame;
pub mod interrupt;
pub mod measure;
pub mod model;
pub mod observe;
pub mod outfile;
pub mod predict;
pub mod proc;
pub mod profile;
pub mod report;
pub mod sanitize;
pub mod scenario;
pub mod server;
pub mod session;
pub mod shell_words;
pub mod spec;
pub mod symbolize;
pub mod tmpdir;
pub mod toml_input;
pub mod tui;
pub mod workload;
