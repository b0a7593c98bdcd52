//! `boundscope compare` with a differential flamegraph of the second mode against the first.

mod common;
use common::{stderr, Scratch};

const SMALL: [&str; 4] = ["--files", "4", "--records", "3000"];
const TINY: [&str; 4] = ["--files", "1", "--records", "50"];
const RUN_UNIT: &str =
    "<boundscope::workload::json::JsonParse as boundscope::workload::Workload>::run_unit";

/// sequential against threads, two workers, one timed run each, with data of `size`.
fn compare(scratch: &Scratch, size: [&str; 4], extra: &[&str]) -> std::process::Output {
    let mut args = vec!["compare", "json-parse", "--modes", "sequential,threads"];
    args.extend([
        "--workers",
        "2",
        "--hz",
        "250",
        "--warmup",
        "0",
        "--repeat",
        "1",
    ]);
    args.extend(size);
    args.extend(extra);
    scratch.run(&args)
}

#[test]
fn compare_writes_a_differential_flamegraph_under_one_workers_root() {
    let scratch = Scratch::new();
    let (folded, svg) = (scratch.path("diff.folded"), scratch.path("diff.svg"));
    let (folded_arg, svg_arg) = (folded.to_string_lossy(), svg.to_string_lossy());
    let out = compare(
        &scratch,
        SMALL,
        &[
            "--diff-view",
            "wall",
            "--diff-folded",
            &folded_arg,
            "--diff",
            &svg_arg,
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains(&format!("wrote     differential flamegraph → {svg_arg}")),
        "{text}"
    );
    assert!(text.contains("differential folded stacks"), "{text}");

    let diff = std::fs::read_to_string(&folded).expect("the folded diff was written");
    assert!(!diff.trim().is_empty(), "no stacks at all");
    let (mut before, mut after) = (0u64, 0u64);
    for line in diff.lines() {
        let fields: Vec<&str> = line.rsplitn(3, ' ').collect();
        assert_eq!(fields.len(), 3, "not `stack BEFORE AFTER`: {line:?}");
        let stack = fields[2];
        assert!(
            stack == "workers" || stack.starts_with("workers;"),
            "{line:?}"
        );
        assert!(!stack.contains("bs-seq") && !stack.contains("bs-threads"));
        // Lined up at the workload: no mode's own frames above it.
        if stack.contains(RUN_UNIT) {
            assert!(
                stack.starts_with(&format!("workers;{RUN_UNIT}")),
                "{line:?}"
            );
        }
        assert!(!stack.contains("worker_loop"), "{line:?}");
        after += fields[0].parse::<u64>().expect("AFTER is a whole number");
        before += fields[1].parse::<u64>().expect("BEFORE is a whole number");
    }
    assert!(
        before > 0 && after > 0,
        "both modes have a profile: {before} {after}"
    );
    assert!(
        diff.lines()
            .any(|l| l.starts_with(&format!("workers;{RUN_UNIT};"))),
        "the modes' stacks meet at the workload:\n{diff:.3000}"
    );

    let picture = std::fs::read_to_string(&svg).expect("the SVG was written");
    let head = picture.trim_start();
    assert!(
        head.starts_with("<?xml") || head.starts_with("<svg"),
        "{head:.80}"
    );
    assert!(picture.trim_end().ends_with("</svg>"));
    assert!(
        picture.contains("threads against sequential"),
        "{picture:.2000}"
    );
}

#[test]
fn compare_diff_refuses_bad_requests_before_running() {
    let scratch = Scratch::new();
    let missing = compare(&scratch, TINY, &["--diff", "/definitely/not/here/d.svg"]);
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(stderr(&missing).contains("/definitely/not/here"));
    assert!(
        !stderr(&missing).contains("round 1/"),
        "refused before any run"
    );

    let one = scratch.run(&[
        "compare",
        "json-parse",
        "--modes",
        "threads",
        "--diff",
        "d.svg",
    ]);
    assert_eq!(one.status.code(), Some(2), "{}", stderr(&one));
    assert!(stderr(&one).contains("at least two"), "{}", stderr(&one));

    // A directory where the file should go is refused before the runs too (a write that
    // fails after them: errors.rs, on a full disk).
    let dir = scratch.path("taken");
    std::fs::create_dir(&dir).expect("mkdir");
    let dir_arg = dir.to_string_lossy();
    let taken = compare(&scratch, TINY, &["--diff-folded", &dir_arg]);
    let err = stderr(&taken);
    assert_eq!(taken.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--diff-folded") && err.contains("directory"),
        "{err}"
    );
    assert!(!err.contains("round 1/"), "refused before any run: {err}");
}

#[test]
fn repeated_runs_read_as_the_majority_with_its_count() {
    let scratch = Scratch::new();
    let json = scratch.path("compare.json");
    let json_arg = json.to_string_lossy();
    let mut args = vec!["compare", "json-parse", "--modes", "sequential,threads"];
    args.extend([
        "--workers",
        "2",
        "--warmup",
        "0",
        "--repeat",
        "3",
        "--quiet",
    ]);
    args.extend(TINY);
    args.extend(["--export-json", &json_arg]);
    let out = scratch.run(&args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    let export = common::read_json(&json);
    for mode in export["modes"].as_array().expect("modes") {
        let runs = mode["runs"].as_array().expect("runs");
        let verdict = mode["verdict"].as_str().expect("verdict");
        let agree = mode["verdict_agree"].as_u64().expect("agreement") as usize;
        let same = runs.iter().filter(|r| r["verdict"] == verdict).count();
        assert_eq!(agree, same, "{mode}");
        assert!(runs.iter().all(|r| {
            let v = r["verdict"].as_str().unwrap_or("");
            runs.iter().filter(|o| o["verdict"] == v).count() <= agree
        }));
        let row = format!("{verdict} in {agree} of 3");
        assert!(text.contains(&row), "{row:?} not in {text}");
    }
}
