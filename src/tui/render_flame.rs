//! The profile pane: flamegraph, top-functions table and call tree, plus the detail line.

use super::app::App;
use super::flame_layout::{layout, FlameBox};
use super::flame_view::{FlameView, ViewKind};
use super::render::tree_scroll;
use super::theme::Theme;
use crate::flame::FrameTree;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, TableState};
use ratatui::Frame;

/// The bordered profile pane in its current view.
pub fn render_profile(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let view = &app.flame;
    let mut title = format!(" {} ", view.kind.title());
    let describe = view.describe();
    if !describe.is_empty() {
        title.push_str(&format!("· {describe} "));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .title_bottom(" Tab views · / search · c collapse · ? keys ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if view.tree.total() == 0 {
        let msg = "no CPU samples yet (an IO-bound run has few: see the worker lanes)";
        frame.render_widget(Paragraph::new(msg), inner);
        return;
    }
    match view.kind {
        ViewKind::Flame => draw_flame(frame.buffer_mut(), inner, view, theme),
        ViewKind::Top => render_top(frame, inner, view, theme),
        ViewKind::Tree => render_tree(frame, inner, view, theme),
    }
}

/// Paints `boxes` of `tree` into `buf` inside `area`, styling each with `style(box)`.
pub fn paint_boxes(
    buf: &mut Buffer,
    area: Rect,
    tree: &FrameTree,
    boxes: &[FlameBox],
    style: impl Fn(&FlameBox) -> Style,
) {
    for b in boxes {
        let name = &tree.nodes()[b.node].name;
        let style = style(b);
        let label_room = usize::from(b.width.saturating_sub(1)).max(1);
        let mut label = short_label(name, label_room).chars().take(label_room);
        for dx in 0..b.width {
            let ch = if dx + 1 < b.width || b.width == 1 {
                label.next().unwrap_or(' ')
            } else {
                ' '
            };
            if let Some(cell) = buf.cell_mut((area.x + b.x + dx, area.y + b.y)) {
                cell.set_char(ch).set_style(style);
            }
        }
    }
}

/// The name if it fits in `room` columns, else its last path segment (`a::b::f` → `f`).
pub fn short_label(name: &str, room: usize) -> &str {
    if name.chars().count() <= room {
        return name;
    }
    match name.rsplit_once("::") {
        Some((_, last)) if !last.is_empty() => last,
        _ => name,
    }
}

/// The interactive flamegraph of `view`.
pub fn draw_flame(buf: &mut Buffer, area: Rect, view: &FlameView, theme: Theme) {
    let boxes = layout(&view.tree, view.orientation, area.width, area.height);
    let search = view.search.as_ref();
    paint_boxes(buf, area, &view.tree, &boxes, |b| {
        let matched = search.is_some_and(|s| s.is_match(b.node));
        let dimmed = search.is_some() && !matched;
        let name = &view.tree.nodes()[b.node].name;
        theme.frame(name, b.node == view.selected_id, matched, dimmed)
    });
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "-".into();
    }
    format!("{:.1}%", 100.0 * part as f64 / whole as f64)
}

fn render_top(frame: &mut Frame, area: Rect, view: &FlameView, theme: Theme) {
    let total = view.tree.total();
    let rows = view.top.iter().map(|r| {
        Row::new([
            pct(r.self_samples, total),
            r.self_samples.to_string(),
            pct(r.total_samples, total),
            r.total_samples.to_string(),
            r.name.clone(),
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
                "{:>6} {:>6}  {}{marker} {}",
                pct(node.total, total),
                pct(node.self_count, total),
                "  ".repeat(indent),
                node.name
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
pub fn render_detail(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let view = &app.flame;
    let text = if let Some(input) = &app.search_input {
        format!("search (regex): /{input}▏  Enter applies, Esc cancels")
    } else {
        let node = &view.tree.nodes()[view.selected_id];
        let (samples, of_total, of_parent) = view.selected_shares();
        let mut text = format!(
            "▶ {} · {samples} samples · {of_total:.1}% of total · {of_parent:.1}% of parent · self {}",
            node.name, node.self_count
        );
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
