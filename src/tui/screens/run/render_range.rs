//! Drawing the time selection and the replay: highlighted columns on the chart and lanes, marks
//! on the chart's time axis, and the window's figures and the replay's state in the header.

use super::range::placement;
use super::RunScreen;
use crate::tui::state::runs::Run;
use crate::tui::state::Shared;
use crate::tui::widgets::fmt::fmt_rate;
use crate::tui::widgets::theme::Theme;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::Frame;

/// Puts the replay's state first on the header's first line (a narrow screen cuts the end)
/// and, with a range selected, the window's own figures on its second.
pub fn mark_header(header: &mut Vec<Line<'static>>, screen: &RunScreen, run: &Run, theme: Theme) {
    if let Some(replay) = screen
        .replay
        .as_ref()
        .filter(|r| Some(r.run) == screen.current)
    {
        if let Some(first) = header.first_mut() {
            let style = theme.fg(Color::Cyan).add_modifier(Modifier::BOLD);
            first.spans.insert(0, Span::raw(" · "));
            first.spans.insert(0, Span::styled(replay.label(), style));
        }
    }
    let Some(window) = screen.time.range else {
        return;
    };
    let (rate, busy, samples) = run.window_figures(window);
    // Stacks come about once a second: say which seconds the flamegraph holds.
    let stacks = match run.history.covered(window) {
        Some((from, to)) => format!(" · stacks {from:.1}–{to:.1} s"),
        None => " · no stacks".to_string(),
    };
    let line = Line::from(vec![
        Span::styled(format!("range {}", window.label()), theme.bold()),
        Span::raw(stacks),
        Span::raw(format!(
            " · {} · busy {busy:.2} / {} cores · {samples} samples · Esc: whole run",
            fmt_rate(rate),
            run.workers
        )),
    ]);
    match header.get_mut(1) {
        Some(second) => *second = line,
        None => header.push(line),
    }
}

/// The selected columns highlighted on the chart and the lanes, the cursor's column marked,
/// and both shown on the chart's time axis (`═` under the range, `▲` at the cursor).
pub fn mark_columns(frame: &mut Frame, screen: &RunScreen, shared: &Shared, theme: Theme) {
    let (Some(place), Some(run)) = (placement(screen, shared), screen.current_run(&shared.runs))
    else {
        return;
    };
    let lane_rows = (run.lanes.len() + usize::from(!run.pg.is_empty())) as u16;
    let lanes = Rect {
        height: place.lanes.height.min(lane_rows),
        ..place.lanes
    };
    let axis_row = place.chart.bottom();
    let mut mark = |column: u16, style: Style, glyph: &str| {
        let x = place.chart.x + column;
        for area in [place.chart, lanes] {
            frame
                .buffer_mut()
                .set_style(Rect::new(x, area.y, 1, area.height), style);
        }
        if let Some(cell) = frame.buffer_mut().cell_mut((x, axis_row)) {
            cell.set_symbol(glyph);
        }
    };
    if let Some(window) = screen.time.range {
        let (first, last) = (place.column_of(window.from_s), place.column_of(window.to_s));
        // A window ends where its last column ends: that moment is the next column's start.
        let last = if place.axis.span(last).0 >= window.to_s {
            last.saturating_sub(1).max(first)
        } else {
            last
        };
        for column in first..=last {
            mark(column, range_style(theme), "═");
        }
    }
    if let Some(t) = screen.time.cursor {
        mark(place.column_of(t), cursor_style(theme), "▲");
    }
}

fn range_style(theme: Theme) -> Style {
    if theme.color {
        Style::default().bg(Color::Rgb(50, 60, 110))
    } else {
        Style::default().add_modifier(Modifier::REVERSED)
    }
}

fn cursor_style(theme: Theme) -> Style {
    if theme.color {
        Style::default().bg(Color::Rgb(150, 130, 40))
    } else {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
}
