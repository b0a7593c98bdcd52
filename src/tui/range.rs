//! Selecting a stretch of time on the chart and lanes (a cursor moved by keys, or a mouse drag):
//! the state, its `update`, and the run's figures over the selected window.

use super::app::{Action, App};
use super::profiles::{off_cpu, Profile};
use super::runs::Run;
use super::timeline::{gutter, plot_area, TimeAxis};
use crate::flame::FrameTree;
use crate::report::window::Window;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders};
use std::sync::Arc;

/// The time cursor and the selected window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimeSelection {
    /// The cursor's moment (the middle of its column), when shown.
    pub cursor: Option<f64>,
    /// Where the range being marked (or dragged) began.
    pub anchor: Option<f64>,
    /// The window the flamegraph, top table and ledgers show; `None`: the whole run.
    pub range: Option<Window>,
}

/// Where the shared time axis is drawn: the axis and the plot columns of chart and lanes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AxisPlacement {
    pub axis: TimeAxis,
    pub chart: Rect,
    pub lanes: Rect,
}

impl AxisPlacement {
    /// The column (0-based on the axis) under screen column `col` on row `row`, if it is on
    /// the chart's or the lanes' plot.
    pub fn column_at(&self, col: u16, row: u16) -> Option<u16> {
        let on = |r: Rect| r.contains((col, row).into());
        (on(self.chart) || on(self.lanes)).then(|| col - self.chart.x)
    }

    /// The middle moment of axis column `column`.
    pub fn moment(&self, column: u16) -> f64 {
        let (from, to) = self
            .axis
            .span(column.min(self.axis.columns.saturating_sub(1)));
        (from + to) / 2.0
    }

    /// The axis column holding moment `t`.
    pub fn column_of(&self, t: f64) -> u16 {
        let width = self.axis.t_max / f64::from(self.axis.columns.max(1));
        let column = (t / width).floor().max(0.0) as u64;
        column.min(u64::from(self.axis.columns.saturating_sub(1))) as u16
    }

    /// The window from the column holding `a` to the one holding `b`, both whole.
    pub fn window(&self, a: f64, b: f64) -> Window {
        let (ca, cb) = (self.column_of(a), self.column_of(b));
        let first = self.axis.span(ca.min(cb)).0;
        let last = self.axis.span(ca.max(cb)).1;
        Window::new(first, last)
    }
}

/// The time axis of the run screen as it is drawn now (`None` without a run).
pub fn placement(app: &App) -> Option<AxisPlacement> {
    let run = app.current_run()?;
    let areas = app.layout.run;
    let block = Block::default().borders(Borders::ALL);
    let (chart_inner, lanes_inner) = (block.inner(areas.chart), block.inner(areas.lanes));
    let gutter = gutter(&run.lanes, lanes_inner.width);
    let lanes = plot_area(lanes_inner, gutter);
    let others = super::layout::overlaid(app, run);
    let axis = TimeAxis {
        t_max: super::layout::shown_seconds(run, &others),
        columns: lanes.width,
    };
    let chart = plot_area(chart_inner, gutter);
    (axis.columns > 0).then_some(AxisPlacement { axis, chart, lanes })
}

/// Handles the time keys and the mouse on the chart and lanes; false for other actions.
pub fn time_action(app: &mut App, action: &Action) -> bool {
    let Some(place) = placement(app) else {
        return false;
    };
    match *action {
        Action::CursorLeft | Action::CursorRight => {
            let step: i32 = if matches!(action, Action::CursorLeft) {
                -1
            } else {
                1
            };
            let last = i32::from(place.axis.columns) - 1;
            let column = match app.time.cursor {
                Some(t) => (i32::from(place.column_of(t)) + step).clamp(0, last),
                None if step > 0 => 0,
                None => last,
            };
            move_cursor(app, &place, place.moment(column as u16));
        }
        Action::MarkRange => mark(app, &place),
        // A press only notes where a drag would start: the click itself goes on (a lane's
        // ledger opens).
        Action::Click { col, row } => {
            app.time.anchor = place.column_at(col, row).map(|c| place.moment(c));
            return false;
        }
        Action::Drag { col, .. } if app.time.anchor.is_some() => {
            let last = place.axis.columns - 1;
            let column = col.saturating_sub(place.chart.x).min(last);
            app.ledger = None;
            move_cursor(app, &place, place.moment(column));
        }
        Action::Release { .. } => {
            let dragged = app.time.anchor.take().and(app.time.cursor).is_some();
            if let (true, Some(range)) = (dragged, app.time.range) {
                app.status = format!("range {} (Esc clears it)", range.label());
            }
            return false;
        }
        _ => return false,
    }
    true
}

/// Moves the cursor to `t`; while a range is being marked it reaches to the cursor.
fn move_cursor(app: &mut App, place: &AxisPlacement, t: f64) {
    app.time.cursor = Some(t);
    let (from, to) = place.axis.span(place.column_of(t));
    app.status = format!("cursor {from:.1}–{to:.1} s (b marks a range)");
    if let Some(anchor) = app.time.anchor {
        let window = place.window(anchor, t);
        set_range(app, Some(window));
        app.status = format!("range {} (b ends it, Esc clears it)", window.label());
    }
}

/// `b`: starts a range at the cursor, or ends the one being marked there.
fn mark(app: &mut App, place: &AxisPlacement) {
    if app.time.anchor.take().is_some() {
        if let Some(range) = app.time.range {
            app.status = format!("range {} (Esc clears it)", range.label());
        }
        return;
    }
    let t = app.time.cursor.unwrap_or_else(|| place.moment(0));
    app.time.cursor = Some(t);
    app.time.anchor = Some(t);
    set_range(app, Some(place.window(t, t)));
    app.status = "marking a range: , . move its end, b ends it".into();
}

/// Shows `range` (or the whole run) in the flamegraph, top table and ledgers.
pub fn set_range(app: &mut App, range: Option<Window>) {
    if app.time.range == range {
        return;
    }
    app.time.range = range;
    // A window is fixed already; a frozen tree would hide it.
    app.flame.frozen = None;
    app.refresh_flame();
}

/// Esc: clears the range and the cursor. False when there was none.
pub fn clear(app: &mut App) -> bool {
    if app.time == TimeSelection::default() {
        return false;
    }
    app.time = TimeSelection::default();
    app.refresh_flame();
    app.status = "whole run again".into();
    true
}

impl Run {
    /// The frame tree of `profile` over `window`, from the stack deltas that fall in it.
    pub fn window_tree(&self, profile: Profile, window: Window) -> Arc<FrameTree> {
        let stacks = self.history.stacks(window);
        let folded = match profile {
            Profile::Wall => stacks.wall,
            Profile::Cpu => stacks.cpu,
            Profile::OffCpu => off_cpu(&stacks.wall),
        };
        Arc::new(FrameTree::from_stacks(&folded))
    }

    /// The workers' wall time (nanoseconds) in the wall profile over `window`.
    pub fn window_wall_total(&self, window: Window) -> u64 {
        self.history.stacks(window).wall.total()
    }

    /// The header's figures over `window`: (items/s, busy cores, samples); rates are over
    /// the ticks the window's items and CPU time are taken between.
    pub fn window_figures(&self, window: Window) -> (f64, f64, u64) {
        let (from, to) = self.history.tick_span(window);
        let seconds = (to - from).max(1e-9);
        let items = self.history.items(window) as f64;
        // A fold from +0: the sum of no floats is -0, which would print as "-0.00".
        let workers = self.history.workers(window);
        let cpu = workers.iter().fold(0.0, |sum, w| sum + w.cpu_s);
        let samples = self.history.samples(window);
        (items / seconds, cpu / seconds, samples)
    }
}
