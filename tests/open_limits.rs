//! `open` holds bounded memory whatever it is given: a gzip bomb and `/dev/zero` end quickly
//! with exit code 2 and a message naming the limit, and the process never grows far past it.

mod common;
use common::{run_measured, Scratch};
use std::io::Write;

/// Writes `mb` MB of zeros, gzipped, streamed (never held in memory).
fn gzip_bomb(path: &std::path::Path, mb: usize) {
    let file = std::fs::File::create(path).expect("create");
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..mb {
        gz.write_all(&zeros).expect("write");
    }
    gz.finish().expect("finish");
}

#[test]
fn a_gzip_bomb_ends_with_the_limit_named_and_little_memory() {
    let scratch = Scratch::new();
    let bomb = scratch.path("bomb.pb.gz");
    gzip_bomb(&bomb, 1024);
    assert!(std::fs::metadata(&bomb).expect("bomb").len() < 16 << 20);
    let (code, err, rss_mb) = run_measured(&["open", &bomb.to_string_lossy()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--max-input-mb") && err.contains("bomb.pb.gz"),
        "{err}"
    );
    assert!(
        rss_mb < 300,
        "open of a 1 GB gzip bomb peaked at {rss_mb} MB"
    );
}

#[test]
fn dev_zero_ends_with_the_limit_named() {
    let (code, err, rss_mb) = run_measured(&["open", "/dev/zero", "--max-input-mb", "16"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--max-input-mb limit of 16 MB"), "{err}");
    assert!(rss_mb < 200, "open /dev/zero peaked at {rss_mb} MB");
}

#[test]
fn a_deep_folded_stack_ends_with_the_frame_limit_named() {
    let scratch = Scratch::new();
    let deep = scratch.path("deep.folded");
    let line = format!("{} 1\n", vec!["f"; 5000].join(";"));
    std::fs::write(&deep, line).expect("write");
    let (code, err, _) = run_measured(&["open", &deep.to_string_lossy(), "--max-frames", "1000"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("more than 1000 frames") && err.contains("--max-frames"),
        "{err}"
    );
}
