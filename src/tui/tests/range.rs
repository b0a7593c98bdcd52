//! Selecting a time range (keys, mouse) and playing a recording back: `App` updates and screens.

use super::snapshots::screen;
use super::{app, start_event, worker};
use crate::events::Event;
use crate::flame::FoldedStacks;
use crate::model::Tick;
use crate::tui::app::{update, App};
use crate::tui::screens::run::range::placement;
use crate::tui::screens::run::replay;
use crate::tui::state::replay::SPEEDS;
use crate::tui::state::Action;
use std::sync::Arc;

/// A six-second recording: ticks every 0.5 s, stacks every second. Seconds 0-2 and 4-5 parse;
/// second 3 (the dip: few items) is spent writing, in `write_parquet`.
fn recording() -> Vec<Event> {
    let mut events = vec![start_event("json-parse")];
    let mut items = 0;
    for i in 1..=12u32 {
        let t = f64::from(i) * 0.5;
        items += if (3.0..4.0).contains(&(t - 0.25)) {
            50
        } else {
            5_000
        };
        events.push(Event::Tick(Tick {
            elapsed_s: t,
            items,
            workers: vec![
                worker("bs-threads-0", t, t * 0.9, t * 0.1, 0.0),
                worker("bs-threads-1", t, t * 0.5, t * 0.5, 0.0),
            ],
            ..Tick::default()
        }));
        if i % 2 == 0 {
            let leaf = if i == 8 {
                "write_parquet"
            } else {
                "parse_value_line"
            };
            let text = format!(
                "bs-threads-0;worker_loop;run_unit;{leaf} 90\nbs-threads-1;worker_loop;{leaf} 50\n"
            );
            let stacks = FoldedStacks::parse(&text).unwrap();
            events.push(Event::Stacks {
                samples: stacks.total(),
                stacks,
                wall: FoldedStacks::new(),
                phases: Default::default(),
            });
        }
    }
    events
}

/// An app showing the recording, whole (as `open` loads it).
fn app_with_recording() -> App {
    let mut app = app();
    app.add_run(crate::tui::state::recording::recorded_run(
        1,
        Arc::from(recording()),
    ));
    app
}

fn press(app: &mut App, actions: &[Action]) {
    for a in actions {
        update(app, a.clone());
    }
}

fn times(action: Action, n: usize) -> Vec<Action> {
    vec![action; n]
}

/// Marks the columns holding `from` to `to` seconds with the keys.
fn select_by_keys(app: &mut App, from: f64, to: f64) {
    let place = placement(&app.run, &app.shared).expect("a time axis");
    let (a, b) = (place.column_of(from), place.column_of(to - 1e-6));
    press(app, &times(Action::CursorRight, usize::from(a) + 1));
    press(app, &[Action::MarkRange]);
    press(app, &times(Action::CursorRight, usize::from(b - a)));
    press(app, &[Action::MarkRange]);
}

#[test]
fn a_range_marked_with_keys_shows_only_its_stacks_and_esc_clears_it() {
    let mut app = app_with_recording();
    let whole = app.run.flame.unzoomed_total;
    assert_eq!(whole, 6 * 140);
    select_by_keys(&mut app, 3.0, 4.0);
    let range = app.run.time.range.expect("a range");
    assert!(range.from_s >= 2.8 && range.to_s <= 4.2, "{range:?}");
    assert!(
        app.run.time.anchor.is_none(),
        "the second b ends the marking"
    );
    assert_eq!(app.run.flame.unzoomed_total, 140, "one second's stacks");
    assert!(app
        .run
        .flame
        .tree
        .find(&["bs-threads-0", "worker_loop", "run_unit", "write_parquet"])
        .is_some());
    assert!(app
        .run
        .flame
        .tree
        .find(&["bs-threads-1", "worker_loop", "parse_value_line"])
        .is_none());
    let text = screen(&mut app, 120, 40);
    assert!(text.contains(&format!("range {}", range.label())), "{text}");
    assert!(text.contains("═") && text.contains("▲"), "{text}");
    press(&mut app, &[Action::Back]);
    assert_eq!(app.run.time.range, None);
    assert_eq!(app.run.flame.unzoomed_total, whole);
    assert_eq!(
        app.screen,
        crate::tui::state::Screen::Run,
        "Esc cleared, no more"
    );
}

#[test]
fn the_ledger_and_header_follow_the_range() {
    let mut app = app_with_recording();
    select_by_keys(&mut app, 3.0, 4.0);
    press(&mut app, &[Action::Ledger]);
    let text = screen(&mut app, 120, 40);
    let range = app.run.time.range.unwrap();
    let (from, to) = app.shared.runs[0].history.tick_span(range);
    assert!(from > 2.0 && to < 4.5 && to - from >= 1.0, "{from}..{to}");
    let seconds = to - from;
    assert!(
        text.contains(&format!("range {} (ticks", range.label())),
        "{text}"
    );
    // The worker's wall time in the ledger is the window's, not the run's 6 s.
    assert!(
        text.contains(&format!("bs-threads-0 · {seconds:.2} s wall")),
        "{text}"
    );
    assert!(!text.contains("6.00 s wall"), "{text}");
}

#[test]
fn a_mouse_drag_on_the_lanes_selects_a_range() {
    let mut app = app_with_recording();
    let place = placement(&app.run, &app.shared).unwrap();
    let row = place.lanes.y;
    let (a, b) = (place.column_of(1.0), place.column_of(2.9));
    let (col_a, col_b) = (place.lanes.x + a, place.lanes.x + b);
    press(
        &mut app,
        &[
            Action::Click { col: col_a, row },
            Action::Drag { col: col_b, row },
            Action::Release { col: col_b, row },
        ],
    );
    assert_eq!(app.run.ledger, None, "a drag is no click on a lane");
    let range = app.run.time.range.expect("a range");
    assert!(range.from_s <= 1.0 && range.to_s >= 2.9, "{range:?}");
    assert_eq!(app.run.flame.unzoomed_total, 2 * 140);
    // A click without a drag selects nothing.
    press(&mut app, &[Action::Back, Action::Click { col: col_a, row }]);
    press(&mut app, &[Action::Release { col: col_a, row }]);
    assert_eq!(app.run.time.range, None);
}

#[test]
fn a_replay_steps_seeks_and_plays_at_its_speed() {
    let mut app = app_with_recording();
    replay::play_from_start(&mut app.run, &mut app.shared);
    let r = app.run.replay.as_ref().expect("a replay");
    assert!(r.playing && r.stop == 0);
    assert_eq!(
        app.shared.runs[0].lanes.len(),
        0,
        "nothing has happened at 0 s"
    );
    assert_eq!(app.run.flame.unzoomed_total, 0);
    press(&mut app, &[Action::PlayPause]);
    press(&mut app, &times(Action::StepForward, 4));
    assert_eq!(app.shared.runs[0].last_tick.elapsed_s, 2.0);
    assert_eq!(
        app.run.flame.unzoomed_total,
        2 * 140,
        "two seconds of stacks"
    );
    press(&mut app, &[Action::StepBack]);
    assert_eq!(app.shared.runs[0].last_tick.elapsed_s, 1.5);
    assert_eq!(app.run.flame.unzoomed_total, 140, "stepping back rebuilds");
    press(&mut app, &[Action::SeekEnd]);
    assert_eq!(app.run.flame.unzoomed_total, 6 * 140);
    press(
        &mut app,
        &[Action::SeekStart, Action::Faster, Action::Faster],
    );
    let r = app.run.replay.as_ref().unwrap();
    assert_eq!((r.stop, SPEEDS[r.speed]), (0, 4.0));
    press(&mut app, &[Action::PlayPause, Action::Advance(0.5)]);
    assert_eq!(app.shared.runs[0].last_tick.elapsed_s, 2.0, "0.5 s at 4×");
    press(&mut app, &[Action::Slower, Action::Slower, Action::Slower]);
    press(&mut app, &times(Action::Advance(0.3), 4));
    assert_eq!(app.shared.runs[0].last_tick.elapsed_s, 2.5, "1.2 s at ½×");
    press(&mut app, &[Action::Advance(60.0)]);
    let r = app.run.replay.as_ref().unwrap();
    assert!(!r.playing && r.at_end(), "it stops at the end");
    assert_eq!(app.run.flame.unzoomed_total, 6 * 140);
}

/// Ticks come every 0.5 s in the recording: a one-column window (well under a tick) inside
/// 2.5–3.0 s, where 5,000 items were parsed, reads that tick's pace, not zero.
#[test]
fn a_range_narrower_than_a_tick_reads_its_ticks_pace() {
    let mut app = app_with_recording();
    app.resize(200, 55);
    select_by_keys(&mut app, 2.7, 2.7 + 1e-3);
    let range = app.run.time.range.expect("a range");
    assert!(range.to_s - range.from_s < 0.25, "{range:?}");
    assert!(range.from_s > 2.5 && range.to_s <= 3.0, "{range:?}");
    let text = screen(&mut app, 200, 55);
    // 5,000 items in 0.5 s; the workers' CPU grows by 0.45 s and 0.25 s each 0.5 s.
    assert!(
        text.contains("10,000 items/s · busy 1.40 / 2 cores"),
        "{text}"
    );
}

/// Before the first tick (0.5 s) the run is on its way from nothing: a window there reads the
/// first tick's pace (and never "-0.00").
#[test]
fn a_range_before_the_first_tick_reads_its_pace_not_minus_zero() {
    let mut app = app_with_recording();
    replay::play_from_start(&mut app.run, &mut app.shared);
    press(&mut app, &[Action::PlayPause, Action::StepForward]);
    press(&mut app, &[Action::CursorRight, Action::MarkRange]);
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("busy 1.40 / 2 cores"), "{text}");
    assert!(!text.contains("-0.00"), "{text}");
}

#[test]
fn runs_without_a_recording_do_not_replay() {
    let mut app = super::app_with_run(3.0);
    press(&mut app, &[Action::PlayPause]);
    assert!(app.run.replay.is_none());
    assert!(
        app.shared.status.contains("only a recording"),
        "{}",
        app.shared.status
    );
}

#[test]
fn snapshot_range_selected() {
    let mut app = app_with_recording();
    select_by_keys(&mut app, 3.0, 4.0);
    insta::assert_snapshot!("range_80x24", screen(&mut app, 80, 24));
    let mut app = app_with_recording();
    app.resize(200, 55);
    select_by_keys(&mut app, 3.0, 4.0);
    insta::assert_snapshot!("range_200x55", screen(&mut app, 200, 55));
}

#[test]
fn snapshot_replay_paused() {
    for (w, h) in [(80, 24), (200, 55)] {
        let mut app = app_with_recording();
        app.resize(w, h);
        replay::play_from_start(&mut app.run, &mut app.shared);
        press(&mut app, &[Action::PlayPause]);
        press(&mut app, &times(Action::StepForward, 7));
        let text = screen(&mut app, w, h);
        assert!(text.contains("replay paused 1× 3.5 / 6.0 s"), "{text}");
        insta::assert_snapshot!(format!("replay_paused_{w}x{h}"), text);
    }
}

/// The left column's rows of the chart and the lanes (the time axis and what is drawn on it).
fn timeline_rows(text: &str, size: (u16, u16)) -> Vec<String> {
    let areas = crate::tui::screens::run::layout::run_areas(size);
    let (top, bottom) = (areas.chart.y, areas.lanes.bottom());
    let width = usize::from(areas.chart.width);
    text.lines()
        .skip(usize::from(top))
        .take(usize::from(bottom - top))
        .map(|l| l.chars().take(width).collect())
        .collect()
}

/// Mid-replay, the chart and the lanes are what a live run shows at the same moment: the axis
/// ends at the cursor (2.5 s), not at the recording's end (6 s), and the lanes fill it.
#[test]
fn a_replay_mid_way_draws_the_time_axis_a_live_run_draws_then() {
    for size @ (w, h) in [(80, 24), (200, 55)] {
        let mut player = app_with_recording();
        player.resize(size.0, size.1);
        replay::play_from_start(&mut player.run, &mut player.shared);
        press(&mut player, &[Action::PlayPause]);
        press(&mut player, &times(Action::StepForward, 5));
        let replayed = screen(&mut player, w, h);
        // A live run that has received the same events: up to the sixth tick.
        let events = recording();
        let ticks: Vec<usize> = (0..events.len())
            .filter(|&i| matches!(events[i], Event::Tick(_)))
            .collect();
        let mut live = app();
        live.add_run(crate::tui::state::runs::Run::new(
            1,
            "json-parse",
            "threads",
            2,
            false,
        ));
        for event in events[..ticks[5]].iter().cloned() {
            let event = Box::new(event);
            update(&mut live, Action::RunEvent { run: 0, event });
        }
        let live_text = screen(&mut live, w, h);
        let rows = timeline_rows(&replayed, size);
        assert_eq!(
            rows,
            timeline_rows(&live_text, size),
            "{replayed}\n{live_text}"
        );
        let axis = &rows[usize::from(
            crate::tui::screens::run::layout::run_areas(size)
                .chart
                .height,
        ) - 1];
        assert!(axis.contains("2.5 s") && !axis.contains("6.0 s"), "{axis}");
        // The lanes reach the plot's last column (the column before the right border).
        let lanes = crate::tui::screens::run::layout::run_areas(size).lanes;
        let first_lane: Vec<char> = replayed
            .lines()
            .nth(usize::from(lanes.y) + 1)
            .unwrap()
            .chars()
            .collect();
        let last = usize::from(lanes.right()) - 2;
        assert_ne!(first_lane[last], ' ', "{replayed}");
    }
}
