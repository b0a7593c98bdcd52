//! `FrameTree`: an arena of frames built from folded stacks under a synthetic root, with lookups
//! by id and path, pre-order iteration and conversion back to folded stacks.

use std::collections::HashMap;

use super::{FlameError, FoldedStacks};

/// Index of a node inside one [`FrameTree`]. Ids are only meaningful for the tree that made them.
pub type NodeId = usize;

/// Name of the synthetic root that sits above the thread frames.
pub const ROOT_NAME: &str = "all";

/// One frame of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameNode {
    /// Function (or thread, or library) name.
    pub name: String,
    /// The calling frame; `None` for the root.
    pub parent: Option<NodeId>,
    /// Called frames, sorted by name.
    pub children: Vec<NodeId>,
    /// Samples in this frame and everything it called.
    pub total: u64,
    /// Samples where this frame was the leaf.
    pub self_count: u64,
    /// Distance from the root (the root is 0).
    pub depth: usize,
}

/// A call tree. Node ids follow a pre-order walk with children sorted by name, so the root is
/// always id 0 and [`FrameTree::nodes`] lists frames in display order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameTree {
    pub(super) nodes: Vec<FrameNode>,
    /// Real frames above the root (after a zoom), outermost first.
    pub(super) context: Vec<String>,
    /// True when the root is the synthetic [`ROOT_NAME`] frame rather than a real function.
    pub(super) synthetic_root: bool,
}

impl FrameTree {
    /// Builds the tree of `stacks` under a synthetic root named [`ROOT_NAME`].
    pub fn from_stacks(stacks: &FoldedStacks) -> FrameTree {
        let mut builder = TreeBuilder::new(ROOT_NAME);
        for (stack, count) in stacks.iter() {
            builder.insert(stack.split(';'), count);
        }
        builder.finish(Vec::new(), true)
    }

    /// The root's id (always 0).
    pub fn root(&self) -> NodeId {
        0
    }

    /// The root node.
    pub fn root_node(&self) -> &FrameNode {
        &self.nodes[0]
    }

    /// Total samples in the tree.
    pub fn total(&self) -> u64 {
        self.root_node().total
    }

    /// Number of nodes, the root included.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The node with this id, if it exists.
    pub fn node(&self, id: NodeId) -> Option<&FrameNode> {
        self.nodes.get(id)
    }

    /// All nodes in pre-order (parents before children, siblings by name).
    pub fn nodes(&self) -> &[FrameNode] {
        &self.nodes
    }

    /// Ids and nodes in pre-order.
    pub fn iter(&self) -> impl Iterator<Item = (NodeId, &FrameNode)> + '_ {
        self.nodes.iter().enumerate()
    }

    /// Real frames above the root after a zoom, outermost first (empty for an unzoomed tree).
    pub fn context(&self) -> &[String] {
        &self.context
    }

    /// True when the root is the synthetic "all" frame.
    pub fn has_synthetic_root(&self) -> bool {
        self.synthetic_root
    }

    /// The child of `parent` called `name`.
    pub fn child_named(&self, parent: NodeId, name: &str) -> Option<NodeId> {
        let node = self.node(parent)?;
        node.children
            .binary_search_by(|&c| self.nodes[c].name.as_str().cmp(name))
            .ok()
            .map(|i| node.children[i])
    }

    /// The node reached by following `path` (frame names below the root) from the root.
    pub fn find(&self, path: &[&str]) -> Option<NodeId> {
        path.iter()
            .try_fold(self.root(), |id, name| self.child_named(id, name))
    }

    /// Frame names from just below the root down to `id` (empty for the root).
    pub fn path(&self, id: NodeId) -> Option<Vec<&str>> {
        let mut names = Vec::new();
        let mut cur = self.node(id)?;
        while let Some(parent) = cur.parent {
            names.push(cur.name.as_str());
            cur = &self.nodes[parent];
        }
        names.reverse();
        Some(names)
    }

    /// Like [`FrameTree::path`] but an error for an unknown id.
    pub(super) fn checked_path(&self, id: NodeId) -> Result<Vec<&str>, FlameError> {
        self.path(id).ok_or(FlameError::NoSuchNode(id))
    }

    /// Every node with self samples, as (path below the root, self samples), in pre-order.
    pub(super) fn weighted_paths(&self) -> Vec<(Vec<&str>, u64)> {
        let mut out = Vec::new();
        for (id, node) in self.iter() {
            if node.self_count > 0 {
                if let Some(path) = self.path(id) {
                    out.push((path, node.self_count));
                }
            }
        }
        out
    }

    /// Converts back to folded stacks. Zoomed trees keep their context and root frames, so the
    /// stacks are the full original ones; samples on a synthetic root become a stack `all`.
    pub fn to_folded(&self) -> FoldedStacks {
        let mut prefix: Vec<&str> = self.context.iter().map(String::as_str).collect();
        if !self.synthetic_root {
            prefix.push(&self.root_node().name);
        }
        let mut out = FoldedStacks::new();
        for (path, count) in self.weighted_paths() {
            let frames: Vec<&str> = prefix.iter().copied().chain(path).collect();
            if frames.is_empty() {
                out.add(ROOT_NAME, count);
            } else {
                out.add(&frames.join(";"), count);
            }
        }
        out
    }
}

/// Accumulates paths into an arena, then sorts and renumbers it into a [`FrameTree`].
pub(super) struct TreeBuilder {
    nodes: Vec<FrameNode>,
    index: HashMap<(NodeId, String), NodeId>,
}

impl TreeBuilder {
    /// A builder whose root frame is called `root_name`.
    pub(super) fn new(root_name: &str) -> Self {
        TreeBuilder {
            nodes: vec![new_node(root_name, None, 0)],
            index: HashMap::new(),
        }
    }

    /// Adds `count` samples along `path` (frame names below the root); the last frame gets them
    /// as self samples. A zero count still creates the nodes.
    pub(super) fn insert<S: AsRef<str>>(&mut self, path: impl IntoIterator<Item = S>, count: u64) {
        let mut cur = 0;
        self.nodes[0].total += count;
        for frame in path {
            cur = self.child(cur, frame.as_ref());
            self.nodes[cur].total += count;
        }
        self.nodes[cur].self_count += count;
    }

    fn child(&mut self, parent: NodeId, name: &str) -> NodeId {
        if let Some(&id) = self.index.get(&(parent, name.to_string())) {
            return id;
        }
        let id = self.nodes.len();
        let depth = self.nodes[parent].depth + 1;
        self.nodes.push(new_node(name, Some(parent), depth));
        self.nodes[parent].children.push(id);
        self.index.insert((parent, name.to_string()), id);
        id
    }

    /// Sorts children by name and renumbers nodes in pre-order.
    pub(super) fn finish(mut self, context: Vec<String>, synthetic_root: bool) -> FrameTree {
        for i in 0..self.nodes.len() {
            let mut kids = std::mem::take(&mut self.nodes[i].children);
            kids.sort_by(|&a, &b| self.nodes[a].name.cmp(&self.nodes[b].name));
            self.nodes[i].children = kids;
        }
        let mut order = Vec::with_capacity(self.nodes.len());
        let mut stack = vec![0];
        while let Some(id) = stack.pop() {
            order.push(id);
            stack.extend(self.nodes[id].children.iter().rev());
        }
        let mut new_id = vec![0; self.nodes.len()];
        for (new, &old) in order.iter().enumerate() {
            new_id[old] = new;
        }
        let nodes = order
            .iter()
            .map(|&old| {
                let node = &self.nodes[old];
                FrameNode {
                    name: node.name.clone(),
                    parent: node.parent.map(|p| new_id[p]),
                    children: node.children.iter().map(|&c| new_id[c]).collect(),
                    ..*node
                }
            })
            .collect();
        FrameTree {
            nodes,
            context,
            synthetic_root,
        }
    }
}

fn new_node(name: &str, parent: Option<NodeId>, depth: usize) -> FrameNode {
    FrameNode {
        name: name.to_string(),
        parent,
        children: Vec::new(),
        total: 0,
        self_count: 0,
        depth,
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::flame) fn tree(text: &str) -> FrameTree {
        FrameTree::from_stacks(&FoldedStacks::parse(text).unwrap())
    }

    /// Asserts the structural invariants every tree must keep.
    pub(in crate::flame) fn check_invariants(t: &FrameTree) {
        for (id, node) in t.iter() {
            let kids: u64 = node.children.iter().map(|&c| t.nodes()[c].total).sum();
            assert_eq!(
                node.total,
                node.self_count + kids,
                "node {id} {}",
                node.name
            );
            for &c in &node.children {
                assert_eq!(t.nodes()[c].parent, Some(id));
                assert_eq!(t.nodes()[c].depth, node.depth + 1);
            }
            let names: Vec<&str> = node
                .children
                .iter()
                .map(|&c| t.nodes()[c].name.as_str())
                .collect();
            let mut sorted = names.clone();
            sorted.sort();
            assert_eq!(names, sorted);
        }
    }

    const INPUT: &str = "main;a;b 3\nmain;a 2\nmain;c 1\nworker;a;b 4\n";

    #[test]
    fn totals_match_stacks_and_invariants_hold() {
        let stacks = FoldedStacks::parse(INPUT).unwrap();
        let t = FrameTree::from_stacks(&stacks);
        assert_eq!(t.total(), stacks.total());
        assert_eq!(t.total(), 10);
        assert_eq!(t.root_node().name, ROOT_NAME);
        check_invariants(&t);
        assert_eq!(t.node_count(), 8);
    }

    #[test]
    fn find_and_path_agree() {
        let t = tree(INPUT);
        let b = t.find(&["main", "a", "b"]).unwrap();
        let node = t.node(b).unwrap();
        assert_eq!((node.total, node.self_count, node.depth), (3, 3, 3));
        assert_eq!(t.path(b).unwrap(), ["main", "a", "b"]);
        let a = t.find(&["main", "a"]).unwrap();
        assert_eq!((t.nodes()[a].total, t.nodes()[a].self_count), (5, 2));
        assert_eq!(t.find(&["main", "zzz"]), None);
        assert_eq!(t.find(&[]), Some(0));
        assert_eq!(t.path(999), None);
    }

    #[test]
    fn preorder_with_sorted_children() {
        let t = tree("t;z 1\nt;a 1\ns;q 1\n");
        let names: Vec<&str> = t.iter().map(|(_, n)| n.name.as_str()).collect();
        assert_eq!(names, ["all", "s", "q", "t", "a", "z"]);
    }

    #[test]
    fn to_folded_round_trips() {
        let stacks = FoldedStacks::parse(INPUT).unwrap();
        assert_eq!(FrameTree::from_stacks(&stacks).to_folded(), stacks);
        let empty = FrameTree::from_stacks(&FoldedStacks::new());
        assert_eq!(empty.total(), 0);
        assert_eq!(empty.node_count(), 1);
        assert!(empty.to_folded().is_empty());
    }
}
