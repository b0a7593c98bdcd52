//! End to end: the real binary's terminal UI driven in tmux — a json-parse run, its throughput
//! and flamegraph, a collapse, an SVG export, and a clean quit back to the shell.

mod common;

use common::tmux::Tmux;
use std::path::Path;

#[test]
fn tui_runs_collapses_exports_and_quits_cleanly() {
    let Some(tmux) = Tmux::start("e2e", 120, 40) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let launch = format!(
        "cd '{}' && BOUNDSCOPE_DATA='{}' '{}'",
        work.path().display(),
        data.display(),
        env!("CARGO_BIN_EXE_boundscope")
    );
    tmux.keys(&[&launch, "Enter"]);
    tmux.wait_for("the setup panel", 10, |s| {
        s.contains("next run (Enter starts)")
    });

    // records: 60000, files: 6, then start.
    tmux.keys(&[
        "Down", "Down", "Down", "Down", "6", "0", "0", "0", "0", "Down", "6", "Enter",
    ]);
    let screen = tmux.wait_for("the run to finish", 45, |s| {
        s.contains(" · done · ") || s.contains(" · failed")
    });
    assert!(screen.contains(" · done · "), "{screen}");
    assert!(
        screen.contains("items/s") && screen.contains("flamegraph"),
        "{screen}"
    );
    assert!(screen.contains("bs-threads-0"), "{screen}");
    // The job's phases show first; then the code hung under each phase; then the code.
    assert!(
        screen.contains("wall time by phase") && screen.contains("parse"),
        "{screen}"
    );
    tmux.keys(&["v"]);
    tmux.wait_for("the code by phase", 5, |s| {
        s.contains("wall time, code by phase") && s.contains("read_table")
    });
    tmux.keys(&["v"]);
    tmux.wait_for("the code view", 5, |s| s.contains(" s wall time ─"));

    tmux.keys(&["/", "parse_value_line", "Enter"]);
    let screen = tmux.wait_for("the search", 5, |s| s.contains("/parse_value_line: "));
    assert!(!screen.contains("/parse_value_line: 0 frames"), "{screen}");

    // Escape alone, so the terminal does not read it as Alt plus the next key.
    tmux.keys(&["Escape"]);
    tmux.wait_for("the search to clear", 5, |s| {
        !s.contains("/parse_value_line/")
    });
    tmux.keys(&["Down", "Down", "c"]);
    tmux.wait_for("the collapse", 5, |s| s.contains("1 collapsed"));

    tmux.keys(&["s"]);
    tmux.wait_for("the export", 10, |s| s.contains("wrote "));
    // `-wall` or none before `.svg`, as the run has a wall-clock profile or not.
    let svg = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("boundscope-json-parse-threads-w") && name.ends_with(".svg")
        })
        .expect("the exported SVG");
    assert_svg(&svg);

    tmux.keys(&["q"]);
    let screen = tmux.wait_for("the shell", 10, |s| {
        !s.contains("next run") && !s.contains("flamegraph")
    });
    assert!(
        screen.contains("boundscope"),
        "the shell history is back: {screen}"
    );
    let alternate = tmux.cmd(&["display-message", "-p", "-t", "s", "#{alternate_on}"]);
    assert_eq!(alternate.trim(), "0", "the alternate screen was left");
}

fn assert_svg(path: &Path) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} was not written: {e}", path.display()));
    assert!(
        text.contains("<svg"),
        "not an SVG: {}",
        &text[..text.len().min(200)]
    );
}
