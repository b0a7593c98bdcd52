//! Recordings written compressed (`--events F.gz`) open like plain ones, whole or cut short,
//! and are much smaller.

mod common;
use boundscope::tui::screens::open::load_file;
use common::{stderr, Scratch};

fn record(scratch: &Scratch, name: &str) -> std::path::PathBuf {
    let path = scratch.path(name);
    let out = scratch.run(&[
        "run",
        "api-fetch",
        "--mode",
        "threads",
        "--workers",
        "4",
        "--requests",
        "400",
        "--quiet",
        "--events",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    path
}

#[test]
fn a_compressed_recording_opens_like_a_plain_one_and_a_cut_one_up_to_its_end() {
    let scratch = Scratch::new();
    let plain = record(&scratch, "run.ndjson");
    let packed = record(&scratch, "run.ndjson.gz");
    let bytes = std::fs::read(&packed).expect("read");
    assert_eq!(bytes[..2], [0x1f, 0x8b], "not gzip");
    let plain_len = std::fs::metadata(&plain).expect("plain").len();
    assert!(
        (bytes.len() as u64) * 4 < plain_len,
        "{} compressed vs {plain_len} plain",
        bytes.len()
    );
    let (a, b) = (load_file(&plain, 1), load_file(&packed, 2));
    let (a, b) = (a.expect("plain opens"), b.expect("compressed opens"));
    assert_eq!(a.workload, b.workload);
    assert!(b.report.is_some() && b.warning.is_none(), "{:?}", b.warning);
    assert_eq!(a.lanes.len(), b.lanes.len());
    // Cut short, as a killed run leaves it: what was flushed still opens, with a warning.
    let cut = scratch.path("cut.ndjson.gz");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).expect("write");
    let run = load_file(&cut, 3).expect("a cut recording opens");
    assert!(!run.lanes.is_empty());
    let warning = run.warning.unwrap_or_default();
    assert!(warning.contains("ends early"), "{warning}");
}
