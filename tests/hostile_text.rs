//! No control character from input reaches a terminal: frame names in the terminal UI (a
//! folded file, a speedscope file and a pprof profile, each with escapes past its first
//! 64 KiB), an ETL stage's name and a scenario's title and labels in the printed summaries
//! are shown as visible `\u{..}` escapes.

mod common;
use common::tmux::Tmux;
use common::{repo_path, stderr, Scratch};
use std::path::{Path, PathBuf};

/// A name that, printed raw, sets the terminal's title (OSC 0 without text: no `;`, which
/// frame names cannot hold) and clears the screen.
const HOSTILE: &str = "\u{1b}]0\u{7}pwned\u{1b}[2J";
/// The same name as the sanitizer shows it.
const SHOWN: &str = "\\u{1b}]0\\u{7}pwned\\u{1b}[2J";
/// Frames enough to push the hostile one past the first 64 KiB of a file.
const FILLERS: usize = 4000;

fn filler(i: usize) -> String {
    format!("filler_frame_{i:05}")
}

fn folded_file(dir: &Path) -> PathBuf {
    let mut text: String = (0..FILLERS)
        .map(|i| format!("t;{} 1\n", filler(i)))
        .collect();
    assert!(text.len() > 1 << 16);
    text.push_str(&format!("t;{HOSTILE} 1000000\n"));
    let path = dir.join("hostile.folded");
    std::fs::write(&path, text).expect("write");
    path
}

fn speedscope_file(dir: &Path) -> PathBuf {
    let mut frames: Vec<serde_json::Value> = (0..FILLERS)
        .map(|i| serde_json::json!({ "name": filler(i) }))
        .collect();
    frames.push(serde_json::json!({ "name": HOSTILE }));
    let samples: Vec<[usize; 1]> = (0..=FILLERS).map(|i| [i]).collect();
    let mut weights = vec![1u64; FILLERS];
    weights.push(1_000_000);
    let file = serde_json::json!({
        "$schema": "https://www.speedscope.app/file-format-schema.json",
        "shared": { "frames": frames },
        "profiles": [{
            "type": "sampled", "name": "t", "unit": "none",
            "startValue": 0, "endValue": 1_000_000 + FILLERS,
            "samples": samples, "weights": weights,
        }],
    });
    let text = file.to_string();
    assert!(text.find("pwned").expect("the name") > 1 << 16);
    let path = dir.join("hostile.speedscope.json");
    std::fs::write(&path, text).expect("write");
    path
}

fn pprof_file(dir: &Path) -> PathBuf {
    let mut stacks = boundscope::flame::FoldedStacks::new();
    for i in 0..FILLERS {
        stacks.add(&format!("t;{}", filler(i)), 1);
    }
    stacks.add(&format!("t;{HOSTILE}"), 1_000_000);
    let bytes = boundscope::flame::encode_pprof(&stacks, 99).expect("encode");
    let path = dir.join("hostile.pb.gz");
    std::fs::write(&path, bytes).expect("write");
    path
}

fn pane_title(tmux: &Tmux) -> String {
    tmux.cmd(&["display-message", "-p", "-t", "s", "#{pane_title}"])
}

#[test]
fn frame_names_with_escapes_do_not_reach_the_terminal() {
    let Some(tmux) = Tmux::start("hostile", 120, 40) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let title = pane_title(&tmux);
    for file in [
        folded_file(dir.path()),
        speedscope_file(dir.path()),
        pprof_file(dir.path()),
    ] {
        let launch = format!(
            "'{}' open '{}'",
            env!("CARGO_BIN_EXE_boundscope"),
            file.display()
        );
        tmux.keys(&[&launch, "Enter"]);
        tmux.wait_for("the escaped name", 20, |s| s.contains(SHOWN));
        assert_eq!(pane_title(&tmux), title, "{}", file.display());
        tmux.keys(&["q"]);
        tmux.wait_for("the shell", 10, |s| !s.contains(SHOWN));
    }
}

#[test]
fn an_etl_stage_name_with_escapes_is_printed_escaped() {
    let scratch = Scratch::new();
    let pipeline = std::fs::read_to_string(repo_path("workloads/etl.toml")).expect("etl.toml");
    let hostile = pipeline
        .replace("name = \"companies\"", "name = \"com\\npanies\\u001b[2J\"")
        .replace(
            "\"companies\", \"prices\"",
            "\"com\\npanies\\u001b[2J\", \"prices\"",
        );
    assert_ne!(hostile, pipeline);
    let path = scratch.path("hostile-etl.toml");
    std::fs::write(&path, hostile).expect("write");
    let db = format!("sqlite:{}", scratch.path("etl.db").display());
    let out = scratch.run(&[
        "run",
        "etl-pipeline",
        "--no-profile",
        "--symbols",
        "3",
        "--db",
        &db,
        "--pipeline",
        &path.to_string_lossy(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.contains("com\\u{a}panies\\u{1b}[2J"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(!text.contains("com\npanies"), "{text}");
}

#[test]
fn a_scenario_title_and_label_with_escapes_are_printed_escaped() {
    let scratch = Scratch::new();
    let path = scratch.path("hostile.toml");
    let scenario = r#"title = "two \u001b]0\u0007pwned modes"
common = "--files 1 --records 200 --hz 49 --output none"
repeat = 1

[[run]]
label = "one \u001b[2J worker"
args = "json-parse --mode sequential"

[[run]]
label = "two threads"
args = "json-parse --mode threads --workers 2"
"#;
    std::fs::write(&path, scenario).expect("write");
    let out = scratch.run(&["scenario", &path.to_string_lossy()]);
    let (text, err) = (String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(out.status.success(), "{text}{err}");
    assert!(text.contains("two \\u{1b}]0\\u{7}pwned modes"), "{text}");
    assert!(text.contains("one \\u{1b}[2J worker"), "{text}");
    assert!(err.contains("two \\u{1b}]0\\u{7}pwned modes"), "{err}");
    assert!(
        !text.contains('\u{1b}') && !err.contains('\u{1b}'),
        "{text}{err}"
    );
}
