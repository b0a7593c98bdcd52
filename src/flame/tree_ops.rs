//! Transforms of a `FrameTree` (zoom, collapse, library folding, thread merge/filter, invert) and
//! the differential comparison against a baseline tree. Every transform returns a new tree.

use serde::Serialize;

use super::tree::{FrameTree, NodeId, TreeBuilder};
use super::FlameError;

/// One node's comparison with the baseline, in samples of the current tree.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct DiffEntry {
    /// Baseline total samples for this path, scaled to the current tree's total.
    pub baseline_total: f64,
    /// Baseline self samples for this path, scaled likewise.
    pub baseline_self: f64,
    /// Current total minus scaled baseline total (positive: grew).
    pub delta_total: f64,
    /// Current self minus scaled baseline self.
    pub delta_self: f64,
}

/// A tree holding the union of the current and baseline paths (paths only in the baseline have
/// zero current samples) plus, for every node, its [`DiffEntry`].
#[derive(Debug, Clone, PartialEq)]
pub struct DiffTree {
    /// The union tree with the current counts.
    pub tree: FrameTree,
    /// Per node (indexed by [`NodeId`] of `tree`).
    pub entries: Vec<DiffEntry>,
    /// Factor applied to baseline counts (current total / baseline total, or 1 if either is 0;
    /// always 1 for [`FrameTree::diff_unscaled`]).
    pub scale: f64,
}

impl DiffTree {
    /// The comparison for one node.
    pub fn entry(&self, id: NodeId) -> Option<&DiffEntry> {
        self.entries.get(id)
    }

    /// The change of a node's total as a fraction of the current total samples (0 if empty).
    pub fn delta_fraction(&self, id: NodeId) -> Option<f64> {
        let entry = self.entry(id)?;
        let total = self.tree.total();
        Some(if total == 0 {
            0.0
        } else {
            entry.delta_total / total as f64
        })
    }
}

impl FrameTree {
    /// The subtree under `id` as a new tree rooted at that frame. The frames above it are kept as
    /// [`FrameTree::context`].
    pub fn zoom(&self, id: NodeId) -> Result<FrameTree, FlameError> {
        let target = self.checked_path(id)?;
        if target.is_empty() {
            return Ok(self.clone());
        }
        let mut context = self.context.clone();
        if !self.synthetic_root {
            context.push(self.root_node().name.to_string());
        }
        context.extend(target[..target.len() - 1].iter().map(|s| s.to_string()));
        let mut builder = TreeBuilder::new(target[target.len() - 1]);
        for (path, count) in self.weighted_paths() {
            if path.starts_with(&target) {
                builder.insert(&path[target.len()..], count);
            }
        }
        Ok(builder.finish(context, false))
    }

    /// Folds everything under `id` into it: the subtree's samples become the node's self samples.
    pub fn collapse(&self, id: NodeId) -> Result<FrameTree, FlameError> {
        let target = self.checked_path(id)?;
        Ok(self.rebuilt(|path| {
            if path.starts_with(&target) {
                Some(target.iter().map(|s| s.to_string()).collect())
            } else {
                Some(owned(path))
            }
        }))
    }

    /// Folds every run of consecutive frames belonging to the same library (the longest matching
    /// prefix, e.g. `std::`) into one frame named after it (`std::…`).
    pub fn collapse_library(&self, prefixes: &[&str]) -> FrameTree {
        self.rebuilt(|path| Some(fold_libraries(path, prefixes)))
    }

    /// Drops the first level below the root (the thread names) so all threads merge.
    pub fn merge_threads(&self) -> FrameTree {
        self.rebuilt(|path| Some(owned(path.get(1..).unwrap_or_default())))
    }

    /// Keeps only the stacks whose first frame below the root is `thread`.
    pub fn filter_thread(&self, thread: &str) -> FrameTree {
        self.rebuilt(|path| (path.first() == Some(&thread)).then(|| owned(path)))
    }

    /// Reverses every stack (leaf first), so each leaf's callers grow out of it. The thread name
    /// ends up as the outermost caller, as in inferno's reversed graphs.
    pub fn invert(&self) -> FrameTree {
        self.rebuilt(|path| Some(path.iter().rev().map(|s| s.to_string()).collect()))
    }

    /// Compares this tree with `baseline`, scaling the baseline so both have the same total.
    pub fn diff(&self, baseline: &FrameTree) -> DiffTree {
        let scale = match (self.total(), baseline.total()) {
            (0, _) | (_, 0) => 1.0,
            (cur, old) => cur as f64 / old as f64,
        };
        self.diff_scaled(baseline, scale)
    }

    /// Compares this tree with `baseline` as they are, for profiles already normalized for the
    /// comparison: a grown total shows as growth.
    pub fn diff_unscaled(&self, baseline: &FrameTree) -> DiffTree {
        self.diff_scaled(baseline, 1.0)
    }

    fn diff_scaled(&self, baseline: &FrameTree, scale: f64) -> DiffTree {
        let current = self.weighted_paths();
        let base = baseline.weighted_paths();
        let mut builder = TreeBuilder::new(&self.root_node().name);
        for (path, count) in &current {
            builder.insert(path, *count);
        }
        for (path, _) in &base {
            builder.insert(path, 0);
        }
        let tree = builder.finish(self.context.clone(), self.synthetic_root);
        let mut entries = vec![DiffEntry::default(); tree.node_count()];
        for (path, count) in &base {
            let Some(id) = tree.find(path) else { continue };
            let scaled = *count as f64 * scale;
            entries[id].baseline_self += scaled;
            let mut cur = Some(id);
            while let Some(c) = cur {
                entries[c].baseline_total += scaled;
                cur = tree.nodes()[c].parent;
            }
        }
        for (entry, node) in entries.iter_mut().zip(tree.nodes()) {
            entry.delta_total = node.total as f64 - entry.baseline_total;
            entry.delta_self = node.self_count as f64 - entry.baseline_self;
        }
        DiffTree {
            tree,
            entries,
            scale,
        }
    }

    /// Rebuilds the tree from its weighted paths rewritten by `map` (`None` drops a path). The
    /// root name, context and root kind are kept.
    fn rebuilt(&self, mut map: impl FnMut(&[&str]) -> Option<Vec<String>>) -> FrameTree {
        let mut builder = TreeBuilder::new(&self.root_node().name);
        for (path, count) in self.weighted_paths() {
            if let Some(new_path) = map(&path) {
                builder.insert(&new_path, count);
            }
        }
        builder.finish(self.context.clone(), self.synthetic_root)
    }
}

fn owned(path: &[&str]) -> Vec<String> {
    path.iter().map(|s| s.to_string()).collect()
}

/// The library label of `frame`: the longest matching prefix followed by `…`.
fn library_of(frame: &str, prefixes: &[&str]) -> Option<String> {
    prefixes
        .iter()
        .filter(|p| !p.is_empty() && frame.starts_with(*p))
        .max_by_key(|p| p.len())
        .map(|p| format!("{p}…"))
}

/// Replaces each run of frames from the same library by one frame named after the library.
fn fold_libraries(path: &[&str], prefixes: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(path.len());
    let mut last_lib: Option<String> = None;
    for frame in path {
        let lib = library_of(frame, prefixes);
        match &lib {
            Some(name) if last_lib.as_ref() == Some(name) => {}
            Some(name) => out.push(name.clone()),
            None => out.push(frame.to_string()),
        }
        last_lib = lib;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tree::tests::{check_invariants, tree};
    use super::*;

    const INPUT: &str = "main;a;b 3\nmain;a 2\nmain;c 1\nworker;a;b 4\n";

    fn counts(t: &FrameTree, path: &[&str]) -> (u64, u64) {
        let id = t.find(path).unwrap_or_else(|| panic!("no {path:?}"));
        (t.nodes()[id].total, t.nodes()[id].self_count)
    }

    #[test]
    fn zoom_keeps_subtree_and_context() {
        let t = tree(INPUT);
        let a = t.find(&["main", "a"]).unwrap();
        let z = t.zoom(a).unwrap();
        check_invariants(&z);
        assert_eq!(&*z.root_node().name, "a");
        assert_eq!(z.context(), ["main"]);
        assert_eq!((z.total(), z.root_node().self_count), (5, 2));
        assert_eq!(counts(&z, &["b"]), (3, 3));
        assert_eq!(z.to_folded().to_text(), "main;a 2\nmain;a;b 3\n");
        let zz = z.zoom(z.find(&["b"]).unwrap()).unwrap();
        assert_eq!(zz.context(), ["main", "a"]);
        assert_eq!(zz.total(), 3);
        assert!(matches!(t.zoom(99), Err(FlameError::NoSuchNode(99))));
    }

    #[test]
    fn collapse_turns_subtree_into_self() {
        let t = tree(INPUT);
        let c = t.collapse(t.find(&["main"]).unwrap()).unwrap();
        check_invariants(&c);
        assert_eq!(counts(&c, &["main"]), (6, 6));
        assert_eq!(c.find(&["main", "a"]), None);
        assert_eq!(counts(&c, &["worker", "a", "b"]), (4, 4));
        assert_eq!(c.total(), 10);
    }

    #[test]
    fn collapse_library_folds_runs() {
        let t = tree(
            "t;main;std::rt::x;std::panic::y;core::ops::f;app::work;std::io::read 5\n\
             t;main;std::rt::x;app::other 2\n",
        );
        let c = t.collapse_library(&["std::", "core::", "tokio::"]);
        check_invariants(&c);
        let p = ["t", "main", "std::…", "core::…", "app::work", "std::…"];
        assert_eq!(counts(&c, &p), (5, 5));
        assert_eq!(counts(&c, &["t", "main", "std::…"]), (7, 0));
        assert_eq!(counts(&c, &["t", "main", "std::…", "app::other"]), (2, 2));
    }

    #[test]
    fn merge_threads_and_filter_thread() {
        let t = tree(INPUT);
        let m = t.merge_threads();
        check_invariants(&m);
        assert_eq!(m.total(), 10);
        assert_eq!(counts(&m, &["a", "b"]), (7, 7));
        assert_eq!(counts(&m, &["a"]), (9, 2));
        let w = t.filter_thread("worker");
        assert_eq!(w.total(), 4);
        assert_eq!(w.find(&["main"]), None);
        assert_eq!(counts(&w, &["worker", "a", "b"]), (4, 4));
    }

    #[test]
    fn invert_puts_leaves_first() {
        let t = tree(INPUT);
        let i = t.invert();
        check_invariants(&i);
        assert_eq!(i.total(), 10);
        assert_eq!(counts(&i, &["b"]), (7, 0));
        assert_eq!(counts(&i, &["b", "a", "main"]), (3, 3));
        assert_eq!(counts(&i, &["b", "a", "worker"]), (4, 4));
        assert_eq!(counts(&i, &["a", "main"]), (2, 2));
    }

    #[test]
    fn merged_roots_and_unscaled_diff_show_added_cost() {
        let merged = |text: &str| {
            let stacks = crate::flame::FoldedStacks::parse(text).unwrap();
            FrameTree::from_stacks(&crate::flame::merge_worker_roots(&stacks))
        };
        let before = merged("bs-seq-0;parse 40\n");
        let after = merged(
            "bs-threads-0;parse 20\nbs-threads-1;parse 20\nbs-threads-1;parse;[gil wait] 10\n",
        );
        check_invariants(&after);
        assert_eq!(counts(&after, &["workers", "parse"]), (50, 40));
        let d = after.diff_unscaled(&before);
        assert_eq!(d.scale, 1.0);
        let parse = d.tree.find(&["workers", "parse"]).unwrap();
        let gil = d.tree.find(&["workers", "parse", "[gil wait]"]).unwrap();
        assert_eq!(d.entry(parse).unwrap().baseline_self, 40.0);
        assert_eq!(d.entry(parse).unwrap().delta_self, 0.0);
        assert_eq!(d.entry(gil).unwrap().delta_total, 10.0);
        assert_eq!(d.entry(0).unwrap().delta_total, 10.0);
        // Scaled to equal totals, the same work would look like it shrank.
        assert!(after.diff(&before).entry(parse).unwrap().delta_self < 0.0);
    }

    #[test]
    fn diff_normalises_by_totals() {
        let current = tree("t;a 6\nt;b 2\n");
        let baseline = tree("t;a 1\nt;c 3\n");
        let d = current.diff(&baseline);
        check_invariants(&d.tree);
        assert_eq!(d.scale, 2.0);
        let a = d.tree.find(&["t", "a"]).unwrap();
        let c = d.tree.find(&["t", "c"]).unwrap();
        let b = d.tree.find(&["t", "b"]).unwrap();
        assert_eq!(d.entry(a).unwrap().baseline_total, 2.0);
        assert_eq!(d.entry(a).unwrap().delta_total, 4.0);
        assert_eq!(d.entry(b).unwrap().delta_self, 2.0);
        assert_eq!(d.tree.nodes()[c].total, 0);
        assert_eq!(d.entry(c).unwrap().delta_total, -6.0);
        assert_eq!(d.entry(0).unwrap().delta_total, 0.0);
        assert_eq!(d.delta_fraction(a), Some(0.5));
        assert_eq!(d.entry(d.tree.node_count()), None);
    }
}
