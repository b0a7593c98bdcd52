//! `boundscope sweep`: the same work at several worker counts, read as a scaling curve.

mod common;
use common::{read_json, stderr, Scratch};

const SMALL: [&str; 8] = [
    "--files",
    "4",
    "--records",
    "2000",
    "--hz",
    "49",
    "--warmup",
    "0",
];

#[test]
fn a_sweep_measures_every_worker_count_and_writes_its_chart_and_json() {
    let scratch = Scratch::new();
    let (chart, json) = (scratch.path("scaling.svg"), scratch.path("sweep.json"));
    let (chart_arg, json_arg) = (chart.to_string_lossy(), json.to_string_lossy());
    let mut args = vec![
        "sweep",
        "json-parse",
        "--mode",
        "threads",
        "--workers",
        "1,2",
    ];
    args.extend(SMALL);
    args.extend([
        "--repeat",
        "2",
        "--chart",
        &chart_arg,
        "--export-json",
        &json_arg,
    ]);
    let out = scratch.run(&args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains("identical at every count"), "{text}");
    assert!(text.contains("reading: "), "{text}");

    let sweep = read_json(&json);
    let points = sweep["points"].as_array().expect("points");
    let workers: Vec<u64> = points
        .iter()
        .filter_map(|p| p["workers"].as_u64())
        .collect();
    assert_eq!(workers, [1, 2]);
    for point in points {
        assert_eq!(point["runs"].as_array().map(Vec::len), Some(2), "{point}");
        assert_eq!(point["checksum"], points[0]["checksum"]);
        let lanes = point["runs"][0]["worker_stats"].as_array().expect("lanes");
        assert_eq!(lanes.len() as u64, point["workers"].as_u64().unwrap_or(0));
    }
    assert_eq!(points[0]["speedup"].as_f64(), Some(1.0));
    assert!(points[1]["efficiency"].as_f64().is_some_and(|e| e > 0.0));

    let svg = std::fs::read_to_string(&chart).expect("the chart was written");
    assert!(svg.starts_with("<svg"), "{svg}");
    assert_eq!(svg.matches("<circle").count(), 2);
}

#[test]
fn sweep_refuses_what_cannot_be_swept_before_running() {
    let scratch = Scratch::new();
    let cases: [(&[&str], &str); 3] = [
        (&["--mode", "sequential", "--workers", "1,2"], "sequential"),
        (&["--workers", "0,2"], "--workers 0"),
        (
            &["--workers", "1,2", "--chart", "/definitely/not/here/c.svg"],
            "/definitely/not/here",
        ),
    ];
    for (extra, must_name) in cases {
        let mut args = vec!["sweep", "json-parse"];
        args.extend(extra);
        args.extend(SMALL);
        let out = scratch.run(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(must_name), "{args:?}: {err}");
        assert!(!err.contains("round 1"), "refused before any run: {err}");
    }
}
