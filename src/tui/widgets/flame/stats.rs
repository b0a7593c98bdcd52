//! Derived profile tables for the UI: per-function self/total samples and regex search matches.

use crate::flame::{FrameTree, NodeId};
use regex::Regex;
use std::collections::HashMap;

/// One function in the "top" table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopRow {
    pub name: String,
    pub self_samples: u64,
    /// Samples with the function anywhere on the stack (recursion counted once).
    pub total_samples: u64,
}

/// Self and total samples per function of `tree` (the root frame left out), by self, then total.
pub fn top_rows(tree: &FrameTree) -> Vec<TopRow> {
    let nodes = tree.nodes();
    let mut costs: HashMap<&str, (u64, u64)> = HashMap::new();
    let mut on_path: HashMap<&str, usize> = HashMap::new();
    // (node, entering?) walk keeping how often each name is on the current path.
    let mut stack: Vec<(NodeId, bool)> = nodes[tree.root()]
        .children
        .iter()
        .map(|&c| (c, true))
        .collect();
    while let Some((id, entering)) = stack.pop() {
        let name = &*nodes[id].name;
        if !entering {
            *on_path.get_mut(name).expect("entered") -= 1;
            continue;
        }
        let depth_here = on_path.entry(name).or_default();
        let cost = costs.entry(name).or_default();
        cost.0 += nodes[id].self_count;
        if *depth_here == 0 {
            cost.1 += nodes[id].total;
        }
        *depth_here += 1;
        stack.push((id, false));
        stack.extend(nodes[id].children.iter().map(|&c| (c, true)));
    }
    let mut rows: Vec<TopRow> = costs
        .into_iter()
        .map(|(name, (s, t))| TopRow {
            name: name.to_string(),
            self_samples: s,
            total_samples: t,
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.self_samples, b.total_samples, &a.name).cmp(&(a.self_samples, a.total_samples, &b.name))
    });
    rows
}

/// A regex search over frame names and what it matched in the displayed tree.
#[derive(Debug, Clone)]
pub struct Search {
    pub pattern: String,
    regex: Regex,
    /// Per node of the displayed tree: does its name match?
    pub matches: Vec<bool>,
    /// How many frames match.
    pub count: usize,
    /// Share of all samples with a matching frame on the stack (0..=1).
    pub share: f64,
}

impl Search {
    /// Compiles `pattern`; the error is the regex crate's.
    pub fn new(pattern: &str) -> Result<Search, regex::Error> {
        let regex = Regex::new(pattern)?;
        Ok(Search {
            pattern: pattern.to_string(),
            regex,
            matches: Vec::new(),
            count: 0,
            share: 0.0,
        })
    }

    /// Recomputes the matches against `tree`.
    pub fn apply(&mut self, tree: &FrameTree) {
        let nodes = tree.nodes();
        self.matches = nodes.iter().map(|n| self.regex.is_match(&n.name)).collect();
        self.count = self.matches.iter().filter(|&&m| m).count();
        let mut covered = 0u64;
        let mut stack = vec![tree.root()];
        while let Some(id) = stack.pop() {
            if self.matches[id] {
                covered += nodes[id].total;
            } else {
                stack.extend(nodes[id].children.iter().copied());
            }
        }
        self.share = if tree.total() == 0 {
            0.0
        } else {
            covered as f64 / tree.total() as f64
        };
    }

    pub fn is_match(&self, id: NodeId) -> bool {
        self.matches.get(id).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flame::FoldedStacks;

    fn tree(text: &str) -> FrameTree {
        FrameTree::from_stacks(&FoldedStacks::parse(text).unwrap())
    }

    #[test]
    fn top_counts_self_and_total_once_per_stack() {
        let t = tree("t;f;g;f 4\nt;f 1\nt;g 2\nt 7\n");
        let rows = top_rows(&t);
        let f = rows.iter().find(|r| r.name == "f").unwrap();
        let g = rows.iter().find(|r| r.name == "g").unwrap();
        assert_eq!((f.self_samples, f.total_samples), (5, 5));
        assert_eq!((g.self_samples, g.total_samples), (2, 6));
        assert_eq!(rows[0].name, "t");
        assert_eq!(rows[0].self_samples, 7);
    }

    #[test]
    fn search_share_counts_nested_matches_once() {
        let t = tree("t;parse;parse_inner 6\nt;parse 2\nt;write 2\n");
        let mut s = Search::new("^parse").unwrap();
        s.apply(&t);
        assert_eq!(s.count, 2);
        assert!((s.share - 0.8).abs() < 1e-9, "{}", s.share);
        assert!(Search::new("(").is_err());
    }
}
