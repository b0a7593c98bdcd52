//! What a scenario's lines teach, beyond their wall times: where each line's worker time
//! went, a DAG run's theoretical and achieved phase speedups, a PostgreSQL run's connection
//! states, and lines read as successive steps with their cumulative improvement (the ETL
//! write-up's table: 131 s → 68 s → 29.6 s).

use crate::model::pg_activity::PgActivity;
use crate::model::RunReport;
use std::fmt::Write;

/// Smallest share of worker time a wait needs to be named.
const NAMED_SHARE: f64 = 0.01;

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}

/// "cpu 62%, run queue 3%, gil 20%": shares of the workers' summed wall time over `runs`.
pub fn time_split(runs: &[RunReport]) -> String {
    let workers = runs.iter().flat_map(|r| &r.worker_stats);
    let wall: f64 = workers.clone().map(|w| w.wall_s).sum();
    if wall <= 0.0 {
        return "no worker time".into();
    }
    let pct = |x: f64| format!("{:.0}%", x / wall * 100.0);
    let cpu: f64 = workers.clone().map(|w| w.cpu_s).sum();
    let queue: f64 = workers.clone().map(|w| w.runqueue_s).sum();
    let mut parts = vec![format!("cpu {}", pct(cpu))];
    if queue / wall >= NAMED_SHARE {
        parts.push(format!("run queue {}", pct(queue)));
    }
    let mut waits: Vec<(&str, f64)> = Vec::new();
    for worker in workers {
        for (category, seconds) in &worker.waits {
            match waits
                .iter_mut()
                .find(|(name, _)| *name == category.as_str())
            {
                Some(entry) => entry.1 += seconds,
                None => waits.push((category.as_str(), *seconds)),
            }
        }
    }
    waits.sort_by(|a, b| b.1.total_cmp(&a.1));
    parts.extend(
        waits
            .iter()
            .filter(|(_, s)| s / wall >= NAMED_SHARE)
            .map(|(name, s)| format!("{name} {}", pct(*s))),
    );
    parts.join(", ")
}

/// The notes of one line: its time split, and its phase speedups and PostgreSQL
/// connections when it has them.
pub fn line_notes(runs: &[RunReport]) -> Vec<String> {
    let mut notes = vec![format!("worker time: {}", time_split(runs))];
    let timelines: Vec<_> = runs
        .iter()
        .filter_map(|r| r.findings.timeline.as_ref())
        .collect();
    if !timelines.is_empty() {
        notes.push(format!(
            "phases: theoretical speedup {:.2}×, achieved {:.2}× (critical path {:.2} s of {:.2} s of stage time)",
            mean(timelines.iter().map(|t| t.theoretical_speedup)),
            mean(timelines.iter().map(|t| t.achieved_speedup)),
            mean(timelines.iter().map(|t| t.critical_path_s)),
            mean(timelines.iter().map(|t| t.stages_sum_s)),
        ));
    }
    if let Some(pg) = pooled_pg_activity(runs) {
        notes.push(format!("postgres connections: {}", pg.line()));
    }
    notes
}

/// Every run's `pg_activity` samples as one, or `None` when no run has any.
pub fn pooled_pg_activity(runs: &[RunReport]) -> Option<PgActivity> {
    let all: Vec<&PgActivity> = runs.iter().filter_map(|r| r.pg_activity.as_ref()).collect();
    let first = all.first()?;
    let series = all.iter().flat_map(|a| a.series.iter().cloned()).collect();
    Some(PgActivity::from_series(
        &first.application_name,
        first.interval_ms,
        series,
    ))
}

/// Lines read as successive steps: each one's mean wall time, its improvement over the
/// step before, and the cumulative improvement over the first.
pub fn progression_text(steps: &[(String, f64)]) -> String {
    let width = steps
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<width$}  {:>9}  {:>11}  {:>10}",
        "step", "wall s", "improvement", "cumulative"
    );
    let first = steps.first().map_or(0.0, |(_, w)| *w);
    let gain = |before: f64, now: f64| match before > 0.0 {
        true => format!("{:.0}%", (1.0 - now / before) * 100.0),
        false => "-".to_string(),
    };
    for (i, (label, wall)) in steps.iter().enumerate() {
        let (step, total) = match i {
            0 => ("-".to_string(), "-".to_string()),
            _ => (gain(steps[i - 1].1, *wall), gain(first, *wall)),
        };
        let _ = writeln!(s, "{label:<width$}  {wall:>9.3}  {step:>11}  {total:>10}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{WaitCategory, WorkerSnapshot};

    #[test]
    fn steps_show_the_gain_over_the_previous_and_the_first() {
        let steps = vec![
            ("baseline".to_string(), 131.0),
            ("reuse".to_string(), 68.0),
            ("parallel".to_string(), 29.6),
        ];
        let text = progression_text(&steps);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[2].contains("48%") && lines[2].ends_with("48%"),
            "{text}"
        );
        assert!(
            lines[3].contains("56%") && lines[3].ends_with("77%"),
            "{text}"
        );
    }

    #[test]
    fn the_time_split_names_cpu_and_the_waits_that_matter() {
        let worker = WorkerSnapshot {
            name: "w".into(),
            wall_s: 2.0,
            cpu_s: 1.0,
            runqueue_s: 0.001,
            waits: [(WaitCategory::Gil, 0.9), (WaitCategory::Disk, 0.001)].into(),
        };
        let report = RunReport {
            worker_stats: vec![worker],
            ..RunReport::default()
        };
        assert_eq!(time_split(&[report]), "cpu 50%, gil 45%");
    }
}
