//! `open` reads profiles written by real tools (py-spy, Go's runtime/pprof, perf; see
//! assets/fixtures/README.md), and each flame graph's total equals the file's own total,
//! computed here without boundscope's readers.

mod common;
use boundscope::tui::screens::open::{load_file, load_file_with, OpenOptions};
use common::repo_path;
use prost::Message;
use std::path::Path;

fn fixture(name: &str) -> String {
    repo_path(&format!("assets/fixtures/{name}"))
}

/// The total of the flame graph `open` builds from `name`, and its root frames.
fn opened(name: &str) -> (u64, Vec<String>) {
    let run = load_file(Path::new(&fixture(name)), 1).unwrap_or_else(|e| panic!("{e}"));
    let tree = run.tree();
    let roots = tree
        .root_node()
        .children
        .iter()
        .filter_map(|id| tree.node(*id))
        .map(|n| n.name.to_string())
        .collect();
    (tree.total(), roots)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture")
}

#[test]
fn a_py_spy_raw_file_with_an_empty_stack_line_opens_with_every_sample() {
    let raw = text("pyspy.folded");
    let counts: Vec<u64> = raw
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    // The fixture has the line py-spy writes for samples without a Python stack.
    assert!(
        raw.lines()
            .any(|l| l.starts_with(' ') && l.trim().parse::<u64>().is_ok()),
        "no empty-stack line in the fixture"
    );
    let (total, roots) = opened("pyspy.folded");
    assert_eq!(total, counts.iter().sum::<u64>());
    assert!(roots.iter().any(|r| r.starts_with("<module>")), "{roots:?}");
}

#[test]
fn a_py_spy_speedscope_file_opens_with_every_thread_and_sample() {
    let doc: serde_json::Value = serde_json::from_str(&text("pyspy.speedscope.json")).unwrap();
    let profiles = doc["profiles"].as_array().unwrap();
    assert!(profiles.len() >= 2, "py-spy writes one profile per thread");
    let mut expected = 0u64;
    let mut names = Vec::new();
    for p in profiles {
        assert_eq!(p["unit"], "seconds");
        names.push(p["name"].as_str().unwrap().to_string());
        for w in p["weights"].as_array().unwrap() {
            expected += (w.as_f64().unwrap() * 1e9).round() as u64;
        }
    }
    let (total, mut roots) = opened("pyspy.speedscope.json");
    assert_eq!(total, expected, "nanoseconds");
    roots.sort();
    names.sort();
    assert_eq!(roots, names, "one root per profile (thread)");
    let run = load_file(Path::new(&fixture("pyspy.speedscope.json")), 1).unwrap();
    let header = run.source.expect("a header for a speedscope file");
    let exporter = doc["exporter"].as_str().unwrap();
    assert_eq!(
        header,
        format!(
            "speedscope · {} profiles (sampled) · seconds, shown as nanoseconds · by {exporter}",
            profiles.len()
        )
    );
}

/// The part of pprof's `profile.proto` this test needs: each sample's values, the period.
#[derive(Clone, PartialEq, Message)]
struct Samples {
    #[prost(message, repeated, tag = "2")]
    sample: Vec<Sample>,
    #[prost(int64, tag = "12")]
    period: i64,
}

fn go_profile() -> Samples {
    let gz = std::fs::read(fixture("go-cpu.pb.gz")).unwrap();
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz.as_slice()), &mut raw).unwrap();
    Samples::decode(raw.as_slice()).unwrap()
}

#[derive(Clone, PartialEq, Message)]
struct Sample {
    #[prost(int64, repeated, tag = "2")]
    value: Vec<i64>,
}

#[test]
fn a_go_cpu_profile_opens_with_its_sample_count() {
    let gz = std::fs::read(fixture("go-cpu.pb.gz")).unwrap();
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz.as_slice()), &mut raw).unwrap();
    let profile = Samples::decode(raw.as_slice()).unwrap();
    let expected: i64 = profile.sample.iter().map(|s| s.value[0]).sum();
    assert!(expected > 10, "{expected} samples");
    let (total, roots) = opened("go-cpu.pb.gz");
    assert_eq!(total as i64, expected, "samples/count, pprof's first type");
    assert!(
        roots.iter().any(|r| r.starts_with("runtime.")),
        "Go stacks start in the runtime: {roots:?}"
    );
}

#[test]
fn a_go_profile_shows_its_rate_and_types_and_opens_by_another_sample_type() {
    let profile = go_profile();
    let path = fixture("go-cpu.pb.gz");
    let run = load_file(Path::new(&path), 1).unwrap();
    let hz = 1_000_000_000 / profile.period;
    assert_eq!(i64::from(run.hz), hz);
    let header = run.source.expect("a header for a pprof file");
    assert!(
        header.contains("samples/count, cpu/nanoseconds"),
        "{header}"
    );
    assert!(header.contains(&format!("{hz} Hz")), "{header}");
    assert!(header.contains("showing samples"), "{header}");
    let options = OpenOptions {
        sample_index: Some("cpu".into()),
        ..OpenOptions::default()
    };
    let cpu = load_file_with(Path::new(&path), 1, &options).unwrap();
    let expected: i64 = profile.sample.iter().map(|s| s.value[1]).sum();
    assert_eq!(cpu.tree().total() as i64, expected, "cpu nanoseconds");
    assert!(cpu.source.unwrap().contains("showing cpu"));
    let options = OpenOptions {
        sample_index: Some("alloc_space".into()),
        ..OpenOptions::default()
    };
    let err = load_file_with(Path::new(&path), 1, &options)
        .unwrap_err()
        .to_string();
    assert!(err.contains("samples, cpu"), "{err}");
}

#[test]
fn a_perf_script_file_opens_counting_samples_with_the_periods_summed_apart() {
    let script = text("perf.script.txt");
    // Event lines start at the margin: `comm pid/tid time: period event:`.
    let periods: Vec<u64> = script
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with(char::is_whitespace))
        .map(|l| {
            let after_time = l.split_once(": ").expect("time:").1;
            after_time
                .split_whitespace()
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert!(periods.len() > 10, "{} events", periods.len());
    let (total, roots) = opened("perf.script.txt");
    assert_eq!(total, periods.len() as u64, "one per sample");
    assert_eq!(roots, vec!["spin".to_string()], "rooted at the command");
    let run = load_file(Path::new(&fixture("perf.script.txt")), 1).unwrap();
    let sum = periods.iter().sum::<u64>();
    let header = format!(
        "perf · {} samples · cpu-clock period sum {}",
        periods.len(),
        boundscope::model::thousands(sum)
    );
    assert_eq!(run.source.as_deref(), Some(header.as_str()));
}
