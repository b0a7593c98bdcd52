//! The sandwich of one function: who calls it (callers) and what it calls (callees), each merged
//! over every place the function occurs in a [`FrameTree`], as speedscope's sandwich view does.

use super::tree::TreeBuilder;
use super::{FrameTree, NodeId};

/// The callers and callees trees of one function, both rooted at the function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sandwich {
    /// The function's name.
    pub name: String,
    /// Rooted at the function; a node's children are its callers (the thread frames are the
    /// leaves). A path's weight is the function's total at that call site.
    pub callers: FrameTree,
    /// Rooted at the function; children are what it called, merged over every occurrence.
    pub callees: FrameTree,
    /// Samples with the function anywhere on the stack (recursion counted once).
    pub total: u64,
    /// Samples where the function was the leaf, over every occurrence (recursive ones too).
    pub self_count: u64,
    /// True when the function calls itself somewhere (it is among its own callees).
    pub recursive: bool,
}

impl FrameTree {
    /// The sandwich of the function called `name`: `None` when no frame has that name.
    ///
    /// Only the outermost occurrence on each stack counts: a recursive call is part of its
    /// outer call's callees, so no sample is counted twice and both trees total exactly the
    /// function's total.
    pub fn sandwich(&self, name: &str) -> Option<Sandwich> {
        let outermost = self.outermost(name);
        if outermost.is_empty() {
            return None;
        }
        let mut callers = TreeBuilder::new(name);
        let mut callees = TreeBuilder::new(name);
        let mut self_count = 0;
        for &id in &outermost {
            callers.insert(self.callers_of(id), self.nodes[id].total);
            self.add_subtree(id, &mut callees, &mut self_count, name);
        }
        let callees = callees.finish(Vec::new(), false);
        let recursive = callees.iter().skip(1).any(|(_, n)| &*n.name == name);
        Some(Sandwich {
            name: name.to_string(),
            total: callers.root_total(),
            callers: callers.finish(Vec::new(), false),
            callees,
            self_count,
            recursive,
        })
    }

    /// Frames called `name` with no frame of that name above them, in pre-order.
    fn outermost(&self, name: &str) -> Vec<NodeId> {
        let mut found = Vec::new();
        let mut stack = vec![self.root()];
        while let Some(id) = stack.pop() {
            let node = &self.nodes[id];
            let real = id != self.root() || !self.synthetic_root;
            if real && &*node.name == name {
                found.push(id);
            } else {
                stack.extend(node.children.iter().rev().copied());
            }
        }
        found
    }

    /// The frames above `id`, nearest caller first, up to the outermost real frame (a
    /// synthetic root is left out; a zoomed tree's context is included).
    fn callers_of(&self, id: NodeId) -> Vec<&str> {
        let mut names = Vec::new();
        let mut cur = self.nodes[id].parent;
        while let Some(parent) = cur {
            let node = &self.nodes[parent];
            if parent != self.root() || !self.synthetic_root {
                names.push(&*node.name);
            }
            cur = node.parent;
        }
        names.extend(self.context.iter().rev().map(String::as_str));
        names
    }

    /// Adds every frame below `top` to `callees` (paths relative to `top`), weighted by self
    /// samples; `self_count` gains the self samples of every frame called `name`.
    fn add_subtree(
        &self,
        top: NodeId,
        callees: &mut TreeBuilder,
        self_count: &mut u64,
        name: &str,
    ) {
        let mut stack: Vec<(NodeId, Vec<&str>)> = vec![(top, Vec::new())];
        while let Some((id, path)) = stack.pop() {
            let node = &self.nodes[id];
            if &*node.name == name {
                *self_count += node.self_count;
            }
            // Zero weights still create the frame, so the shape matches the full tree's.
            callees.insert(&path, node.self_count);
            for &child in node.children.iter().rev() {
                let mut below = path.clone();
                below.push(&self.nodes[child].name);
                stack.push((child, below));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::tests::{check_invariants, tree};

    fn child_total(t: &crate::flame::FrameTree, path: &[&str]) -> u64 {
        t.find(path).map_or(0, |id| t.nodes()[id].total)
    }

    #[test]
    fn callers_and_callees_merge_every_occurrence() {
        let t = tree("t1;main;parse;lex 3\nt1;main;parse 1\nt2;load;parse;alloc 2\nt2;load 5\n");
        let s = t.sandwich("parse").unwrap();
        check_invariants(&s.callers);
        check_invariants(&s.callees);
        assert_eq!((s.total, s.self_count), (6, 1));
        assert_eq!(s.callees.total(), 6);
        assert_eq!(&*s.callees.root_node().name, "parse");
        assert_eq!(child_total(&s.callees, &["lex"]), 3);
        assert_eq!(child_total(&s.callees, &["alloc"]), 2);
        assert_eq!(s.callees.root_node().self_count, 1);
        assert_eq!(s.callers.total(), 6);
        assert!(!s.recursive, "parse never calls parse");
        assert_eq!(child_total(&s.callers, &["main"]), 4);
        assert_eq!(child_total(&s.callers, &["main", "t1"]), 4);
        assert_eq!(child_total(&s.callers, &["load", "t2"]), 2);
        assert!(
            s.callers.find(&["t2"]).is_none(),
            "load is t2's caller site"
        );
        assert!(t.sandwich("missing").is_none());
    }

    #[test]
    fn recursion_is_counted_once_and_callees_never_exceed_the_total() {
        let t = tree("t;f;g;f;h 4\nt;f 1\nt;g;f 2\nt;x 9\n");
        let s = t.sandwich("f").unwrap();
        // Every stack with f: 4 + 1 + 2, whatever the depth of recursion.
        assert_eq!(s.total, 7);
        assert!(s.recursive);
        assert_eq!(s.callers.total(), s.total);
        assert_eq!(s.callees.total(), s.total);
        for (_, node) in s.callees.iter().skip(1) {
            assert!(node.total <= s.total, "{node:?}");
        }
        // The inner f stays inside the outer one's callees, not as a second root.
        assert_eq!(child_total(&s.callees, &["g", "f", "h"]), 4);
        assert_eq!(child_total(&s.callers, &["g", "t"]), 2);
        assert_eq!(child_total(&s.callers, &["t"]), 5);
        // f is the leaf of `t;f` and of `t;g;f`.
        assert_eq!(s.self_count, 3);
        check_invariants(&s.callees);
        check_invariants(&s.callers);
    }

    #[test]
    fn a_zoomed_tree_keeps_its_context_as_callers() {
        let t = tree("t;main;work;leaf 3\nt;main;work 1\n");
        let main = t.find(&["t", "main"]).unwrap();
        let zoomed = t.zoom(main).unwrap();
        let s = zoomed.sandwich("leaf").unwrap();
        assert_eq!(child_total(&s.callers, &["work", "main", "t"]), 3);
        assert_eq!(s.callers.total(), 3);
        let root = zoomed.sandwich("main").unwrap();
        assert_eq!(root.total, 4);
        assert_eq!(child_total(&root.callers, &["t"]), 4);
    }
}
