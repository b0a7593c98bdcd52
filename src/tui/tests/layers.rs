//! The TUI's layering rule: `update` never calls rendering. Every module of `src/tui` but the
//! `render*` ones, the event loop (`term.rs`, which draws) and `mod.rs` (which declares them)
//! is update-side (state, actions, layout geometry, key map, replay, suites) and must not
//! name a `render` module; what both sides need lives in modules such as `layout` and `fmt`.

use regex::Regex;
use std::path::PathBuf;

/// A path through a `render` module: `render::x`, `render_etl::x`, or `render` in a `use`
/// group (`{app, render}`).
fn render_path() -> Regex {
    Regex::new(r"\brender(_[a-z]+)?\s*(::|,|\})").expect("a valid pattern")
}

/// May name render modules: rendering itself, the loop that draws, the module list.
fn renders(name: &str) -> bool {
    name.starts_with("render") || matches!(name, "term.rs" | "mod.rs")
}

/// (file name, text) of every update-side source file of `src/tui`.
fn update_side() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/tui");
    let entries = std::fs::read_dir(&dir).expect("src/tui is readable");
    let mut files: Vec<(String, String)> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_string();
            let text = std::fs::read_to_string(&p).expect("a readable source file");
            (!renders(&name)).then_some((name, text))
        })
        .collect();
    files.sort();
    files
}

/// The lines of `text` (comments left out) that name a render module.
fn offending_lines(text: &str, pattern: &Regex) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .filter(|l| pattern.is_match(l))
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn the_pattern_catches_every_way_of_naming_render() {
    let pattern = render_path();
    for line in [
        "super::render::fmt_rate(report.items_per_s)",
        "super::render_etl::toggle(app),",
        "use super::render_live::{overlaid, shown_seconds};",
        "use super::{app, render};",
        "crate::tui::render::run_areas(size)",
    ] {
        assert_eq!(offending_lines(line, &pattern).len(), 1, "{line}");
    }
    for line in [
        "super::layout::run_areas(app.size())",
        "// update never calls render::anything",
        "let rendered = draw(frame);",
    ] {
        assert!(offending_lines(line, &pattern).is_empty(), "{line}");
    }
}

#[test]
fn update_side_never_names_a_render_module() {
    let files = update_side();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "app.rs",
        "app_run.rs",
        "range.rs",
        "replay.rs",
        "layout.rs",
        "keys.rs",
    ] {
        assert!(names.contains(&expected), "{expected} not among {names:?}");
    }
    assert!(!names.iter().any(|n| n.starts_with("render")));
    let pattern = render_path();
    let found: Vec<String> = files
        .iter()
        .flat_map(|(name, text)| {
            offending_lines(text, &pattern)
                .into_iter()
                .map(move |l| format!("{name}: {l}"))
        })
        .collect();
    assert!(
        found.is_empty(),
        "update-side code names render: {found:#?}"
    );
}
