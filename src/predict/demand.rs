//! A run's demand on each resource, read from its ledger: what the work itself needs,
//! whatever the mode (contention — run queue, lock waits, idle time — is left out).

use crate::model::{RunReport, WaitCategory};

/// What can limit a run: a resource of the machine or the other side, or the work's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// The cores left free by the rest of the machine.
    Cpu,
    /// The (simulated) interpreter lock: one per process.
    Gil,
    /// SQLite's single writer.
    SqliteWriter,
    /// PostgreSQL, one connection per worker.
    Postgres,
    /// Network answers: one request in flight per worker (or per async task).
    Network,
    /// The API server's `--concurrency`.
    ServerConcurrency,
    /// The API server's `--rate-limit`.
    RateLimit,
    /// File reads and writes.
    Disk,
    /// The stages' dependencies: the critical path cannot overlap.
    StageOrder,
    /// The workers themselves: each unit's CPU and waits, one after another on its worker.
    Workers,
}

impl Resource {
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Cpu => "cores",
            Resource::Gil => "the GIL",
            Resource::SqliteWriter => "the SQLite writer",
            Resource::Postgres => "PostgreSQL connections",
            Resource::Network => "network answers",
            Resource::ServerConcurrency => "the server's --concurrency",
            Resource::RateLimit => "the server's --rate-limit",
            Resource::Disk => "disk",
            Resource::StageOrder => "stage order",
            Resource::Workers => "workers",
        }
    }
}

/// Seconds of demand per resource, summed over the run's workers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Demand {
    /// Core-seconds of the workers' CPU.
    pub cpu_s: f64,
    /// CPU-seconds that run under the interpreter lock when there is one: all of the
    /// workers' CPU (the simulated lock, like CPython's, is let go only around waits).
    pub gil_s: f64,
    /// CPU-seconds and wait seconds while holding SQLite's write lock (the `insert` phases).
    pub writer_cpu_s: f64,
    pub writer_wait_s: f64,
    /// Seconds in PostgreSQL calls.
    pub postgres_s: f64,
    pub net_s: f64,
    pub disk_s: f64,
    /// Waits neither shared nor limited elsewhere (SQLite's reads and commits outside the
    /// writer's phases).
    pub other_wait_s: f64,
    /// Requests made (for a rate limit).
    pub requests: f64,
    /// Each unit's share of the run's own work (summing to 1): how finely it divides.
    pub unit_shares: Vec<f64>,
    /// The longest chain of dependent stages, in seconds (0 without stages).
    pub critical_path_s: f64,
    /// Wall time no worker spent working (starting the pool, the last worker finishing
    /// after the others): it does not overlap with the work, whatever the mode.
    pub fixed_s: f64,
}

impl Demand {
    pub fn of(report: &RunReport) -> Demand {
        let wait = |c: WaitCategory| report.waits.get(&c).copied().unwrap_or(0.0);
        let cpu_s: f64 = report.worker_stats.iter().map(|w| w.cpu_s).sum();
        let db = report
            .options
            .get("db")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let sqlite = db.starts_with("sqlite");
        let (writer_cpu_s, writer_wait_s) = if sqlite {
            writer_phases(report)
        } else {
            (0.0, 0.0)
        };
        let (postgres_s, db_left) = if sqlite || db.is_empty() {
            (0.0, wait(WaitCategory::Db))
        } else {
            (wait(WaitCategory::Db), 0.0)
        };
        Demand {
            cpu_s,
            gil_s: cpu_s,
            writer_cpu_s,
            writer_wait_s,
            postgres_s,
            net_s: wait(WaitCategory::Net),
            disk_s: wait(WaitCategory::Disk),
            other_wait_s: (db_left - writer_wait_s).max(0.0),
            requests: number(report, "requests"),
            unit_shares: unit_shares(report),
            critical_path_s: critical_path(report),
            fixed_s: (report.wall_s - longest_worker(report)).max(0.0),
        }
    }

    /// Every unit's own seconds, one after another: CPU at full speed plus its waits.
    pub fn waits_s(&self) -> f64 {
        self.postgres_s + self.net_s + self.disk_s + self.other_wait_s + self.writer_wait_s
    }
}

fn longest_worker(report: &RunReport) -> f64 {
    report
        .worker_stats
        .iter()
        .map(|w| w.wall_s)
        .fold(0.0, f64::max)
}

/// An option's number in the report (`requests`, `concurrency`); 0 when absent.
pub(super) fn number(report: &RunReport, name: &str) -> f64 {
    report
        .options
        .get(name)
        .and_then(serde_json::Value::as_f64)
        .unwrap_or(0.0)
}

/// CPU and waits inside SQLite's write transactions: every phase with an `insert` step.
fn writer_phases(report: &RunReport) -> (f64, f64) {
    let mut cpu = 0.0;
    let mut waits = 0.0;
    for phase in &report.phases {
        if !phase.phase.split('/').any(|step| step == "insert") {
            continue;
        }
        for (cause, seconds) in &phase.causes {
            match cause.as_str() {
                "cpu" => cpu += seconds,
                "db wait" | "disk wait" => waits += seconds,
                _ => {}
            }
        }
    }
    (cpu, waits)
}

/// Each unit's span as a share of all units' spans (their own work in a sequential run).
fn unit_shares(report: &RunReport) -> Vec<f64> {
    let spans: Vec<f64> = report
        .units
        .iter()
        .map(|u| (u.end_s - u.start_s).max(0.0))
        .collect();
    let total: f64 = spans.iter().sum();
    if total <= 0.0 {
        return Vec::new();
    }
    spans.iter().map(|s| s / total).collect()
}

/// The stage timeline's critical path (the stages' own work when the run was sequential;
/// a concurrent run's spans also hold contention).
fn critical_path(report: &RunReport) -> f64 {
    report
        .findings
        .timeline
        .as_ref()
        .map_or(0.0, |t| t.critical_path_s)
}
