//! Which concurrency would help, predicted from one run: the run's demand on each resource
//! (its ledger) ÷ that resource's capacity in another mode and worker count. A run takes at
//! least the largest of these quotients (the bottleneck law of operational analysis), and
//! at least its busiest worker's own work; the largest bound is the prediction and names
//! the bottleneck. Pure: a report in, predictions out.

mod advice;
mod capacity;
mod demand;
mod schedule;
#[cfg(test)]
mod tests;

pub use advice::{advice, Advice, WORTH_TRYING};
pub use capacity::{Machine, Target};
pub use demand::{Demand, Resource};

use crate::model::{Mode, Prediction, RunReport};

/// The worker count every prediction list holds beside the machine's cores.
pub const WIDE: usize = 8;

/// Seconds each resource would hold `target` to, with the demand and machine of one run.
pub fn bounds(d: &Demand, m: &Machine, t: &Target) -> Vec<(Resource, f64)> {
    // With the lock, only its holders run: a thread pool wants one core at a time.
    let running = if t.gil {
        t.lanes().min(t.locks())
    } else {
        t.lanes()
    };
    let share = m.share(running);
    // A lock per running thread (a process pool) limits nothing the cores do not.
    let gil_s = if t.gil && t.locks() < t.lanes() {
        d.gil_s
    } else {
        0.0
    };
    let concurrency = t.concurrency();
    let own = d.cpu_s / share + d.waits_s();
    let served = m
        .server_concurrency
        .map_or(concurrency, |c| c.min(concurrency));
    let server = if served < concurrency {
        Resource::ServerConcurrency
    } else {
        Resource::Network
    };
    let mut out = vec![
        // The more specific limits first: near-ties go to them.
        (Resource::Gil, gil_s / m.cores_for(running.min(t.locks()))),
        // The threads queued for the write lock sleep: the writer competes for a core with
        // the rest of the machine, not with them.
        (
            Resource::SqliteWriter,
            d.writer_cpu_s / m.share(running.min(m.cores)) + d.writer_wait_s,
        ),
        (Resource::Postgres, d.postgres_s / concurrency),
        (server, d.net_s / served),
        (Resource::Disk, d.disk_s / concurrency),
        (Resource::StageOrder, d.critical_path_s),
        (Resource::Cpu, d.cpu_s / m.cores_for(running)),
        (
            Resource::Workers,
            own * schedule::busiest_share(&d.unit_shares, concurrency as usize),
        ),
    ];
    if let Some(rate) = m.rate_limit {
        out.push((Resource::RateLimit, d.requests / rate));
    }
    out
}

/// The predicted time (the largest bound, after the time that never overlaps) and what
/// limits it: the busiest worker's own work is named by its
/// largest part (a worker waiting on answers is limited by the answers).
pub fn limit(d: &Demand, m: &Machine, t: &Target) -> (Resource, f64) {
    let all = bounds(d, m, t);
    let top = all.iter().map(|(_, s)| *s).fold(0.0, f64::max);
    // Near-ties go to a resource before the workers' own work (listed last).
    let (resource, _) = all
        .iter()
        .find(|(_, s)| *s >= top * 0.98)
        .copied()
        .unwrap_or((Resource::Workers, 0.0));
    let named = match resource {
        Resource::Workers => largest_part(d, m, t),
        other => other,
    };
    (named, d.fixed_s + top)
}

fn largest_part(d: &Demand, m: &Machine, t: &Target) -> Resource {
    let running = if t.gil { 1.0 } else { t.lanes() };
    let parts = [
        (Resource::Cpu, d.cpu_s / m.share(running)),
        (Resource::Network, d.net_s),
        (Resource::Postgres, d.postgres_s),
        (Resource::Disk, d.disk_s),
        (Resource::SqliteWriter, d.writer_wait_s + d.other_wait_s),
    ];
    parts
        .into_iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(Resource::Workers, |(r, _)| r)
}

/// `target` predicted from `report`: its speedup over the run itself, its bottleneck, and
/// what twice the workers would reach.
pub fn predict(report: &RunReport, target: Target) -> Prediction {
    let d = Demand::of(report);
    let m = Machine::of(report);
    let (_, base) = limit(&d, &m, &Target::of(report));
    let (bottleneck, time) = limit(&d, &m, &target);
    let wider = doubled(target);
    let (next, wider_time) = limit(&d, &m, &wider);
    Prediction {
        mode: target.mode,
        workers: target.workers,
        gil: target.gil,
        speedup: ratio(base, time),
        bottleneck: bottleneck.as_str().to_string(),
        next_limit: format!(
            "×{}: {:.1}× ({})",
            wider.workers,
            ratio(base, wider_time),
            next.as_str()
        ),
    }
}

fn doubled(t: Target) -> Target {
    Target {
        mode: if t.mode == Mode::Sequential {
            Mode::Threads
        } else {
            t.mode
        },
        workers: t.workers * 2,
        in_flight: t.in_flight.map(|n| n * 2),
        ..t
    }
}

fn ratio(base: f64, time: f64) -> f64 {
    if time > 0.0 {
        base / time
    } else {
        0.0
    }
}

/// The predictions a report carries: threads, async and processes at the machine's core
/// count and at [`WIDE`] workers, with the run's lock setting (rayon shares threads'
/// resources, so it is left out).
pub fn menu(report: &RunReport) -> Vec<Prediction> {
    let mut counts = vec![report.cores.max(2), WIDE];
    counts.dedup();
    let mut out = Vec::new();
    for mode in [Mode::Threads, Mode::Async, Mode::Processes] {
        if mode == Mode::Processes && !runs_in_processes(report) {
            continue;
        }
        for &workers in &counts {
            let target = Target {
                mode,
                workers,
                in_flight: None,
                gil: report.gil,
            };
            out.push(predict(report, target));
        }
    }
    out
}

/// Whether the run's workload could run as `processes` (as `WorkloadSpec::check_processes`
/// decides): not the ETL, whose stages share memory, nor an in-memory SQLite database (a
/// report names it `sqlite::memory:`). A line that cannot run is no advice.
fn runs_in_processes(report: &RunReport) -> bool {
    let db = report.options.get("db").and_then(|v| v.as_str());
    report.workload != "etl-pipeline" && db != Some("sqlite::memory:")
}

/// The run's own bottleneck and what lifting it would give: `the GIL: without it ≈1.8×`;
/// when that is no real gain, it says nothing would help (`the 2 cores: nothing would help
/// (twice the workers would give ≈1.0×)`).
pub fn verdict_clause(report: &RunReport) -> String {
    let d = Demand::of(report);
    let m = Machine::of(report);
    let own = Target::of(report);
    let (resource, time) = limit(&d, &m, &own);
    let (how, lifted) = lift(resource, d.clone(), m, own);
    let (_, after) = limit(&lifted.0, &lifted.1, &lifted.2);
    let gain = ratio(time, after);
    if gain >= WORTH_TRYING {
        let name = advice::named(resource, &m, &own);
        return format!("the limit is {name}: {how} ≈{gain:.1}×");
    }
    // What holds the run even with twice its workers is the limit worth naming (a server
    // that serves 8 at a time, not the 8 answers the run waited for).
    let wider = doubled(own);
    let (held, _) = limit(&d, &m, &wider);
    let name = advice::named(held, &m, &wider);
    format!("the limit is {name}: nothing would help ({how} ≈{gain:.1}×)")
}

/// The same run with `resource` lifted, and how it is said.
fn lift(
    resource: Resource,
    mut d: Demand,
    mut m: Machine,
    t: Target,
) -> (&'static str, (Demand, Machine, Target)) {
    let how = match resource {
        // Cores short of the workers (the machine is busy): free ones would help; else
        // only more workers can use more cores.
        Resource::Cpu if m.cores_for(t.lanes()) < 0.9 * t.lanes() => {
            m.others = 0.0;
            m.cores = m.cores.max(t.lanes());
            "a free core per worker would give"
        }
        Resource::Gil => {
            d.gil_s = 0.0;
            return ("without it", (d, m, Target { gil: false, ..t }));
        }
        Resource::SqliteWriter => {
            d.writer_cpu_s = 0.0;
            d.writer_wait_s = 0.0;
            "without its single writer"
        }
        Resource::ServerConcurrency => {
            m.server_concurrency = None;
            "without the server's limit"
        }
        Resource::RateLimit => {
            m.rate_limit = None;
            "without the rate limit"
        }
        Resource::StageOrder => {
            d.critical_path_s = 0.0;
            "without the dependencies"
        }
        _ => return ("twice the workers would give", (d, m, doubled(t))),
    };
    (how, (d, m, t))
}

/// Options that differ between runs of the same work: where it ran, what it resolved, how
/// (the mode's own knobs and transport), when each stage ran, and where its output went
/// (a fresh directory per run unless one is given).
const PER_RUN_OPTIONS: [&str; 10] = [
    "base_url",
    "async_connections",
    "out_dir",
    "server_pid",
    "db",
    "totals",
    "in_flight",
    "async",
    "transport",
    "stages",
];

/// `other`'s mode, worker count and lock predicted from `first`, when both did the same work
/// (same workload, units and options): a faster parser or a bigger input is other work,
/// which no ledger of this one predicts.
pub fn predict_like(first: &RunReport, other: &RunReport) -> Option<Prediction> {
    // A program's own concurrency is not a mode the model knows how to change.
    if first.mode == crate::model::Mode::Exec {
        return None;
    }
    same_work(first, other).then(|| predict(first, Target::of(other)))
}

/// Whether two runs did the same work, whatever their mode, workers and lock: the same
/// workload over the same units with the same options.
pub fn same_work(a: &RunReport, b: &RunReport) -> bool {
    // Programs compared with one another (a scenario's CPython twins) are taken to do one
    // piece of work: what they do is their own, not a workload's options.
    if a.mode == crate::model::Mode::Exec && b.mode == crate::model::Mode::Exec {
        return true;
    }
    a.workload == b.workload && a.units_total == b.units_total && work_options(a) == work_options(b)
}

fn work_options(report: &RunReport) -> serde_json::Value {
    let mut options = report.options.clone();
    if let Some(map) = options.as_object_mut() {
        map.retain(|key, _| !PER_RUN_OPTIONS.contains(&key.as_str()));
    }
    options
}
