//! `boundscope open FILE...`: recorded event streams (replayed at once), folded-stack files,
//! pprof profiles (gzipped or raw protobuf), speedscope JSON and `perf script` text, told apart by their content,
//! loaded as runs. `-` reads standard input.

use super::runs::{Run, RunStatus};
use crate::events::Envelope;
use crate::flame::{decode_pprof, speedscope, FoldedStacks, FrameTree};
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;

/// The formats `open` knows, for the message about a file that is none of them.
const TRIED: &str = "tried: boundscope event stream, folded stacks, pprof protobuf (gzipped or raw), speedscope JSON, perf script";

/// Loads one file (`-`: standard input, read to memory first) as run number `number`. The
/// error is one line naming the file.
pub fn load_file(path: &Path, number: usize) -> Result<Run, String> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("stdin: cannot read it: {e}"))?;
        return load_reader(Cursor::new(bytes), "stdin", number).map_err(|e| format!("stdin: {e}"));
    }
    let name = path.display();
    let file = File::open(path).map_err(|e| format!("{name}: cannot read it: {e}"))?;
    let stem = path
        .file_stem()
        .map_or("profile".into(), |s| s.to_string_lossy().to_string());
    load_reader(BufReader::with_capacity(1 << 16, file), &stem, number)
        .map_err(|e| format!("{name}: {e}"))
}

/// Loads one input from `reader`, deciding its format from its first bytes.
pub fn load_reader(mut reader: impl BufRead, stem: &str, number: usize) -> Result<Run, String> {
    let cannot = |e: std::io::Error| format!("cannot read it: {e}");
    let head = reader.fill_buf().map_err(cannot)?;
    if head.starts_with(&GZIP_MAGIC) || is_binary(head) {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).map_err(cannot)?;
        let stacks = decode_pprof(&bytes).map_err(|e| format!("no format fits ({TRIED}): {e}"))?;
        return Ok(stacks_run(&stacks, "pprof", stem, number));
    }
    match first_char(&mut reader).map_err(cannot)? {
        None => Err("the file is empty".to_string()),
        Some(b'{') => {
            let mut text = String::new();
            reader.read_to_string(&mut text).map_err(cannot)?;
            if speedscope::looks_like(&text) {
                let stacks = speedscope::decode_speedscope(&text).map_err(|e| e.to_string())?;
                return Ok(stacks_run(&stacks, "speedscope", stem, number));
            }
            replay(&text, number)
        }
        Some(_) => {
            let head = reader.fill_buf().map_err(cannot)?;
            let head = String::from_utf8_lossy(head);
            if !crate::flame::looks_like_perf(&head) {
                return folded(reader, stem, number);
            }
            let mut text = String::new();
            reader.read_to_string(&mut text).map_err(cannot)?;
            let stacks = crate::flame::collapse_perf(&text).map_err(|e| e.to_string())?;
            Ok(stacks_run(&stacks, "perf", stem, number))
        }
    }
}

/// True when `head` cannot be the start of a text file: control bytes other than white space,
/// or bytes that are not UTF-8 (a character cut at the end of the buffer does not count).
fn is_binary(head: &[u8]) -> bool {
    let control = head
        .iter()
        .any(|&b| (b < 0x20 && !b"\t\n\r".contains(&b)) || b == 0x7f);
    control || matches!(std::str::from_utf8(head), Err(e) if e.error_len().is_some())
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
        let envelope = Envelope::parse_line(line)
            .map_err(|e| format!("line {}: {e} (an event stream? {TRIED})", i + 1))?;
        run.apply(envelope.event);
    }
    if run.status == RunStatus::Running {
        run.status = RunStatus::Recorded;
    }
    Ok(run)
}

/// The first bytes of a gzip stream: how pprof profiles are usually stored.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A run showing `stacks`, read from a file of format `kind`.
fn stacks_run(stacks: &FoldedStacks, kind: &str, stem: &str, number: usize) -> Run {
    let mut run = Run::new(number, kind, "stacks", 0, false);
    run.label = stem.to_string();
    run.set_tree(FrameTree::from_stacks(stacks));
    run.status = RunStatus::Recorded;
    run
}

/// Streams a folded file straight into a frame tree: neither the text nor the set of full stack
/// strings is kept.
fn folded(reader: impl BufRead, stem: &str, number: usize) -> Result<Run, String> {
    let tree = FrameTree::from_folded_reader(reader)
        .map_err(|e| format!("no format fits ({TRIED}); as folded stacks: {e}"))?;
    let mut run = Run::new(number, "folded", "stacks", 0, false);
    run.label = stem.to_string();
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
