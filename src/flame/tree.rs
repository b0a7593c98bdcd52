//! `FrameTree`: an arena of frames built from folded stacks under a synthetic root, with lookups
//! by id and path, pre-order iteration and conversion back to folded stacks.

use std::collections::HashMap;
use std::io::BufRead;
use std::sync::Arc;

use super::{FlameError, FoldedStacks};

/// Index of a node inside one [`FrameTree`]. Ids are only meaningful for the tree that made them.
pub type NodeId = usize;

/// Name of the synthetic root that sits above the thread frames.
pub const ROOT_NAME: &str = "all";

/// One frame of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameNode {
    /// Function (or thread, or library) name, shared by every node with the same name.
    pub name: Arc<str>,
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

    /// Builds the tree straight from folded-stack text read line by line (the same format and
    /// errors as [`FoldedStacks::parse`]), without holding the text or a set of full stacks.
    pub fn from_folded_reader(reader: impl BufRead) -> Result<FrameTree, FlameError> {
        Self::from_folded_reader_limited(reader, usize::MAX)
    }

    /// [`FrameTree::from_folded_reader`] that fails once the tree has more than `max_frames`
    /// frames (distinct stack prefixes), whose memory the input's size alone does not bound.
    pub fn from_folded_reader_limited(
        reader: impl BufRead,
        max_frames: usize,
    ) -> Result<FrameTree, FlameError> {
        let mut builder = TreeBuilder::new(ROOT_NAME);
        let mut reader = reader;
        let mut bytes = Vec::new();
        let mut number = 0;
        loop {
            bytes.clear();
            let read = reader.read_until(b'\n', &mut bytes).map_err(|e| {
                match super::limits::LimitExceeded::message(&e) {
                    Some(limit) => FlameError::Limit(limit),
                    None => FlameError::Io(e),
                }
            })?;
            if read == 0 {
                break;
            }
            number += 1;
            // A name that is not UTF-8 is shown with U+FFFD rather than refusing the file.
            let line = String::from_utf8_lossy(&bytes);
            let parsed = super::folded::parse_line(&line).map_err(|reason| FlameError::Parse {
                line: number,
                reason,
            })?;
            if let Some((stack, count)) = parsed.filter(|&(_, count)| count > 0) {
                builder.insert(stack.split(';'), count);
                if builder.len() > max_frames {
                    return Err(FlameError::Limit(format!(
                        "line {number}: more than {max_frames} frames, the --max-frames limit; \
                         raise it to read more"
                    )));
                }
            }
        }
        Ok(builder.finish(Vec::new(), true))
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
            .binary_search_by(|&c| (*self.nodes[c].name).cmp(name))
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
            names.push(&*cur.name);
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
///
/// Frame names are interned once (each distinct name is stored a single time and shared by every
/// node that carries it). Children form a linked list of 32-byte nodes (no allocation per node);
/// a child is found by comparing name ids along the list, or through a `(parent, name)` index
/// once a node has many children. Adding a path allocates nothing for frames that exist.
#[derive(Clone)]
pub(super) struct TreeBuilder {
    nodes: Vec<BuildNode>,
    names: Vec<Arc<str>>,
    name_ids: HashMap<Arc<str>, u32>,
    /// Children of wide nodes (more than [`WIDE`] children), by (parent, name id).
    wide: HashMap<(u32, u32), u32>,
}

const NONE: u32 = u32::MAX;
/// Above this many children a node's children are also indexed by name.
const WIDE: u32 = 8;

#[derive(Clone)]
struct BuildNode {
    name: u32,
    first_child: u32,
    next_sibling: u32,
    total: u64,
    self_count: u64,
}

impl BuildNode {
    fn new(name: u32) -> Self {
        BuildNode {
            name,
            first_child: NONE,
            next_sibling: NONE,
            total: 0,
            self_count: 0,
        }
    }
}

impl TreeBuilder {
    /// Frames so far (the root included).
    pub(super) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Weight added so far (the root's total).
    pub(super) fn root_total(&self) -> u64 {
        self.nodes[0].total
    }

    /// A builder whose root frame is called `root_name`.
    pub(super) fn new(root_name: &str) -> Self {
        let mut builder = TreeBuilder {
            nodes: Vec::new(),
            names: Vec::new(),
            name_ids: HashMap::new(),
            wide: HashMap::new(),
        };
        let name = builder.intern(root_name);
        builder.nodes.push(BuildNode::new(name));
        builder
    }

    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.name_ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        let shared: Arc<str> = Arc::from(name);
        self.names.push(shared.clone());
        self.name_ids.insert(shared, id);
        id
    }

    /// Adds `count` samples along `path` (frame names below the root); the last frame gets them
    /// as self samples. A zero count still creates the nodes.
    pub(super) fn insert<S: AsRef<str>>(&mut self, path: impl IntoIterator<Item = S>, count: u64) {
        let mut cur = 0u32;
        let node = &mut self.nodes[0];
        node.total = node.total.saturating_add(count);
        for frame in path {
            cur = self.child(cur, frame.as_ref());
            let node = &mut self.nodes[cur as usize];
            node.total = node.total.saturating_add(count);
        }
        let node = &mut self.nodes[cur as usize];
        node.self_count = node.self_count.saturating_add(count);
    }

    fn child(&mut self, parent: u32, name: &str) -> u32 {
        let name = self.intern(name);
        let mut seen = 0;
        let mut kid = self.nodes[parent as usize].first_child;
        while kid != NONE && seen <= WIDE {
            if self.nodes[kid as usize].name == name {
                return kid;
            }
            kid = self.nodes[kid as usize].next_sibling;
            seen += 1;
        }
        if kid != NONE {
            if let Some(&id) = self.wide.get(&(parent, name)) {
                return id;
            }
        }
        let id = u32::try_from(self.nodes.len())
            .ok()
            .filter(|&id| id != NONE)
            .expect("fewer than 4 billion frames");
        let mut node = BuildNode::new(name);
        node.next_sibling = self.nodes[parent as usize].first_child;
        self.nodes.push(node);
        self.nodes[parent as usize].first_child = id;
        if kid != NONE {
            // Already wide: index the new child too.
            self.wide.insert((parent, name), id);
        } else if seen == WIDE + 1 {
            // The parent just became wide: index all its children.
            let mut k = id;
            while k != NONE {
                self.wide.insert((parent, self.nodes[k as usize].name), k);
                k = self.nodes[k as usize].next_sibling;
            }
        }
        id
    }

    /// Sorts children by name and renumbers nodes in pre-order.
    pub(super) fn finish(self, context: Vec<String>, synthetic_root: bool) -> FrameTree {
        let TreeBuilder {
            nodes,
            names,
            name_ids,
            wide,
        } = self;
        drop(wide);
        drop(name_ids);
        Self::sorted_tree(&nodes, &names, context, synthetic_root)
    }

    /// The tree so far, leaving the builder as it is (to keep adding to it).
    pub(super) fn snapshot(&self, context: Vec<String>, synthetic_root: bool) -> FrameTree {
        Self::sorted_tree(&self.nodes, &self.names, context, synthetic_root)
    }

    fn sorted_tree(
        nodes: &[BuildNode],
        names: &[Arc<str>],
        context: Vec<String>,
        synthetic_root: bool,
    ) -> FrameTree {
        let name_of = |id: u32| &names[nodes[id as usize].name as usize];
        let sorted_kids = |id: u32| {
            let mut kids = Vec::new();
            let mut k = nodes[id as usize].first_child;
            while k != NONE {
                kids.push(k);
                k = nodes[k as usize].next_sibling;
            }
            kids.sort_unstable_by(|&a, &b| name_of(a).cmp(name_of(b)));
            kids
        };
        // Pre-order walk: every node's new id is its position in `out`; a node's children get
        // their ids when they are visited, so parents are patched then.
        let mut out: Vec<FrameNode> = Vec::with_capacity(nodes.len());
        let mut stack: Vec<(u32, usize, usize)> = vec![(0, usize::MAX, 0)];
        while let Some((old, parent, depth)) = stack.pop() {
            let new = out.len();
            let node = &nodes[old as usize];
            if parent != usize::MAX {
                out[parent].children.push(new);
            }
            let kids = sorted_kids(old);
            out.push(FrameNode {
                name: names[node.name as usize].clone(),
                parent: (parent != usize::MAX).then_some(parent),
                children: Vec::with_capacity(kids.len()),
                total: node.total,
                self_count: node.self_count,
                depth,
            });
            stack.extend(kids.into_iter().rev().map(|k| (k, new, depth + 1)));
        }
        FrameTree {
            nodes: out,
            context,
            synthetic_root,
        }
    }
}

/// A frame tree that grows: stack deltas are merged into it as they arrive (no re-parsing of
/// the stacks seen before), and [`LiveTree::tree`] renders the current state as a [`FrameTree`].
#[derive(Clone)]
pub struct LiveTree {
    builder: TreeBuilder,
}

impl Default for LiveTree {
    fn default() -> Self {
        LiveTree {
            builder: TreeBuilder::new(ROOT_NAME),
        }
    }
}

impl std::fmt::Debug for LiveTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveTree")
            .field("nodes", &self.builder.nodes.len())
            .field("total", &self.total())
            .finish()
    }
}

impl LiveTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// A tree holding `stacks`.
    pub fn from_stacks(stacks: &FoldedStacks) -> Self {
        let mut live = Self::new();
        live.add(stacks);
        live
    }

    /// Adds every stack of `delta`.
    pub fn add(&mut self, delta: &FoldedStacks) {
        for (stack, count) in delta.iter() {
            self.builder.insert(stack.split(';'), count);
        }
    }

    /// Total samples so far.
    pub fn total(&self) -> u64 {
        self.builder.nodes[0].total
    }

    /// The current state as a [`FrameTree`] (the same as [`FrameTree::from_stacks`] of all the
    /// stacks added).
    pub fn tree(&self) -> FrameTree {
        self.builder.snapshot(Vec::new(), true)
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
            let names: Vec<&str> = node.children.iter().map(|&c| &*t.nodes()[c].name).collect();
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
        assert_eq!(&*t.root_node().name, ROOT_NAME);
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
        let names: Vec<&str> = t.iter().map(|(_, n)| &*n.name).collect();
        assert_eq!(names, ["all", "s", "q", "t", "a", "z"]);
    }

    #[test]
    fn live_tree_merges_deltas_like_a_full_build() {
        let first = FoldedStacks::parse(INPUT).unwrap();
        let delta = FoldedStacks::parse("main;a;b 2\nmain;d 1\nnew;x 5\n").unwrap();
        let mut live = LiveTree::from_stacks(&first);
        assert_eq!(live.tree(), FrameTree::from_stacks(&first));
        live.add(&delta);
        let mut all = first.clone();
        all.merge(&delta);
        assert_eq!(live.tree(), FrameTree::from_stacks(&all));
        assert_eq!(live.total(), all.total());
        assert!(format!("{live:?}").contains("total: 18"));
    }

    #[test]
    fn wide_nodes_find_every_child() {
        let text: String = (0..40)
            .flat_map(|i| [format!("t;f{i};g 1\n"), format!("t;f{i} 2\n")])
            .collect();
        let t = tree(&text);
        check_invariants(&t);
        assert_eq!(t.node(0).unwrap().children.len(), 1);
        let threads = t.find(&["t"]).unwrap();
        assert_eq!(t.nodes()[threads].children.len(), 40);
        for i in 0..40 {
            let f = t.find(&["t", &format!("f{i}")]).unwrap();
            assert_eq!((t.nodes()[f].total, t.nodes()[f].self_count), (3, 2));
        }
        assert_eq!(t.node_count(), 2 + 40 * 2);
    }

    #[test]
    fn reader_builds_the_same_tree_as_parse() {
        let text = "\n  main;a;b 3\r\nmain;a 2\nmain;a;b 1\nworker;<impl A for B>::c 4\nz;y 0\n\n";
        let from_reader = FrameTree::from_folded_reader(text.as_bytes()).unwrap();
        assert_eq!(from_reader, tree(text));
        check_invariants(&from_reader);
        let err = FrameTree::from_folded_reader("main;a 1\n\nmain;b x\n".as_bytes()).unwrap_err();
        assert!(matches!(err, FlameError::Parse { line: 3, .. }), "{err}");
        // A name that is not UTF-8 is read, with U+FFFD in place of its bad bytes.
        let bytes: &[u8] = b"main;a 1\nmain;\xff 2\n";
        let read = FrameTree::from_folded_reader(bytes).unwrap();
        assert_eq!(read, tree("main;a 1\nmain;\u{fffd} 2\n"));
    }

    #[test]
    fn reader_accepts_what_profilers_write_and_saturates() {
        let text = format!("# comment\r\n 2\r\nt;a {}\nt;a 9\n", u64::MAX - 1);
        let t = FrameTree::from_folded_reader(text.as_bytes()).unwrap();
        assert_eq!(t, tree(&text));
        assert_eq!(t.total(), u64::MAX);
        let no_stack = t.find(&[crate::flame::NO_STACK]).unwrap();
        assert_eq!(t.nodes()[no_stack].total, 2);
        let a = t.find(&["t", "a"]).unwrap();
        assert_eq!(t.nodes()[a].self_count, u64::MAX);
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
