//! The run screen's left side and header: headline figures, throughput chart, worker lanes.

use super::app::App;
use super::render::{fmt_rate, render_status, run_areas};
use super::runs::{Run, WorkerLane};
use super::theme::{wait_glyph, Theme};
use crate::measure::WaitCategory;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph};
use ratatui::Frame;

/// Draws the run screen.
pub fn render_run(frame: &mut Frame, app: &App, theme: Theme) {
    let areas = run_areas(app.size_of(frame));
    let Some(run) = app.current_run() else {
        frame.render_widget(
            Paragraph::new("no run yet: press r to set one up"),
            areas.header,
        );
        return render_status(frame, areas.status, app, theme);
    };
    frame.render_widget(Paragraph::new(headline(run, theme)), areas.header);
    let others: Vec<&Run> = app
        .runs
        .iter()
        .filter(|r| r.workload == run.workload && r.number != run.number)
        .collect();
    render_chart(frame, areas.chart, run, &others, None, theme);
    render_lanes(frame, areas.lanes, run, theme);
    super::render_flame::render_profile(frame, areas.profile, app, theme);
    super::render_flame::render_detail(frame, areas.detail, app, theme);
    render_status(frame, areas.status, app, theme);
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

/// Items/s over time for `run`, with `others` overlaid (dim). `y_max` forces the scale.
pub fn render_chart(
    frame: &mut Frame,
    area: Rect,
    run: &Run,
    others: &[&Run],
    y_max: Option<f64>,
    theme: Theme,
) {
    let all = others.iter().copied().chain(std::iter::once(run));
    let x_max = all.clone().flat_map(|r| r.throughput.last()).map(|p| p.0);
    let x_max = x_max.fold(1.0f64, f64::max);
    let y_top = all.flat_map(|r| r.throughput.iter().map(|p| p.1));
    let y_max = y_max.unwrap_or_else(|| y_top.fold(1.0f64, f64::max) * 1.1);
    let mut datasets: Vec<Dataset> = others
        .iter()
        .map(|r| {
            Dataset::default()
                .name(format!("run {}", r.number))
                .marker(Marker::Dot)
                .graph_type(GraphType::Line)
                .style(theme.fg(Color::DarkGray))
                .data(&r.throughput)
        })
        .collect();
    datasets.push(
        Dataset::default()
            .name(format!("run {}", run.number))
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme.fg(Color::Cyan))
            .data(&run.throughput),
    );
    let chart = Chart::new(datasets)
        .block(Block::default().borders(Borders::ALL).title(" items/s "))
        .x_axis(
            Axis::default()
                .bounds([0.0, x_max])
                .labels(["0 s".to_string(), format!("{x_max:.1} s")]),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, y_max])
                .labels(["0".to_string(), short(y_max)]),
        );
    frame.render_widget(chart, area);
}

/// 1234567 → "1.2M".
pub fn short(v: f64) -> String {
    match v {
        v if v >= 1e6 => format!("{:.1}M", v / 1e6),
        v if v >= 1e3 => format!("{:.0}k", v / 1e3),
        v => format!("{v:.0}"),
    }
}

const LEGEND: [(WaitCategory, &str); 4] = [
    (WaitCategory::Gil, "gil"),
    (WaitCategory::Queue, "idle"),
    (WaitCategory::Disk, "disk"),
    (WaitCategory::Net, "net/db"),
];

fn legend(theme: Theme) -> Line<'static> {
    let mut spans = vec![
        Span::styled("█", theme.fg(Color::Green)),
        Span::raw("cpu "),
        Span::styled("▒", theme.fg(Color::Yellow)),
        Span::raw("core-wait "),
    ];
    for (category, label) in LEGEND {
        let (glyph, color) = wait_glyph(category);
        spans.push(Span::styled(glyph.to_string(), theme.fg(color)));
        spans.push(Span::raw(format!("{label} ")));
    }
    Line::from(spans)
}

/// One row per worker: what it did in each tick interval, newest at the right.
pub fn render_lanes(frame: &mut Frame, area: Rect, run: &Run, theme: Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" workers: busy or waiting? ")
        .title_bottom(legend(theme));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // A PostgreSQL run's connections, as the server saw them, go first.
    let mut lines: Vec<Line> = Vec::new();
    if !run.pg.is_empty() && inner.height > 1 {
        lines.push(super::render_pg::pg_lane_line(&run.pg, inner.width, theme));
    }
    let shown = usize::from(inner.height) - lines.len();
    lines.extend(run.lanes.iter().take(shown).enumerate().map(|(i, lane)| {
        if i + 1 == shown && run.lanes.len() > shown {
            Line::from(format!("… {} more workers", run.lanes.len() - i))
        } else {
            lane_line(lane, inner.width, theme)
        }
    }));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Room for a lane's name: `bs-threads-12` and most other worker names fit whole.
const LANE_LABEL: usize = 13;

fn lane_line(lane: &WorkerLane, width: u16, theme: Theme) -> Line<'static> {
    let name: String = lane.name.chars().take(LANE_LABEL).collect();
    let cpu_share = if lane.last.wall_s > 0.0 {
        lane.last.cpu_s / lane.last.wall_s
    } else {
        0.0
    };
    let summary = format!(" cpu {:>3.0}%", cpu_share * 100.0);
    let room = usize::from(width).saturating_sub(LANE_LABEL + 1 + summary.len());
    let start = lane.cells.len().saturating_sub(room);
    let mut spans = vec![Span::raw(format!("{name:<LANE_LABEL$} "))];
    for cell in &lane.cells[start..] {
        let (glyph, style) = theme.lane(cell.as_ref());
        spans.push(Span::styled(glyph.to_string(), style));
    }
    let pad = room.saturating_sub(lane.cells.len() - start);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::raw(summary));
    Line::from(spans)
}
