//! The terminal UI's layers inside `src/tui`, checked on its source. From the top: the shell
//! (the files at the top of `src/tui` and the key map in `keys/`), the screens
//! (`screens/NAME/`), the widgets (`widgets/`) and the UI's plain state (`state/`). A file may
//! use its own layer and the layers below; a screen uses no other screen; and no file reaches
//! itself again through the files it uses (no circles).
//!
//! Uses are read as `crate::tui::…`, `super::…` (resolved from the file's own module) and
//! `self::…` paths, brace groups included; `mod x;` declarations are structure, not uses.
//! Test files and `#[cfg(test)]` modules are harnesses that may drive any layer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module path inside the crate, e.g. `["tui", "screens", "run", "update"]`.
pub type ModPath = Vec<String>;

/// The UI's layers, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layer {
    State,
    Widgets,
    Screens,
    Shell,
}

pub fn layer(module: &[String]) -> Layer {
    match module.get(1).map(String::as_str) {
        Some("state") => Layer::State,
        Some("widgets") => Layer::Widgets,
        Some("screens") => Layer::Screens,
        _ => Layer::Shell,
    }
}

/// The screen folder a module is in (`screens/NAME/…`).
fn screen(module: &[String]) -> Option<&str> {
    match module.get(1).map(String::as_str) {
        Some("screens") => module.get(2).map(String::as_str),
        _ => None,
    }
}

/// One source file of the UI: its module (a `mod.rs` is its folder's module) and its text.
pub struct Source {
    pub module: ModPath,
    pub text: String,
}

/// The file at `relative` (to `src/`): `tui/screens/run/mod.rs` is `tui::screens::run`.
pub fn source(relative: &Path, text: String) -> Source {
    let mut module: ModPath = relative
        .iter()
        .map(|part| part.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if module.last().is_some_and(|last| last == "mod") {
        module.pop();
    }
    Source { module, text }
}

/// The text before the file's `#[cfg(test)]` module (tests sit at the end of a file).
fn without_tests(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |at| &text[..at])
}

/// The text with `//` comments blanked (line numbers kept).
fn code_only(text: &str) -> String {
    let lines = text.lines().map(|l| l.split("//").next().unwrap_or(""));
    lines.collect::<Vec<_>>().join("\n")
}

/// The module paths `file` names, each with its line: absolute, `super` and `self` paths,
/// `use` paths that start at one of the file's own modules (`pub use state::RunScreen;` in a
/// `mod.rs`), and each item of a brace group after them.
pub fn named_paths(file: &Source) -> Vec<(usize, ModPath)> {
    let mut found = rooted_paths(file);
    found.extend(relative_uses(file));
    found.sort();
    found
}

/// The `use` lines that name a path from the file's own module without `self::`; a name that
/// is no module of the UI (an outside crate, `std`) is dropped later, as every other path.
fn relative_uses(file: &Source) -> Vec<(usize, ModPath)> {
    let code = code_only(without_tests(&file.text));
    let mut found = Vec::new();
    for (number, line) in code.lines().enumerate() {
        let line = line.trim_start();
        let line = line.strip_prefix("pub ").unwrap_or(line);
        let Some(path) = line.strip_prefix("use ") else {
            continue;
        };
        let roots = ["crate::", "super::", "self::", "std::", "core::", "alloc::"];
        if roots.iter().any(|r| path.starts_with(r)) {
            continue;
        }
        let paths = expand(path, file.module.clone());
        found.extend(paths.into_iter().map(|p| (number + 1, p)));
    }
    found
}

fn rooted_paths(file: &Source) -> Vec<(usize, ModPath)> {
    let code = code_only(without_tests(&file.text));
    let own = &file.module;
    let parent: ModPath = own[..own.len().saturating_sub(1)].to_vec();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some((start, base, len)) = next_root(&code[at..], own, &parent) {
        let from = at + start + len;
        let line = code[..at + start].matches('\n').count() + 1;
        for path in expand(&code[from..], base) {
            found.push((line, path));
        }
        at = from;
    }
    found
}

/// The next `crate::tui::`, `super::…` or `self::` in `code`: where, its base module, its length.
fn next_root(code: &str, own: &ModPath, parent: &ModPath) -> Option<(usize, ModPath, usize)> {
    let roots = ["crate::tui::", "super::", "self::"];
    let (start, root) = roots
        .iter()
        .filter_map(|r| find_word(code, r).map(|i| (i, *r)))
        .min_by_key(|(i, _)| *i)?;
    let mut base = match root {
        "crate::tui::" => vec!["tui".to_string()],
        "self::" => own.clone(),
        _ => parent.clone(),
    };
    let mut len = root.len();
    while code[start + len..].starts_with("super::") {
        base.pop();
        len += "super::".len();
    }
    Some((start, base, len))
}

/// Where `word` starts in `code` not as the end of a longer name (`my_super::` is not one).
fn find_word(code: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = code[from..].find(word) {
        let at = from + i;
        let before = code[..at].chars().next_back();
        if !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// The paths `rest` names after `base`: one path, or each item of a `{…}` group.
fn expand(rest: &str, base: ModPath) -> Vec<ModPath> {
    let mut path = base;
    let mut rest = rest;
    loop {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            break;
        }
        path.push(name.clone());
        rest = &rest[name.len()..];
        match rest.strip_prefix("::") {
            Some(more) => rest = more,
            None => return vec![path],
        }
    }
    let Some(group) = rest.strip_prefix('{') else {
        return vec![path];
    };
    let inside = group_text(group);
    split_top(inside)
        .into_iter()
        .flat_map(|item| match item.trim() {
            "self" | "*" | "" => vec![path.clone()],
            item => expand(item, path.clone()),
        })
        .collect()
}

/// The text of a group up to its closing brace.
fn group_text(group: &str) -> &str {
    let mut depth = 0;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return &group[..i],
            '}' => depth -= 1,
            _ => {}
        }
    }
    group
}

/// The items of a group, split at its own commas (not those of nested groups).
fn split_top(inside: &str) -> Vec<&str> {
    let (mut items, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in inside.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inside[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inside[start..]);
    items
}

/// The module a path names: its longest prefix that is one of `modules`.
fn target(path: &[String], modules: &BTreeSet<ModPath>) -> Option<ModPath> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|prefix| modules.contains(prefix))
}

/// What the UI's files use of each other, and every use that breaks the layering.
pub struct Checked {
    pub edges: BTreeMap<ModPath, BTreeSet<ModPath>>,
    pub wrong: Vec<String>,
}

pub fn check(files: &[Source]) -> Checked {
    let modules: BTreeSet<ModPath> = files.iter().map(|f| f.module.clone()).collect();
    let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    let mut wrong = Vec::new();
    for file in files {
        let from = &file.module;
        for (line, path) in named_paths(file) {
            let Some(to) = target(&path, &modules) else {
                continue;
            };
            if &to == from {
                continue;
            }
            let upward = layer(&to) > layer(from);
            let other_screen = layer(&to) == Layer::Screens
                && layer(from) == Layer::Screens
                && screen(&to) != screen(from);
            if upward || other_screen {
                let why = if upward {
                    "a layer above"
                } else {
                    "another screen"
                };
                let (a, b) = (from.join("::"), to.join("::"));
                wrong.push(format!("{a}:{line} uses {b}, {why}"));
            }
            edges.entry(from.clone()).or_default().insert(to);
        }
    }
    Checked { edges, wrong }
}

/// A circle of uses, if there is one: the modules around it, its first repeated at the end.
pub fn circle(edges: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Option<Vec<ModPath>> {
    let mut done = BTreeSet::new();
    for start in edges.keys() {
        let mut trail = Vec::new();
        if let Some(found) = walk(start, edges, &mut trail, &mut done) {
            return Some(found);
        }
    }
    None
}

fn walk(
    at: &ModPath,
    edges: &BTreeMap<ModPath, BTreeSet<ModPath>>,
    trail: &mut Vec<ModPath>,
    done: &mut BTreeSet<ModPath>,
) -> Option<Vec<ModPath>> {
    if let Some(i) = trail.iter().position(|m| m == at) {
        let mut found = trail[i..].to_vec();
        found.push(at.clone());
        return Some(found);
    }
    if done.contains(at) {
        return None;
    }
    trail.push(at.clone());
    for next in edges.get(at).into_iter().flatten() {
        if let Some(found) = walk(next, edges, trail, done) {
            return Some(found);
        }
    }
    trail.pop();
    done.insert(at.clone());
    None
}
