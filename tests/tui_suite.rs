//! End to end: the real binary's terminal UI starts a built-in scenario at quick sizes from
//! its scenario screen, runs its lines one after another, and shows its expectations, met or
//! not (which, depends on the machine's load, so it is not asserted).

mod common;

use common::tmux::Tmux;

/// The picker row of api-threads: the built-in scenarios in `scenario --list` order.
fn api_threads_row() -> usize {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_boundscope"))
        .args(["scenario", "--list"])
        .output()
        .expect("scenario --list runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let names: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    names
        .iter()
        .position(|n| *n == "api-threads")
        .unwrap_or_else(|| panic!("api-threads is built in: {names:?}"))
}

#[test]
fn a_scenario_runs_from_the_ui_and_shows_its_expectations() {
    let Some(tmux) = Tmux::start("suite", 80, 24) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let launch = format!(
        "cd '{}' && BOUNDSCOPE_DATA='{}' '{}'",
        work.path().display(),
        work.path().join("data").display(),
        env!("CARGO_BIN_EXE_boundscope")
    );
    tmux.keys(&[&launch, "Enter"]);
    tmux.wait_for("the setup panel", 10, |s| {
        s.contains("next run (Enter starts)")
    });
    tmux.keys(&["e"]);
    tmux.wait_for("the scenario picker", 5, |s| {
        s.contains("scenario or sweep")
    });
    for _ in 0..api_threads_row() {
        tmux.keys(&["Down"]);
    }
    let picker = tmux.wait_for("api-threads' lesson", 5, |s| {
        s.contains("Waiting on an API")
    });
    assert!(
        picker.contains("sizes: ◀ quick ▶"),
        "quick sizes by default: {picker}"
    );
    tmux.keys(&["Enter"]);
    let running = tmux.wait_for("the first line", 20, |s| s.contains("line 1 of 3"));
    assert!(
        running.contains("--requests 40"),
        "the quick sizes are named: {running}"
    );
    let screen = tmux.wait_for("every line", 120, |s| {
        s.contains("all 3 lines done") || s.contains("stopped after")
    });
    eprintln!("80×24:\n{screen}");
    assert!(screen.contains("all 3 lines done"), "{screen}");
    assert!(screen.contains("expectations"), "{screen}");
    let checks: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("faster than sequential") || l.contains("sequential is io-bound"))
        .collect();
    assert_eq!(checks.len(), 3, "three expectations: {screen}");
    for check in checks {
        let verdict = check.starts_with("met ") || check.starts_with("NOT MET ");
        assert!(verdict && check.contains("measured"), "{check}");
    }

    tmux.cmd(&["resize-window", "-t", "s", "-x", "200", "-y", "55"]);
    let wide = tmux.wait_for("the wide screen", 10, |s| {
        s.lines().any(|l| l.chars().count() > 150)
    });
    eprintln!("200×55:\n{wide}");
    // Each table row: the line's one-character marker, then its label.
    for label in ["sequential", "threads x8", "async, 8 in flight"] {
        let row = wide.lines().any(|l| {
            let mut chars = l.chars();
            let marker = chars.next().is_some_and(|c| !c.is_whitespace());
            marker && chars.as_str().starts_with(&format!(" {label} "))
        });
        assert!(row, "{label}: {wide}");
    }

    // Enter opens the highlighted line's run: its flamegraph, then back to the setup screen.
    tmux.keys(&["Enter"]);
    tmux.wait_for("the first line's run", 10, |s| s.contains("flamegraph"));
    tmux.keys(&["q"]);
    tmux.wait_for("the shell", 10, |s| !s.contains("flamegraph"));
}
