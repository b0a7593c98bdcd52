//! The run header names the predicted line that would help most, or that none would, where
//! an 80-column terminal shows it.

use super::app_with_run;
use super::snapshots::screen;
use crate::model::{Mode, Prediction};

/// Predictions of `(mode, workers, speedup)`, all limited by `bottleneck`.
fn predictions(lines: &[(Mode, usize, f64)], bottleneck: &str) -> Vec<Prediction> {
    lines
        .iter()
        .map(|&(mode, workers, speedup)| Prediction {
            mode,
            workers,
            gil: false,
            speedup,
            bottleneck: bottleneck.into(),
            next_limit: String::new(),
        })
        .collect()
}

#[test]
fn the_run_header_shows_the_prediction_that_helps_most() {
    let mut app = app_with_run(2.0);
    let before = screen(&mut app, 80, 24);
    assert!(!before.contains("would help"), "{before}");
    let report = app.shared.runs[0].report.as_mut().expect("finished run");
    report.predictions = predictions(
        &[(Mode::Threads, 2, 1.9), (Mode::Processes, 8, 3.4)],
        "cores",
    );
    let after = screen(&mut app, 80, 24);
    assert!(
        after.contains("would help: processes ×8 ≈3.4× (cores)"),
        "{after}"
    );
}

#[test]
fn where_no_line_would_help_the_header_says_so_and_names_the_limit() {
    let mut app = app_with_run(2.0);
    let report = app.shared.runs[0].report.as_mut().expect("finished run");
    let lines = [(Mode::Threads, 8, 1.0), (Mode::Processes, 8, 1.05)];
    report.predictions = predictions(&lines, "the server's --concurrency");
    let after = screen(&mut app, 80, 24);
    assert!(
        after.contains("nothing listed would help: limited by"),
        "{after}"
    );
    assert!(!after.contains("would help: processes"), "{after}");
}
