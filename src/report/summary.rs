//! The short human summary printed at the end of `boundscope run`.

use crate::model::RunReport;
use crate::model::{thousands, Mode};
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn format_bytes_rate(mb_per_s: f64) -> String {
    if mb_per_s >= 1000.0 {
        format!("{:.2} GB/s", mb_per_s / 1000.0)
    } else {
        format!("{mb_per_s:.1} MB/s")
    }
}

pub fn summary_text(r: &RunReport) -> String {
    if r.mode == Mode::Exec {
        return program_summary(r);
    }
    let mut s = String::new();
    let gil = if r.gil { ", simulated GIL" } else { "" };
    let state = if r.interrupted {
        "stopped after"
    } else {
        "done in"
    };
    let _ = writeln!(
        s,
        "{} · {} × {}{gil} — {state} {:.2} s",
        r.workload,
        r.mode,
        crate::model::workers(r.workers),
        r.wall_s
    );
    let not_run = match r.units_not_run {
        0 => String::new(),
        n => format!(", {n} units not run"),
    };
    let _ = writeln!(
        s,
        "  items     {} ({} rejected, {} failed units{not_run})   {:.0} items/s   {}",
        thousands(r.items),
        thousands(r.rejected),
        r.errors,
        r.items_per_s,
        format_bytes_rate(r.mb_per_s)
    );
    let _ = writeln!(
        s,
        "  CPU       {:.2} s on {} cores → {:.2} busy cores",
        r.cpu_s, r.cores, r.busy_cores
    );
    if let Some(note) = &r.cpu_not_counted {
        let _ = writeln!(s, "  note      {note}");
    }
    // What `async` mode did with a blocking resource (csv-import: SQLite has no async driver).
    if r.mode == Mode::Async {
        if let Some(note) = r.options.get("async").and_then(|v| v.as_str()) {
            let _ = writeln!(s, "  note      {note}");
        }
    }
    if r.startup_s > 0.0005 {
        let _ = writeln!(
            s,
            "  startup   {:.2} s starting child processes (before the timed work)",
            r.startup_s
        );
    }
    write_samples_line(&mut s, r);
    for warning in &r.warnings {
        let _ = writeln!(s, "  warning   {warning}");
    }
    write_waits_line(&mut s, r);
    write_wall_places(&mut s, r);
    write_phases(&mut s, r);
    if let Some(pg) = &r.pg_activity {
        let _ = writeln!(s, "  postgres  connections: {}", pg.line());
    }
    let _ = writeln!(s, "  checksum  {}", r.checksum);
    write_verification(&mut s, r);
    let _ = writeln!(s, "  verdict   {}: {}", r.verdict_word(), r.verdict_detail);
    super::predictions::write_predictions(&mut s, r);
    if let Some(timeline) = &r.findings.timeline {
        s.push_str(&super::timeline::render(timeline));
    }
    write_top_functions(&mut s, r);
    write_problems(&mut s, r);
    s
}

/// The summary of an `exec` run: the program, how it ended, its threads, waits and verdict.
fn program_summary(r: &RunReport) -> String {
    let mut s = String::new();
    let command = r.options.get("command").and_then(|v| v.as_str());
    let state = if r.interrupted {
        "stopped after"
    } else {
        "done in"
    };
    let exit = r
        .program_exit
        .map(|e| format!(" (it {e})"))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "exec · {} — {state} {:.2} s{exit}",
        command.unwrap_or(""),
        r.wall_s
    );
    if r.options.get("progress").is_some_and(|v| !v.is_null()) {
        let _ = writeln!(
            s,
            "  items     {} (counted from its output)   {:.0} items/s",
            thousands(r.items),
            r.items_per_s
        );
    }
    let _ = writeln!(
        s,
        "  threads   {} in {} process(es), read {} times a second",
        r.worker_stats.len(),
        r.options
            .get("processes")
            .and_then(|v| v.as_u64())
            .unwrap_or(1),
        r.sample_hz
    );
    let _ = writeln!(
        s,
        "  CPU       {:.2} s on {} cores → {:.2} busy cores",
        r.cpu_s, r.cores, r.busy_cores
    );
    let _ = writeln!(
        s,
        "  observer  {:.2} s of CPU reading its threads, not counted above",
        r.profiler_cpu_s
    );
    for warning in &r.warnings {
        let _ = writeln!(s, "  warning   {warning}");
    }
    write_waits_line(&mut s, r);
    write_wall_places(&mut s, r);
    let _ = writeln!(s, "  verdict   {}: {}", r.verdict_word(), r.verdict_detail);
    write_top_functions(&mut s, r);
    s
}

fn write_samples_line(s: &mut String, r: &RunReport) {
    if !r.profiled {
        let _ = writeln!(s, "  samples   profiling off");
        return;
    }
    let _ = writeln!(
        s,
        "  samples   {} at {} Hz → {:.0} Hz effective (capture {:.0}%), covering {:.0}% of worker time",
        thousands(r.samples),
        r.sample_hz,
        r.sample_hz_effective,
        r.capture_ratio * 100.0,
        r.cpu_sample_coverage * 100.0
    );
    if r.profiler_cpu_s > 0.0 {
        let _ = writeln!(
            s,
            "  profiler  {:.2} s of CPU ticking and symbolizing, kept out of the workers' figures",
            r.profiler_cpu_s
        );
    }
}

fn write_waits_line(s: &mut String, r: &RunReport) {
    let mut waits: Vec<_> = r.waits.iter().filter(|(_, v)| **v >= 0.0005).collect();
    waits.sort_by(|a, b| b.1.total_cmp(a.1));
    let text: Vec<String> = waits
        .iter()
        .map(|(c, v)| format!("{} {:.2} s", c.as_str(), v))
        .collect();
    let text = if text.is_empty() {
        "none".to_string()
    } else {
        text.join("  ")
    };
    let _ = writeln!(s, "  waits     {text}");
}

fn write_verification(s: &mut String, r: &RunReport) {
    let Some(v) = &r.findings.verification else {
        return;
    };
    let input: u64 = v.tables.iter().map(|t| t.input_rows).sum();
    let verdict = if v.ok {
        "nothing lost"
    } else {
        "MISMATCH: rows were lost or duplicated"
    };
    let _ = writeln!(
        s,
        "  verified  stored + rejected == input rows: {} + {} = {} of {} ({verdict})",
        thousands(v.stored()),
        thousands(v.rejected()),
        thousands(v.stored() + v.rejected()),
        thousands(input)
    );
    let grew_more = v.tables.iter().any(|t| t.table_growth != t.stored);
    if v.tables.len() > 1 || !v.ok || grew_more {
        for line in v.to_string().lines() {
            let _ = writeln!(s, "            {line}");
        }
    }
}

fn write_top_functions(s: &mut String, r: &RunReport) {
    // With few samples the list is filled up with functions that had none of their own:
    // "by self time" shows only those that had some.
    let with_self_time: Vec<_> = r
        .top_functions
        .iter()
        .filter(|f| f.self_samples > 0)
        .take(5)
        .collect();
    if with_self_time.is_empty() {
        return;
    }
    let total = r.samples.max(1) as f64;
    let _ = writeln!(s, "  top functions by self time:");
    for f in with_self_time {
        let _ = writeln!(
            s,
            "    {:>5.1}%  {}",
            f.self_samples as f64 * 100.0 / total,
            crate::sanitize::name(&f.name)
        );
    }
}

fn write_problems(s: &mut String, r: &RunReport) {
    // Input files' names, what was wrong with their lines and servers' messages: one line
    // each, sanitized.
    let shown = |text: &str| crate::sanitize::name(text).into_owned();
    for rejection in r.rejections.iter().take(5) {
        let _ = writeln!(
            s,
            "  rejected  {}:{}: {}",
            shown(&rejection.source),
            rejection.line,
            shown(&rejection.reason)
        );
    }
    if r.rejected > 5 {
        let _ = writeln!(s, "  … and {} more rejected (see --report)", r.rejected - 5);
    }
    for failure in r.failures.iter().take(5) {
        let _ = writeln!(s, "  failed    {}", shown(failure));
    }
}

/// Where the workers' wall time went, from the wall-clock profile.
fn write_wall_places(s: &mut String, r: &RunReport) {
    if r.top_wall.is_empty() {
        return;
    }
    let worker_s: f64 = r.worker_stats.iter().map(|w| w.wall_s).sum();
    let _ = writeln!(
        s,
        "  wall      {worker_s:.2} worker-seconds, {:.0}% of them placed in the wall-clock profile (--view wall):",
        r.wall_coverage * 100.0
    );
    for part in r.top_wall.iter().filter(|p| p.share >= 0.005) {
        let place = match part.place.as_str() {
            "" => String::new(),
            place => format!(" in {}", crate::sanitize::name(place)),
        };
        let what = crate::sanitize::name(&part.what);
        let _ = writeln!(s, "    {:6.1}%  {what}{place}", part.share * 100.0);
    }
}

/// The job's top-level phases by worker-seconds, each with its largest cause.
fn write_phases(s: &mut String, r: &RunReport) {
    let top: Vec<String> = (r.phases.iter())
        .filter(|p| !p.phase.is_empty() && !p.phase.contains('/'))
        .take(4)
        .map(|p| {
            let name = crate::sanitize::name(&p.phase);
            let inside = format!("{}/", p.phase);
            let cause =
                (r.phases.iter()).filter(|q| q.phase == p.phase || q.phase.starts_with(&inside));
            let mut causes: BTreeMap<&str, f64> = BTreeMap::new();
            for (what, secs) in cause.flat_map(|q| q.causes.iter()) {
                *causes.entry(what.as_str()).or_default() += secs;
            }
            let main = causes.into_iter().max_by(|a, b| a.1.total_cmp(&b.1));
            match main {
                Some((what, secs)) => format!("{name} {:.2} s ({what} {secs:.2})", p.seconds),
                None => format!("{name} {:.2} s", p.seconds),
            }
        })
        .collect();
    if !top.is_empty() {
        let _ = writeln!(s, "  phases    {} (--view phases)", top.join(" · "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_the_top_phases_with_their_main_cause() {
        let phase = |name: &str, seconds: f64, causes: &[(&str, f64)]| crate::model::PhaseTime {
            phase: name.into(),
            seconds,
            causes: causes.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        };
        let r = RunReport {
            phases: vec![
                phase("answer", 8.6, &[("net wait", 8.5), ("cpu", 0.1)]),
                phase("", 0.2, &[("idle", 0.2)]),
                phase("load", 0.5, &[("cpu", 0.1)]),
                phase("load/commit", 0.4, &[("db wait", 0.4)]),
            ],
            ..RunReport::default()
        };
        let mut s = String::new();
        write_phases(&mut s, &r);
        assert_eq!(
            s,
            "  phases    answer 8.60 s (net wait 8.50) · load 0.50 s (db wait 0.40) (--view phases)\n"
        );
    }

    #[test]
    fn functions_without_self_time_are_not_listed_by_self_time() {
        let cost = |name: &str, self_samples: u64| crate::model::FunctionCost {
            name: name.into(),
            self_samples,
            total_samples: 5,
        };
        let mut r = RunReport {
            samples: 4,
            top_functions: vec![cost("parse", 3), cost("write", 1), cost("call_once", 0)],
            ..RunReport::default()
        };
        let mut s = String::new();
        write_top_functions(&mut s, &r);
        assert_eq!(
            s,
            "  top functions by self time:\n     75.0%  parse\n     25.0%  write\n"
        );
        r.top_functions = vec![cost("call_once", 0)];
        let mut none = String::new();
        write_top_functions(&mut none, &r);
        assert_eq!(none, "", "no heading over an empty list");
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
