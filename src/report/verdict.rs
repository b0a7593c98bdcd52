//! The one-line reading of a run: CPU-bound, IO-bound, GIL-bound, lock-bound or starved.

use crate::model::RunReport;
use crate::model::{Verdict, VerdictKind, WaitCategory};

/// Shares of the workers' summed wall time: CPU, run queue, and each wait category.
fn shares(report: &RunReport) -> (f64, f64, Vec<(WaitCategory, f64)>) {
    let wall: f64 = report.worker_stats.iter().map(|w| w.wall_s).sum();
    if wall <= 0.0 {
        return (0.0, 0.0, Vec::new());
    }
    let cpu: f64 = report.worker_stats.iter().map(|w| w.cpu_s).sum();
    let runqueue: f64 = report.worker_stats.iter().map(|w| w.runqueue_s).sum();
    let mut waits: Vec<(WaitCategory, f64)> =
        report.waits.iter().map(|(c, s)| (*c, s / wall)).collect();
    waits.sort_by(|a, b| b.1.total_cmp(&a.1));
    (cpu / wall, runqueue / wall, waits)
}

fn pct(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// Reads a finished report.
pub fn judge(report: &RunReport) -> Verdict {
    let (cpu, runqueue, waits) = shares(report);
    let (top_wait, top_share) = waits.first().copied().unwrap_or((WaitCategory::Queue, 0.0));
    let cores = format!(
        "{:.2} busy cores of {}",
        report.busy_cores,
        crate::model::workers(report.workers)
    );
    // Time in the run queue is the machine's (other load), not the program's: the lock's
    // share of the rest says as much on a busy machine as the whole's on an idle one.
    let off_queue = (1.0 - runqueue).max(1e-9);
    if top_wait == WaitCategory::Gil && (top_share >= 0.25 || top_share / off_queue >= 0.3) {
        return Verdict {
            kind: VerdictKind::GilBound,
            detail: format!(
                "workers waited {} of their time for the interpreter lock ({cores}): threads \
                 cannot add CPU here; processes can",
                pct(top_share)
            ),
        };
    }
    if cpu + runqueue >= 0.6 && runqueue >= 0.2 {
        return Verdict {
            kind: VerdictKind::CpuBound,
            detail: format!(
                "workers wanted a CPU {} of the time but waited for a free core {} of it \
                 ({cores}): more workers than cores, or other load on the machine",
                pct(cpu + runqueue),
                pct(runqueue)
            ),
        };
    }
    if cpu >= 0.6 {
        return Verdict {
            kind: VerdictKind::CpuBound,
            detail: format!(
                "workers were on a CPU {} of the time ({cores}): more cores or less work per \
                 item make it faster, more waiting workers do not",
                pct(cpu)
            ),
        };
    }
    match (top_wait, top_share >= 0.3) {
        (WaitCategory::Queue, true) => Verdict {
            kind: VerdictKind::Starved,
            detail: format!(
                "workers sat idle {} of the time with no work ({cores}): too few units for \
                 this many workers, or one slow unit at the end",
                pct(top_share)
            ),
        },
        (WaitCategory::DbLock, true) => Verdict {
            kind: VerdictKind::LockBound,
            detail: format!(
                "workers waited {} of their time for a database lock: writers queue behind \
                 each other; one writer would do as well",
                pct(top_share)
            ),
        },
        (WaitCategory::Lock, true) => Verdict {
            kind: VerdictKind::LockBound,
            detail: format!(
                "threads waited {} of their time on locks of the program's own (a mutex, a \
                 condition, a queue) ({cores}): they take turns; more threads do not help",
                pct(top_share)
            ),
        },
        (category @ (WaitCategory::Sleep | WaitCategory::Child | WaitCategory::Unknown), true) => {
            Verdict {
                kind: VerdictKind::Mixed,
                detail: format!(
                    "{} {} of the time ({cores}): no resource held it back that boundscope \
                     could name",
                    match category {
                        WaitCategory::Sleep => "threads slept on purpose (a timer, a rate limit)",
                        WaitCategory::Child => "threads waited for child processes to end",
                        _ => "threads waited for reasons that could not be told",
                    },
                    pct(top_share)
                ),
            }
        }
        (category, true) => Verdict {
            kind: VerdictKind::IoBound,
            detail: format!(
                "workers waited on {} {} of the time and were on a CPU {} ({cores}): more \
                 concurrent requests help until the other side saturates",
                category.as_str(),
                pct(top_share),
                pct(cpu)
            ),
        },
        _ => Verdict {
            kind: VerdictKind::Mixed,
            detail: format!(
                "CPU {} of worker time, no single wait dominates ({cores})",
                pct(cpu)
            ),
        },
    }
}

/// The reading of one worker alone, by the same rules as a run's (a ledger of one worker).
pub fn judge_worker(worker: &crate::model::WorkerSnapshot) -> Verdict {
    let report = RunReport {
        workers: 1,
        busy_cores: if worker.wall_s > 0.0 {
            worker.cpu_s / worker.wall_s
        } else {
            0.0
        },
        waits: worker.waits.clone(),
        worker_stats: vec![worker.clone()],
        ..RunReport::default()
    };
    judge(&report)
}
