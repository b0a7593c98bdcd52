//! Exports fold the engine's frames between a worker's thread and the workload's first frame
//! into one frame naming the engine, in threads and in async mode alike, and both modes'
//! stacks enter the workload at the same frame; `--full-stacks` keeps every frame.

mod common;
use common::{stderr, Scratch};

/// Whether `frame` is the workload's own code (not the engine's erased view of it).
fn is_workload(frame: &str) -> bool {
    frame
        .trim_start_matches('<')
        .starts_with("boundscope::workload::")
        && !frame.contains("DynWorkload for")
}

/// For every stack that reaches the workload: the frames between its thread and the
/// workload's first frame, and that first frame.
fn entries(text: &str) -> Vec<(Vec<String>, String)> {
    text.lines()
        .filter_map(|line| {
            let (stack, _) = line.rsplit_once(' ')?;
            let frames: Vec<&str> = stack.split(';').collect();
            let at = frames.iter().position(|f| is_workload(f))?;
            let above = frames[1..at].iter().map(|f| f.to_string()).collect();
            Some((above, frames[at].to_string()))
        })
        .collect()
}

/// The wall profile of an api-fetch run in `mode` as folded text, all frames or folded.
fn wall_folded(scratch: &Scratch, mode: &str, full: bool) -> String {
    let name = format!("{mode}-{full}.folded");
    let path = scratch.path(&name);
    let path_arg = path.to_string_lossy().into_owned();
    let mut args = vec!["run", "api-fetch", "--mode", mode, "--workers", "4"];
    args.extend(["--latency", "10ms", "--requests", "60", "--quiet"]);
    args.extend(["--view", "wall", "--folded", &path_arg]);
    if full {
        args.push("--full-stacks");
    }
    let out = scratch.run(&args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    std::fs::read_to_string(&path).expect("the folded file was written")
}

#[test]
fn threads_and_async_exports_keep_one_engine_frame_above_the_same_entry() {
    let scratch = Scratch::new();
    let mut entered = Vec::new();
    for (mode, engine) in [
        ("threads", "[threads engine]"),
        ("async", "[tokio runtime]"),
    ] {
        let folded = entries(&wall_folded(&scratch, mode, false));
        assert!(!folded.is_empty(), "{mode}: no stack reaches the workload");
        for (above, entry) in &folded {
            assert!(above.len() <= 2, "{mode}: {above:?} above {entry}");
            assert!(above.iter().all(|f| f == engine), "{mode}: {above:?}");
        }
        let full = entries(&wall_folded(&scratch, mode, true));
        let deepest = full.iter().map(|(above, _)| above.len()).max();
        assert!(deepest > Some(2), "{mode}: --full-stacks keeps {deepest:?}");
        let unit = folded
            .iter()
            .find(|(_, e)| e.ends_with("Workload>::run_unit"));
        entered.push(unit.map(|(_, e)| e.clone()).expect("a unit's entry"));
    }
    assert_eq!(
        entered[0], entered[1],
        "both modes enter the workload alike"
    );
}
