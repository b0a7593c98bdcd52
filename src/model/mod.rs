//! The plain typed data every other layer shares — modes, units and their outcomes, wait
//! categories, worker snapshots, ticks, verdicts, progress and PostgreSQL samples. It
//! imports nothing else of the crate; the event stream is its wire form.

pub mod mode;
pub mod pg_activity;
pub mod profile;
pub mod progress;
pub mod tick;
pub mod unit;
pub mod verdict;
pub mod wait;
pub mod worker;

pub use mode::Mode;
pub use profile::{FunctionCost, WallPlace};
pub use progress::GenProgress;
pub use tick::Tick;
pub use unit::{combine_digests, Rejection, UnitFailure, UnitOutcome, UnitRecord};
pub use verdict::{Verdict, VerdictKind};
pub use wait::{WaitCategory, WAIT_CATEGORIES, WAIT_COUNT};
pub use worker::WorkerSnapshot;

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
