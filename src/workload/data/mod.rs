//! The workloads' generated input data: deterministic generation into a cache that is
//! reused, the cache's upkeep, progress reports while generating, capped line reading, and
//! inputs that can be read only once.

pub mod cache;
pub mod generate;
pub mod lines;
pub mod once;
pub mod progress;
