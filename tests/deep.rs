//! Recursion depth is bounded wherever input decides it: a 100,000-frame stack goes through
//! every profile reader, writer and tree builder, and input nested 100,000 deep is an error,
//! on the 2 MB stack of a test thread (no stack overflow, which would abort the process).

use boundscope::flame::{self, speedscope, FoldedStacks, FrameTree};
use boundscope::tui::widgets::flame::layout::{layout, Orientation};
use std::io::Cursor;

const DEPTH: usize = 100_000;

/// One stack `thread;f0;f1;...;f99999` with 7 samples, and a short one beside it.
fn deep_stacks() -> FoldedStacks {
    let frames: Vec<String> = (0..DEPTH).map(|i| format!("f{i}")).collect();
    let mut stacks = FoldedStacks::new();
    stacks.add(&format!("bs-threads-0;{}", frames.join(";")), 7);
    stacks.add("bs-threads-0;main", 3);
    stacks
}

#[test]
fn a_100000_frame_stack_builds_a_tree_and_folds_back() {
    let stacks = deep_stacks();
    let text = stacks.to_text();
    assert_eq!(FoldedStacks::parse(&text).expect("parse"), stacks);
    let tree = FrameTree::from_stacks(&stacks);
    assert_eq!(tree.total(), 10);
    assert_eq!(
        tree.node_count(),
        DEPTH + 3,
        "root, thread, main and the deep chain"
    );
    let deepest = tree.nodes().iter().map(|n| n.depth).max();
    assert_eq!(deepest, Some(DEPTH + 1));
    assert_eq!(tree.to_folded(), stacks);
    let streamed = FrameTree::from_folded_reader(Cursor::new(text)).expect("streamed");
    assert_eq!(streamed.node_count(), tree.node_count());
    let boxes = layout(&tree, Orientation::Icicle, 80, 40);
    assert!(boxes.iter().all(|b| b.depth < 40) && boxes.len() >= 40);
}

#[test]
fn a_100000_frame_stack_survives_pprof_and_speedscope() {
    let stacks = deep_stacks();
    let gz = flame::encode_pprof(&stacks, 99).expect("encode pprof");
    assert_eq!(flame::decode_pprof(&gz).expect("decode pprof"), stacks);
    let input = speedscope::SpeedscopeInput {
        stacks: &stacks,
        unit: speedscope::Unit::None,
        suffix: None,
    };
    let json = speedscope::encode_speedscope(&[input], "deep").expect("encode speedscope");
    let back = speedscope::decode_speedscope(&json).expect("decode speedscope");
    assert_eq!(back.total(), stacks.total());
    assert!(back.iter().any(|(s, _)| s.matches(';').count() >= DEPTH));
}

#[test]
fn a_100000_frame_stack_renders_as_svg_and_opens() {
    let stacks = deep_stacks();
    let mut svg = Vec::new();
    flame::write_svg(&stacks, &flame::SvgOptions::default(), &mut svg).expect("svg");
    assert!(String::from_utf8_lossy(&svg).contains("<svg"));
    let run = boundscope::tui::screens::open::load_reader(Cursor::new(stacks.to_text()), "deep", 1)
        .expect("open folded");
    assert_eq!(run.tree().total(), 10);
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn toml_nested_100000_deep_is_an_error() {
    let text = format!("name = \"x\"\nx = {}\n", nested(DEPTH));
    let scenario = boundscope::scenario::Scenario::parse(&text);
    assert!(scenario.is_err());
    let pipeline = boundscope::workload::etl::dag::Pipeline::parse(&text, "deep.toml");
    let err = pipeline.expect_err("deep pipeline").to_string();
    assert!(err.starts_with("deep.toml:2:"), "{err}");
    let inline_tables = format!("x = {}1{}\n", "{a=".repeat(DEPTH), "}".repeat(DEPTH));
    assert!(boundscope::scenario::Scenario::parse(&inline_tables).is_err());
}

#[test]
fn json_nested_100000_deep_is_an_error_in_events_and_speedscope() {
    let line = format!(
        "{{\"v\":2,\"type\":\"error\",\"message\":{}}}",
        nested(DEPTH)
    );
    assert!(boundscope::events::Envelope::parse_line(&line).is_err());
    let doc = format!(
        "{{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\"x\":{}}}",
        nested(DEPTH)
    );
    assert!(speedscope::decode_speedscope(&doc).is_err());
    assert!(boundscope::tui::screens::open::load_reader(Cursor::new(line), "deep", 1).is_err());
}
