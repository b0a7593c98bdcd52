//! Moving in the sandwich view: the frame picked among the function's callers (drawn above it)
//! and callees (below it), which the arrows move and Enter makes the sandwich's function.

use crate::flame::{FrameTree, NodeId, Sandwich};
use std::cmp::Reverse;

/// Which half of the sandwich a pick is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Side {
    /// Above the function: who called it (the function itself is this side's root).
    #[default]
    Callers,
    /// Below the function: what it called.
    Callees,
}

/// The picked frame: a path of names below the function on one side; the empty path is the
/// function itself. Kept as names, not node ids, because a live run recomputes the sandwich.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SandwichPick {
    pub side: Side,
    pub path: Vec<String>,
}

/// The tree of one half of `sandwich`.
pub fn half(sandwich: &Sandwich, side: Side) -> &FrameTree {
    match side {
        Side::Callers => &sandwich.callers,
        Side::Callees => &sandwich.callees,
    }
}

/// The heaviest child of `id` (the first one on a tie), as the flamegraph's ↓ picks.
fn heaviest_child(tree: &FrameTree, id: NodeId) -> Option<&str> {
    let nodes = tree.nodes();
    let child = nodes[id]
        .children
        .iter()
        .copied()
        .max_by_key(|&c| (nodes[c].total, Reverse(c)))?;
    Some(&nodes[child].name)
}

impl SandwichPick {
    /// True when the function itself is picked.
    pub fn is_function(&self) -> bool {
        self.path.is_empty()
    }

    /// The picked node, after dropping the end of a path the sandwich no longer has.
    pub fn resolve(&mut self, sandwich: &Sandwich) -> NodeId {
        let tree = half(sandwich, self.side);
        loop {
            let path: Vec<&str> = self.path.iter().map(String::as_str).collect();
            if let Some(id) = tree.find(&path) {
                if self.path.is_empty() {
                    self.side = Side::Callers;
                }
                return id;
            }
            self.path.pop();
        }
    }

    /// One row up the screen (`up`) or down. Callers grow upwards from the function and
    /// callees hang below it, so up goes out to a caller or back from a callee, and down goes
    /// back from a caller, through the function, into its callees.
    pub fn step(&mut self, sandwich: &Sandwich, up: bool) {
        let id = self.resolve(sandwich);
        let outward = match (self.side, up) {
            (Side::Callers, true) | (Side::Callees, false) => true,
            (Side::Callers, false) if self.path.is_empty() => {
                if let Some(callee) = heaviest_child(&sandwich.callees, sandwich.callees.root()) {
                    *self = SandwichPick {
                        side: Side::Callees,
                        path: vec![callee.to_string()],
                    };
                }
                return;
            }
            _ => false,
        };
        if outward {
            if let Some(next) = heaviest_child(half(sandwich, self.side), id) {
                self.path.push(next.to_string());
            }
        } else {
            self.path.pop();
            self.resolve(sandwich);
        }
    }

    /// The previous (`-1`) or next (`+1`) frame beside the pick: its siblings, in the order
    /// they are drawn.
    pub fn beside(&mut self, sandwich: &Sandwich, step: isize) {
        let id = self.resolve(sandwich);
        let tree = half(sandwich, self.side);
        let Some(parent) = tree.nodes()[id].parent else {
            return;
        };
        let kids = &tree.nodes()[parent].children;
        let at = kids.iter().position(|&k| k == id);
        let next = at.and_then(|i| kids.get(i.wrapping_add_signed(step)));
        if let (Some(&next), Some(last)) = (next, self.path.last_mut()) {
            *last = tree.nodes()[next].name.to_string();
        }
    }
}
