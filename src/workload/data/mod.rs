//! The workloads' generated input data: deterministic generation into a cache that is
//! reused, the cache's upkeep, progress reports while generating, and capped line reading.

pub mod cache;
pub mod generate;
pub mod lines;
pub mod progress;
