//! The flame graph's view state: transforms (engine fold, threads, libraries, collapses, zoom), the selected
//! frame, search and the derived tables. Plain data, rebuilt from folded stacks on demand.

use super::fold::FoldCache;
use super::layout::{FlameBox, Orientation};
use super::stats::{top_rows, Search, TopRow};
use crate::flame::{FoldedStacks, FrameTree, NodeId, Sandwich};
use crate::tui::state::profiles::Profile;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Library prefixes folded by the "collapse libraries" key.
pub const LIBRARY_PREFIXES: &[&str] = &[
    "tokio::",
    "rayon::",
    "rayon_core::",
    "std::",
    "core::",
    "alloc::",
];

/// Which presentation of the profile is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ViewKind {
    #[default]
    Flame,
    Top,
    Tree,
}

impl ViewKind {
    pub fn next(self) -> ViewKind {
        match self {
            ViewKind::Flame => ViewKind::Top,
            ViewKind::Top => ViewKind::Tree,
            ViewKind::Tree => ViewKind::Flame,
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            ViewKind::Flame => "flamegraph",
            ViewKind::Top => "top functions",
            ViewKind::Tree => "call tree",
        }
    }
}

/// A path of frame names.
pub type Path = Vec<String>;

/// Everything about how the profile is looked at, plus what is derived from it.
#[derive(Debug, Clone)]
pub struct FlameView {
    /// The profile shown (wall time, CPU samples, off-CPU time).
    pub profile: Profile,
    /// The profile picked with the view key; `None` shows the run's default.
    pub chosen: Option<Profile>,
    /// The workers' wall time in the run's profile (nanoseconds): the base of wait shares.
    pub wall_total: u64,
    /// The displayed tree: transforms, collapses and zoom applied (shared with the run when no
    /// transform is in force).
    pub tree: Arc<FrameTree>,
    /// The transformed tree before zooming: where the sandwich merges a function's places.
    pub base: Arc<FrameTree>,
    /// Weight of the transformed tree before zooming (the "% of total" base).
    pub unzoomed_total: u64,
    /// The first depth shown when the graph is deeper than the pane (kept so the selection
    /// stays on screen).
    pub scroll: usize,
    /// The sandwich of the selected function replaces the flamegraph.
    pub sandwich_on: bool,
    /// The detail panel of the selected frame shows over the flamegraph.
    pub detail: bool,
    /// The selected function over every place it occurs, while the sandwich or the detail
    /// panel shows.
    pub focus: Option<Arc<Sandwich>>,
    /// The frame picked in the sandwich (the arrows move it there).
    pub pick: super::sandwich::SandwichPick,
    pub orientation: Orientation,
    pub kind: ViewKind,
    pub merge_threads: bool,
    pub collapse_libs: bool,
    /// Every frame is shown; otherwise the engine's frames above the workload fold into one.
    pub full_stacks: bool,
    /// The engine fold of the last tree shown.
    pub fold: FoldCache,
    /// Stacks reversed: leaves at the root, their callers growing out of them.
    pub inverted: bool,
    /// Only this thread's stacks are shown.
    pub thread: Option<String>,
    /// Collapsed frames, as full paths below the root.
    pub collapsed: BTreeSet<Path>,
    /// Zoom history; the last entry is the current zoom target (a full path).
    pub zoom: Vec<Path>,
    /// Selected frame, relative to the displayed root.
    pub selected: Path,
    pub selected_id: NodeId,
    /// Expanded rows of the call tree, as full paths.
    pub expanded: BTreeSet<Path>,
    pub search: Option<Search>,
    /// The top-functions table; only kept up to date while that view shows (see `top_stale`).
    pub top: Vec<TopRow>,
    pub top_cursor: usize,
    /// The tree changed since `top` was computed (it is recomputed when the table shows).
    pub top_stale: bool,
    /// The run's tree as it was when the view was frozen.
    pub frozen: Option<Arc<FrameTree>>,
}

impl Default for FlameView {
    fn default() -> Self {
        FlameView {
            profile: Profile::Cpu,
            chosen: None,
            wall_total: 0,
            tree: Arc::new(FrameTree::from_stacks(&FoldedStacks::new())),
            base: Arc::new(FrameTree::from_stacks(&FoldedStacks::new())),
            unzoomed_total: 0,
            scroll: 0,
            sandwich_on: false,
            detail: false,
            focus: None,
            pick: Default::default(),
            orientation: Orientation::Icicle,
            kind: ViewKind::Flame,
            merge_threads: false,
            collapse_libs: false,
            full_stacks: false,
            fold: FoldCache::default(),
            inverted: false,
            thread: None,
            collapsed: BTreeSet::new(),
            zoom: Vec::new(),
            selected: Vec::new(),
            selected_id: 0,
            expanded: BTreeSet::new(),
            search: None,
            top: Vec::new(),
            top_cursor: 0,
            top_stale: false,
            frozen: None,
        }
    }
}

fn refs(path: &[String]) -> Vec<&str> {
    path.iter().map(String::as_str).collect()
}

impl FlameView {
    /// Rebuilds the displayed tree from the run's `base` tree (or the frozen one). Without
    /// transforms the base tree is shared, not copied.
    pub fn rebuild(&mut self, base: Arc<FrameTree>) {
        let mut tree = self.frozen.clone().unwrap_or(base);
        // First, while each stack still starts at its thread, which names the engine. Phase
        // views have no engine frames above the phases: under a phase come the frames called
        // in it, and those are the job's (an engine-looking closure there is not plumbing).
        let phase_view = matches!(self.profile, Profile::Phases | Profile::PhaseCode);
        if !self.full_stacks && !phase_view {
            tree = self.fold.folded(&tree);
        }
        if let Some(thread) = &self.thread {
            tree = Arc::new(tree.filter_thread(thread));
        }
        if self.merge_threads {
            tree = Arc::new(tree.merge_threads());
        }
        if self.inverted {
            tree = Arc::new(tree.invert());
        }
        if self.collapse_libs {
            tree = Arc::new(tree.collapse_library(LIBRARY_PREFIXES));
        }
        let mut collapsed: Vec<&Path> = self.collapsed.iter().collect();
        collapsed.sort_by_key(|p| p.len());
        for path in collapsed {
            if let Some(id) = tree.find(&refs(path)) {
                if let Ok(done) = tree.collapse(id) {
                    tree = Arc::new(done);
                }
            }
        }
        self.unzoomed_total = tree.total();
        self.base = tree.clone();
        while let Some(target) = self.zoom.last() {
            match tree.find(&refs(target)) {
                Some(id) => {
                    if let Ok(done) = tree.zoom(id) {
                        tree = Arc::new(done);
                    }
                    break;
                }
                None => {
                    self.zoom.pop();
                }
            }
        }
        self.tree = tree;
        self.resolve_selection();
        self.top_stale = true;
        self.refresh_top();
        if let Some(search) = self.search.as_mut() {
            search.apply(&self.tree);
        }
        self.refresh_focus();
    }

    /// Recomputes the top-functions table if it is showing and out of date (per-function sums
    /// over every frame cost more than the rest of a live update, so other views skip them).
    pub fn refresh_top(&mut self) {
        if self.kind == ViewKind::Top && self.top_stale {
            self.top = top_rows(&self.tree);
            self.top_stale = false;
        }
        self.top_cursor = self.top_cursor.min(self.top.len().saturating_sub(1));
    }

    /// Switches to the next presentation (flamegraph, top functions, call tree).
    pub fn next_kind(&mut self) {
        self.kind = self.kind.next();
        self.refresh_top();
    }

    /// Points `selected_id` at the selected path, or its nearest ancestor that exists. The path
    /// is kept, so the frame is selected again when it comes back (another profile shown, a
    /// collapse undone, a frame that a live run has not reached yet).
    fn resolve_selection(&mut self) {
        let mut path = refs(&self.selected);
        loop {
            if let Some(id) = self.tree.find(&path) {
                self.selected_id = id;
                return;
            }
            path.pop();
        }
    }

    /// The full path (below the unzoomed root) of a displayed node.
    pub fn full_path(&self, id: NodeId) -> Path {
        let mut path = self.zoom.last().cloned().unwrap_or_default();
        if let Some(rel) = self.tree.path(id) {
            path.extend(rel.iter().map(|s| s.to_string()));
        }
        path
    }

    pub fn select(&mut self, id: NodeId) {
        if let Some(path) = self.tree.path(id) {
            self.selected = path.iter().map(|s| s.to_string()).collect();
            self.selected_id = id;
        }
    }

    pub fn select_parent(&mut self) {
        if let Some(parent) = self.tree.nodes()[self.selected_id].parent {
            self.select(parent);
        }
    }

    /// Moves to the heaviest child.
    pub fn select_child(&mut self) {
        let nodes = self.tree.nodes();
        let child = nodes[self.selected_id]
            .children
            .iter()
            .copied()
            .max_by_key(|&c| (nodes[c].total, std::cmp::Reverse(c)));
        if let Some(child) = child {
            self.select(child);
        }
    }

    /// Moves to the previous (`-1`) or next (`+1`) frame at the same depth on screen, falling
    /// back to siblings when the frame is not laid out.
    pub fn select_beside(&mut self, boxes: &[FlameBox], step: isize) {
        let row: Vec<&FlameBox> = match boxes.iter().find(|b| b.node == self.selected_id) {
            Some(me) => boxes.iter().filter(|b| b.depth == me.depth).collect(),
            None => Vec::new(),
        };
        let target = match row.iter().position(|b| b.node == self.selected_id) {
            Some(i) => row.get(i.wrapping_add_signed(step)).map(|b| b.node),
            None => self.sibling(step),
        };
        if let Some(id) = target {
            self.select(id);
        }
    }

    fn sibling(&self, step: isize) -> Option<NodeId> {
        let parent = self.tree.nodes()[self.selected_id].parent?;
        let kids = &self.tree.nodes()[parent].children;
        let i = kids.iter().position(|&k| k == self.selected_id)?;
        kids.get(i.wrapping_add_signed(step)).copied()
    }

    /// Zooms into the selected frame. Returns false at the root.
    pub fn zoom_in(&mut self) -> bool {
        if self.selected_id == self.tree.root() {
            return false;
        }
        self.zoom.push(self.full_path(self.selected_id));
        self.selected.clear();
        true
    }

    /// Goes back to the previous zoom, keeping the frame that was zoomed selected.
    pub fn zoom_out(&mut self) -> bool {
        let Some(was) = self.zoom.pop() else {
            return false;
        };
        let base = self.zoom.last().map_or(0, Vec::len);
        self.selected = was[base..].to_vec();
        true
    }

    /// Collapses the selected frame, or expands it if it was collapsed.
    pub fn toggle_collapse(&mut self) {
        let path = self.full_path(self.selected_id);
        if path.is_empty() {
            return;
        }
        if !self.collapsed.remove(&path) {
            self.collapsed.insert(path);
        }
    }

    /// Switches between the normal and the inverted (callers) view. Zoom and selection are paths
    /// of the other view, so they start over.
    pub fn toggle_inverted(&mut self) {
        self.inverted = !self.inverted;
        self.zoom.clear();
        self.selected.clear();
    }

    /// Shows only the selected frame's thread, or all threads again when a filter is on.
    /// Returns what happened, for the status line.
    pub fn toggle_thread_filter(&mut self) -> String {
        if let Some(was) = self.thread.take() {
            return format!("all threads again (was {was})");
        }
        if self.merge_threads || self.inverted {
            return "the thread filter needs the normal view with threads (press m or i first)"
                .to_string();
        }
        match self.full_path(self.selected_id).into_iter().next() {
            Some(thread) => {
                let note = format!("only thread {thread} (t shows all threads)");
                self.thread = Some(thread);
                note
            }
            None => "select a frame of a thread first".to_string(),
        }
    }

    /// Detail figures of the selected frame: (samples, % of total, % of parent).
    pub fn selected_shares(&self) -> (u64, f64, f64) {
        let nodes = self.tree.nodes();
        let node = &nodes[self.selected_id];
        let parent_total = node.parent.map_or(node.total, |p| nodes[p].total);
        let pct = |part: u64, whole: u64| {
            if whole == 0 {
                0.0
            } else {
                100.0 * part as f64 / whole as f64
            }
        };
        (
            node.total,
            pct(node.total, self.unzoomed_total),
            pct(node.total, parent_total),
        )
    }

    /// A short description of the transforms in force (for titles and exports).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(z) = self.zoom.last() {
            let name = z.last().map_or("", String::as_str);
            parts.push(format!("zoom {}", super::label::frame_label(name, 32)));
        }
        if !self.collapsed.is_empty() {
            parts.push(format!("{} collapsed", self.collapsed.len()));
        }
        if self.full_stacks {
            parts.push("full stacks".to_string());
        }
        if self.collapse_libs {
            parts.push("libraries folded".to_string());
        }
        if self.merge_threads {
            parts.push("threads merged".to_string());
        }
        if let Some(thread) = &self.thread {
            parts.push(format!("thread {}", crate::sanitize::name(thread)));
        }
        if self.inverted {
            parts.push("inverted".to_string());
        }
        if self.frozen.is_some() {
            parts.push("frozen".to_string());
        }
        parts.join(", ")
    }
}
