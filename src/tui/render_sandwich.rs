//! The selected function's sandwich (callers above it, callees below, merged over every place
//! it occurs) and the detail panel of the selected frame.

use super::flame_label::frame_label;
use super::flame_layout::{layout, Orientation};
use super::flame_view::FlameView;
use super::render_flame::paint_boxes;
use super::theme::Theme;
use crate::flame::FrameTree;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// The sandwich of the focused function inside the profile pane's `inner` area: callers grow
/// up from the function, callees hang down from it.
pub fn render_sandwich(frame: &mut Frame, inner: Rect, view: &FlameView, theme: Theme) {
    let Some(focus) = &view.focus else {
        let msg = "the selected function is not in this profile (S closes the sandwich)";
        return frame.render_widget(Paragraph::new(msg), inner);
    };
    if inner.height < 4 {
        return;
    }
    let callers_h = (inner.height - 2) / 2;
    let name = frame_label(&focus.name, usize::from(inner.width) / 2);
    let title = |text: String, y: u16| (Paragraph::new(text).style(theme.bold()), row(inner, y, 1));
    let weight = view.profile.weight(focus.total);
    let (top, at) = title(
        format!("▲ callers of {name} · {weight} · S closes"),
        inner.y,
    );
    frame.render_widget(top, at);
    let callers = row(inner, inner.y + 1, callers_h);
    draw_half(
        frame,
        callers,
        (&focus.callers, Orientation::Flame),
        view,
        theme,
    );
    let below = inner.y + 1 + callers_h;
    let (mid, at) = title(format!("▼ callees of {name}"), below);
    frame.render_widget(mid, at);
    let callees = row(inner, below + 1, inner.bottom() - below - 1);
    draw_half(
        frame,
        callees,
        (&focus.callees, Orientation::Icicle),
        view,
        theme,
    );
}

/// Rows `y .. y + height` of `area`.
fn row(area: Rect, y: u16, height: u16) -> Rect {
    Rect { y, height, ..area }
}

/// One side of the sandwich: its tree laid out in `area`, the function itself highlighted.
fn draw_half(
    frame: &mut Frame,
    area: Rect,
    (tree, orientation): (&FrameTree, Orientation),
    view: &FlameView,
    theme: Theme,
) {
    let boxes = layout(tree, orientation, area.width, area.height);
    let shares = (tree, view.unzoomed_total);
    paint_boxes(frame.buffer_mut(), area, shares, &boxes, |b| {
        let name = &tree.nodes()[b.node].name;
        theme.frame(name, b.node == tree.root(), false, false)
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
