//! Where the flamegraph's parts go inside its pane: the graph, the breadcrumb row over it and
//! the legend row under it; and the call tree's scroll. Pure geometry, shared by `update`
//! (mapping a click) and rendering.

use super::view::FlameView;
use crate::tui::state::profiles::Profile;
use ratatui::layout::Rect;

/// Where the parts of the flamegraph go inside the profile pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlameParts {
    pub graph: Rect,
    /// The breadcrumb row over the graph: shown when zoomed or scrolled down.
    pub crumbs: Option<Rect>,
    /// The legend row under the graph (wall-time views only).
    pub legend: Option<Rect>,
}

/// The parts of the flamegraph of `view` inside the profile pane's `inner` area.
pub fn flame_parts(inner: Rect, view: &FlameView) -> FlameParts {
    let (mut graph, legend) = flame_areas(inner, view.profile);
    // Only when ancestors are out of sight: a graph deeper than the pane whose top rows all
    // show (its deepest frames are too narrow to matter) needs no breadcrumb.
    let scrolled = view.window_start(graph.height) > 0;
    let crumbs = (graph.height >= 2 && (scrolled || !view.zoom.is_empty())).then(|| {
        let row = Rect { height: 1, ..graph };
        graph.y += 1;
        graph.height -= 1;
        row
    });
    FlameParts {
        graph,
        crumbs,
        legend,
    }
}

/// Where the flamegraph goes inside the profile pane's `inner` area, and the legend's row
/// under it (wall-time views only).
pub fn flame_areas(inner: Rect, profile: Profile) -> (Rect, Option<Rect>) {
    if !profile.is_time() || inner.height < 2 {
        return (inner, None);
    }
    let graph = Rect {
        height: inner.height - 1,
        ..inner
    };
    let row = Rect {
        y: inner.y + inner.height - 1,
        height: 1,
        ..inner
    };
    (graph, Some(row))
}

/// First row shown so that `selected` is visible in `height` rows.
pub fn tree_scroll(rows: &[(usize, usize)], selected: usize, height: u16) -> usize {
    let at = rows.iter().position(|r| r.0 == selected).unwrap_or(0);
    (at + 1).saturating_sub(usize::from(height.max(1)))
}
