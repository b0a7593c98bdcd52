//! The compare screen: two runs' figures and throughput side by side, the diff flamegraph and
//! the selected frame's figures in A and B.

use super::Compare;
use crate::flame::Weight;
use crate::tui::state::{Run, Shared};
use crate::tui::widgets::chart::{render_chart, shown_seconds, ChartScale};
use crate::tui::widgets::flame::layout::{layout, Orientation};
use crate::tui::widgets::flame::paint::paint_boxes;
use crate::tui::widgets::fmt::fmt_rate;
use crate::tui::widgets::status::render_status;
use crate::tui::widgets::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};
use ratatui::Frame;

/// Draws the compare screen.
pub fn render_compare(frame: &mut Frame, compare: Option<&Compare>, shared: &Shared, theme: Theme) {
    let Some(cmp) = compare else { return };
    let (a, b) = (&shared.runs[cmp.a], &shared.runs[cmp.b]);
    let [figures, charts, flame, detail, status] = Layout::vertical([
        Constraint::Length(8),
        Constraint::Percentage(35),
        Constraint::Min(4),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let speedup = match (cmp.speedup(&shared.runs), cmp.speedup_error(&shared.runs)) {
        (Some(s), Some(e)) => format!("×{s:.2} ± {e:.2}"),
        (Some(s), None) => format!("×{s:.2}"),
        _ => "-".to_string(),
    };
    render_figures(frame, figures, a, b, &speedup, theme);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(charts);
    let top = [a, b]
        .iter()
        .flat_map(|r| r.throughput.iter().map(|p| p.1))
        .fold(1.0f64, f64::max)
        * 1.1;
    // One scale for both, so the longer and the faster run look it: the longer run's whole
    // time (an overlay's cap at twice the shown run does not apply to two runs side by side).
    let scale = ChartScale {
        t_max: Some(shown_seconds(a, &[]).max(shown_seconds(b, &[]))),
        y_max: Some(top),
    };
    render_chart(frame, left, (a, &[]), scale, 5, theme);
    render_chart(frame, right, (b, &[]), scale, 5, theme);
    render_diff(frame, flame, cmp, theme);
    frame.render_widget(Paragraph::new(detail_text(cmp)).style(theme.bold()), detail);
    render_status(frame, status, &shared.status, theme);
}

/// What the speedup's `±` is, under the figures.
const ERROR_NOTE: &str = "± one standard error, from the two runs' tick-to-tick items/s";

fn render_figures(frame: &mut Frame, area: Rect, a: &Run, b: &Run, speedup: &str, theme: Theme) {
    let row = |label: &str, f: &dyn Fn(&Run) -> String| Row::new([label.to_string(), f(a), f(b)]);
    let rows = vec![
        row("items/s", &|r| fmt_rate(r.items_per_s())),
        row("wall", &|r| format!("{:.2} s", r.elapsed())),
        row("busy cores", &|r| {
            format!("{:.2} of {}", r.busy_cores(), r.workers)
        }),
        row("verdict", &|r| r.verdict().to_string()),
    ];
    let header = Row::new([
        String::new(),
        format!("A: run {} {}", a.number, crate::sanitize::name(&a.label)),
        format!("B: run {} {}", b.number, crate::sanitize::name(&b.label)),
    ])
    .style(theme.bold());
    let widths = [
        Constraint::Length(11),
        Constraint::Percentage(45),
        Constraint::Percentage(45),
    ];
    let title =
        format!(" compare · speedup of B over A: {speedup} (arrows select, Tab swaps, Esc back) ");
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [table, note] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Table::new(rows, widths).header(header), table);
    if speedup.contains('±') {
        frame.render_widget(Paragraph::new(ERROR_NOTE).style(theme.dim()), note);
    }
}

fn render_diff(frame: &mut Frame, area: Rect, cmp: &Compare, theme: Theme) {
    let what = match cmp.weight {
        Weight::Nanoseconds if cmp.phases => "the job's phases",
        Weight::Nanoseconds => "wall-clock time",
        Weight::Samples => "CPU samples",
    };
    let title = format!(
        " diff flamegraph, B against A · {what}, {} · red grew, blue shrank ",
        cmp.normalize().describe()
    );
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let tree = &cmp.diff.tree;
    if tree.total() == 0 {
        frame.render_widget(Paragraph::new(format!("no {what} in run B")), inner);
        return;
    }
    let boxes = layout(tree, Orientation::Icicle, inner.width, inner.height);
    paint_boxes(frame.buffer_mut(), inner, (tree, 0), &boxes, |b| {
        let delta = cmp.diff.delta_fraction(b.node).unwrap_or(0.0);
        let selected = b.node == cmp.selected;
        let style = theme.diff_frame(delta, selected);
        if selected && theme.color {
            style.add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            style
        }
    });
}

/// The selected frame in A and in B, and the change: seconds for wall time, samples for CPU.
fn detail_text(cmp: &Compare) -> String {
    let Some((name, before, after, delta)) = cmp.selected_figures() else {
        return String::new();
    };
    let share = if before > 0.0 {
        format!("{:+.1}%", delta / before * 100.0)
    } else if after > 0.0 {
        "new in B".to_string()
    } else {
        "-".to_string()
    };
    let w = cmp.weight;
    let name = crate::sanitize::name(name);
    format!(
        "▶ {name} · A {} → B {} · Δ {} ({share})",
        w.format(before),
        w.format(after),
        w.format_delta(delta)
    )
}
