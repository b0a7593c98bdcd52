//! The plain typed data every other layer shares — modes, units and their outcomes, wait
//! categories, worker snapshots, ticks, verdicts, predictions, run reports (with their stage timelines
//! and import checks), progress and PostgreSQL samples. It
//! imports nothing else of the crate; the event stream is its wire form.

pub mod mode;
pub mod pg_activity;
pub mod prediction;
pub mod profile;
pub mod program;
pub mod progress;
pub mod report;
pub mod tick;
pub mod timeline;
pub mod unit;
pub mod verdict;
pub mod verification;
pub mod wait;
pub mod worker;

pub use mode::Mode;
pub use prediction::Prediction;
pub use profile::{FunctionCost, PhaseTime, WallPlace};
pub use program::ProgramExit;
pub use progress::GenProgress;
pub use report::{RunReport, UnitSummary, WorkloadFindings, MAX_LISTED_REJECTIONS};
pub use tick::Tick;
pub use timeline::{StageSpan, Timeline};
pub use unit::{combine_digests, Rejection, UnitFailure, UnitOutcome, UnitRecord};
pub use verdict::{Verdict, VerdictKind};
pub use verification::{TableCheck, Verification};
pub use wait::{WaitCategory, WAIT_CATEGORIES, WAIT_COUNT};
pub use worker::WorkerSnapshot;

/// `1 worker`, `2 workers`.
pub fn workers(n: usize) -> String {
    match n {
        1 => "1 worker".into(),
        n => format!("{n} workers"),
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
