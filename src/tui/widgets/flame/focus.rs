//! The flame view's focus on the selected frame: the scrolled window that keeps it on screen,
//! the ancestors for the breadcrumb, jumps between search matches, the sandwich of its
//! function (and moving it to a picked caller or callee) and the figures of the detail panel.

use super::sandwich::half;
use super::view::FlameView;
use crate::flame::{NodeId, ROOT_NAME};
use crate::tui::state::profiles::Profile;
use std::cmp::Reverse;
use std::sync::Arc;

impl FlameView {
    /// The depth of the deepest frame shown.
    pub fn max_depth(&self) -> usize {
        self.tree.nodes().iter().map(|n| n.depth).max().unwrap_or(0)
    }

    /// The first depth to show in `height` rows: the stored scroll, moved just enough that
    /// the selected frame is inside the window, and never past the deepest frame.
    pub fn window_start(&self, height: u16) -> usize {
        let height = usize::from(height.max(1));
        let depth = self.tree.nodes()[self.selected_id].depth;
        let deepest_start = (self.max_depth() + 1).saturating_sub(height);
        let start = self.scroll.min(deepest_start);
        if depth < start {
            depth
        } else if depth >= start + height {
            depth + 1 - height
        } else {
            start
        }
    }

    /// Scrolls the window of `height` rows so the selection is on screen.
    pub fn follow_selection(&mut self, height: u16) {
        self.scroll = self.window_start(height);
    }

    /// The frames above what is shown, outermost first: `all`, the frames above a zoom, and
    /// the selected frame's ancestors scrolled out of the window (those above depth `first`).
    pub fn ancestors(&self, first: usize) -> Vec<&str> {
        let mut names = vec![ROOT_NAME];
        names.extend(self.tree.context().iter().map(String::as_str));
        let nodes = self.tree.nodes();
        let mut chain = Vec::new();
        let mut cur = Some(self.selected_id);
        while let Some(id) = cur {
            if nodes[id].depth < first {
                chain.push(&*nodes[id].name);
            }
            cur = nodes[id].parent;
        }
        chain.reverse();
        if self.tree.has_synthetic_root() && !chain.is_empty() {
            chain.remove(0);
        }
        names.extend(chain);
        names
    }

    /// Selects the next (`step` 1) or previous (-1) frame the search matches, in the order
    /// frames are listed (callers before callees, siblings by name), wrapping around. Returns
    /// the match's position (1-based) and how many there are.
    pub fn jump_match(&mut self, step: isize) -> Option<(usize, usize)> {
        let search = self.search.as_ref()?;
        let matches: Vec<NodeId> = (0..self.tree.node_count())
            .filter(|&id| search.is_match(id))
            .collect();
        if matches.is_empty() {
            return None;
        }
        let at = matches.partition_point(|&id| id < self.selected_id);
        let on_match = matches.get(at) == Some(&self.selected_id);
        let i = match (step >= 0, on_match) {
            (true, true) => (at + 1) % matches.len(),
            (true, false) => at % matches.len(),
            (false, _) => (at + matches.len() - 1) % matches.len(),
        };
        self.select(matches[i]);
        self.expand_to_selection();
        self.refresh_focus();
        Some((i + 1, matches.len()))
    }

    /// Opens the call-tree rows above the selection, so a jump lands on a visible row.
    pub(super) fn expand_to_selection(&mut self) {
        let mut cur = self.tree.nodes()[self.selected_id].parent;
        while let Some(id) = cur {
            self.expanded.insert(self.full_path(id));
            cur = self.tree.nodes()[id].parent;
        }
    }

    /// The name of the selected function, `None` on the synthetic root.
    pub fn selected_function(&self) -> Option<&str> {
        let synthetic = self.tree.has_synthetic_root() && self.selected_id == self.tree.root();
        (!synthetic).then(|| &*self.tree.nodes()[self.selected_id].name)
    }

    /// Shows or hides the sandwich of the selected function; the error says why it cannot show.
    pub fn toggle_sandwich(&mut self) -> Result<bool, &'static str> {
        if !self.sandwich_on && self.selected_function().is_none() {
            return Err(
                "select a function first: the sandwich shows one function's callers and callees",
            );
        }
        self.sandwich_on = !self.sandwich_on;
        self.refresh_focus();
        Ok(self.sandwich_on)
    }

    /// Shows or hides the detail panel.
    pub fn toggle_detail(&mut self) -> bool {
        self.detail = !self.detail;
        self.refresh_focus();
        self.detail
    }

    /// Recomputes the selected function's sandwich while the sandwich or the panel shows.
    pub fn refresh_focus(&mut self) {
        if !(self.sandwich_on || self.detail) {
            self.focus = None;
            return;
        }
        let name = self.selected_function().map(str::to_string);
        let was = self.focus.as_ref().map(|f| f.name.clone());
        self.focus = name.and_then(|n| self.base.sandwich(&n)).map(Arc::new);
        // A new function starts with itself picked; the same one keeps the pick.
        if self.focus.as_ref().map(|f| &f.name) != was.as_ref() {
            self.pick = Default::default();
        }
        if let Some(focus) = &self.focus {
            self.pick.resolve(focus);
        }
    }

    /// The detail panel's lines: name, total and self, the shares, and the function over
    /// every place it occurs.
    pub fn detail_lines(&self) -> Vec<String> {
        let node = &self.tree.nodes()[self.selected_id];
        let (weight, of_total, of_parent) = self.selected_shares();
        let w = |v| self.profile.weight(v);
        let mut lines = vec![
            format!("name      {}", crate::sanitize::name(&node.name)),
            format!("total     {}", w(weight)),
            format!("self      {}", w(node.self_count)),
            format!("share     {of_total:.1}% of {}", self.profile.whole()),
            format!("          {of_parent:.1}% of the parent frame"),
        ];
        if let Some(line) = self.worker_share(weight) {
            lines.push(line);
        }
        if let Some(f) = &self.focus {
            // Only a function that calls itself has nested calls to count once.
            let once = if f.recursive {
                " (recursion counted once)"
            } else {
                ""
            };
            lines.push(format!(
                "function  {} total, {} self over every place{once}",
                w(f.total),
                w(f.self_count)
            ));
        }
        lines
    }

    /// `of worker bs-threads-0's wall time` in the wall view: the frame's weight over its
    /// thread's (all workers' when threads are merged or stacks inverted).
    fn worker_share(&self, weight: u64) -> Option<String> {
        if !self.profile.is_time() {
            return None;
        }
        let pct = |whole: u64| match whole {
            0 => 0.0,
            whole => 100.0 * weight as f64 / whole as f64,
        };
        let thread = self.full_path(self.selected_id).into_iter().next();
        let by_thread = self.profile == Profile::Wall && !self.merge_threads && !self.inverted;
        match thread.filter(|_| by_thread) {
            Some(thread) => {
                let id = self.base.find(&[thread.as_str()])?;
                let whole = self.base.nodes()[id].total;
                Some(format!(
                    "          {:.1}% of worker {thread}'s wall time",
                    pct(whole)
                ))
            }
            None => Some(format!(
                "          {:.1}% of all workers' wall time",
                pct(self.wall_total)
            )),
        }
    }
}

impl FlameView {
    /// Makes the picked caller or callee the sandwich's function: selects its heaviest frame
    /// in the flamegraph (so the detail panel and the selection follow) and refocuses on it.
    /// Returns what happened, for the status line.
    pub fn sandwich_enter(&mut self) -> String {
        let Some(focus) = self.focus.clone() else {
            return "the selected function is not in this profile".into();
        };
        let id = self.pick.resolve(&focus);
        if self.pick.is_function() {
            return format!("{} is the sandwich's function already", focus.name);
        }
        let name = half(&focus, self.pick.side).nodes()[id].name.to_string();
        let synthetic = self.tree.has_synthetic_root().then(|| self.tree.root());
        let frame = self
            .tree
            .iter()
            .filter(|&(i, n)| *n.name == *name && Some(i) != synthetic)
            .max_by_key(|&(i, n)| (n.total, Reverse(i)))
            .map(|(i, _)| i);
        let Some(frame) = frame else {
            return format!("{name} is outside the zoomed view (Esc zooms out)");
        };
        self.select(frame);
        self.expand_to_selection();
        self.refresh_focus();
        format!("sandwich of {name}")
    }
}
