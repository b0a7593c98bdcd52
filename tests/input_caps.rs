//! Input files that would otherwise be read whole are capped: a TOML scenario or pipeline
//! past 1 MiB is refused with its size and the limit, and an NDJSON line past 16 MiB is
//! rejected (with its line number) while the rest of the file is read, in bounded memory.

mod common;
use common::{run_measured, Scratch};
use std::io::Write;

const GOOD: &str =
    r#"{"symbol":"A","timestamp":1,"open":1.0,"high":1.0,"low":1.0,"close":1.0,"volume":1}"#;

/// Writes `line` (without a newline) made of `mb` MiB of `a`, streamed.
fn write_long_line(out: &mut impl Write, mb: usize) {
    let block = vec![b'a'; 1 << 20];
    for _ in 0..mb {
        out.write_all(&block).expect("write");
    }
}

/// A 2 MiB file of TOML comments (valid TOML, so only its size can refuse it).
fn big_toml(scratch: &Scratch, name: &str) -> String {
    let path = scratch.path(name);
    let text = "# padding\n".repeat((2 << 20) / 10 + 1);
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

fn assert_refused_for_size(args: &[&str], file: &str) {
    let scratch = Scratch::new();
    let out = scratch.run(args);
    let err = common::stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    let size = std::fs::metadata(file).expect("size").len().to_string();
    assert!(
        err.contains(file) && err.contains(&size) && err.contains("larger than 1 MiB"),
        "{args:?}: {err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
}

#[test]
fn oversized_scenario_and_pipeline_files_are_refused() {
    let scratch = Scratch::new();
    let scenario = big_toml(&scratch, "big-scenario.toml");
    assert_refused_for_size(&["scenario", &scenario], &scenario);
    let pipeline = big_toml(&scratch, "big-pipeline.toml");
    assert_refused_for_size(
        &["run", "etl-pipeline", "--pipeline", &pipeline, "--quiet"],
        &pipeline,
    );
}

/// A good line, a 20 MiB line, a good line: the long line is rejected as line 2 with the
/// limit as its reason, in every parser and mode, and both good lines are kept.
#[test]
fn a_line_past_the_cap_is_rejected_and_the_rest_is_read() {
    let scratch = Scratch::new();
    let input = scratch.path("long");
    std::fs::create_dir(&input).expect("mkdir");
    let mut file = std::fs::File::create(input.join("x.ndjson")).expect("create");
    writeln!(file, "{GOOD}").expect("write");
    write_long_line(&mut file, 20);
    writeln!(file, "\n{GOOD}").expect("write");
    drop(file);
    let input_arg = input.to_string_lossy();
    for parser in ["value", "typed", "fast"] {
        for mode in ["sequential", "threads", "processes"] {
            let what = format!("{parser} {mode}");
            let report = scratch.json_report(
                &format!("long-{parser}-{mode}"),
                &[
                    "--input", &input_arg, "--parser", parser, "--mode", mode, "--output", "none",
                ],
            );
            assert_eq!(report["items"], 2, "{what}");
            assert_eq!(report["rejected"], 1, "{what}");
            let r = &report["rejections"][0];
            assert_eq!(r["line"], 2, "{what}");
            assert!(
                r["reason"]
                    .as_str()
                    .unwrap_or("")
                    .contains("line longer than 16 MiB"),
                "{what}: {r}"
            );
        }
    }
}

/// A file that is one 200 MiB line with no newline: rejected, and the run's memory stays far
/// below the file's size (reading the file whole took over 200 MB). The sampler is off: its
/// own buffers are larger than what is measured here.
#[test]
fn an_endless_line_takes_bounded_memory() {
    let scratch = Scratch::new();
    let input = scratch.path("endless");
    std::fs::create_dir(&input).expect("mkdir");
    let mut file = std::fs::File::create(input.join("x.ndjson")).expect("create");
    writeln!(file, "{GOOD}").expect("write");
    write_long_line(&mut file, 200);
    drop(file);
    let report = scratch.path("endless.json");
    let (code, err, rss_mb) = run_measured(&[
        "run",
        "json-parse",
        "--input",
        &input.to_string_lossy(),
        "--output",
        "none",
        "--quiet",
        "--no-profile",
        "--report",
        &report.to_string_lossy(),
    ]);
    assert_eq!(code, 0, "{err}");
    let report = common::read_json(&report);
    assert_eq!(
        (&report["items"], &report["rejected"]),
        (&1.into(), &1.into())
    );
    assert!(rss_mb < 100, "a 200 MiB line peaked at {rss_mb} MB");
}
