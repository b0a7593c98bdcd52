//! Ctrl-C during compare, sweep and scenario: the runs that had finished are still shown
//! (their table), the output says the series was interrupted, and the exit code is 130.

mod common;
use common::{bin, Scratch};
use std::io::{BufRead, BufReader};
use std::process::Stdio;

/// Starts `boundscope ARGS`, sends SIGINT once stderr announces `round 2/`, and returns
/// (exit code, stdout, stderr).
fn interrupt_in_round_2(scratch: &Scratch, args: &[&str]) -> (Option<i32>, String, String) {
    let mut child = bin()
        .args(args)
        .env("BOUNDSCOPE_DATA", scratch.path("cache"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start boundscope");
    let stderr = child.stderr.take().expect("stderr");
    let mut err = String::new();
    let mut lines = BufReader::new(stderr).lines();
    for line in lines.by_ref() {
        let line = line.expect("stderr line");
        err += &line;
        err.push('\n');
        if line.starts_with("round 2/") {
            // SAFETY: kill(2) of our own child; no memory effects.
            unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
            break;
        }
    }
    for line in lines {
        err += &line.unwrap_or_default();
        err.push('\n');
    }
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code(), stdout, err)
}

/// The number of finished runs the note reports.
fn finished_runs(err: &str) -> usize {
    let note = err
        .lines()
        .find(|l| l.starts_with("interrupted: "))
        .unwrap_or_else(|| panic!("{err}"));
    note["interrupted: ".len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

const SMALL: [&str; 6] = ["--files", "2", "--records", "3000", "--output", "none"];

#[test]
fn compare_interrupted_prints_the_finished_runs() {
    let scratch = Scratch::new();
    let mut args = vec![
        "compare",
        "json-parse",
        "--modes",
        "sequential,threads",
        "--workers",
        "2",
    ];
    args.extend(["--repeat", "30", "--warmup", "0"]);
    args.extend(SMALL);
    let (code, stdout, err) = interrupt_in_round_2(&scratch, &args);
    assert_eq!(code, Some(130), "{err}");
    assert!(finished_runs(&err) >= 2, "{err}");
    assert!(
        stdout.contains("sequential") && stdout.contains("threads"),
        "{stdout}"
    );
    assert!(stdout.contains("interrupted"), "{stdout}");
}

#[test]
fn sweep_interrupted_prints_the_finished_runs() {
    let scratch = Scratch::new();
    let mut args = vec![
        "sweep",
        "json-parse",
        "--mode",
        "threads",
        "--workers",
        "1,2",
    ];
    args.extend(["--repeat", "30", "--warmup", "0"]);
    args.extend(SMALL);
    let (code, stdout, err) = interrupt_in_round_2(&scratch, &args);
    assert_eq!(code, Some(130), "{err}");
    assert!(finished_runs(&err) >= 2, "{err}");
    assert!(stdout.lines().count() >= 3, "a table: {stdout}");
}

#[test]
fn scenario_interrupted_prints_the_finished_runs() {
    let scratch = Scratch::new();
    let file = scratch.path("s.toml");
    let text =
        "title = \"t\"\ndescription = \"d\"\ncommon = \"--files 2 --records 3000 --output none\"\n\
                repeat = 30\n[[run]]\nlabel = \"one\"\nargs = \"json-parse\"\n\
                [[run]]\nlabel = \"two\"\nargs = \"json-parse --mode threads --workers 2\"\n";
    std::fs::write(&file, text).expect("write scenario");
    let file = file.to_string_lossy().into_owned();
    let (code, stdout, err) = interrupt_in_round_2(&scratch, &["scenario", &file]);
    assert_eq!(code, Some(130), "{err}");
    assert!(finished_runs(&err) >= 2, "{err}");
    assert!(stdout.contains("one") && stdout.contains("two"), "{stdout}");
}
