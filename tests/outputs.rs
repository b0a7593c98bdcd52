//! Outputs never destroy anything: an export that is the run's input, its database or
//! another export of the run, or an existing directory, is refused before the run (exit 2);
//! an export at a symlink replaces the link; a SQLite database that is not a regular file is
//! refused.

mod common;
use common::{stderr, Scratch};
use std::os::unix::fs::symlink;
use std::path::Path;

const CSV: &str = "id,name\n1,ada\n2,grace\n";

fn csv_input(scratch: &Scratch) -> String {
    let input = scratch.path("in.csv");
    std::fs::write(&input, CSV).expect("write");
    input.to_string_lossy().into_owned()
}

fn text(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).expect("read")).into_owned()
}

/// Runs and expects a refusal before the run: exit 2, the message naming `words`, no summary.
fn refused(scratch: &Scratch, args: &[&str], words: &[&str]) {
    let out = scratch.run(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    for word in words {
        assert!(err.contains(word), "{args:?}: {word:?} not in {err}");
    }
    assert!(out.stdout.is_empty(), "{args:?}: the run went ahead");
}

#[test]
fn a_report_onto_the_database_is_refused_and_the_database_kept() {
    let scratch = Scratch::new();
    let input = csv_input(&scratch);
    let db = scratch.path("x.db").to_string_lossy().into_owned();
    let db_arg = format!("sqlite:{db}");
    let args = ["run", "csv-import", "--input", &input, "--db", &db_arg];
    let out = scratch.run(&[&args[..], &["--quiet"]].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text(Path::new(&db)).starts_with("SQLite format 3"));
    refused(
        &scratch,
        &[&args[..], &["--report", &db]].concat(),
        &["--report", "the database"],
    );
    assert!(text(Path::new(&db)).starts_with("SQLite format 3"));
}

#[test]
fn an_export_onto_the_input_is_refused() {
    let scratch = Scratch::new();
    let input = csv_input(&scratch);
    refused(
        &scratch,
        &["run", "csv-import", "--input", &input, "--svg", &input],
        &["--svg", "csv-import's input"],
    );
    assert_eq!(text(Path::new(&input)), CSV);
    // json-parse reads a directory: each file already in it is an input.
    let dir = scratch.path("ticks");
    std::fs::create_dir(&dir).expect("mkdir");
    let tick = dir.join("a.json");
    let line = "{\"symbol\":\"A\",\"timestamp\":1,\"open\":1,\"high\":1,\"low\":1,\"close\":1,\"volume\":1}\n";
    std::fs::write(&tick, line).expect("write");
    let dir_arg = dir.to_string_lossy();
    let tick_arg = tick.to_string_lossy();
    for flag in ["--svg", "--folded", "--report"] {
        let args = ["run", "json-parse", "--input", &dir_arg, flag, &tick_arg];
        refused(&scratch, &args, &[flag, "json-parse's input"]);
    }
    assert_eq!(text(&tick), line);
}

#[test]
fn two_exports_to_one_file_are_refused() {
    let scratch = Scratch::new();
    let input = csv_input(&scratch);
    let file = scratch.path("out").to_string_lossy().into_owned();
    // The same file under another spelling.
    let other = format!("{}/./out", scratch.dir.path().display());
    let run = ["run", "csv-import", "--input", &input];
    for (a, b) in [
        ("--svg", "--folded"),
        ("--events", "--report"),
        ("--pprof", "--speedscope"),
    ] {
        refused(
            &scratch,
            &[&run[..], &[a, &file, b, &other]].concat(),
            &[a, b, "same file"],
        );
    }
    assert!(!Path::new(&file).exists());
    let out = scratch.path("c.md").to_string_lossy().into_owned();
    refused(
        &scratch,
        &[
            "compare",
            "csv-import",
            "--input",
            &input,
            "--modes",
            "sequential,threads",
        ]
        .iter()
        .copied()
        .chain(["--export-markdown", &out, "--export-json", &out])
        .collect::<Vec<_>>(),
        &["--export-json", "--export-markdown"],
    );
}

#[test]
fn a_scenario_export_onto_its_own_file_is_refused() {
    let scratch = Scratch::new();
    let path = scratch.path("s.toml");
    let text = "title = \"t\"\n[[run]]\nlabel = \"a\"\nargs = \"json-parse\"\n";
    std::fs::write(&path, text).expect("write");
    let path = path.to_string_lossy();
    refused(
        &scratch,
        &["scenario", &path, "--export-json", &path],
        &["--export-json", "the scenario file"],
    );
    assert_eq!(text, std::fs::read_to_string(&*path).expect("read"));
}

#[test]
fn an_export_at_a_symlink_replaces_the_link_not_its_target() {
    let scratch = Scratch::new();
    let input = csv_input(&scratch);
    let victim = scratch.path("victim.txt");
    std::fs::write(&victim, "keep me").expect("write");
    let link = scratch.path("link.svg");
    symlink(&victim, &link).expect("symlink");
    let nowhere = scratch.path("created-by-the-link.json");
    let dangling = scratch.path("dangling.json");
    symlink(&nowhere, &dangling).expect("symlink");
    let out = scratch.run(&[
        "run",
        "csv-import",
        "--input",
        &input,
        "--quiet",
        "--svg",
        &link.to_string_lossy(),
        "--report",
        &dangling.to_string_lossy(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(text(&victim), "keep me");
    assert!(!link.symlink_metadata().expect("link").is_symlink());
    assert!(text(&link).contains("</svg>"));
    assert!(!nowhere.exists(), "a dangling link's target is not created");
    assert!(text(&dangling).contains("\"workload\""));
    // A recording is written in place (it is read as it grows): a link is refused.
    let events = scratch.path("events.ndjson");
    symlink(&victim, &events).expect("symlink");
    refused(
        &scratch,
        &[
            "run",
            "csv-import",
            "--input",
            &input,
            "--events",
            &events.to_string_lossy(),
        ],
        &["--events", "symlink"],
    );
    assert_eq!(text(&victim), "keep me");
    // Nothing is left behind: no temporary file beside the exports.
    let left: Vec<_> = std::fs::read_dir(scratch.dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn an_export_at_a_directory_is_refused_before_the_run() {
    let scratch = Scratch::new();
    let input = csv_input(&scratch);
    let dir = scratch.path("adir");
    std::fs::create_dir(&dir).expect("mkdir");
    let dir = dir.to_string_lossy();
    for flag in ["--svg", "--report", "--events"] {
        refused(
            &scratch,
            &["run", "csv-import", "--input", &input, flag, &dir],
            &[flag, "directory"],
        );
    }
    refused(
        &scratch,
        &[
            "sweep",
            "csv-import",
            "--input",
            &input,
            "--mode",
            "threads",
            "--workers",
            "1,2",
        ]
        .iter()
        .copied()
        .chain(["--chart", &dir])
        .collect::<Vec<_>>(),
        &["--chart", "directory"],
    );
}

#[test]
fn a_sqlite_database_that_is_not_a_regular_file_is_refused() {
    let scratch = Scratch::new();
    let input = csv_input(&scratch);
    let before = std::fs::symlink_metadata("/dev/null-journal").is_ok();
    refused(
        &scratch,
        &[
            "run",
            "csv-import",
            "--input",
            &input,
            "--db",
            "sqlite:/dev/null",
        ],
        &["/dev/null", "not a regular file"],
    );
    let after = std::fs::symlink_metadata("/dev/null-journal").is_ok();
    assert!(before || !after, "the run left /dev/null-journal");
    refused(
        &scratch,
        &["run", "csv-import", "--input", &input, "--svg", "/dev/null"],
        &["--svg", "not a regular file"],
    );
}
