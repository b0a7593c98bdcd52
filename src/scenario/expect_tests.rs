//! The `predicted` expectation: it holds a line to the speedup its base predicted.

use super::*;
use crate::model::{Mode, WaitCategory, WorkerSnapshot};

/// A run of 2 s of network waits (and 20 ms of CPU) over 200 units, taking `wall_s`.
fn network_run(mode: Mode, workers: usize, wall_s: f64) -> RunReport {
    let waits: BTreeMap<WaitCategory, f64> = [(WaitCategory::Net, 2.0)].into();
    RunReport {
        workload: "api-fetch".into(),
        mode,
        workers,
        cores: 2,
        wall_s,
        units_total: 200,
        waits: waits.clone(),
        worker_stats: vec![WorkerSnapshot {
            name: "w".into(),
            wall_s,
            cpu_s: 0.02,
            runqueue_s: 0.0,
            waits,
        }],
        ..RunReport::default()
    }
}

fn expectation(within: f64) -> Expect {
    let text = format!("predicted = \"x8\"\nfrom = \"seq\"\nwithin = {within}\n");
    crate::toml_input::parse::<Expect>(&text).expect("a predicted expectation")
}

fn runs(threads_wall_s: f64) -> BTreeMap<String, Vec<RunReport>> {
    let mut reports = BTreeMap::new();
    reports.insert("seq".into(), vec![network_run(Mode::Sequential, 1, 2.02)]);
    let threads = network_run(Mode::Threads, 8, threads_wall_s);
    reports.insert("x8".into(), vec![threads]);
    reports
}

#[test]
fn a_line_near_its_prediction_passes_and_says_both_figures() {
    let check = expectation(0.25).check(&runs(2.02 / 7.5));
    assert!(check.ok, "{check:?}");
    assert_eq!(
        check.expectation,
        "x8's speedup over seq within 25% of the one predicted from seq's first run"
    );
    assert!(
        check.measured.starts_with("predicted 7.")
            && check.measured.contains("measured 7.50×, error -"),
        "{check:?}"
    );
    assert!(
        check.compared.contains("x8 0.269 s, seq 2.020 s"),
        "{check:?}"
    );
}

#[test]
fn a_line_far_from_its_prediction_fails() {
    let check = expectation(0.25).check(&runs(2.02 / 4.0));
    assert!(!check.ok, "{check:?}");
    assert!(
        check.measured.contains("measured 4.00×, error -4"),
        "{check:?}"
    );
    // A wider tolerance admits it.
    assert!(expectation(0.6).check(&runs(2.02 / 4.0)).ok);
}

#[test]
fn lines_doing_different_work_have_no_prediction_and_fail() {
    let mut reports = runs(2.02 / 7.5);
    reports.get_mut("x8").expect("x8")[0].units_total = 400;
    let check = expectation(0.25).check(&reports);
    assert!(!check.ok, "{check:?}");
    assert!(check.measured.contains("no prediction"), "{check:?}");
}

#[test]
fn a_predicted_table_is_whole_and_its_tolerance_a_share() {
    let parse = |text: &str| crate::toml_input::parse::<Expect>(text).map(|_| ());
    assert!(parse("predicted = \"a\"\nfrom = \"b\"\n").is_err());
    let wide = parse("predicted = \"a\"\nfrom = \"b\"\nwithin = 25\n").expect_err("25 is 2500%");
    assert!(wide.to_string().contains("`within = 25`"), "{wide}");
    assert!(parse("predicted = \"a\"\nfrom = \"b\"\nwithin = 0.2\nby = 2\n").is_err());
}
