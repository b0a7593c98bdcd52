//! Whether any predicted line is worth trying and, when none is, what holds the run: the
//! one wording the run header, the summary's table and the verdict share.

use super::{doubled, limit, ratio, Demand, Machine, Resource, Target};
use crate::model::{Prediction, RunReport};

/// Below this predicted speedup a line is within the model's error of no gain (the
/// benchmarks' median error is near 10%), so it is not named as help.
pub const WORTH_TRYING: f64 = 1.15;

/// What the predictions advise.
#[derive(Debug, Clone, PartialEq)]
pub enum Advice<'a> {
    /// The line predicted fastest, at least [`WORTH_TRYING`] times faster.
    Try(&'a Prediction),
    /// No listed line predicts a real gain. `limit` holds the run (`the server's
    /// concurrency 8`); `wider` is what twice the run's own workers would give when that
    /// would help (`×16 ≈1.9×`, `16 in flight ≈1.9×`): the list stops at the wide count.
    Nothing {
        limit: String,
        wider: Option<String>,
    },
}

impl Advice<'_> {
    /// `would help: threads ×8 ≈6.7× (network answers)` or `nothing listed would help:
    /// limited by the server's concurrency 8`.
    pub fn sentence(&self) -> String {
        match self {
            Advice::Try(p) => format!(
                "would help: {} ≈{:.1}× ({})",
                p.line(),
                p.speedup,
                p.bottleneck
            ),
            Advice::Nothing { limit, wider } => {
                let more = wider.as_ref().map(|w| format!("; {w}")).unwrap_or_default();
                format!("nothing listed would help: limited by {limit}{more}")
            }
        }
    }
}

/// The advice of `report`'s predictions (none when it has none).
pub fn advice(report: &RunReport) -> Option<Advice<'_>> {
    let best = report
        .predictions
        .iter()
        .max_by(|a, b| a.speedup.total_cmp(&b.speedup))?;
    if best.speedup >= WORTH_TRYING {
        return Some(Advice::Try(best));
    }
    let d = Demand::of(report);
    let m = Machine::of(report);
    let own = Target::of(report);
    let (own_limit, own_time) = limit(&d, &m, &own);
    let wider = doubled(own);
    let (wider_limit, wider_time) = limit(&d, &m, &wider);
    let gain = ratio(own_time, wider_time);
    Some(if gain >= WORTH_TRYING {
        Advice::Nothing {
            limit: named(own_limit, &m, &own),
            wider: Some(format!("{} ≈{gain:.1}×", width(&wider))),
        }
    } else {
        Advice::Nothing {
            limit: named(wider_limit, &m, &wider),
            wider: None,
        }
    })
}

/// How wide a target is: `16 in flight` for async tasks, else `×16` workers.
fn width(t: &Target) -> String {
    match (t.mode, t.in_flight) {
        (crate::model::Mode::Async, Some(n)) => format!("{n} in flight"),
        _ => format!("×{}", t.workers),
    }
}

/// A resource with the figure that sets its capacity: `the server's concurrency 8`,
/// `8 answers at a time`, `the 2 cores`.
pub fn named(resource: Resource, m: &Machine, t: &Target) -> String {
    match resource {
        Resource::ServerConcurrency => match m.server_concurrency {
            Some(n) => format!("the server's concurrency {n:.0}"),
            None => resource.as_str().to_string(),
        },
        Resource::RateLimit => match m.rate_limit {
            Some(r) => format!("the server's rate limit {r:.0}/s"),
            None => resource.as_str().to_string(),
        },
        // Short: the run header gives the whole advice 80 columns.
        Resource::Network => match t.concurrency() {
            n if n <= 1.0 => "one answer at a time".to_string(),
            n => format!("{n:.0} answers at a time"),
        },
        Resource::Cpu => format!("the {:.0} cores", m.cores),
        other => other.as_str().to_string(),
    }
}
