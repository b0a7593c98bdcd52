//! The profile pane: flamegraph (with a legend of wait colours in wall views), top-functions
//! table and call tree, plus the detail line.

use super::label::breadcrumb;
use super::layout::{layout_window, FlameBox};
use super::paint::paint_boxes;
use super::parts::{flame_parts, tree_scroll};
use super::view::{FlameView, ViewKind};
use crate::flame::wall::frame_kind;
use crate::flame::FrameTree;
use crate::tui::state::profiles::{seconds, Profile};
use crate::tui::widgets::text_input::TextInput;
use crate::tui::widgets::theme::{wait_color, Theme, CODE_COLOR, WAIT_LABELS};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, TableState};
use ratatui::Frame;

/// The bordered profile pane in its current view.
pub fn render_profile(frame: &mut Frame, area: Rect, view: &FlameView, theme: Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(pane_title(view, area.width))
        .title_bottom(" Tab views · / search · c collapse · ? keys ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if view.tree.total() == 0 {
        let msg = match view.profile {
            Profile::Cpu => "no CPU samples yet (an IO-bound run has few: see the worker lanes)",
            Profile::Phases | Profile::PhaseCode | Profile::Wall => "no wall-clock time here",
            Profile::OffCpu => "no off-CPU time here: the workers never waited",
        };
        frame.render_widget(Paragraph::new(msg), inner);
        return;
    }
    match view.kind {
        ViewKind::Flame if view.sandwich_on => {
            super::render_sandwich::render_sandwich(frame, inner, view, theme)
        }
        ViewKind::Flame => {
            let parts = flame_parts(inner, view);
            let boxes = draw_flame(frame.buffer_mut(), parts.graph, view, theme);
            if let Some(row) = parts.legend {
                let line = legend(&view.tree, &boxes, theme);
                frame.render_widget(Paragraph::new(line), row);
            }
            if let Some(row) = parts.crumbs {
                let first = view.window_start(parts.graph.height);
                let line = format!(
                    "↑ {}",
                    breadcrumb(&view.ancestors(first), usize::from(row.width) - 2)
                );
                frame.render_widget(Paragraph::new(line).style(theme.dim()), row);
            }
        }
        ViewKind::Top => render_top(frame, inner, view, theme),
        ViewKind::Tree => render_tree(frame, inner, view, theme),
    }
    if view.detail {
        super::render_sandwich::render_detail_panel(frame, inner, view, theme);
    }
}

/// ` flamegraph · 3.20 s wall time · zoom f `: the presentation, the profile and its total,
/// the transforms; the presentation's name is left out when the pane is too narrow for all.
fn pane_title(view: &FlameView, width: u16) -> String {
    let mut parts = vec![
        view.kind.title().to_string(),
        view.profile.total_label(view.unzoomed_total),
    ];
    parts.extend(Some(view.describe()).filter(|d| !d.is_empty()));
    let fits = |parts: &[String]| parts.join(" · ").chars().count() + 4 <= usize::from(width);
    if !fits(&parts) {
        parts.remove(0);
    }
    format!(" {} ", parts.join(" · "))
}

/// The off-CPU kinds among the `boxes` drawn of `tree`, in legend order.
fn wait_labels_in(tree: &FrameTree, boxes: &[FlameBox]) -> Vec<&'static str> {
    let mut seen = [false; WAIT_LABELS.len()];
    for b in boxes {
        let kind = frame_kind(&tree.nodes()[b.node].name);
        if let Some(i) = WAIT_LABELS
            .iter()
            .position(|l| kind.is_off_cpu() && *l == kind.label())
        {
            seen[i] = true;
        }
    }
    WAIT_LABELS
        .iter()
        .zip(seen)
        .filter_map(|(label, seen)| seen.then_some(*label))
        .collect()
}

/// The colours of the wait kinds on screen (without colour: which boxes are waits).
pub fn legend(tree: &FrameTree, boxes: &[FlameBox], theme: Theme) -> Line<'static> {
    let labels = wait_labels_in(tree, boxes);
    if !theme.color {
        return Line::from(format!("waits (plain boxes): {}", labels.join(", ")));
    }
    let mut spans = vec![Span::styled("█", theme.fg(CODE_COLOR)), Span::raw(" code ")];
    for label in labels {
        spans.push(Span::styled("█", theme.fg(wait_color(label))));
        spans.push(Span::raw(format!(" {label} ")));
    }
    Line::from(spans)
}

/// The interactive flamegraph of `view`; returns the boxes drawn.
pub fn draw_flame(buf: &mut Buffer, area: Rect, view: &FlameView, theme: Theme) -> Vec<FlameBox> {
    let first = view.window_start(area.height);
    let size = (area.width, area.height);
    let boxes = layout_window(&view.tree, view.orientation, size, first);
    let search = view.search.as_ref();
    let shares = (&*view.tree, view.unzoomed_total);
    paint_boxes(buf, area, shares, &boxes, |b| {
        let matched = search.is_some_and(|s| s.is_match(b.node));
        let dimmed = search.is_some() && !matched;
        let name = &view.tree.nodes()[b.node].name;
        theme.frame(name, b.node == view.selected_id, matched, dimmed)
    });
    boxes
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "-".into();
    }
    format!("{:.1}%", 100.0 * part as f64 / whole as f64)
}

fn render_top(frame: &mut Frame, area: Rect, view: &FlameView, theme: Theme) {
    let total = view.tree.total();
    let weight = |w| view.profile.weight(w);
    let rows = view.top.iter().map(|r| {
        Row::new([
            pct(r.self_samples, total),
            weight(r.self_samples),
            pct(r.total_samples, total),
            weight(r.total_samples),
            crate::sanitize::name(&r.name).into_owned(),
        ])
    });
    let widths = [
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Min(10),
    ];
    let header = Row::new(["self%", "self", "total%", "total", "function"]).style(theme.bold());
    let table = Table::new(rows, widths)
        .header(header)
        .row_highlight_style(theme.cursor());
    let mut state = TableState::default().with_selected(Some(view.top_cursor));
    frame.render_stateful_widget(table, area, &mut state);
}

fn render_tree(frame: &mut Frame, area: Rect, view: &FlameView, theme: Theme) {
    let rows = view.tree_rows();
    let skip = tree_scroll(&rows, view.selected_id, area.height);
    let nodes = view.tree.nodes();
    let total = view.tree.total();
    let lines: Vec<Line> = rows
        .iter()
        .skip(skip)
        .take(usize::from(area.height))
        .map(|&(id, indent)| {
            let node = &nodes[id];
            let open = indent == 0 || view.expanded.contains(&view.full_path(id));
            let marker = match (node.children.is_empty(), open) {
                (true, _) => ' ',
                (false, true) => '▾',
                (false, false) => '▸',
            };
            let text = format!(
                "{:>7} {:>6} {:>6}  {}{marker} {}",
                view.profile.weight(node.total),
                pct(node.total, total),
                pct(node.self_count, total),
                "  ".repeat(indent),
                crate::sanitize::name(&node.name)
            );
            let style = if id == view.selected_id {
                theme.cursor()
            } else {
                Style::default()
            };
            Line::styled(text, style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// The line under the panes: the selected frame's figures, or the search being typed.
pub fn render_detail(
    frame: &mut Frame,
    area: Rect,
    view: &FlameView,
    search: Option<&TextInput>,
    theme: Theme,
) {
    let text = if let Some(input) = search {
        let typed = input.text();
        format!("search (regex): /{typed}▏  Enter applies, Esc cancels")
    } else {
        let mut text = selected_detail(view);
        if let Some(s) = &view.search {
            text.push_str(&format!(
                " · /{}/ {} frames {:.1}%",
                s.pattern,
                s.count,
                s.share * 100.0
            ));
        }
        text
    };
    frame.render_widget(Paragraph::new(text).style(theme.bold()), area);
}

/// The selected frame's figures: samples in the CPU view; in wall views seconds, and for a
/// wait its category and share of the workers' wall time.
pub fn selected_detail(view: &FlameView) -> String {
    let node = &view.tree.nodes()[view.selected_id];
    let (weight, of_total, of_parent) = view.selected_shares();
    // Cut so the figures stay on the line; the detail panel (d) has the whole name.
    let name = super::label::frame_label(&node.name, 40);
    if !view.profile.is_time() {
        let self_count = node.self_count;
        return format!(
            "▶ {name} · {weight} samples · {of_total:.1}% of total · {of_parent:.1}% of parent · self {self_count}"
        );
    }
    let kind = frame_kind(&node.name);
    if kind.is_off_cpu() {
        let of_wall = pct(weight, view.wall_total);
        return format!(
            "▶ {name} · off-CPU: {} · {} s · {of_wall} of the workers' wall time · {of_parent:.1}% of parent",
            kind.label(),
            seconds(weight)
        );
    }
    format!(
        "▶ {name} · {} s · {of_total:.1}% of {} · {of_parent:.1}% of parent · self {} s",
        seconds(weight),
        view.profile.whole(),
        seconds(node.self_count)
    )
}
