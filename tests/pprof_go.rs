//! Round trips through the real `go tool pprof`: a json-parse run's pprof export, read by Go's
//! own profile reader, has the folded file's total and functions, Rust names intact, thread
//! labels, mappings with build ids, and file:line from the debug info.
//!
//! Needs `go` (`.ci/go.sh` installs Debian's golang-go). Without it the tests print why and
//! pass, except under CI (`CI` set), where a missing `go` fails them.

mod common;
use common::Scratch;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

const RUN_UNIT: &str =
    "<boundscope::workload::json::JsonParse as boundscope::workload::Workload>::run_unit";

/// Whether `go` runs here; panics under CI when it does not.
fn have_go() -> bool {
    let ok = Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var_os("CI").is_some() {
        panic!("CI is set but `go` is not on PATH: CI must run the go tool pprof round trips (.ci/go.sh installs it)");
    }
    if !ok {
        eprintln!("go tool pprof tests skipped: `go` not found (install it with .ci/go.sh)");
    }
    ok
}

/// `go tool pprof ARGS FILE`'s standard output.
fn pprof(args: &[&str], file: &Path) -> String {
    let out = Command::new("go")
        .args(["tool", "pprof"])
        .args(args)
        .arg(file)
        .env("PPROF_BINARY_PATH", "/nonexistent")
        .output()
        .expect("go tool pprof runs");
    assert!(
        out.status.success(),
        "go tool pprof {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// A CPU-bound json-parse run on two threads: its folded CPU stacks and its pprof file.
fn export(scratch: &Scratch) -> (String, std::path::PathBuf) {
    let folded = scratch.path("run.folded");
    let pb = scratch.path("run.pb.gz");
    let (folded_arg, pb_arg) = (
        folded.to_string_lossy().into_owned(),
        pb.to_string_lossy().into_owned(),
    );
    scratch.json_report(
        "run",
        &[
            "--files",
            "4",
            "--records",
            "60000",
            "--mode",
            "threads",
            "--workers",
            "2",
            "--hz",
            "250",
            "--output",
            "none",
            "--folded",
            &folded_arg,
            "--pprof",
            &pb_arg,
        ],
    );
    (std::fs::read_to_string(&folded).expect("folded"), pb)
}

fn folded_total(text: &str) -> u64 {
    text.lines()
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap())
        .sum()
}

/// Every frame of the folded text but the thread roots.
fn folded_functions(text: &str) -> BTreeSet<String> {
    text.lines()
        .flat_map(|l| l.rsplit_once(' ').unwrap().0.split(';').skip(1))
        .map(str::to_string)
        .collect()
}

/// The rows of a `-top` listing: (flat, name), name being everything after the 5 columns.
fn top_rows(top: &str) -> Vec<(String, String)> {
    top.lines()
        .skip_while(|l| !l.trim_start().starts_with("flat"))
        .skip(1)
        .map(|l| {
            let mut rest = l.trim_start();
            let mut cols = Vec::new();
            for _ in 0..5 {
                let (col, tail) = rest.split_once(char::is_whitespace).expect("5 columns");
                cols.push(col.to_string());
                rest = tail.trim_start();
            }
            (cols[0].clone(), rest.to_string())
        })
        .collect()
}

#[test]
fn go_tool_pprof_reads_the_export_with_totals_names_labels_and_lines() {
    if !have_go() {
        return;
    }
    let scratch = Scratch::new();
    let (folded, pb) = export(&scratch);
    let total = folded_total(&folded);
    assert!(total > 10, "{total} samples");

    // -raw: every sample's values; the first type is samples/count.
    let raw = pprof(&["-raw"], &pb);
    let samples: u64 = raw
        .lines()
        .skip_while(|l| !l.starts_with("Samples:"))
        .take_while(|l| !l.starts_with("Locations"))
        .filter_map(|l| l.split_once(':').filter(|(v, _)| !v.trim().is_empty()))
        .filter_map(|(values, _)| values.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    assert_eq!(samples, total, "-raw sample counts");
    let mappings = raw.split("Mappings").nth(1).expect("a Mappings section");
    let binary = mappings
        .lines()
        .find(|l| l.contains("boundscope"))
        .expect("the binary");
    assert!(binary.contains("[FN]"), "{binary}");
    let build_id = binary.split_whitespace().nth(3).unwrap_or_default();
    assert!(
        build_id.len() >= 16 && build_id.chars().all(|c| c.is_ascii_hexdigit()),
        "{binary}"
    );

    // -top: the same total and the same functions, Rust names untouched.
    let top = pprof(
        &[
            "-sample_index=samples",
            "-top",
            "-nodecount=1000000",
            "-nodefraction=0",
            "-edgefraction=0",
        ],
        &pb,
    );
    assert!(top.contains(&format!("of {total} total")), "{top}");
    let names: BTreeSet<String> = top_rows(&top).into_iter().map(|(_, n)| n).collect();
    assert!(names.contains(RUN_UNIT), "{top}");
    assert_eq!(names, folded_functions(&folded));

    // -tags: the worker threads are labels.
    let tags = pprof(&["-tags"], &pb);
    for thread in ["bs-threads-0", "bs-threads-1"] {
        assert!(tags.contains(&format!(": {thread}")), "{tags}");
    }
    assert!(tags.contains("thread: Total"), "{tags}");
    // Every sample carries the job's phase it ran in: parsing is where json-parse's CPU goes.
    assert!(tags.contains("phase: Total"), "{tags}");
    assert!(tags.contains(": parse"), "{tags}");

    // -lines: boundscope's own frames carry file:line from the debug info.
    let lines = pprof(
        &[
            "-sample_index=samples",
            "-top",
            "-lines",
            "-nodecount=1000000",
        ],
        &pb,
    );
    let located = top_rows(&lines)
        .into_iter()
        .map(|(_, n)| n)
        .filter(|n| n.starts_with("boundscope::") || n.starts_with("<boundscope::"))
        .filter(|n| {
            n.rsplit_once(".rs:")
                .is_some_and(|(_, line)| line.parse::<u32>().is_ok_and(|l| l > 0))
        })
        .count();
    assert!(
        located > 0,
        "no boundscope frame with file:line in:\n{lines}"
    );
}
