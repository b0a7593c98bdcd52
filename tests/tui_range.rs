//! End to end: a recording opened in the real binary's terminal UI (driven in tmux) plays back
//! over time, and a time range marked with the keys changes the flamegraph's total; Esc
//! brings the whole run back.

mod common;
use common::tmux::Tmux;
use common::Scratch;

/// A recording of about 4 s whatever the machine: 40 requests of 100 ms, one after another.
fn record(scratch: &Scratch) -> std::path::PathBuf {
    let events = scratch.path("api.ndjson");
    let out = scratch.run(&[
        "run",
        "api-fetch",
        "--mode",
        "sequential",
        "--requests",
        "40",
        "--latency",
        "100ms",
        "--quiet",
        "--events",
        &events.to_string_lossy(),
    ]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    events
}

/// The replay's position in the header (`replay ▶ 1× 1.5 / 4.1 s` → 1.5).
fn replay_at(screen: &str) -> Option<f64> {
    let rest = &screen[screen.find("replay ")?..];
    let (_, after) = rest.split_once("× ")?;
    after.split_whitespace().next()?.parse().ok()
}

/// The flamegraph's total as its title says it (`3.02 s wall time`).
fn flame_total(screen: &str) -> String {
    let rest = &screen[screen
        .find("flamegraph · ")
        .expect("the flamegraph's title")
        + 13..];
    rest[..rest.find(" ─").unwrap_or(rest.len())].to_string()
}

fn seconds(total: &str) -> f64 {
    let number = total.split_whitespace().next().unwrap_or("");
    number
        .parse()
        .unwrap_or_else(|_| panic!("not seconds: {total}"))
}

#[test]
fn a_recording_plays_back_and_a_range_changes_the_flamegraphs_total() {
    let Some(tmux) = Tmux::start("range", 100, 30) else {
        return;
    };
    let scratch = Scratch::new();
    let events = record(&scratch);
    let launch = format!(
        "'{}' open '{}'",
        env!("CARGO_BIN_EXE_boundscope"),
        events.display()
    );
    tmux.keys(&[&launch, "Enter"]);
    let first = tmux.wait_for("the replay to play", 20, |s| s.contains("replay ▶"));
    let start = replay_at(&first).expect("the replay's position");
    let later = tmux.wait_for("the replay to move on", 30, |s| {
        replay_at(s).is_some_and(|at| at > start)
    });
    assert!(later.contains("replay ▶"), "still playing: {later}");
    tmux.keys(&["End"]);
    let end = tmux.wait_for("the end of the recording", 10, |s| {
        s.contains("replay paused") && s.contains(" · done · ")
    });
    let whole = flame_total(&end);
    assert!(whole.contains("wall time"), "{end}");

    tmux.keys(&[".", ".", ".", ".", ".", ".", ".", ".", ".", ".", "b"]);
    tmux.keys(&[".", ".", ".", ".", ".", ".", ".", ".", "b"]);
    let ranged = tmux.wait_for("the range", 10, |s| {
        s.contains("range ") && s.contains("Esc clears it")
    });
    let part = flame_total(&ranged);
    assert!(
        seconds(&part) < seconds(&whole),
        "range total {part} vs whole {whole}\n{ranged}"
    );
    assert!(ranged.contains('═') && ranged.contains('▲'), "{ranged}");

    tmux.keys(&["Escape"]);
    let back = tmux.wait_for("the whole run", 10, |s| s.contains("whole run again"));
    assert_eq!(flame_total(&back), whole, "{back}");
    tmux.keys(&["q"]);
    tmux.wait_for("the shell", 10, |s| !s.contains("flamegraph"));
}
