//! The run screen's left side and header: headline figures, throughput chart, worker lanes.

use super::app::App;
use super::fmt::fmt_rate;
use super::layout::{carve, overlaid, run_areas, shown_seconds};
use super::render::render_status;
use super::runs::{Run, WorkerLane};
use super::theme::{Theme, LANE_STYLES};
use super::timeline::{
    gutter, lane_columns, lane_label, lane_states, plot_area, shared_prefix, TimeAxis,
};
use crate::model::WorkerSnapshot;
use crate::report::sweep_chart::short_number;
use crate::report::window::Window;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Color;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Clear, Dataset, GraphType, Paragraph};
use ratatui::Frame;

/// Draws the run screen.
pub fn render_run(frame: &mut Frame, app: &App, theme: Theme) {
    let mut areas = run_areas(app.size_of(frame));
    let stages = carve(app, &mut areas);
    let Some(run) = app.current_run() else {
        frame.render_widget(
            Paragraph::new("no run yet: press r to set one up"),
            areas.header,
        );
        return render_status(frame, areas.status, app, theme);
    };
    let mut header = headline(run, theme);
    super::render_range::mark_header(&mut header, app, run, theme);
    frame.render_widget(Paragraph::new(header), areas.header);
    let others = overlaid(app, run);
    let lanes_inner = Block::default().borders(Borders::ALL).inner(areas.lanes);
    let gutter = gutter(&run.lanes, lanes_inner.width);
    render_chart(
        frame,
        areas.chart,
        (run, &others),
        ChartScale::default(),
        gutter,
        theme,
    );
    render_lanes(frame, areas.lanes, (run, &others), theme);
    super::render_range::mark_columns(frame, app, theme);
    super::render_flame::render_profile(frame, areas.profile, app, theme);
    super::render_flame::render_detail(frame, areas.detail, app, theme);
    if let Some(area) = stages {
        super::render_etl::render_stages(frame, area, run, theme);
    }
    if let Some(lane) = app.ledger.and_then(|i| run.lanes.get(i)) {
        render_ledger(frame, areas.profile, (run, lane), app.time.range, theme);
    }
    render_status(frame, areas.status, app, theme);
}

/// A worker's ledger over the top of the flamegraph: over the selected window, if any.
fn render_ledger(
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
    let mut lines: Vec<Line> = super::ledger::ledger_lines(windowed.as_ref().unwrap_or(&lane.last))
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

impl App {
    /// The size to lay out for: the frame's (tests draw into any size).
    pub(crate) fn size_of(&self, frame: &Frame) -> (u16, u16) {
        (frame.area().width, frame.area().height)
    }
}

fn headline(run: &Run, theme: Theme) -> Vec<Line<'static>> {
    let mut first = vec![
        Span::styled(format!("run {} · {}", run.number, run.label), theme.bold()),
        Span::raw(format!(
            " · {} · {:.1} s",
            run.status.as_str(),
            run.elapsed()
        )),
    ];
    if !run.verdict().is_empty() {
        let verdict = format!(" · {}", run.verdict());
        first.push(Span::styled(verdict, theme.fg(Color::Yellow)));
    }
    if let Some(e) = &run.error {
        first.push(Span::styled(format!(" · {e}"), theme.fg(Color::Red)));
    }
    if let Some(source) = &run.source {
        return vec![Line::from(first), Line::from(source.clone())];
    }
    let second = format!(
        "{} · busy {:.2} / {} cores · {} samples @ {:.0} Hz · CPU samples cover {:.0}% of worker time",
        fmt_rate(run.items_per_s()),
        run.busy_cores(),
        run.workers,
        run.samples,
        run.effective_hz(),
        run.coverage() * 100.0
    );
    vec![Line::from(first), Line::from(second)]
}

/// How a run is named in a chart's legend.
fn chart_name(run: &Run) -> String {
    let gil = if run.gil { " gil" } else { "" };
    format!("run {} {} ×{}{gil}", run.number, run.mode, run.workers)
}

/// Forced scales of a chart (charts side by side share them); `None` fits the runs shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChartScale {
    pub t_max: Option<f64>,
    pub y_max: Option<f64>,
}

/// Items/s over time for `run`, with `others` overlaid (dim) and labelled. `gutter` columns on
/// the left hold the y labels, so the plot's columns are the lanes' columns (see
/// [`timeline`](super::timeline)).
pub fn render_chart(
    frame: &mut Frame,
    area: Rect,
    (run, others): (&Run, &[&Run]),
    scale: ChartScale,
    gutter: u16,
    theme: Theme,
) {
    let t_max = scale.t_max.unwrap_or_else(|| shown_seconds(run, others));
    let all = others.iter().copied().chain(std::iter::once(run));
    let y_top = all.flat_map(|r| r.throughput.iter().map(|p| p.1));
    let y_max = scale
        .y_max
        .unwrap_or_else(|| y_top.fold(1.0f64, f64::max) * 1.1);
    // Names (and so the chart's legend) only when there is more than one line to tell apart.
    let name = |r: &Run| {
        if others.is_empty() {
            String::new()
        } else {
            chart_name(r)
        }
    };
    let mut datasets: Vec<Dataset> = others
        .iter()
        .map(|r| {
            Dataset::default()
                .name(name(r))
                .marker(Marker::Dot)
                .graph_type(GraphType::Line)
                .style(theme.fg(Color::DarkGray))
                .data(&r.throughput)
        })
        .collect();
    datasets.push(
        Dataset::default()
            .name(name(run))
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme.fg(Color::Cyan))
            .data(&run.throughput),
    );
    let block = Block::default().borders(Borders::ALL).title(" items/s ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let plot = plot_area(inner, gutter);
    let chart = Chart::new(datasets)
        .hidden_legend_constraints((Constraint::Percentage(80), Constraint::Percentage(60)))
        .x_axis(Axis::default().bounds([0.0, t_max]))
        .y_axis(Axis::default().bounds([0.0, y_max]));
    frame.render_widget(chart, plot);
    render_y_labels(frame, inner, gutter, y_max, theme);
    render_time_labels(frame, area, plot, t_max, theme);
}

/// The y scale in the gutter: the top of the scale on the first row, 0 on the last.
fn render_y_labels(frame: &mut Frame, inner: Rect, gutter: u16, y_max: f64, theme: Theme) {
    if inner.height == 0 || gutter == 0 {
        return;
    }
    let width = gutter - 1;
    let at = |row: u16| Rect::new(inner.x, row, width, 1);
    let top = Paragraph::new(short_number(y_max)).style(theme.dim());
    frame.render_widget(top, at(inner.y));
    if inner.height > 1 {
        frame.render_widget(
            Paragraph::new("0").style(theme.dim()),
            at(inner.bottom() - 1),
        );
    }
}

/// "0 s" and the end of the time axis on the chart's bottom border, under the plot's first
/// and last columns.
fn render_time_labels(frame: &mut Frame, area: Rect, plot: Rect, t_max: f64, theme: Theme) {
    if plot.width < 12 || area.height < 2 {
        return;
    }
    let row = Rect::new(plot.x, area.bottom() - 1, plot.width, 1);
    let end = format!("{t_max:.1} s");
    let gap = usize::from(plot.width).saturating_sub(3 + end.len());
    let text = format!("0 s{}{end}", "─".repeat(gap));
    frame.render_widget(Paragraph::new(text).style(theme.dim()), row);
}

/// Every lane state's glyph and name, wrapped to `width` columns.
fn legend_lines(width: u16, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::default()];
    let mut used = 0usize;
    for style in &LANE_STYLES {
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
    let mut legend = legend_lines(inner.width, theme);
    let gutter = gutter(&run.lanes, inner.width);
    let axis = TimeAxis {
        t_max: shown_seconds(run, others),
        columns: inner.width.saturating_sub(gutter),
    };
    // A PostgreSQL run's connections, as the server saw them, go first.
    let mut lines: Vec<Line> = Vec::with_capacity(usize::from(inner.height));
    if !run.pg.is_empty() && inner.height > 2 {
        lines.push(super::render_pg::pg_lane_line(&run.pg, gutter, axis, theme));
        legend.push(super::render_pg::pg_legend(theme));
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
    let label: String = label.chars().take(width).collect();
    let mut spans_out = vec![Span::raw(format!("{label:<width$} "))];
    for state in lane_states(&lane_columns(lane, spans, axis)) {
        let (glyph, style) = theme.lane_state(state);
        spans_out.push(Span::styled(glyph.to_string(), style));
    }
    Line::from(spans_out)
}
