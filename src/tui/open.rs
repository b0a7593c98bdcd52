//! `boundscope open FILE...`: recorded event streams (replayed at once), folded-stack files and
//! gzipped pprof profiles, told apart by their content, loaded as runs.

use super::runs::{Run, RunStatus};
use crate::events::Envelope;
use crate::flame::{decode_pprof, FrameTree};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Loads one file as run number `number`. The error is one line naming the file.
pub fn load_file(path: &Path, number: usize) -> Result<Run, String> {
    let name = path.display();
    let cannot = |e: std::io::Error| format!("{name}: cannot read it: {e}");
    let mut reader = BufReader::with_capacity(1 << 16, File::open(path).map_err(cannot)?);
    if reader.fill_buf().map_err(cannot)?.starts_with(&GZIP_MAGIC) {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).map_err(cannot)?;
        return pprof(&bytes, path, number).map_err(|e| format!("{name}: {e}"));
    }
    let first = first_char(&mut reader).map_err(cannot)?;
    let run = match first {
        None => return Err(format!("{name}: the file is empty")),
        Some(b'{') => {
            let mut text = String::new();
            reader.read_to_string(&mut text).map_err(cannot)?;
            replay(&text, number)
        }
        Some(_) => folded(reader, path, number),
    };
    run.map_err(|e| format!("{name}: {e}"))
}

/// The first byte that is not white space (`None` for a blank file). Only a buffer that is all
/// white space is consumed, so line numbers in errors stay right for ordinary files.
fn first_char(reader: &mut impl BufRead) -> std::io::Result<Option<u8>> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(None);
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => return Ok(Some(buf[i])),
            None => {
                let len = buf.len();
                reader.consume(len);
            }
        }
    }
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

/// The first bytes of a gzip stream: how pprof profiles are stored.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A gzipped pprof profile (`boundscope run --pprof`, Go's and others' profilers).
fn pprof(bytes: &[u8], path: &Path, number: usize) -> Result<Run, String> {
    let stacks = decode_pprof(bytes).map_err(|e| e.to_string())?;
    let stem = path
        .file_stem()
        .map_or("pprof".into(), |s| s.to_string_lossy().to_string());
    let mut run = Run::new(number, "pprof", "stacks", 0, false);
    run.label = stem;
    run.set_tree(FrameTree::from_stacks(&stacks));
    run.status = RunStatus::Recorded;
    Ok(run)
}

/// Streams a folded file straight into a frame tree: neither the text nor the set of full stack
/// strings is kept.
fn folded(reader: impl BufRead, path: &Path, number: usize) -> Result<Run, String> {
    let tree = FrameTree::from_folded_reader(reader)
        .map_err(|e| format!("neither a boundscope event stream nor folded stacks ({e})"))?;
    let stem = path
        .file_stem()
        .map_or("folded".into(), |s| s.to_string_lossy().to_string());
    let mut run = Run::new(number, "folded", "stacks", 0, false);
    run.label = stem;
    run.set_tree(tree);
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
