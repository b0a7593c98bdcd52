//! A worker's ledger: where its wall time went (CPU, run queue, each wait), and its reading.

use crate::model::{WaitCategory, WorkerSnapshot, WAIT_CATEGORIES};
use crate::report::judge_worker;

/// One row of a ledger: what, seconds, share of the worker's wall time.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    pub what: &'static str,
    pub seconds: f64,
    pub share: f64,
}

/// The rows of `worker`'s ledger, largest first, with what is left of its wall time
/// (unaccounted) last when it is not negligible.
pub fn ledger_rows(worker: &WorkerSnapshot) -> Vec<LedgerRow> {
    let wall = worker.wall_s.max(f64::MIN_POSITIVE);
    let row = |what, seconds: f64| LedgerRow {
        what,
        seconds,
        share: seconds / wall,
    };
    let mut rows = vec![
        row("cpu", worker.cpu_s),
        row("run queue", worker.runqueue_s),
    ];
    for category in WAIT_CATEGORIES {
        let seconds = worker.waits.get(&category).copied().unwrap_or(0.0);
        let what = if category == WaitCategory::Queue {
            "idle"
        } else {
            category.as_str()
        };
        rows.push(row(what, seconds));
    }
    rows.retain(|r| r.seconds > 0.0);
    rows.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    let accounted: f64 = rows.iter().map(|r| r.seconds).sum();
    let rest = worker.wall_s - accounted;
    if rest > 0.01 * worker.wall_s {
        rows.push(row("unaccounted", rest));
    }
    rows
}

/// The ledger as lines of text: the worker, its wall time and reading, then its rows.
pub fn ledger_lines(worker: &WorkerSnapshot) -> Vec<String> {
    let verdict = judge_worker(worker);
    let mut lines = vec![format!(
        "{} · {:.2} s wall · {}",
        crate::sanitize::name(&worker.name),
        worker.wall_s,
        verdict.kind
    )];
    for row in ledger_rows(worker) {
        lines.push(format!(
            "{:<12} {:>8.3} s {:>5.1}%",
            row.what,
            row.seconds,
            row.share * 100.0
        ));
    }
    lines.push(verdict.detail);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gil_bound_worker_reads_as_one_and_its_rows_add_up() {
        let worker = WorkerSnapshot {
            name: "bs-threads-1".into(),
            wall_s: 2.0,
            cpu_s: 0.6,
            runqueue_s: 0.2,
            waits: [(WaitCategory::Gil, 1.1)].into_iter().collect(),
        };
        let rows = ledger_rows(&worker);
        let names: Vec<&str> = rows.iter().map(|r| r.what).collect();
        assert_eq!(names, vec!["gil", "cpu", "run queue", "unaccounted"]);
        let total: f64 = rows.iter().map(|r| r.share).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        let lines = ledger_lines(&worker);
        assert!(
            lines[0].contains("bs-threads-1") && lines[0].contains("gil-bound"),
            "{lines:?}"
        );
    }
}
