//! `boundscope open FILE...`: recorded event streams (replayed at once) and folded-stack files,
//! told apart by their content, loaded as runs.

use super::runs::{Run, RunStatus};
use crate::events::Envelope;
use crate::flame::FoldedStacks;
use std::path::Path;

/// Loads one file as run number `number`. The error is one line naming the file.
pub fn load_file(path: &Path, number: usize) -> Result<Run, String> {
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read it: {e}"))?;
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    let run = match first {
        None => return Err(format!("{name}: the file is empty")),
        Some(line) if line.starts_with('{') => replay(&text, number),
        Some(_) => folded(&text, path, number),
    };
    run.map_err(|e| format!("{name}: {e}"))
}

fn replay(text: &str, number: usize) -> Result<Run, String> {
    let mut run = Run::new(number, "recorded", "events", 0, false);
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let envelope = Envelope::parse_line(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        run.apply(envelope.event);
    }
    if run.status == RunStatus::Running {
        run.status = RunStatus::Recorded;
    }
    Ok(run)
}

fn folded(text: &str, path: &Path, number: usize) -> Result<Run, String> {
    let stacks = FoldedStacks::parse(text)
        .map_err(|e| format!("neither a boundscope event stream nor folded stacks ({e})"))?;
    let stem = path
        .file_stem()
        .map_or("folded".into(), |s| s.to_string_lossy().to_string());
    let mut run = Run::new(number, "folded", "stacks", 0, false);
    run.label = stem;
    run.samples = stacks.total();
    run.stacks = stacks;
    run.status = RunStatus::Recorded;
    Ok(run)
}

/// Loads every file, or fails on the first bad one.
pub fn load_files(paths: &[impl AsRef<Path>]) -> Result<Vec<Run>, String> {
    paths
        .iter()
        .enumerate()
        .map(|(i, p)| load_file(p.as_ref(), i + 1))
        .collect()
}
