//! The run screen's chart overlays the latest other runs of the same work, named in its title,
//! within the shown run's scales.

use super::snapshots::screen;
use super::{app, sample_events};
use crate::events::Event;
use crate::model::Mode;
use crate::spec::RunSpec;
use crate::tui::app::{update, App};
use crate::tui::screens::run::layout::{overlaid, run_areas};
use crate::tui::state::runs::Run;
use crate::tui::state::Action;

/// Adds run `number` of `workload` with the flags `given`, in `mode`, fed the sample events
/// with its items times `speed`.
fn add(
    app: &mut App,
    number: usize,
    (workload, given): (&str, &[(&str, &str)]),
    mode: Mode,
    speed: u64,
) {
    let decl = crate::workload::workload(workload).expect("a built-in workload");
    let spec = decl.spec(given.iter().copied()).expect("valid flags");
    let index = app.add_run(Run::new(number, workload, mode.as_str(), 2, false));
    for mut event in sample_events(2.0, true) {
        match &mut event {
            Event::Start { spec: s, .. } => **s = RunSpec::new(spec.clone(), mode, 2),
            Event::Tick(t) => t.items *= speed,
            _ => {}
        }
        let event = Box::new(event);
        update(app, Action::RunEvent { run: index, event });
    }
}

const JSON: (&str, &[(&str, &str)]) = ("json-parse", &[]);

/// The chart's rows as drawn (borders included).
fn chart_rows(text: &str, size: (u16, u16)) -> Vec<String> {
    let chart = run_areas(size).chart;
    text.lines()
        .skip(usize::from(chart.y))
        .take(usize::from(chart.height))
        .map(|l| l.chars().take(usize::from(chart.right())).collect())
        .collect()
}

#[test]
fn only_runs_that_did_the_same_work_are_overlaid() {
    let mut app = app();
    add(&mut app, 1, JSON, Mode::Threads, 1);
    add(
        &mut app,
        2,
        ("json-parse", &[("parser", "fast")]),
        Mode::Threads,
        1,
    );
    add(&mut app, 3, JSON, Mode::Processes, 1);
    add(&mut app, 4, ("csv-import", &[]), Mode::Threads, 1);
    add(&mut app, 5, JSON, Mode::Sequential, 1);
    add(&mut app, 6, ("csv-import", &[]), Mode::Sequential, 1);
    let runs = &app.shared.runs;
    let numbers =
        |i: usize| -> Vec<usize> { overlaid(runs, &runs[i]).iter().map(|r| r.number).collect() };
    assert_eq!(numbers(0), [3, 5], "another parser is other work");
    assert_eq!(numbers(1), Vec::<usize>::new());
    // Each csv-import run has an id of its own: it is no setting, and does not count.
    assert_eq!(numbers(3), [6]);
    // A run before its start event names its work is compared with none.
    let unstarted = Run::new(9, "json-parse", "threads", 2, false);
    assert!(overlaid(runs, &unstarted).is_empty());
}

#[test]
fn a_faster_run_never_stretches_the_shown_runs_scale_past_twice_its_peak() {
    let mut app = app();
    add(&mut app, 1, JSON, Mode::Threads, 1);
    add(&mut app, 2, JSON, Mode::Processes, 16);
    app.show_run(0);
    let text = screen(&mut app, 200, 55);
    let rows = chart_rows(&text, (200, 55));
    // 180k items/s: the scale tops at 2 × 180k × 1.1, not at the other run's 3.2M.
    assert!(rows[1].contains("396k") && !text.contains("3.2M"), "{text}");
    assert!(rows[0].contains("• run 2 (same work, cut at 2×)"), "{text}");
}

#[test]
fn at_80x24_the_title_names_the_overlaid_runs_and_their_dots_are_one_line() {
    let mut app = app();
    for number in 1..=3 {
        add(
            &mut app,
            number,
            JSON,
            Mode::Threads,
            if number == 1 { 1 } else { 2 },
        );
    }
    app.show_run(0);
    let text = screen(&mut app, 80, 24);
    let rows = chart_rows(&text, (80, 24));
    assert!(rows[0].starts_with("┌ items/s · • runs 2, 3 ─"), "{text}");
    // No legend box over the plot, and every dot is on the others' (flat) line.
    let inside: Vec<&String> = rows[1..rows.len() - 1].iter().collect();
    assert!(inside.iter().all(|r| !r[3..].contains('┌')), "{text}");
    let dotted: Vec<&&String> = inside.iter().filter(|r| r.contains('•')).collect();
    assert_eq!(dotted.len(), 1, "{text}");
    let dots = dotted[0]
        .trim_end_matches(['│', ' '])
        .trim_start_matches(|c| c != '•');
    assert!(dots.chars().all(|c| c == '•') && dots.len() > 20, "{text}");
    // Without runs of the same work, no dots and no legend.
    let mut alone = super::app();
    add(&mut alone, 1, JSON, Mode::Threads, 1);
    add(
        &mut alone,
        2,
        ("json-parse", &[("parser", "fast")]),
        Mode::Threads,
        3,
    );
    alone.show_run(0);
    let text = screen(&mut alone, 80, 24);
    let rows = chart_rows(&text, (80, 24));
    assert!(rows[0].starts_with("┌ items/s ──"), "{text}");
    assert!(rows.iter().all(|r| !r.contains('•')), "{text}");
}
