//! A scaling sweep: the same workload and mode at several worker counts, read as a curve —
//! speedup, parallel efficiency, the serial fraction it implies, and where it stops paying.

use super::repeated::Repeated;
use crate::model::RunReport;
use serde::Serialize;

/// One worker count's repeated runs.
#[derive(Debug, Clone, Serialize)]
pub struct SweepPoint {
    pub workers: usize,
    /// Spreads, and the speedup over the first point.
    #[serde(flatten)]
    pub stats: Repeated,
    /// Speedup per added worker: `speedup / (workers / first workers)`; 1.0 is perfect.
    pub efficiency: f64,
    /// The Karp–Flatt estimate of the serial fraction (none for the first point). It reads
    /// the curve as Amdahl's law, so it means something only up to the core count.
    pub serial_fraction: Option<f64>,
    /// The largest wait category and its share of the workers' time, if any waits.
    pub top_wait: Option<(String, f64)>,
}

/// Summarizes the runs of each worker count (`runs[i]` belongs to `workers[i]`).
pub fn summarize(workers: &[usize], runs: Vec<Vec<RunReport>>) -> Vec<SweepPoint> {
    let base_workers = workers.first().copied().unwrap_or(1).max(1);
    workers
        .iter()
        .zip(Repeated::against_first(runs))
        .map(|(&n, stats)| {
            let scale = n as f64 / base_workers as f64;
            SweepPoint {
                workers: n,
                efficiency: if scale > 0.0 {
                    stats.speedup / scale
                } else {
                    0.0
                },
                serial_fraction: karp_flatt(stats.speedup, scale),
                top_wait: stats.runs.last().and_then(top_wait),
                stats,
            }
        })
        .collect()
}

/// The experimentally determined serial fraction `e = (1/S - 1/p) / (1 - 1/p)` for speedup
/// `S` on `p` times the workers (Karp and Flatt, 1990). Clamped to 0..1.
pub fn karp_flatt(speedup: f64, scale: f64) -> Option<f64> {
    if scale <= 1.0 || speedup <= 0.0 {
        return None;
    }
    let e = (1.0 / speedup - 1.0 / scale) / (1.0 - 1.0 / scale);
    Some(e.clamp(0.0, 1.0))
}

/// The biggest wait of a run, as a share of its workers' summed wall time.
fn top_wait(report: &RunReport) -> Option<(String, f64)> {
    let wall: f64 = report.worker_stats.iter().map(|w| w.wall_s).sum();
    let (category, seconds) = report.waits.iter().max_by(|a, b| a.1.total_cmp(b.1))?;
    (wall > 0.0 && *seconds > 0.0).then(|| (category.as_str().to_string(), seconds / wall))
}

/// The point with the highest throughput.
pub fn best(points: &[SweepPoint]) -> Option<&SweepPoint> {
    points.iter().max_by(|a, b| {
        a.stats
            .items_per_s
            .mean
            .total_cmp(&b.stats.items_per_s.mean)
    })
}

/// What the curve says, in a sentence or two.
pub fn reading(points: &[SweepPoint], cores: usize) -> String {
    let (Some(first), Some(last), Some(peak)) = (points.first(), points.last(), best(points))
    else {
        return String::new();
    };
    if points.len() == 1 {
        return format!("one point only: {}", first.stats.reading());
    }
    let mut text = if peak.workers == first.workers {
        format!(
            "more workers do not help: {} worker(s) is already the fastest",
            first.workers
        )
    } else if peak.stats.speedup < 1.2 {
        format!(
            "more workers barely help: the best is {:.2}× of {} at {} workers, so the work \
             is serialized somewhere",
            peak.stats.speedup, first.workers, peak.workers
        )
    } else {
        format!(
            "throughput peaks at {} workers, {:.2}× of {} ({:.0}% efficient)",
            peak.workers,
            peak.stats.speedup,
            first.workers,
            peak.efficiency * 100.0
        )
    };
    if peak.workers != last.workers {
        text += &format!(
            "; at {} workers it is {:.2}×",
            last.workers, last.stats.speedup
        );
    }
    // Karp–Flatt reads a curve as Amdahl's law, which holds only while each worker has a
    // core: past the core count the drop is the cores running out, not serial work.
    let within_cores = points
        .iter()
        .rev()
        .find(|p| p.workers <= cores && p.serial_fraction.is_some());
    if let Some(point) = within_cores {
        if let Some(e) = point.serial_fraction.filter(|e| *e >= 0.05) {
            text += &format!(
                "; up to {} workers the curve implies a serial fraction of {:.0}% (Amdahl's \
                 ceiling {:.1}×)",
                point.workers,
                e * 100.0,
                1.0 / e
            );
        }
    }
    if last.workers > cores && last.efficiency < 0.8 {
        text += &format!(
            "; past {cores} workers there are more workers than cores ({:.2} busy cores at {})",
            last.stats.busy_cores.mean, last.workers
        );
    }
    if let Some((category, share)) = &last.top_wait {
        if *share >= 0.2 {
            text += &format!(
                "; at {} workers they wait on {category} {:.0}% of the time",
                last.workers,
                share * 100.0
            );
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{WaitCategory, WorkerSnapshot};

    fn run(wall_s: f64, items: u64) -> RunReport {
        RunReport {
            wall_s,
            items_per_s: items as f64 / wall_s,
            checksum: "c".into(),
            verdict: Some(crate::model::VerdictKind::CpuBound),
            ..RunReport::default()
        }
    }

    #[test]
    fn karp_flatt_is_zero_for_linear_and_one_for_no_speedup() {
        assert_eq!(karp_flatt(4.0, 4.0), Some(0.0));
        assert_eq!(karp_flatt(1.0, 4.0), Some(1.0));
        let e = karp_flatt(2.0, 4.0).expect("defined past one worker");
        assert!((e - 1.0 / 3.0).abs() < 1e-9, "{e}");
        assert_eq!(karp_flatt(1.0, 1.0), None);
    }

    #[test]
    fn speedup_and_efficiency_are_relative_to_the_first_point() {
        let points = summarize(
            &[1, 2, 4],
            vec![
                vec![run(4.0, 100)],
                vec![run(2.0, 100)],
                vec![run(1.6, 100)],
            ],
        );
        assert_eq!(points.len(), 3);
        assert!((points[1].stats.speedup - 2.0).abs() < 1e-9);
        assert!((points[1].efficiency - 1.0).abs() < 1e-9);
        assert!((points[2].stats.speedup - 2.5).abs() < 1e-9);
        assert!((points[2].efficiency - 0.625).abs() < 1e-9);
        assert_eq!(points[0].serial_fraction, None);
        assert_eq!(best(&points).map(|p| p.workers), Some(4));
    }

    #[test]
    fn reading_names_the_peak_the_serial_fraction_and_the_dominant_wait() {
        let mut gil_bound = run(3.0, 100);
        gil_bound.waits.insert(WaitCategory::Gil, 6.0);
        gil_bound.worker_stats = vec![
            WorkerSnapshot {
                wall_s: 3.0,
                ..WorkerSnapshot::default()
            };
            4
        ];
        let points = summarize(
            &[1, 2, 4],
            vec![vec![run(4.0, 100)], vec![run(2.5, 100)], vec![gil_bound]],
        );
        let text = reading(&points, 2);
        assert!(text.contains("peaks at 2 workers, 1.60×"), "{text}");
        assert!(text.contains("at 4 workers it is 1.33×"), "{text}");
        assert!(
            text.contains("up to 2 workers the curve implies a serial fraction of 25%"),
            "{text}"
        );
        assert!(text.contains("more workers than cores"), "{text}");
        assert!(text.contains("wait on gil 50%"), "{text}");
    }

    #[test]
    fn reading_says_when_more_workers_do_not_help() {
        let points = summarize(&[1, 2], vec![vec![run(1.0, 100)], vec![run(1.1, 100)]]);
        assert!(reading(&points, 2).starts_with("more workers do not help"));
        let points = summarize(&[1, 2], vec![vec![run(1.0, 100)], vec![run(0.9, 100)]]);
        let text = reading(&points, 2);
        assert!(
            text.starts_with("more workers barely help: the best is 1.11×"),
            "{text}"
        );
    }
}
