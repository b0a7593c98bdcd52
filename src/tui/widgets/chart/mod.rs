//! The throughput chart: items/s over time for a run, other runs overlaid, on the time axis
//! the worker lanes share (the axis and the columns are [`axis`]'s).

pub mod axis;
pub mod pg;

use crate::report::sweep_chart::short_number;
use crate::tui::state::Run;
use crate::tui::widgets::theme::Theme;
use axis::plot_area;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Color;
use ratatui::symbols::Marker;
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph};
use ratatui::Frame;

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
/// [`axis`]).
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

/// The seconds the chart and lanes span: the longest run shown.
pub fn shown_seconds(run: &Run, others: &[&Run]) -> f64 {
    others
        .iter()
        .copied()
        .chain(std::iter::once(run))
        .flat_map(|r| {
            r.throughput
                .last()
                .map(|p| p.0)
                .into_iter()
                .chain(r.spans.last().map(|s| s.1))
        })
        .fold(0.0f64, f64::max)
        .max(0.1)
}
