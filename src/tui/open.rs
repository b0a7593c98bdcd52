//! `boundscope open FILE...`: recorded event streams (replayed at once), folded-stack files,
//! pprof profiles (gzipped or raw protobuf), speedscope JSON and `perf script` text, told apart by their content,
//! loaded as runs. `-` reads standard input.

use super::runs::{Run, RunStatus};
use crate::events::Envelope;
use crate::flame::{decode_pprof, decode_pprof_index, pprof_summary, speedscope};
use crate::flame::{FoldedStacks, FrameTree};
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;

/// The formats `open` knows, for the message about a file that is none of them.
const TRIED: &str = "tried: boundscope event stream, folded stacks, pprof protobuf (gzipped or raw), speedscope JSON, perf script";

/// Choices for reading files.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// The pprof sample type to show (`samples`, `cpu`, `wall`, `alloc_space`, ...); the
    /// profile's first type when `None`.
    pub sample_index: Option<String>,
}

/// Loads one file (`-`: standard input, read to memory first) as run number `number`. The
/// error is one line naming the file.
pub fn load_file(path: &Path, number: usize) -> Result<Run, String> {
    load_file_with(path, number, &OpenOptions::default())
}

/// [`load_file`] with `options`.
pub fn load_file_with(path: &Path, number: usize, options: &OpenOptions) -> Result<Run, String> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("stdin: cannot read it: {e}"))?;
        return load_reader_with(Cursor::new(bytes), "stdin", number, options)
            .map_err(|e| format!("stdin: {e}"));
    }
    let name = path.display();
    let file = File::open(path).map_err(|e| format!("{name}: cannot read it: {e}"))?;
    let stem = path
        .file_stem()
        .map_or("profile".into(), |s| s.to_string_lossy().to_string());
    load_reader_with(
        BufReader::with_capacity(1 << 16, file),
        &stem,
        number,
        options,
    )
    .map_err(|e| format!("{name}: {e}"))
}

/// Loads one input from `reader`, deciding its format from its first bytes.
pub fn load_reader(reader: impl BufRead, stem: &str, number: usize) -> Result<Run, String> {
    load_reader_with(reader, stem, number, &OpenOptions::default())
}

/// [`load_reader`] with `options`.
pub fn load_reader_with(
    mut reader: impl BufRead,
    stem: &str,
    number: usize,
    options: &OpenOptions,
) -> Result<Run, String> {
    let cannot = |e: std::io::Error| format!("cannot read it: {e}");
    let head = reader.fill_buf().map_err(cannot)?;
    if head.starts_with(&GZIP_MAGIC) || is_binary(head) {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).map_err(cannot)?;
        return pprof_run(&bytes, stem, number, options);
    }
    match first_char(&mut reader).map_err(cannot)? {
        None => Err("the file is empty".to_string()),
        Some(b'{') => {
            let mut text = String::new();
            reader.read_to_string(&mut text).map_err(cannot)?;
            if speedscope::looks_like(&text) {
                let stacks = speedscope::decode_speedscope(&text).map_err(|e| e.to_string())?;
                let mut run = stacks_run(&stacks, "speedscope", stem, number);
                run.source = speedscope::describe_speedscope(&text).ok();
                return Ok(run);
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

/// A pprof profile's stacks weighted by the chosen sample type, with a header saying what
/// the profile holds and its rate.
fn pprof_run(
    bytes: &[u8],
    stem: &str,
    number: usize,
    options: &OpenOptions,
) -> Result<Run, String> {
    let summary = pprof_summary(bytes).map_err(|e| format!("no format fits ({TRIED}): {e}"))?;
    let stacks = match &options.sample_index {
        Some(name) => decode_pprof_index(bytes, name),
        None => decode_pprof(bytes),
    }
    .map_err(|e| e.to_string())?;
    let first = summary.sample_types.first().map_or("", |t| t.as_str());
    let shown = match &options.sample_index {
        Some(name) => name.as_str(),
        None => first.split('/').next().unwrap_or(first),
    };
    let mut run = stacks_run(&stacks, "pprof", stem, number);
    if summary.hz() > 0 {
        run.hz = summary.hz();
    }
    run.source = Some(summary.describe(shown));
    Ok(run)
}

/// Loads every file, or fails on the first bad one.
pub fn load_files(paths: &[impl AsRef<Path>]) -> Result<Vec<Run>, String> {
    load_files_with(paths, &OpenOptions::default())
}

/// [`load_files`] with `options`.
pub fn load_files_with(
    paths: &[impl AsRef<Path>],
    options: &OpenOptions,
) -> Result<Vec<Run>, String> {
    paths
        .iter()
        .enumerate()
        .map(|(i, p)| load_file_with(p.as_ref(), i + 1, options))
        .collect()
}
