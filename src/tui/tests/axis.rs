//! The chart and the lanes on one time axis, and the last throughput point over a full tick.

use super::snapshots::screen;
use super::{app, sample_events, tick};
use crate::tui::app::{update, App};
use crate::tui::state::runs::Run;
use crate::tui::state::Action;

fn feed(app: &mut App, run: usize, events: Vec<crate::events::Event>) {
    for event in events {
        let event = Box::new(event);
        update(app, Action::RunEvent { run, event });
    }
}

/// The rightmost column of the left half that holds one of `glyphs`, over rows `rows`.
fn last_column(screen: &str, rows: std::ops::Range<usize>, glyphs: impl Fn(char) -> bool) -> usize {
    let lines: Vec<&str> = screen.lines().collect();
    lines[rows]
        .iter()
        .filter_map(|line| {
            let left: Vec<char> = line.chars().take(48).collect();
            left.iter().rposition(|&c| glyphs(c))
        })
        .max()
        .expect("something drawn")
}

#[test]
fn a_shorter_run_ends_in_the_same_column_in_the_chart_and_the_lanes() {
    let mut app = app();
    app.add_run(Run::new(1, "json-parse", "threads", 2, false));
    feed(&mut app, 0, sample_events(6.0, true));
    app.add_run(Run::new(2, "json-parse", "threads", 2, false));
    feed(&mut app, 1, sample_events(3.0, false));
    let text = screen(&mut app, 120, 40);
    let braille = |c: char| ('\u{2801}'..='\u{28ff}').contains(&c);
    // Rows 3..19 are the chart's inside, 20.. the lanes'.
    let chart_end = last_column(&text, 3..18, braille);
    let lanes_end = last_column(&text, 20..36, |c| c == '█' || c == '▒');
    assert!(
        chart_end.abs_diff(lanes_end) <= 1,
        "chart ends in column {chart_end}, lanes in {lanes_end}\n{text}"
    );
    // Half of the 6 s axis: the live run is not stretched over the whole width.
    assert!((20..=30).contains(&lanes_end), "{lanes_end}\n{text}");
}

#[test]
fn the_last_short_tick_extends_the_previous_point() {
    let mut run = Run::new(1, "json-parse", "threads", 2, false);
    for (t, items) in [(0.5, 500), (1.0, 1_000), (1.01, 1_000)] {
        run.apply(tick(t, items, 0.9));
    }
    assert_eq!(run.throughput.len(), 2, "{:?}", run.throughput);
    let (t, rate) = run.throughput[1];
    assert_eq!(t, 1.01);
    assert!((rate - 500.0 / 0.51).abs() < 1e-6, "{rate}");
    assert_eq!(run.spans.len(), 3);
}

#[test]
fn w_opens_each_workers_ledger_in_turn_and_a_click_opens_the_lane_clicked() {
    let mut app = super::app_with_run(3.0);
    update(&mut app, Action::Ledger);
    assert_eq!(app.run.ledger, Some(0));
    let text = screen(&mut app, 120, 40);
    assert!(
        text.contains("worker ledger") && text.contains("bs-threads-0 · 3.00 s wall"),
        "{text}"
    );
    update(&mut app, Action::Ledger);
    assert_eq!(app.run.ledger, Some(1));
    update(&mut app, Action::Ledger);
    assert_eq!(app.run.ledger, None);
    let lanes = crate::tui::screens::run::layout::run_areas(app.size()).lanes;
    update(
        &mut app,
        Action::Click {
            col: lanes.x + 3,
            row: lanes.y + 2,
        },
    );
    assert_eq!(app.run.ledger, Some(1));
    update(&mut app, Action::Back);
    assert_eq!(app.run.ledger, None);
    insta::assert_snapshot!("ledger_open", {
        update(&mut app, Action::Ledger);
        screen(&mut app, 80, 24)
    });
    insta::assert_snapshot!("ledger_open_200x55", screen(&mut app, 200, 55));
}
