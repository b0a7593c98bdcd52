//! The TUI's Elm rule: `update` never calls rendering. The update side is the shell's state
//! and key map (`app.rs`, `keys/`), the UI's plain state (`state/`) and every screen file
//! that is not a `render*` file (state, update, layout geometry, range, replay, export,
//! suites). It must not name a render module or call a drawing function; what both sides
//! need lives in files such as a screen's `layout.rs` and the widgets' geometry.
//! (`tests/layers.rs` holds the layers themselves: shell, screens, widgets, state.)

use regex::Regex;
use std::path::{Path, PathBuf};

/// A render module or drawing function named: `render::x`, `render_etl::x`, `render` in a
/// `use` group (`{app, render}`), or a call such as `render_chart(…)` or `draw_flame(…)`.
fn render_path() -> Regex {
    let module = r"\brender(_[a-z_]+)?\s*(::|,|\})";
    let call = r"\b(render|draw)_[a-z_]+\s*\(";
    Regex::new(&format!("{module}|{call}")).expect("a valid pattern")
}

/// Whether the file at `relative` (to `src/tui`) is on the update side.
fn update_side_file(relative: &Path) -> bool {
    let name = relative.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let top = relative
        .iter()
        .next()
        .and_then(|c| c.to_str())
        .unwrap_or("");
    if name == "tests.rs" || name.ends_with("_tests.rs") || top == "tests" {
        return false;
    }
    match top {
        "app.rs" | "keys" | "state" => true,
        "screens" => !name.starts_with("render"),
        _ => false,
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// (path under `src/tui`, text) of every update-side source file.
fn update_side() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/tui");
    let mut paths = Vec::new();
    rust_files(&dir, &mut paths);
    let mut files: Vec<(String, String)> = paths
        .iter()
        .filter_map(|p| {
            let relative = p.strip_prefix(&dir).ok()?;
            let text = std::fs::read_to_string(p).expect("a readable source file");
            update_side_file(relative).then(|| (relative.display().to_string(), text))
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
        "use crate::tui::widgets::stages::{render_stages, stage_panel};",
        "render_chart(frame, area, (run, &[]), scale, 5, theme);",
        "let boxes = draw_flame(buf, area, view, theme);",
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
        "keys/map.rs",
        "screens/run/update.rs",
        "screens/run/range.rs",
        "screens/run/replay.rs",
        "screens/run/layout.rs",
        "screens/setup/update.rs",
        "screens/suite/flow.rs",
        "state/runs.rs",
    ] {
        assert!(names.contains(&expected), "{expected} not among {names:?}");
    }
    assert!(!names.iter().any(|n| n.contains("render")), "{names:?}");
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
