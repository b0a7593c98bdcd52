//! The selected function's sandwich (callers above it, callees below, merged over every place
//! it occurs, the picked frame marked and named) and the detail panel of the selected frame.

use super::label::frame_label;
use super::layout::{layout_window, Orientation};
use super::paint::paint_boxes;
use super::sandwich::{half, SandwichPick, Side};
use super::view::FlameView;
use crate::flame::{FrameTree, NodeId, Sandwich};
use crate::tui::widgets::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// The sandwich of the focused function inside the profile pane's `inner` area: callers grow
/// up from the function, callees hang down from it, and the last row names the picked frame.
pub fn render_sandwich(frame: &mut Frame, inner: Rect, view: &FlameView, theme: Theme) {
    let Some(focus) = &view.focus else {
        let msg = "the selected function is not in this profile (S closes the sandwich)";
        return frame.render_widget(Paragraph::new(msg), inner);
    };
    if inner.height < 5 {
        return;
    }
    let mut pick = view.pick.clone();
    let picked = pick.resolve(focus);
    let callers_h = (inner.height - 3) / 2;
    let name = frame_label(&focus.name, usize::from(inner.width) / 2);
    let title = |text: String, y: u16| (Paragraph::new(text).style(theme.bold()), row(inner, y, 1));
    let weight = view.profile.weight(focus.total);
    let (top, at) = title(
        format!("▲ callers of {name} · {weight} · S closes"),
        inner.y,
    );
    frame.render_widget(top, at);
    let callers = row(inner, inner.y + 1, callers_h);
    // The function is the root of both halves: picked, it is marked in both.
    let on = |side: Side, tree: &FrameTree| match pick.is_function() {
        true => Some(tree.root()),
        false => (pick.side == side).then_some(picked),
    };
    let part = |side, orientation| {
        let tree = half(focus, side);
        (tree, orientation, on(side, tree))
    };
    draw_half(
        frame,
        callers,
        part(Side::Callers, Orientation::Flame),
        view,
        theme,
    );
    let below = inner.y + 1 + callers_h;
    let (mid, at) = title(format!("▼ callees of {name}"), below);
    frame.render_widget(mid, at);
    let callees = row(inner, below + 1, inner.bottom() - below - 2);
    draw_half(
        frame,
        callees,
        part(Side::Callees, Orientation::Icicle),
        view,
        theme,
    );
    let line = pick_line(focus, (&pick, picked), view, usize::from(inner.width));
    let (last, at) = title(line, inner.bottom() - 1);
    frame.render_widget(last, at);
}

/// Rows `y .. y + height` of `area`.
fn row(area: Rect, y: u16, height: u16) -> Rect {
    Rect { y, height, ..area }
}

/// What the last row says about the pick: which frame, its weight and share of the function.
fn pick_line(
    focus: &Sandwich,
    (pick, id): (&SandwichPick, NodeId),
    view: &FlameView,
    width: usize,
) -> String {
    let node = &half(focus, pick.side).nodes()[id];
    let name = frame_label(&node.name, width / 2);
    let weight = view.profile.weight(node.total);
    if pick.is_function() {
        return format!("▸ {name} · ↑ callers ↓ callees · Enter refocuses on the pick");
    }
    let share = match focus.total {
        0 => 0.0,
        whole => 100.0 * node.total as f64 / whole as f64,
    };
    let (kind, arrow) = match pick.side {
        Side::Callers => ("caller", "↑"),
        Side::Callees => ("callee", "↓"),
    };
    let depth = pick.path.len();
    format!("▸ {kind} {arrow}{depth} {name} · {weight} · {share:.1}% of the function")
}

/// One side of the sandwich: its tree laid out in `area` from the depth that keeps the picked
/// frame (if on this side) on screen, the picked frame highlighted.
fn draw_half(
    frame: &mut Frame,
    area: Rect,
    (tree, orientation, picked): (&FrameTree, Orientation, Option<NodeId>),
    view: &FlameView,
    theme: Theme,
) {
    let depth = picked.map_or(0, |id| tree.nodes()[id].depth);
    let first = (depth + 1).saturating_sub(usize::from(area.height));
    let boxes = layout_window(tree, orientation, (area.width, area.height), first);
    let shares = (tree, view.unzoomed_total);
    paint_boxes(frame.buffer_mut(), area, shares, &boxes, |b| {
        let name = &tree.nodes()[b.node].name;
        theme.frame(name, Some(b.node) == picked, false, false)
    });
}

/// The selected frame's figures in a panel at the bottom of `inner`.
pub fn render_detail_panel(frame: &mut Frame, inner: Rect, view: &FlameView, theme: Theme) {
    let text = view.detail_lines();
    // Rows once wrapped (long names take several), plus the border.
    let width = usize::from(inner.width.saturating_sub(2)).max(1);
    let rows: usize = text
        .iter()
        .map(|l| l.chars().count().div_ceil(width).max(1))
        .sum();
    let height = (rows as u16 + 3).min(inner.height);
    let lines: Vec<Line> = text.into_iter().map(Line::from).collect();
    let popup = Rect {
        y: inner.bottom() - height,
        height,
        ..inner
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" selected frame · d closes ")
        .style(theme.bold());
    frame.render_widget(Clear, popup);
    let text = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false });
    frame.render_widget(text, popup);
}
