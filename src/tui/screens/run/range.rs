//! Selecting a stretch of time on the chart and lanes (a cursor moved by keys, or a mouse drag):
//! the state and its `update` (the run's figures over the window are the run's own).

use super::layout::overlaid;
use super::state::{RunScreen, TimeSelection};
use crate::report::window::Window;
use crate::tui::state::{Action, Shared};
use crate::tui::widgets::chart::axis::{gutter, plot_area, TimeAxis};
use crate::tui::widgets::chart::shown_seconds;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders};

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
pub fn placement(screen: &RunScreen, shared: &Shared) -> Option<AxisPlacement> {
    let run = screen.current_run(&shared.runs)?;
    let areas = screen.layout.run;
    let block = Block::default().borders(Borders::ALL);
    let (chart_inner, lanes_inner) = (block.inner(areas.chart), block.inner(areas.lanes));
    let gutter = gutter(&run.lanes, lanes_inner.width);
    let lanes = plot_area(lanes_inner, gutter);
    let others = overlaid(&shared.runs, run);
    let axis = TimeAxis {
        t_max: shown_seconds(run, &others),
        columns: lanes.width,
    };
    let chart = plot_area(chart_inner, gutter);
    (axis.columns > 0).then_some(AxisPlacement { axis, chart, lanes })
}

/// Handles the time keys and the mouse on the chart and lanes; false for other actions.
pub fn time_action(screen: &mut RunScreen, shared: &mut Shared, action: &Action) -> bool {
    let Some(place) = placement(screen, shared) else {
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
            let column = match screen.time.cursor {
                Some(t) => (i32::from(place.column_of(t)) + step).clamp(0, last),
                None if step > 0 => 0,
                None => last,
            };
            move_cursor(screen, shared, &place, place.moment(column as u16));
        }
        Action::MarkRange => mark(screen, shared, &place),
        // A press only notes where a drag would start: the click itself goes on (a lane's
        // ledger opens).
        Action::Click { col, row } => {
            screen.time.anchor = place.column_at(col, row).map(|c| place.moment(c));
            return false;
        }
        Action::Drag { col, .. } if screen.time.anchor.is_some() => {
            let last = place.axis.columns - 1;
            let column = col.saturating_sub(place.chart.x).min(last);
            screen.ledger = None;
            move_cursor(screen, shared, &place, place.moment(column));
        }
        Action::Release { .. } => {
            let dragged = screen.time.anchor.take().and(screen.time.cursor).is_some();
            if let (true, Some(range)) = (dragged, screen.time.range) {
                shared.status = format!("range {} (Esc clears it)", range.label());
            }
            return false;
        }
        _ => return false,
    }
    true
}

/// Moves the cursor to `t`; while a range is being marked it reaches to the cursor.
fn move_cursor(screen: &mut RunScreen, shared: &mut Shared, place: &AxisPlacement, t: f64) {
    screen.time.cursor = Some(t);
    let (from, to) = place.axis.span(place.column_of(t));
    shared.status = format!("cursor {from:.1}–{to:.1} s (b marks a range)");
    if let Some(anchor) = screen.time.anchor {
        let window = place.window(anchor, t);
        set_range(screen, shared, Some(window));
        shared.status = format!("range {} (b ends it, Esc clears it)", window.label());
    }
}

/// `b`: starts a range at the cursor, or ends the one being marked there.
fn mark(screen: &mut RunScreen, shared: &mut Shared, place: &AxisPlacement) {
    if screen.time.anchor.take().is_some() {
        if let Some(range) = screen.time.range {
            shared.status = format!("range {} (Esc clears it)", range.label());
        }
        return;
    }
    let t = screen.time.cursor.unwrap_or_else(|| place.moment(0));
    screen.time.cursor = Some(t);
    screen.time.anchor = Some(t);
    set_range(screen, shared, Some(place.window(t, t)));
    shared.status = "marking a range: , . move its end, b ends it".into();
}

/// Shows `range` (or the whole run) in the flamegraph, top table and ledgers.
pub fn set_range(screen: &mut RunScreen, shared: &mut Shared, range: Option<Window>) {
    if screen.time.range == range {
        return;
    }
    screen.time.range = range;
    // A window is fixed already; a frozen tree would hide it.
    screen.flame.frozen = None;
    screen.refresh_flame(&shared.runs);
}

/// Esc: clears the range and the cursor. False when there was none.
pub fn clear(screen: &mut RunScreen, shared: &mut Shared) -> bool {
    if screen.time == TimeSelection::default() {
        return false;
    }
    screen.time = TimeSelection::default();
    screen.refresh_flame(&shared.runs);
    shared.status = "whole run again".into();
    true
}
