//! Input files that would otherwise be read whole are capped: a TOML scenario or pipeline
//! past 1 MiB is refused with its size and the limit, and an NDJSON line past 16 MiB is
//! rejected (with its line number) while the rest of the file is read, in bounded memory; so
//! is a CSV record past its cap (16 MiB by default, `--max-record-kb`), a quote that never
//! closes included.

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

/// A CSV file under a 4 KiB record cap: a 5 KB line (line 3) between good records, then a
/// quote that never closes (line 6) followed by 60 lines of 100 bytes. Both long records are
/// rejected by line with the limit as the reason, the good records are stored in every mode,
/// the lines after the cut are read as records again, and the counts add up.
#[test]
fn a_csv_record_past_the_cap_is_rejected_and_the_rest_is_read() {
    let scratch = Scratch::new();
    let input = scratch.path("long.csv");
    let mut text = format!(
        "id,name,score\n1,a,1.5\n2,{},2\n3,c,3\n4,d,4\n",
        "x".repeat(5000)
    );
    text.push_str("5,\"open\n");
    text.push_str(&format!("{}\n", "y".repeat(100)).repeat(60));
    std::fs::write(&input, &text).expect("write");
    let input_arg = input.to_string_lossy();
    for mode in ["sequential", "threads", "processes"] {
        let (out, report) = scratch.run_with_report(
            &format!("csv-long-{mode}"),
            &[
                "run",
                "csv-import",
                "--quiet",
                "--input",
                &input_arg,
                "--mode",
                mode,
                "--workers",
                "2",
                "--chunk-rows",
                "2",
                "--max-record-kb",
                "4",
            ],
        );
        assert!(out.status.success(), "{mode}: {}", common::stderr(&out));
        assert_eq!(report["items"], 3, "{mode}: records 1, 3 and 4 are stored");
        let rejections = report["rejections"].as_array().expect("rejections");
        let mut too_long: Vec<u64> = rejections
            .iter()
            .filter(|r| r["reason"] == "record longer than 4 KiB (the limit)")
            .filter_map(|r| r["line"].as_u64())
            .collect();
        too_long.sort_unstable();
        assert_eq!(too_long, [3, 6], "{mode}: {rejections:?}");
        // The quote swallowed lines 7.. until the cap; the lines after the cut are records
        // of one field each, rejected on their own.
        let after = rejections.iter().filter(|r| r["line"].as_u64() > Some(6));
        assert!(
            after.clone().count() > 0
                && after
                    .clone()
                    .all(|r| r["reason"] == "expected 3 fields, found 1"),
            "{mode}: {rejections:?}"
        );
        let v = &report["verification"];
        assert_eq!(v["ok"], true, "{mode}: {v}");
        let rejected = report["rejected"].as_u64().expect("rejected");
        assert_eq!(rejected, rejections.len() as u64, "{mode}");
        assert_eq!(
            v["tables"][0]["input_rows"].as_u64(),
            Some(3 + rejected),
            "{mode}"
        );
    }
}
