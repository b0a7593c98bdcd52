//! `FoldedStacks`: a multiset of folded stacks (`root;caller;...;leaf` → sample count), its text
//! format, and simple whole-set queries (root rewriting, deltas, top functions).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Deserializer, Serialize};

use super::FlameError;
use crate::model::FunctionCost;

/// A multiset of call stacks. Each key is a folded stack `root;caller;...;leaf` whose first frame
/// is the thread name; the value is how many samples landed on exactly that stack.
///
/// Serialises as a JSON object mapping stack to count; deserialising goes through
/// [`FoldedStacks::add`], so empty stacks and zero counts are dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FoldedStacks {
    stacks: BTreeMap<String, u64>,
}

impl FoldedStacks {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `count` samples to `stack`. Empty stacks and zero counts are ignored.
    pub fn add(&mut self, stack: &str, count: u64) {
        let stack = stack.trim();
        if stack.is_empty() || count == 0 {
            return;
        }
        let slot = self.stacks.entry(stack.to_string()).or_insert(0);
        *slot = slot.saturating_add(count);
    }

    /// Adds every stack of `other` into `self`.
    pub fn merge(&mut self, other: &FoldedStacks) {
        for (stack, &count) in &other.stacks {
            self.add(stack, count);
        }
    }

    /// Total number of samples over all stacks.
    pub fn total(&self) -> u64 {
        self.stacks
            .values()
            .fold(0u64, |acc, &c| acc.saturating_add(c))
    }

    /// Number of distinct stacks.
    pub fn len(&self) -> usize {
        self.stacks.len()
    }

    /// True when there are no stacks.
    pub fn is_empty(&self) -> bool {
        self.stacks.is_empty()
    }

    /// Samples recorded for exactly this stack (0 if absent).
    pub fn get(&self, stack: &str) -> u64 {
        self.stacks.get(stack).copied().unwrap_or(0)
    }

    /// Stacks and counts in sorted stack order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> + '_ {
        self.stacks.iter().map(|(s, &c)| (s.as_str(), c))
    }

    /// Parses folded text as profilers write it: `frames count` lines; blank lines, `#` comments
    /// and CRLF are accepted, a bare count (py-spy's raw output) goes under [`NO_STACK`], and
    /// repeated stacks are summed, saturating at `u64::MAX`.
    pub fn parse(text: &str) -> Result<FoldedStacks, FlameError> {
        let mut out = FoldedStacks::new();
        for (index, raw) in text.lines().enumerate() {
            let parsed = parse_line(raw).map_err(|reason| FlameError::Parse {
                line: index + 1,
                reason,
            })?;
            if let Some((stack, count)) = parsed {
                out.add(stack, count);
            }
        }
        Ok(out)
    }

    /// The folded text: sorted `stack count` lines, each terminated by `\n`.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for (stack, count) in &self.stacks {
            text.push_str(stack);
            text.push(' ');
            text.push_str(&count.to_string());
            text.push('\n');
        }
        text
    }

    /// Renames the root (thread) frame `from` to `to` wherever it occurs.
    pub fn rename_root(&mut self, from: &str, to: &str) {
        self.map_roots(|root| {
            if root == from {
                to.to_string()
            } else {
                root.to_string()
            }
        });
    }

    /// Rewrites the first frame of every stack with `f`; stacks that become equal are summed.
    pub fn map_roots(&mut self, mut f: impl FnMut(&str) -> String) {
        let old = std::mem::take(&mut self.stacks);
        for (stack, count) in old {
            let (root, rest) = split_root(&stack);
            let new_root = f(root);
            match rest {
                Some(rest) => self.add(&format!("{new_root};{rest}"), count),
                None => self.add(&new_root, count),
            }
        }
    }

    /// Number of distinct root (thread) frames.
    pub fn root_count(&self) -> usize {
        let roots: HashSet<&str> = self.stacks.keys().map(|s| split_root(s).0).collect();
        roots.len()
    }

    /// A copy with every count multiplied by `factor` and rounded to the nearest whole number;
    /// stacks that round to zero are dropped.
    pub fn scaled(&self, factor: f64) -> FoldedStacks {
        let mut out = FoldedStacks::new();
        for (stack, &count) in &self.stacks {
            // `as` saturates: a negative or NaN factor gives 0, a huge one u64::MAX.
            out.add(stack, (count as f64 * factor).round() as u64);
        }
        out
    }

    /// A copy without the stacks whose root frame starts with any of `prefixes`.
    pub fn without_roots(&self, prefixes: &[&str]) -> FoldedStacks {
        let stacks = self
            .stacks
            .iter()
            .filter(|(stack, _)| {
                let (root, _) = split_root(stack);
                !prefixes.iter().any(|p| root.starts_with(p))
            })
            .map(|(s, &c)| (s.clone(), c))
            .collect();
        FoldedStacks { stacks }
    }

    /// The samples gained since `earlier`: for every stack whose count grew, the growth.
    pub fn delta_since(&self, earlier: &FoldedStacks) -> FoldedStacks {
        let stacks = self
            .stacks
            .iter()
            .filter_map(|(stack, &now)| {
                let grown = now.saturating_sub(earlier.get(stack));
                (grown > 0).then(|| (stack.clone(), grown))
            })
            .collect();
        FoldedStacks { stacks }
    }

    /// The `n` most expensive functions by self samples (then total, then name), excluding the
    /// root (thread-name) frame. Recursive functions count once per stack in `total_samples`.
    pub fn top_functions(&self, n: usize) -> Vec<FunctionCost> {
        let mut costs: HashMap<&str, (u64, u64)> = HashMap::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for (stack, &count) in &self.stacks {
            let frames: Vec<&str> = stack.split(';').skip(1).collect();
            let Some(&leaf) = frames.last() else { continue };
            costs.entry(leaf).or_default().0 += count;
            seen.clear();
            for &frame in &frames {
                if seen.insert(frame) {
                    costs.entry(frame).or_default().1 += count;
                }
            }
        }
        let mut list: Vec<FunctionCost> = costs
            .into_iter()
            .map(|(name, (self_samples, total_samples))| FunctionCost {
                name: name.to_string(),
                self_samples,
                total_samples,
            })
            .collect();
        list.sort_by(|a, b| {
            b.self_samples
                .cmp(&a.self_samples)
                .then(b.total_samples.cmp(&a.total_samples))
                .then(a.name.cmp(&b.name))
        });
        list.truncate(n);
        list
    }
}

impl<'a> FromIterator<(&'a str, u64)> for FoldedStacks {
    fn from_iter<T: IntoIterator<Item = (&'a str, u64)>>(iter: T) -> Self {
        let mut out = FoldedStacks::new();
        for (stack, count) in iter {
            out.add(stack, count);
        }
        out
    }
}

impl<'de> Deserialize<'de> for FoldedStacks {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, u64>::deserialize(deserializer)?;
        Ok(map.iter().map(|(s, &c)| (s.as_str(), c)).collect())
    }
}

/// Splits `root;rest` into the root frame and the rest (if any).
fn split_root(stack: &str) -> (&str, Option<&str>) {
    match stack.split_once(';') {
        Some((root, rest)) => (root, Some(rest)),
        None => (stack, None),
    }
}

/// The root frame of samples that came with a count but no frames (py-spy's ` 1` lines).
pub const NO_STACK: &str = "[no stack]";

/// What is wrong with one line of folded stacks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FoldedLineError {
    #[error("expected `frames count`, found {0:?}")]
    NoCount(String),
    #[error("the stack before the count is empty")]
    EmptyStack,
    #[error("the count {count:?} is not a whole number")]
    BadCount {
        count: String,
        #[source]
        source: std::num::ParseIntError,
    },
    /// A line of differential folded text without its BEFORE count.
    #[error("expected `stack BEFORE AFTER`: {0}")]
    NoBefore(#[source] Box<FoldedLineError>),
}

impl FoldedLineError {
    pub(super) fn bad_count(count: &str, source: std::num::ParseIntError) -> Self {
        FoldedLineError::BadCount {
            count: count.to_string(),
            source,
        }
    }
}

/// Splits one line into its stack and count; `None` for blank and `#` comment lines. Leading
/// and trailing white space (a CRLF's `\r` included) is ignored.
pub(super) fn parse_line(raw: &str) -> Result<Option<(&str, u64)>, FoldedLineError> {
    let line = raw.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let (stack, count) = match line.rsplit_once([' ', '\t']) {
        Some((stack, count)) => (stack.trim_end(), count),
        None => ("", line),
    };
    let count = count.parse::<u64>().map_err(|e| match stack.is_empty() {
        true => FoldedLineError::NoCount(line.to_string()),
        false => FoldedLineError::bad_count(count, e),
    })?;
    let stack = if stack.is_empty() { NO_STACK } else { stack };
    Ok(Some((stack, count)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> FoldedStacks {
        FoldedStacks::parse("main;a;b 3\nmain;a 2\nworker;c 5\n").unwrap()
    }

    #[test]
    fn parse_and_to_text_round_trip() {
        let text = "main;a 2\nmain;a;b 3\nworker;c 5\n";
        let stacks = FoldedStacks::parse(text).unwrap();
        assert_eq!(stacks.len(), 3);
        assert_eq!(stacks.total(), 10);
        assert_eq!(stacks.to_text(), text);
        assert_eq!(FoldedStacks::parse(&stacks.to_text()).unwrap(), stacks);
    }

    #[test]
    fn parse_ignores_blank_lines_sums_repeats_and_keeps_spaces_in_frames() {
        let s = FoldedStacks::parse("\n  t;<impl Foo for Bar>::f 4\n\nt;<impl Foo for Bar>::f 1\n")
            .unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s.get("t;<impl Foo for Bar>::f"), 5);
    }

    #[test]
    fn parse_error_names_the_line() {
        let err = FoldedStacks::parse("main;a 1\n\nmain;b x\n").unwrap_err();
        match &err {
            FlameError::Parse { line, .. } => assert_eq!(*line, 3),
            other => panic!("unexpected error {other:?}"),
        }
        assert_eq!(
            err.to_string(),
            "folded stacks, line 3: the count \"x\" is not a whole number"
        );
        let reason = std::error::Error::source(&err).expect("the line's error is kept");
        assert!(
            std::error::Error::source(reason).is_some(),
            "and the integer's"
        );
        assert!(FoldedStacks::parse("nocount\n").is_err());
        assert!(FoldedStacks::parse("main;a -1\n").is_err());
    }

    #[test]
    fn parse_counts_lines_without_frames_under_no_stack() {
        let s = FoldedStacks::parse("main;a 2\n 1\n3\n").unwrap();
        assert_eq!(s.get(NO_STACK), 4);
        assert_eq!(s.total(), 6);
        assert_eq!(FoldedStacks::parse(&s.to_text()).unwrap(), s);
    }

    #[test]
    fn parse_skips_comments_and_accepts_crlf() {
        let text = "# py-spy 0.3\r\nmain;a 2\r\n\r\n  # indented comment\nmain;b\t3\r\n";
        let s = FoldedStacks::parse(text).unwrap();
        assert_eq!(s.to_text(), "main;a 2\nmain;b 3\n");
    }

    #[test]
    fn counts_saturate_instead_of_wrapping() {
        let text = format!("t;a {}\nt;a 5\nt;b {}\n", u64::MAX - 1, u64::MAX);
        let s = FoldedStacks::parse(&text).unwrap();
        assert_eq!(s.get("t;a"), u64::MAX);
        assert_eq!(s.total(), u64::MAX);
    }

    #[test]
    fn add_ignores_empty_and_zero_and_merge_sums() {
        let mut s = FoldedStacks::new();
        s.add("", 4);
        s.add("t;a", 0);
        assert!(s.is_empty());
        s.add("t;a", 2);
        s.merge(&sample());
        assert_eq!(s.get("t;a"), 2);
        assert_eq!(s.get("main;a"), 2);
        assert_eq!(s.total(), 12);
    }

    #[test]
    fn delta_since_keeps_only_growth() {
        let earlier = FoldedStacks::parse("main;a 2\nworker;c 5\nold;x 9\n").unwrap();
        let later = sample();
        let delta = later.delta_since(&earlier);
        assert_eq!(delta.to_text(), "main;a;b 3\n");
    }

    #[test]
    fn rename_and_map_roots_merge_collisions() {
        let mut s = FoldedStacks::parse("w-1;f 1\nw-2;f 2\nmain 4\n").unwrap();
        s.rename_root("main", "driver");
        assert_eq!(s.get("driver"), 4);
        s.map_roots(|r| {
            if r.starts_with("w-") {
                "w".into()
            } else {
                r.into()
            }
        });
        assert_eq!(s.get("w;f"), 3);
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn root_count_and_scaled() {
        let s = FoldedStacks::parse("w-1;f 3\nw-1;g 2\nw-2;f 5\nmain 1\n").unwrap();
        assert_eq!(s.root_count(), 3);
        // Halves round away from zero; what rounds to zero goes.
        let half = s.scaled(0.5);
        assert_eq!(half.to_text(), "main 1\nw-1;f 2\nw-1;g 1\nw-2;f 3\n");
        assert_eq!(s.scaled(0.2).to_text(), "w-1;f 1\nw-2;f 1\n");
        assert_eq!(s.scaled(2.0).total(), 22);
        assert!(s.scaled(-1.0).is_empty());
        assert_eq!(FoldedStacks::new().root_count(), 0);
    }

    #[test]
    fn without_roots_filters_by_prefix() {
        let s = FoldedStacks::parse("pprof;x 1\nmain;a 2\nprofiler-thread;y 3\n").unwrap();
        let kept = s.without_roots(&["pprof", "profiler"]);
        assert_eq!(kept.to_text(), "main;a 2\n");
    }

    #[test]
    fn top_functions_self_vs_total_with_recursion() {
        let s = FoldedStacks::parse("t;f;g;f 4\nt;f 1\nt;g 2\nt 7\n").unwrap();
        let top = s.top_functions(10);
        let names: Vec<&str> = top.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["f", "g"]);
        assert_eq!((top[0].self_samples, top[0].total_samples), (5, 5));
        assert_eq!((top[1].self_samples, top[1].total_samples), (2, 6));
        assert_eq!(s.top_functions(1).len(), 1);
    }

    #[test]
    fn serde_is_a_json_object() {
        let s = FoldedStacks::parse("t;a 2\n").unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"{"t;a":2}"#);
        let back: FoldedStacks = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        let cleaned: FoldedStacks = serde_json::from_str(r#"{"t;a":2,"":4,"t;b":0}"#).unwrap();
        assert_eq!(cleaned, s);
    }
}
