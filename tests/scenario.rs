//! `boundscope scenario`: labelled runs from a TOML file (or a built-in one), repeated
//! together, with expectations checked.

mod common;
use common::{read_json, stderr, Scratch};

/// A scenario file of two small json-parse runs, expecting threads to be `by` times faster.
fn scenario_file(scratch: &Scratch, name: &str, by: f64) -> String {
    let expect = format!("faster = \"two threads\"\nthan = \"one worker\"\nby = {by}");
    scenario_with(scratch, name, &expect)
}

/// The same two runs with the `[[expect]]` table `expect`.
fn scenario_with(scratch: &Scratch, name: &str, expect: &str) -> String {
    let path = scratch.path(name);
    let text = format!(
        r#"title = "two modes"
common = "--files 4 --records 2000 --hz 49 --workers 2"
repeat = 2

[[run]]
label = "one worker"
args = "json-parse --mode sequential"

[[run]]
label = "two threads"
args = "json-parse --mode threads"

[[expect]]
{expect}
"#
    );
    std::fs::write(&path, text).expect("write the scenario");
    path.to_string_lossy().into_owned()
}

#[test]
fn a_scenario_runs_every_line_repeatedly_and_checks_its_expectations() {
    let scratch = Scratch::new();
    // A tolerance that any run meets: this checks the mechanics, not the machine's speed.
    let tolerance = "as_fast = \"two threads\"\nas = \"one worker\"\nat_least = 0.01";
    let file = scenario_with(&scratch, "ok.toml", tolerance);
    let json = scratch.path("ok.json");
    let json_arg = json.to_string_lossy();
    let out = scratch.run(&["scenario", &file, "--export-json", &json_arg, "-q"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("one worker") && text.contains("two threads"),
        "{text}"
    );
    assert!(text.contains("identical in every run"), "{text}");
    assert!(text.contains("— ok"), "{text}");

    let export = read_json(&json);
    let runs = export["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 2);
    for run in runs {
        assert_eq!(run["runs"].as_array().map(Vec::len), Some(2), "repeat = 2");
        assert_eq!(run["checksum"], runs[0]["checksum"]);
    }
    assert_eq!(runs[1]["runs"][0]["mode"], "threads");
    assert_eq!(export["checks"][0]["ok"], true);
}

#[test]
fn an_expectation_that_is_not_met_exits_with_1_and_says_so() {
    let scratch = Scratch::new();
    let file = scenario_file(&scratch, "impossible.toml", 1000.0);
    let out = scratch.run(&["scenario", &file, "--repeat", "1", "-q"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("by ≥ 1000.00×") && text.contains("NOT MET"),
        "{text}"
    );
    assert!(stderr(&out).contains("1 of 1 expectations not met"));
}

#[test]
fn built_in_scenarios_are_listed_and_bad_files_are_usage_errors() {
    let scratch = Scratch::new();
    let out = scratch.run(&["scenario", "--list"]);
    let list = String::from_utf8_lossy(&out.stdout);
    for name in ["gil", "fast-parser", "csv-writers", "api-threads"] {
        assert!(list.contains(name), "{list}");
    }
    let out = scratch.run(&["scenario", "no-such-scenario"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("built-in: csv-sqlite"),
        "{}",
        stderr(&out)
    );
    // The ETL pipeline file is TOML, but not a scenario.
    let dag = common::repo_path("workloads/etl.toml");
    let out = scratch.run(&["scenario", &dag]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("etl.toml"), "{}", stderr(&out));
}

#[test]
fn a_negative_factor_or_an_unknown_verdict_is_a_usage_error() {
    let scratch = Scratch::new();
    let negative = scenario_file(&scratch, "negative.toml", -1.0);
    let out = scratch.run(&["scenario", &negative, "-q"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("by = -1"), "{}", stderr(&out));
    assert!(stderr(&out).contains("at least 1"), "{}", stderr(&out));

    let banana = scratch.path("banana.toml");
    let text = std::fs::read_to_string(&negative).expect("read").replace(
        "faster = \"two threads\"\nthan = \"one worker\"\nby = -1",
        "run = \"two threads\"\nverdict = \"banana\"",
    );
    assert!(text.contains("banana"), "{text}");
    std::fs::write(&banana, text).expect("write");
    let out = scratch.run(&["scenario", &banana.to_string_lossy(), "-q"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("banana"), "{}", stderr(&out));
    assert!(stderr(&out).contains("cpu-bound"), "{}", stderr(&out));
}

#[test]
fn repeat_zero_is_a_usage_error() {
    let scratch = Scratch::new();
    let file = scenario_file(&scratch, "s.toml", 1.0);
    let out = scratch.run(&["scenario", &file, "--repeat", "0", "-q"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--repeat 0"), "{}", stderr(&out));
}

/// The workload spec a scenario line's words make (its workload's declared options; a switch
/// given without a value is on; other flags, such as `--mode`, are not the workload's).
fn workload_spec(words: &[String]) -> boundscope::workload::WorkloadSpec {
    use boundscope::workload::declare::options::OptionKind;
    let decl = boundscope::workload::workload(&words[0]).expect("a built-in workload");
    let mut given: Vec<(&str, &str)> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let Some(option) = word.strip_prefix("--").and_then(|f| decl.option(f)) else {
            continue;
        };
        let value = match option.kind {
            OptionKind::Switch => "true",
            _ => words.get(i + 1).map_or("", String::as_str),
        };
        given.push((option.name, value));
    }
    decl.spec(given).expect("the line's options")
}

/// Every built-in scenario's lines that do different work read differently in the run list
/// (their knobs differ), at full and at quick sizes.
#[test]
fn the_run_list_tells_every_built_in_scenarios_lines_apart() {
    let dir = common::repo_path("workloads/scenarios");
    for entry in std::fs::read_dir(&dir).expect("the scenarios") {
        let path = entry.expect("an entry").path();
        let text = std::fs::read_to_string(&path).expect("a scenario");
        let mut scenario = boundscope::scenario::Scenario::parse(&text).expect("it parses");
        // Real lines run programs, not workloads: their commands tell them apart.
        scenario.keep_real(false);
        for quick in [false, true] {
            let lines: Vec<(String, String, Vec<String>)> = (0..scenario.runs.len())
                .map(|i| {
                    let spec = workload_spec(&scenario.argv(i, quick));
                    let knobs = spec.knobs().iter().map(|k| k.to_string()).collect();
                    let work = spec.settings().join(" ");
                    (scenario.runs[i].label.clone(), work, knobs)
                })
                .collect();
            for (i, a) in lines.iter().enumerate() {
                for b in &lines[i + 1..] {
                    assert!(
                        a.1 == b.1 || a.2 != b.2,
                        "{}: {:?} and {:?} both read {:?}\n{}\n{}",
                        path.display(),
                        a.0,
                        b.0,
                        a.2,
                        a.1,
                        b.1
                    );
                }
            }
        }
    }
}
