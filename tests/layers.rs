//! The library's layers, checked on its source: every top-level module may use only modules
//! of lower layers, so no module imports one above it and there are no import circles. Inside
//! the terminal UI, its own layers (shell, screens, widgets, state) are checked the same way
//! ([`tui`]).
//!
//! The check reads each file's `crate::NAME` paths (in `use` lines, brace groups and inline
//! paths) and maps the file to its top-level module. Test files (`tests.rs`, `*_tests.rs`
//! and files under a `tests/` directory) are harnesses that may drive any layer, and are
//! not read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[path = "layers/tui.rs"]
mod tui;

/// The layers, lowest first. A module may use the modules of the layers below its own.
const LAYERS: &[&[&str]] = &[
    // Plain typed data; the sanitizer of text from input and the writer of every output
    // file, which use nothing of the crate.
    &["model", "sanitize", "outfile"],
    // Names of machine code: memory maps, ELF symbols, DWARF.
    &["symbolize"],
    // Pure libraries and small utilities over plain data.
    &[
        "flame",
        "predict",
        "tmpdir",
        "toml_input",
        "proc",
        "observe",
        "shell_words",
        "interrupt",
    ],
    // Measuring a thread's time; the API server the workloads talk to.
    &["measure", "server"],
    // Databases (their waits are measured).
    &["db"],
    // The workloads, each declaring its options.
    &["workload"],
    // What to run: a workload spec and the run's own settings.
    &["spec"],
    // Running units in-process; sampling the CPU; the event stream, the wire form of the
    // model and the spec.
    &["exec", "profile", "events"],
    // Reading finished runs.
    &["report"],
    // Orchestrating runs (in-process and in child processes).
    &["session"],
    // Scenario files, run as series of sessions.
    &["scenario"],
    // The terminal UI.
    &["tui"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == "tests.rs"
        || name.ends_with("_tests.rs")
        || path.components().any(|c| c.as_os_str() == "tests")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The names a file reaches as `crate::NAME`, with the line of each use.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                found.extend(group_heads(group).into_iter().map(|n| (number + 1, n)));
            } else {
                found.push((number + 1, head(rest)));
            }
        }
    }
    found
}

/// The first path segment of each item of a `{a::b, c}` group (one line is enough here:
/// `cargo fmt` keeps `use crate::{...}` groups of top-level modules short).
fn group_heads(group: &str) -> Vec<String> {
    let inside = group.split('}').next().unwrap_or("");
    inside
        .split(',')
        .map(|item| head(item.trim()))
        .filter(|name| !name.is_empty())
        .collect()
}

fn head(path: &str) -> String {
    path.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Each library file's top-level module (`src/exec/pool.rs` → `exec`); `None` for the
/// crate root and the binary's own files, which sit above every layer.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let module = first.strip_suffix(".rs").unwrap_or(first);
    match module {
        "lib" | "main" | "cli" => None,
        _ => Some(module.to_string()),
    }
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong: Vec<String> = Vec::new();
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in files.iter().filter(|f| !is_test_file(f)) {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let Some(own) = layer_of(&module) else {
            wrong.push(format!(
                "{}: module `{module}` is in no layer",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("a source file");
        for (line, used) in crate_paths(&text) {
            if used == module || used == "self" {
                continue;
            }
            edges.entry(module.clone()).or_default().push(used.clone());
            match layer_of(&used) {
                Some(theirs) if theirs < own => {}
                _ => wrong.push(format!(
                    "{}:{line}: `{module}` uses `{used}`, which is not in a layer below it",
                    file.display()
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The check saw real imports: the layers above use the ones below.
    for (module, used) in [
        ("session", "exec"),
        ("exec", "workload"),
        ("events", "model"),
    ] {
        assert!(
            edges
                .get(module)
                .is_some_and(|e| e.iter().any(|u| u == used)),
            "`{module}` was expected to use `{used}`: is the source reader broken?"
        );
    }
}

#[test]
fn every_top_level_module_of_the_library_is_in_a_layer() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("src/lib.rs");
    let modules: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert!(modules.len() >= 10, "{modules:?}");
    for module in modules {
        assert!(layer_of(module).is_some(), "`{module}` is in no layer");
    }
}

#[test]
fn the_path_reader_finds_groups_inline_paths_and_skips_comments() {
    let text = "use crate::{model::Mode, flame};\nlet x = crate::report::judge(r); // crate::tui\n";
    let names: Vec<String> = crate_paths(text).into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["model", "flame", "report"]);
}

/// The UI's source files (test files left out), as the UI checker reads them.
fn tui_sources() -> Vec<tui::Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src.join("tui"), &mut files);
    files
        .iter()
        .filter(|f| !is_test_file(f))
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("a source file");
            tui::source(f.strip_prefix(&src).expect("under src"), text)
        })
        .collect()
}

fn names(module: &str) -> Vec<String> {
    module.split("::").map(String::from).collect()
}

#[test]
fn the_ui_uses_only_its_own_layer_and_those_below_and_has_no_circles() {
    let files = tui_sources();
    let checked = tui::check(&files);
    assert!(checked.wrong.is_empty(), "{}", checked.wrong.join("\n"));
    if let Some(found) = tui::circle(&checked.edges) {
        let found: Vec<String> = found.iter().map(|m| m.join("::")).collect();
        panic!("a circle of uses: {}", found.join(" → "));
    }
    // One folder per screen, widgets and state below them.
    for folder in ["setup", "run", "compare", "suite", "open"] {
        let module = names(&format!("tui::screens::{folder}"));
        assert!(
            files.iter().any(|f| f.module == module),
            "no screen {folder}"
        );
    }
    // The reader saw real uses, one layer to the next, through each kind of path.
    for (from, to) in [
        ("tui::app", "tui::screens::run"),
        ("tui::screens::run::update", "tui::widgets::flame::view"),
        ("tui::screens::run::update", "tui::screens::run::replay"),
        ("tui::widgets::lanes", "tui::state::runs"),
    ] {
        let used = checked.edges.get(&names(from));
        assert!(
            used.is_some_and(|u| u.contains(&names(to))),
            "`{from}` was expected to use `{to}`: is the source reader broken?"
        );
    }
}

fn fake(module: &str, text: &str) -> tui::Source {
    tui::Source {
        module: names(module.trim_end_matches("::mod")),
        text: text.to_string(),
    }
}

#[test]
fn the_ui_checker_catches_an_upward_use_another_screen_and_a_circle() {
    let files = [
        fake("tui::app", "use crate::tui::screens::run::RunScreen;"),
        fake("tui::screens::run::mod", "pub mod update;"),
        fake(
            "tui::screens::run::update",
            "use super::super::setup::Focus;",
        ),
        fake("tui::screens::setup::mod", "pub struct Focus;"),
        fake(
            "tui::widgets::theme",
            "use crate::tui::{state::Run, screens::run::RunScreen};\nfn f() {}",
        ),
        fake("tui::state::runs", "use super::lanes::Lane;"),
        fake(
            "tui::state::lanes",
            "pub struct Lane;\nfn g() -> super::runs::Run {}",
        ),
        fake(
            "tui::widgets::fmt",
            "// crate::tui::app::App in a comment\n",
        ),
        fake(
            "tui::widgets::mod",
            "pub mod fmt;\npub use fmt::Number;\nuse ratatui::Frame;",
        ),
    ];
    let checked = tui::check(&files);
    assert_eq!(
        checked.wrong,
        [
            "tui::screens::run::update:1 uses tui::screens::setup, another screen",
            "tui::widgets::theme:1 uses tui::screens::run, a layer above",
        ]
    );
    let found = tui::circle(&checked.edges).expect("runs ↔ lanes");
    let found: Vec<String> = found.iter().map(|m| m.join("::")).collect();
    assert_eq!(
        found,
        ["tui::state::lanes", "tui::state::runs", "tui::state::lanes"]
    );
    // A `mod.rs` that re-exports its child uses it (`ratatui` is no module of the UI).
    let widgets = checked.edges.get(&names("tui::widgets"));
    assert_eq!(
        widgets.map(|used| used.iter().map(|m| m.join("::")).collect::<Vec<_>>()),
        Some(vec!["tui::widgets::fmt".to_string()])
    );
    // Without the circle's back edge there is none.
    let mut edges = checked.edges.clone();
    edges.remove(&names("tui::state::lanes"));
    assert_eq!(tui::circle(&edges), None);
}

#[test]
fn the_ui_reader_resolves_super_self_and_groups_from_the_files_module() {
    let file = fake(
        "tui::screens::run::mod",
        "use self::layout::X;\nuse super::{setup::{form::F, Focus}, suite};\n\
         #[cfg(test)]\nmod tests { use crate::tui::app::App; }",
    );
    let paths: Vec<String> = tui::named_paths(&file)
        .into_iter()
        .map(|(line, p)| format!("{line}:{}", p.join("::")))
        .collect();
    assert_eq!(
        paths,
        [
            "1:tui::screens::run::layout::X",
            "2:tui::screens::setup::Focus",
            "2:tui::screens::setup::form::F",
            "2:tui::screens::suite",
        ]
    );
}
