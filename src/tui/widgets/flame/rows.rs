//! The flame view's tables: rows of the call tree, its cursor and expansion, the top table's
//! cursor.

use super::view::FlameView;
use crate::flame::NodeId;

impl FlameView {
    /// Rows of the call tree: (node, indent), expanded rows' children included.
    pub fn tree_rows(&self) -> Vec<(NodeId, usize)> {
        let mut rows = Vec::new();
        let mut stack = vec![(self.tree.root(), 0usize)];
        let nodes = self.tree.nodes();
        while let Some((id, indent)) = stack.pop() {
            rows.push((id, indent));
            if indent == 0 || self.expanded.contains(&self.full_path(id)) {
                let mut kids = nodes[id].children.clone();
                kids.sort_by_key(|&c| std::cmp::Reverse(nodes[c].total));
                stack.extend(kids.into_iter().rev().map(|c| (c, indent + 1)));
            }
        }
        rows
    }

    /// Moves the call-tree cursor by `step` rows.
    pub fn tree_step(&mut self, step: isize) {
        let rows = self.tree_rows();
        let at = rows
            .iter()
            .position(|r| r.0 == self.selected_id)
            .unwrap_or(0);
        let to = at.saturating_add_signed(step).min(rows.len() - 1);
        self.select(rows[to].0);
    }

    /// Expands (`true`) or folds the selected call-tree row.
    pub fn tree_expand(&mut self, open: bool) {
        let path = self.full_path(self.selected_id);
        if open {
            self.expanded.insert(path);
        } else if !self.expanded.remove(&path) {
            self.select_parent();
        }
    }

    pub fn top_step(&mut self, step: isize) {
        let last = self.top.len().saturating_sub(1);
        self.top_cursor = self.top_cursor.saturating_add_signed(step).min(last);
    }
}
