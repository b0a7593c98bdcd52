//! Flame graph layout: a pure function from a frame tree to boxes on a character grid.
//!
//! No terminal types here, so the layout can be tested and benchmarked on its own. Widths are
//! proportional to samples: a frame spans the columns between the rounded positions of its first
//! and last sample, which keeps every child inside its parent.

use crate::flame::{FrameTree, NodeId};

/// Where the root sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Orientation {
    /// Root at the top, callees below (an icicle graph).
    #[default]
    Icicle,
    /// Root at the bottom, callees above (a classic flame graph).
    Flame,
}

/// One frame placed on the grid: columns `x .. x + width` of row `y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlameBox {
    pub node: NodeId,
    pub x: u16,
    pub y: u16,
    pub width: u16,
    /// Depth below the displayed root (the root is 0).
    pub depth: usize,
}

impl FlameBox {
    /// True when the cell (`x`, `y`) lies inside this box.
    pub fn contains(&self, x: u16, y: u16) -> bool {
        y == self.y && x >= self.x && x < self.x + self.width
    }
}

/// Lays `tree` out in a `width` × `height` grid. Frames narrower than one column and frames
/// deeper than the grid are left out. Boxes come sorted by depth, then column.
pub fn layout(
    tree: &FrameTree,
    orientation: Orientation,
    width: u16,
    height: u16,
) -> Vec<FlameBox> {
    layout_window(tree, orientation, (width, height), 0)
}

/// [`layout`] of the rows from depth `first` on: the grid is a window scrolled down the tree,
/// so deep frames can be shown. Boxes keep their depth below the root.
pub fn layout_window(
    tree: &FrameTree,
    orientation: Orientation,
    (width, height): (u16, u16),
    first: usize,
) -> Vec<FlameBox> {
    let total = tree.total();
    if total == 0 || width == 0 || height == 0 {
        return Vec::new();
    }
    let scale = f64::from(width) / total as f64;
    let edge = |samples: u64| ((samples as f64 * scale).round() as u16).min(width);
    let end = first + usize::from(height);
    let mut out = Vec::new();
    let mut stack = vec![(tree.root(), 0u64, 0usize)];
    while let Some((id, offset, depth)) = stack.pop() {
        let node = &tree.nodes()[id];
        let (x0, x1) = (edge(offset), edge(offset + node.total));
        if depth >= end || x1 <= x0 {
            continue;
        }
        if depth >= first {
            let row = (depth - first) as u16;
            let y = match orientation {
                Orientation::Icicle => row,
                Orientation::Flame => height - 1 - row,
            };
            out.push(FlameBox {
                node: id,
                x: x0,
                y,
                width: x1 - x0,
                depth,
            });
        }
        let mut child_offset = offset;
        for &child in &node.children {
            stack.push((child, child_offset, depth + 1));
            child_offset += tree.nodes()[child].total;
        }
    }
    out.sort_by_key(|b| (b.depth, b.x));
    out
}

/// The box under cell (`x`, `y`), if any.
pub fn box_at(boxes: &[FlameBox], x: u16, y: u16) -> Option<&FlameBox> {
    boxes.iter().find(|b| b.contains(x, y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flame::FoldedStacks;

    fn tree(text: &str) -> FrameTree {
        FrameTree::from_stacks(&FoldedStacks::parse(text).unwrap())
    }

    const INPUT: &str = "t;a;b 30\nt;a 10\nt;c 20\nu;d 40\n";

    #[test]
    fn widths_are_proportional_to_samples() {
        let t = tree(INPUT);
        let boxes = layout(&t, Orientation::Icicle, 100, 10);
        for b in &boxes {
            let want = t.nodes()[b.node].total as f64 * 100.0 / t.total() as f64;
            assert!(
                (f64::from(b.width) - want).abs() <= 1.0,
                "{b:?} want {want}"
            );
        }
        assert_eq!(boxes[0].width, 100);
        assert_eq!(boxes.len(), t.node_count());
    }

    #[test]
    fn everything_stays_inside_the_area_and_children_inside_parents() {
        let t = tree(INPUT);
        for orientation in [Orientation::Icicle, Orientation::Flame] {
            for (w, h) in [(7, 3), (80, 24), (13, 2), (1, 1)] {
                let boxes = layout(&t, orientation, w, h);
                for b in &boxes {
                    assert!(b.x + b.width <= w && b.y < h && b.width > 0, "{b:?}");
                    let Some(parent) = t.nodes()[b.node].parent else {
                        continue;
                    };
                    let p = boxes
                        .iter()
                        .find(|p| p.node == parent)
                        .expect("parent laid out");
                    assert!(
                        b.x >= p.x && b.x + b.width <= p.x + p.width,
                        "{b:?} in {p:?}"
                    );
                    assert_eq!(b.depth, p.depth + 1);
                }
            }
        }
    }

    #[test]
    fn orientation_flips_rows_and_depth_is_clipped() {
        let t = tree(INPUT);
        let icicle = layout(&t, Orientation::Icicle, 50, 2);
        assert!(icicle
            .iter()
            .all(|b| b.depth < 2 && b.y as usize == b.depth));
        let flame = layout(&t, Orientation::Flame, 50, 2);
        assert!(flame.iter().all(|b| b.y as usize == 1 - b.depth));
        let root = box_at(&flame, 49, 1).unwrap();
        assert_eq!(root.node, t.root());
        assert!(box_at(&flame, 50, 1).is_none());
    }

    #[test]
    fn a_scrolled_window_shows_the_deep_rows_on_top() {
        let t = tree("t;a;b;c;d 5\nt;e 5\n");
        let boxes = layout_window(&t, Orientation::Icicle, (10, 2), 3);
        let names: Vec<&str> = boxes.iter().map(|b| &*t.nodes()[b.node].name).collect();
        assert_eq!(names, ["b", "c"]);
        assert_eq!((boxes[0].y, boxes[0].depth, boxes[1].y), (0, 3, 1));
        let flame = layout_window(&t, Orientation::Flame, (10, 2), 3);
        assert_eq!((flame[0].y, flame[1].y), (1, 0));
        assert_eq!(
            layout_window(&t, Orientation::Icicle, (10, 9), 0),
            layout(&t, Orientation::Icicle, 10, 9)
        );
    }

    #[test]
    fn empty_tree_or_area_gives_nothing() {
        assert!(layout(&tree(""), Orientation::Icicle, 80, 24).is_empty());
        assert!(layout(&tree(INPUT), Orientation::Icicle, 0, 24).is_empty());
    }
}
