//! What a workload is, declared once: its options (name, kind, default, help, modes), the
//! table of workloads, the clap flags and the serializable spec built from them, and the
//! engines' type-erased view of a workload.

mod erased;
pub mod flags;
pub mod kinds;
pub mod options;
pub mod spec;
pub mod table;
