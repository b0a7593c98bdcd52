//! Painting laid-out frame boxes into a buffer: each box its label (cut to fit, with its
//! share when asked) in its style, a gap column at its right end.

use super::label::{label_with_share, share_text};
use super::layout::FlameBox;
use crate::flame::FrameTree;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Paints `boxes` of `tree` into `buf` inside `area`, styling each with `style(box)`. A box's
/// last column is left unstyled, a gap that keeps neighbours apart; labels are cut with `…`
/// and, when `share_of` is not 0, wide frames end with their share of it.
pub fn paint_boxes(
    buf: &mut Buffer,
    area: Rect,
    (tree, share_of): (&FrameTree, u64),
    boxes: &[FlameBox],
    style: impl Fn(&FlameBox) -> Style,
) {
    for b in boxes {
        let node = &tree.nodes()[b.node];
        let style = style(b);
        let share = match share_of {
            0 => String::new(),
            whole => share_text(node.total, whole),
        };
        let width = usize::from(b.width);
        let text = label_with_share(&node.name, &share, width.max(2));
        let mut label = text.chars();
        for dx in 0..b.width {
            let gap = dx + 1 == b.width && b.width > 1;
            let Some(cell) = buf.cell_mut((area.x + b.x + dx, area.y + b.y)) else {
                continue;
            };
            if gap {
                cell.set_char(' ').set_style(Style::default());
            } else {
                cell.set_char(label.next().unwrap_or(' ')).set_style(style);
            }
        }
    }
}
