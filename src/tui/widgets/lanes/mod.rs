//! The worker lanes (one row per worker on the chart's time axis: CPU, run queue and each
//! wait) and a worker's ledger (where its wall time went) drawn over the flamegraph.

pub mod ledger;

use crate::model::{WaitCategory, WorkerSnapshot};
use crate::report::window::Window;
use crate::tui::state::runs::LaneState;
use crate::tui::state::runs::{Run, WorkerLane};
use crate::tui::widgets::chart::axis::{
    gutter, lane_columns, lane_label, lane_states, shared_prefix, TimeAxis,
};
use crate::tui::widgets::chart::{pg, shown_seconds};
use crate::tui::widgets::theme::{Theme, LANE_STYLES};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

/// A worker's ledger over the top of the flamegraph: over the selected window, if any.
pub fn render_ledger(
    frame: &mut Frame,
    area: Rect,
    (run, lane): (&Run, &WorkerLane),
    range: Option<Window>,
    theme: Theme,
) {
    let windowed = range.map(|w| {
        let workers = run.history.workers(w);
        let found = workers.into_iter().find(|s| s.name == lane.name);
        found.unwrap_or_else(|| WorkerSnapshot {
            name: lane.name.clone(),
            ..Default::default()
        })
    });
    let mut lines: Vec<Line> = ledger::ledger_lines(windowed.as_ref().unwrap_or(&lane.last))
        .into_iter()
        .map(Line::from)
        .collect();
    if let Some(w) = range {
        let (from, to) = run.history.tick_span(w);
        let over = format!("range {} (ticks {from:.2}–{to:.2} s)", w.label());
        lines.insert(0, Line::from(over));
    }
    // Room for the reading's detail to wrap over a few lines.
    let height = (lines.len() as u16 + 5).min(area.height);
    let popup = Rect { height, ..area };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" worker ledger · W next worker · Esc closes ")
        .style(theme.bold());
    frame.render_widget(Clear, popup);
    let text = Paragraph::new(lines)
        .block(block)
        .wrap(ratatui::widgets::Wrap { trim: true });
    frame.render_widget(text, popup);
}

/// Waits only a program observed from outside (`exec`) has: in the legend only when a lane
/// spent time in them.
const PROGRAM_WAITS: [WaitCategory; 5] = [
    WaitCategory::Lock,
    WaitCategory::Pipe,
    WaitCategory::Child,
    WaitCategory::Sleep,
    WaitCategory::Unknown,
];

/// Whether the legend names `state` for `run`.
fn in_legend(state: LaneState, run: &Run) -> bool {
    match state {
        LaneState::Wait(category) if PROGRAM_WAITS.contains(&category) => run
            .last_tick
            .workers
            .iter()
            .any(|w| w.waits.get(&category).is_some_and(|s| *s > 0.0)),
        _ => true,
    }
}

/// The glyph and name of every lane state the run's legend shows, wrapped to `width` columns.
fn legend_lines(width: u16, run: &Run, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::default()];
    let mut used = 0usize;
    for style in LANE_STYLES.iter().filter(|s| in_legend(s.state, run)) {
        let len = style.name.chars().count() + 2;
        if used > 0 && used + len > usize::from(width) {
            lines.push(Line::default());
            used = 0;
        }
        let line = lines.last_mut().expect("one line at least");
        line.push_span(Span::styled(style.glyph.to_string(), theme.fg(style.color)));
        line.push_span(Span::raw(format!("{} ", style.name)));
        used += len;
    }
    lines
}

/// One row per worker on the chart's time axis, with the legend under them.
pub fn render_lanes(frame: &mut Frame, area: Rect, (run, others): (&Run, &[&Run]), theme: Theme) {
    let prefix = shared_prefix(&run.lanes);
    let title = if prefix.is_empty() {
        " workers: busy or waiting? ".to_string()
    } else {
        format!(" workers {prefix}… ")
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut legend = legend_lines(inner.width, run, theme);
    let gutter = gutter(&run.lanes, inner.width);
    let axis = TimeAxis {
        t_max: shown_seconds(run, others),
        columns: inner.width.saturating_sub(gutter),
    };
    // A PostgreSQL run's connections, as the server saw them, go first.
    let mut lines: Vec<Line> = Vec::with_capacity(usize::from(inner.height));
    if !run.pg.is_empty() && inner.height > 2 {
        lines.push(pg::pg_lane_line(&run.pg, gutter, axis, theme));
        legend.push(pg::pg_legend(theme));
    }
    let rows = usize::from(inner.height).saturating_sub(legend.len());
    let shown = rows.saturating_sub(lines.len());
    for (i, lane) in run.lanes.iter().take(shown).enumerate() {
        if i + 1 == shown && run.lanes.len() > shown {
            let more = run.lanes.len() - i;
            lines.push(Line::from(format!("… {more} more workers")));
            break;
        }
        lines.push(lane_line(lane, (prefix, gutter), &run.spans, axis, theme));
    }
    lines.resize(rows, Line::default());
    lines.extend(legend);
    frame.render_widget(Paragraph::new(lines), inner);
}

fn lane_line(
    lane: &WorkerLane,
    (prefix, gutter): (&str, u16),
    spans: &[(f64, f64)],
    axis: TimeAxis,
    theme: Theme,
) -> Line<'static> {
    let label = lane_label(&lane.name, prefix);
    let width = usize::from(gutter.saturating_sub(1));
    // A narrow gutter keeps the label's end, where a lane's number is.
    let chars: Vec<char> = label.chars().collect();
    let label: String = match chars.len() > width && width > 1 {
        true => std::iter::once('…')
            .chain(chars[chars.len() - (width - 1)..].iter().copied())
            .collect(),
        false => chars.iter().take(width).collect(),
    };
    let mut spans_out = vec![Span::raw(format!("{label:<width$} "))];
    for state in lane_states(&lane_columns(lane, spans, axis)) {
        let (glyph, style) = theme.lane_state(state);
        spans_out.push(Span::styled(glyph.to_string(), style));
    }
    Line::from(spans_out)
}
