//! Stage timelines of DAG workloads (`etl-pipeline`): per-stage start and end, the critical
//! path, the theoretical speedup of running independent stages at once and the achieved
//! one, and an ASCII timeline for the summary.
//!
//! Definitions (durations are the stages' measured ones, from this run):
//! - critical path: the chain of dependent stages with the largest summed duration;
//! - theoretical speedup = (sum of all stage durations) / (critical path length): what
//!   unlimited workers would gain over running every stage one after another;
//! - achieved speedup = (sum of all stage durations) / (wall time of the run).
//!
//! A stage's span is its own work: [`StageRun::span`] when the workload measured it, else
//! its unit's span (which, in concurrent modes, includes the time the
//! stage waited for its dependencies).

use crate::model::{StageSpan, Timeline, UnitSummary};
use crate::workload::StageRun;
use std::fmt::Write;

/// Columns of the timeline's bars.
pub const BAR_WIDTH: usize = 50;

/// Builds the timeline from the report's units (`label` = stage name) and the workload's
/// stages (in the DAG's order); `None` when the workload has no stages.
pub fn compute(units: &[UnitSummary], defs: &[StageRun], wall_s: f64) -> Option<Timeline> {
    if defs.is_empty() {
        return None;
    }
    let mut stages: Vec<StageSpan> = defs
        .iter()
        .map(|def| {
            let unit = units.iter().find(|u| u.label == def.name);
            let (start_s, end_s) = match (def.span, unit) {
                (Some((start, end)), _) => (start, end.max(start)),
                (None, Some(u)) => (u.start_s, u.end_s.max(u.start_s)),
                (None, None) => (0.0, 0.0),
            };
            StageSpan {
                name: def.name.clone(),
                after: def.after.clone(),
                start_s,
                end_s,
                duration_s: end_s - start_s,
                critical: false,
                failed: unit.is_some_and(|u| u.error.is_some()),
                missing: unit.is_none(),
                worker: unit.map(|u| u.worker.clone()).unwrap_or_default(),
            }
        })
        .collect();
    // Times count from the first stage's start: the run's clock also covers set-up (the
    // sampler starting) that is not part of the wall time.
    let origin = stages
        .iter()
        .filter(|st| !st.missing)
        .map(|st| st.start_s)
        .fold(f64::INFINITY, f64::min);
    if origin.is_finite() {
        for st in stages.iter_mut().filter(|st| !st.missing) {
            st.start_s -= origin;
            st.end_s -= origin;
        }
    }
    let path = critical_path(&stages);
    let critical_path_s: f64 = path.iter().map(|&i| stages[i].duration_s).sum();
    for &i in &path {
        stages[i].critical = true;
    }
    let stages_sum_s: f64 = stages.iter().map(|s| s.duration_s).sum();
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    Some(Timeline {
        critical_path: path.iter().map(|&i| stages[i].name.clone()).collect(),
        critical_path_s,
        stages_sum_s,
        wall_s,
        theoretical_speedup: ratio(stages_sum_s, critical_path_s),
        achieved_speedup: ratio(stages_sum_s, wall_s),
        stages,
    })
}

/// Longest path by duration; stages are in topological order (a dependency listed later,
/// or unknown, is ignored). Returns stage indices, first to last.
fn critical_path(stages: &[StageSpan]) -> Vec<usize> {
    let n = stages.len();
    let mut best = vec![0.0f64; n];
    let mut via: Vec<Option<usize>> = vec![None; n];
    for i in 0..n {
        let mut longest = 0.0;
        for dep in &stages[i].after {
            let Some(d) = stages[..i].iter().position(|s| &s.name == dep) else {
                continue;
            };
            if via[i].is_none() || best[d] > longest {
                longest = best[d];
                via[i] = Some(d);
            }
        }
        best[i] = longest + stages[i].duration_s;
    }
    let Some(mut last) = (0..n).max_by(|&a, &b| best[a].total_cmp(&best[b]).then(b.cmp(&a))) else {
        return Vec::new();
    };
    let mut path = vec![last];
    while let Some(prev) = via[last] {
        path.push(prev);
        last = prev;
    }
    path.reverse();
    path
}

/// A duration as the timeline prints it: milliseconds under a second, else seconds.
pub fn seconds(s: f64) -> String {
    if s < 1.0 {
        format!("{:.0} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

/// The ASCII timeline: one row per stage (a bar from start to end over `BAR_WIDTH`
/// columns, its duration, `*` on the critical path), then the speedups.
pub fn render(t: &Timeline) -> String {
    let mut s = String::new();
    let span = t.span_s();
    // Stage names come from a pipeline file: printed sanitized, and lined up so.
    let shown = |name: &str| crate::sanitize::name(name).into_owned();
    let name_width = t
        .stages
        .iter()
        .map(|st| shown(&st.name).chars().count())
        .max()
        .unwrap_or(4);
    let _ = writeln!(s, "  timeline  (0 → {}; * = critical path)", seconds(span));
    for st in &t.stages {
        let mut bar = vec![' '; BAR_WIDTH];
        if let Some(columns) = t.bar_columns(st, BAR_WIDTH) {
            let fill = if st.failed { 'x' } else { '█' };
            for c in &mut bar[columns] {
                *c = fill;
            }
        }
        let bar: String = bar.into_iter().collect();
        let mark = if st.critical { '*' } else { ' ' };
        let note = if st.missing {
            "  (did not run)"
        } else if st.failed {
            "  (failed)"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "  {mark} {:<name_width$} |{bar}| {:>8}{note}",
            shown(&st.name),
            seconds(st.duration_s)
        );
    }
    let _ = writeln!(
        s,
        "  critical path  {} = {}",
        shown(&t.critical_path.join(" → ")),
        seconds(t.critical_path_s)
    );
    let _ = writeln!(
        s,
        "  speedup   theoretical {:.2}× (stages {} ÷ critical path {}), achieved {:.2}× (÷ wall {}) = {:.0}% of it",
        t.theoretical_speedup,
        seconds(t.stages_sum_s),
        seconds(t.critical_path_s),
        t.achieved_speedup,
        seconds(t.wall_s),
        if t.theoretical_speedup > 0.0 {
            t.achieved_speedup / t.theoretical_speedup * 100.0
        } else {
            0.0
        }
    );
    s
}

/// A finished unit labelled `label` that ran from `start_s` to `end_s`: for tests of the
/// timeline and of what draws it.
#[cfg(test)]
pub(crate) fn test_unit(label: &str, start_s: f64, end_s: f64) -> UnitSummary {
    UnitSummary {
        unit: 0,
        label: label.into(),
        items: 0,
        bytes: 0,
        rejected: 0,
        digest: 0,
        error: None,
        worker: "bs-threads-0".into(),
        start_s,
        end_s,
    }
}

/// A stage named `name` that runs after `after`, its own span not measured (its unit's
/// counts): for tests of the timeline and of what draws it.
#[cfg(test)]
pub(crate) fn test_stage(name: &str, after: &[&str]) -> StageRun {
    StageRun {
        name: name.into(),
        after: after.iter().map(|s| s.to_string()).collect(),
        span: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::{test_stage as stage, test_unit as unit};

    fn dag() -> Vec<StageRun> {
        vec![
            stage("a", &[]),
            stage("b", &[]),
            stage("c", &[]),
            stage("load", &["a", "b", "c"]),
            stage("x", &["load"]),
            stage("y", &["load"]),
        ]
    }

    #[test]
    fn parallel_run_finds_the_critical_path_and_speedups() {
        let units = [
            unit("a", 0.0, 0.2),
            unit("b", 0.0, 0.3),
            unit("c", 0.0, 0.1),
            unit("load", 0.3, 0.35),
            unit("x", 0.35, 0.40),
            unit("y", 0.35, 0.37),
        ];
        let t = compute(&units, &dag(), 0.4).expect("timeline");
        assert_eq!(t.critical_path, ["b", "load", "x"]);
        assert!((t.critical_path_s - 0.40).abs() < 1e-9);
        assert!((t.stages_sum_s - 0.72).abs() < 1e-9);
        assert!((t.theoretical_speedup - 1.8).abs() < 1e-9);
        assert!((t.achieved_speedup - 1.8).abs() < 1e-9);
        let text = render(&t);
        for name in ["a", "b", "load", "x", "y"] {
            assert!(text.contains(&format!(" {name} ")), "{text}");
        }
        assert!(text.contains("* b "), "{text}");
        assert!(text.contains("  c "), "{text}");
        assert!(text.contains("theoretical 1.80×"), "{text}");
        let rows: Vec<&str> = text.lines().filter(|l| l.contains('|')).collect();
        assert_eq!(rows.len(), 6);
        assert!(rows
            .iter()
            .all(|r| r.split('|').nth(1).map(|b| b.chars().count()) == Some(BAR_WIDTH)));
    }

    #[test]
    fn sequential_run_achieves_about_one() {
        let mut at = 0.0;
        let units: Vec<UnitSummary> = ["a", "b", "c", "load", "x", "y"]
            .iter()
            .map(|n| {
                let u = unit(n, at, at + 0.1);
                at += 0.1;
                u
            })
            .collect();
        let t = compute(&units, &dag(), 0.61).expect("timeline");
        assert!(t.achieved_speedup <= 1.0 && t.achieved_speedup > 0.95);
        assert!((t.theoretical_speedup - 2.0).abs() < 1e-9);
    }

    #[test]
    fn measured_stage_spans_win_over_unit_spans_that_include_dependency_waits() {
        let mut stages = dag();
        stages[3].span = Some((0.3, 0.35));
        let units = [unit("a", 0.0, 0.3), unit("load", 0.0, 0.35)];
        let t = compute(&units, &stages, 0.4).expect("timeline");
        assert!((t.stages[3].start_s - 0.3).abs() < 1e-9);
        assert!((t.stages[3].duration_s - 0.05).abs() < 1e-9);
    }

    #[test]
    fn no_stage_list_means_no_timeline_and_missing_stages_show() {
        assert!(compute(&[unit("a", 0.0, 0.1)], &[], 1.0).is_none());
        let t = compute(&[unit("a", 0.0, 0.1)], &dag(), 0.1).expect("timeline");
        assert!(t.stages[3].missing);
        assert!(render(&t).contains("(did not run)"));
    }
}
