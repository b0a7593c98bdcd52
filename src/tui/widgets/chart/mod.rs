//! The throughput chart: items/s (a program's busy cores) over time for a run, other runs overlaid, on the time axis
//! the worker lanes share (the axis and the columns are [`axis`]'s).

pub mod axis;
pub mod pg;

use crate::report::sweep_chart::short_number;
use crate::tui::state::Run;
use crate::tui::widgets::theme::Theme;
use axis::plot_area;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::symbols::Marker;
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph};
use ratatui::Frame;

/// Forced scales of a chart (charts side by side share them); `None` fits the runs shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChartScale {
    pub t_max: Option<f64>,
    pub y_max: Option<f64>,
}

/// How far other runs may stretch the shown run's scales: to twice its own length and its
/// own peak at most (beyond, their lines are cut at the plot's edge), so the shown run keeps
/// half the plot whatever the others did.
const STRETCH: f64 = 2.0;

/// Items/s over time for `run`, with `others` overlaid (dim dots, named in the title). `gutter`
/// columns on the left hold the y labels, so the plot's columns are the lanes' columns (see
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
    let y_max = scale.y_max.unwrap_or_else(|| shown_peak(run, others) * 1.1);
    let fitted: Vec<Vec<(f64, f64)>> = others
        .iter()
        .map(|r| fit(&r.throughput, t_max, y_max))
        .collect();
    let cut = others.iter().any(|r| beyond(r, t_max, y_max));
    let unit = match run.charts_busy_cores {
        true => "busy cores",
        false => "items/s",
    };
    let title = title(unit, others, cut, area.width.saturating_sub(2));
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let plot = plot_area(inner, gutter);
    // No dataset has a name, so ratatui draws no legend box over the lines: the title is it.
    let chart = Chart::new(datasets(&run.throughput, &fitted, theme))
        .x_axis(Axis::default().bounds([0.0, t_max]))
        .y_axis(Axis::default().bounds([0.0, y_max]));
    frame.render_widget(chart, plot);
    render_y_labels(frame, inner, gutter, y_max, theme);
    render_time_labels(frame, area, plot, t_max, theme);
}

/// The lines: the others' dim and dotted under the shown run's.
fn datasets<'a>(
    shown: &'a [(f64, f64)],
    others: &'a [Vec<(f64, f64)>],
    theme: Theme,
) -> Vec<Dataset<'a>> {
    let line = |points: &'a [(f64, f64)], marker, colour| {
        Dataset::default()
            .marker(marker)
            .graph_type(GraphType::Line)
            .style(theme.fg(colour))
            .data(points)
    };
    let mut all: Vec<Dataset> = others
        .iter()
        .map(|points| line(points, Marker::Dot, Color::DarkGray))
        .collect();
    all.push(line(shown, Marker::Braille, Color::Cyan));
    all
}

/// The chart's title, its legend too: which runs the dots are, in the longest form that fits
/// `width` columns.
fn title(unit: &str, others: &[&Run], cut: bool, width: u16) -> String {
    let numbers: Vec<String> = others.iter().map(|r| r.number.to_string()).collect();
    let runs = match numbers.len() {
        0 => return format!(" {unit} "),
        1 => format!("run {}", numbers[0]),
        _ => format!("runs {}", numbers.join(", ")),
    };
    let cut = if cut { ", cut at 2×" } else { "" };
    [
        format!(" {unit} · • {runs} (same work{cut}) "),
        format!(" {unit} · • {runs} "),
        format!(" {unit} · • {} more ", numbers.len()),
        format!(" {unit} "),
    ]
    .into_iter()
    .find(|t| t.chars().count() <= usize::from(width))
    .unwrap_or_default()
}

/// An overlaid run's line within the scales: points past the time axis left out, rates above
/// the top drawn on it (ratatui drops a segment with an end outside the plot).
fn fit(points: &[(f64, f64)], t_max: f64, y_max: f64) -> Vec<(f64, f64)> {
    points
        .iter()
        .filter(|p| p.0 <= t_max)
        .map(|&(t, y)| (t, y.min(y_max)))
        .collect()
}

/// True when part of `run` lies beyond the scales.
fn beyond(run: &Run, t_max: f64, y_max: f64) -> bool {
    run.throughput.iter().any(|p| p.0 > t_max || p.1 > y_max)
}

/// The highest rate the y scale must hold: the shown run's, or the others' up to
/// [`STRETCH`] times it.
fn shown_peak(run: &Run, others: &[&Run]) -> f64 {
    let peak = |r: &Run| r.throughput.iter().map(|p| p.1).fold(0.0f64, f64::max);
    let own = peak(run).max(1.0);
    let highest = others.iter().map(|r| peak(r)).fold(own, f64::max);
    highest.min(own * STRETCH)
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

/// The seconds the chart and lanes span: the longest run shown, up to [`STRETCH`] times the
/// shown run's own.
pub fn shown_seconds(run: &Run, others: &[&Run]) -> f64 {
    let own = seconds_of(run);
    let longest = others.iter().map(|r| seconds_of(r)).fold(own, f64::max);
    longest.min(own * STRETCH).max(0.1)
}

/// How long `run` has run: its latest throughput point or lane cell.
fn seconds_of(run: &Run) -> f64 {
    let rate = run.throughput.last().map(|p| p.0);
    let cell = run.spans.last().map(|s| s.1);
    rate.into_iter().chain(cell).fold(0.0f64, f64::max)
}
