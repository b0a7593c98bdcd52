//! `boundscope open FILE...`: recorded event streams (kept for playing back), folded-stack files,
//! pprof profiles (gzipped or raw protobuf), speedscope JSON and `perf script` text, told apart by their content,
//! loaded as runs. `-` reads standard input.

pub mod error;
mod gzip;
mod recording;

use crate::flame::limits::{InputLimits, PPROF_EXPANSION};
use crate::flame::{decode_pprof_index_limited, decode_pprof_limited, pprof_summary, PprofSummary};
use crate::flame::{speedscope, FlameError, FoldedStacks, FrameTree, PerfProfile};
use crate::model::thousands;
use crate::tui::state::runs::{Run, RunStatus};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

pub use self::error::{InputError, OpenError, TimeError, MAX_RECORDED_S, TRIED};

/// Choices for reading files.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// The pprof sample type to show (`samples`, `cpu`, `wall`, `alloc_space`, ...); the
    /// profile's first type when `None`.
    pub sample_index: Option<String>,
    /// How much of one input is read, and how many frames are kept.
    pub limits: InputLimits,
}

/// Loads one file (`-`: standard input) as run number `number`. The error is one line naming
/// the file.
pub fn load_file(path: &Path, number: usize) -> Result<Run, OpenError> {
    load_file_with(path, number, &OpenOptions::default())
}

/// [`load_file`] with `options`.
pub fn load_file_with(path: &Path, number: usize, options: &OpenOptions) -> Result<Run, OpenError> {
    let in_file = |name: &dyn std::fmt::Display| {
        let name = name.to_string();
        move |source| OpenError { name, source }
    };
    if path == Path::new("-") {
        let stdin = std::io::stdin().lock();
        return load_reader_with(stdin, "stdin", number, options).map_err(in_file(&"stdin"));
    }
    let name = path.display();
    let file = File::open(path)
        .map_err(InputError::Read)
        .map_err(in_file(&name))?;
    let stem = path
        .file_stem()
        .map_or("profile".into(), |s| s.to_string_lossy().to_string());
    load_reader_with(
        BufReader::with_capacity(1 << 16, file),
        &stem,
        number,
        options,
    )
    .map_err(in_file(&name))
    .map(|mut run| {
        run.warning = run.warning.map(|w| format!("{name}: {w}"));
        run
    })
}

/// Loads one input from `reader`, deciding its format from its first bytes (default options).
pub fn load_reader(reader: impl BufRead, stem: &str, number: usize) -> Result<Run, InputError> {
    load_reader_with(reader, stem, number, &OpenOptions::default())
}

/// [`load_reader`] with `options`: no more than `max_bytes` are read (after decompression)
/// and no more than `max_frames` frames kept, whatever the input.
pub fn load_reader_with(
    reader: impl BufRead,
    stem: &str,
    number: usize,
    options: &OpenOptions,
) -> Result<Run, InputError> {
    let limits = &options.limits;
    let mut reader = limits.wrap(reader, "the input", limits.max_bytes);
    let cannot = InputError::read;
    let head = reader.fill_buf().map_err(cannot)?;
    if head.starts_with(&GZIP_MAGIC) {
        return load_unzipped(reader, stem, number, options);
    }
    if is_binary(head) {
        // Read as pprof, whose protobuf may be at most 1/8 of the limit: so may the file.
        let cap = limits.max_bytes / PPROF_EXPANSION;
        let mut bytes = Vec::new();
        limits
            .wrap(&mut reader, "the binary (pprof) input", cap)
            .read_to_end(&mut bytes)
            .map_err(cannot)?;
        return pprof_run(&bytes, stem, number, options);
    }
    match first_char(&mut reader).map_err(cannot)? {
        None => Err(InputError::Empty),
        Some(b'{') => {
            // A recording is read line by line as it streams in; only other JSON is read whole.
            let mut first = Vec::new();
            reader.read_until(b'\n', &mut first).map_err(cannot)?;
            if recording::is_event_line(&first) {
                return recording::replay(first.chain(reader), number);
            }
            let mut text = String::from_utf8(first)
                .map_err(|e| cannot(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
            reader.read_to_string(&mut text).map_err(cannot)?;
            if speedscope::looks_like(&text) {
                let stacks = speedscope::decode_speedscope(&text).map_err(InputError::Decode)?;
                let mut run = stacks_run(&stacks, "speedscope", stem, number);
                if let Ok(about) = speedscope::describe_speedscope(&text) {
                    run.source = Some(about);
                }
                return Ok(run);
            }
            recording::replay(text.as_bytes(), number)
        }
        Some(_) => {
            let head = reader.fill_buf().map_err(cannot)?;
            let head = String::from_utf8_lossy(head);
            if !crate::flame::looks_like_perf(&head) {
                return folded(reader, stem, number, limits.max_frames);
            }
            let mut text = String::new();
            reader.read_to_string(&mut text).map_err(cannot)?;
            let perf = crate::flame::read_perf(&text).map_err(InputError::Decode)?;
            let mut run = stacks_run(&perf.stacks, "perf", stem, number);
            run.source = Some(perf_header(&perf, run.samples));
            Ok(run)
        }
    }
}

/// A gzip-compressed input: a recording or folded stacks are read from its content as it
/// streams in (a stream cut short is read up to its end, with a warning); pprof (binary
/// content) as before, from the compressed bytes' content.
fn load_unzipped(
    compressed: impl BufRead,
    stem: &str,
    number: usize,
    options: &OpenOptions,
) -> Result<Run, InputError> {
    let (unzipped, torn) = gzip::Unzipped::new(compressed);
    // Boxed: the content is read by this same function, which must not be instantiated anew
    // for every layer of reader.
    let mut content: Box<dyn BufRead + '_> = Box::new(BufReader::with_capacity(1 << 16, unzipped));
    let head = content.fill_buf().map_err(InputError::read)?;
    if is_binary(head) || head.starts_with(&GZIP_MAGIC) {
        // The decompressed protobuf, which pprof's reader takes as it takes a raw file.
        return load_reader_with(content, stem, number, options);
    }
    let mut run = load_reader_with(content, stem, number, options)?;
    if torn.get() {
        let cut = "the compressed stream ends early (was the run killed?): read up to there";
        run.warning = Some(match run.warning.take() {
            Some(w) => format!("{w}; {cut}"),
            None => cut.to_string(),
        });
    }
    Ok(run)
}

/// True when `head` is binary, to be read as pprof: it holds a NUL byte, which no text
/// holds, or starts as a protobuf message does, with a field tag of `Profile` (1 to 3, of
/// length-delimited type) and then a small length, which no text starts with. Other control
/// bytes and bytes that are not UTF-8 do not make a file binary: they may be in a frame name
/// of a folded file, which is read as text whatever its names hold.
fn is_binary(head: &[u8]) -> bool {
    let protobuf = matches!(head, [0x0a | 0x12 | 0x1a, length, ..]
        if *length < 0x20 && !b"\t\n\r".contains(length));
    protobuf || head.contains(&0)
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

/// The first bytes of a gzip stream: how pprof profiles are usually stored.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The mode of a run that is a profile read from a file (its workload names the format).
pub const FILE_MODE: &str = "stacks";

impl Run {
    /// True for a profile read from a file (folded, pprof, speedscope, perf): stacks without
    /// throughput, lanes or any time axis.
    pub fn is_profile_file(&self) -> bool {
        self.mode == FILE_MODE
    }
}

/// A run showing `tree`, read from a file of format `kind`.
fn file_run(tree: FrameTree, kind: &str, stem: &str, number: usize) -> Run {
    let mut run = Run::new(number, kind, FILE_MODE, 0, false);
    run.label = stem.to_string();
    run.set_tree(tree);
    run.status = RunStatus::Recorded;
    run.source = Some(format!("{kind} · {} samples", thousands(run.samples)));
    run
}

/// `perf · 2,473 samples · cpu-clock period sum 2,475,475,473`: the periods (what perf
/// weighs samples by) only when the script printed them.
fn perf_header(perf: &PerfProfile, samples: u64) -> String {
    let mut header = format!("perf · {} samples", thousands(samples));
    if perf.period_sum != samples {
        let event = perf.event.as_deref().unwrap_or("event");
        header += &format!(" · {event} period sum {}", thousands(perf.period_sum));
    }
    header
}

/// A run showing `stacks`, read from a file of format `kind`.
fn stacks_run(stacks: &FoldedStacks, kind: &str, stem: &str, number: usize) -> Run {
    file_run(FrameTree::from_stacks(stacks), kind, stem, number)
}

/// Streams a folded file straight into a frame tree: neither the text nor the set of full stack
/// strings is kept.
fn folded(
    reader: impl BufRead,
    stem: &str,
    number: usize,
    frames: usize,
) -> Result<Run, InputError> {
    let tree = FrameTree::from_folded_reader_limited(reader, frames).map_err(|e| match e {
        FlameError::Limit(_) => InputError::Decode(e),
        e => InputError::NotFolded(e),
    })?;
    Ok(file_run(tree, "folded", stem, number))
}

/// A pprof profile's stacks weighted by the chosen sample type, with a header saying what
/// the profile holds and its rate.
fn pprof_run(
    bytes: &[u8],
    stem: &str,
    number: usize,
    options: &OpenOptions,
) -> Result<Run, InputError> {
    let summary = pprof_summary(bytes).map_err(InputError::NotPprof)?;
    let limits = &options.limits;
    let stacks = match &options.sample_index {
        Some(name) => decode_pprof_index_limited(bytes, name, limits),
        None => decode_pprof_limited(bytes, limits),
    }
    .map_err(InputError::Decode)?;
    let first = summary.sample_types.first().map_or("", |t| t.as_str());
    let shown = match &options.sample_index {
        Some(name) => name.as_str(),
        None => first.split('/').next().unwrap_or(first),
    };
    let mut run = stacks_run(&stacks, "pprof", stem, number);
    if summary.hz() > 0 {
        run.hz = summary.hz();
    }
    run.source = Some(pprof_header(&summary, shown, run.samples));
    Ok(run)
}

/// What a pprof file says about itself, most telling first (a narrow header cuts the end):
/// `pprof · 18 samples · 100 Hz · 1.10 s · showing samples · types samples/count, ...`.
fn pprof_header(summary: &PprofSummary, shown: &str, total: u64) -> String {
    let mut parts = vec![
        "pprof".to_string(),
        pprof_total(&summary.sample_types, shown, total),
    ];
    if summary.hz() > 0 {
        parts.push(format!("{} Hz", summary.hz()));
    }
    if summary.duration_ns > 0 {
        parts.push(format!("{:.2} s", summary.duration_ns as f64 / 1e9));
    }
    parts.push(format!("showing {shown}"));
    parts.push(format!("types {}", summary.sample_types.join(", ")));
    parts.join(" · ")
}

/// The profile's weight in the shown sample type's unit: `18 samples`, `0.180 s of cpu`.
fn pprof_total(types: &[String], shown: &str, total: u64) -> String {
    let unit = types
        .iter()
        .find_map(|t| t.strip_prefix(shown).and_then(|u| u.strip_prefix('/')))
        .unwrap_or("");
    match unit {
        "nanoseconds" => format!(
            "{} s of {shown}",
            crate::tui::state::profiles::seconds(total)
        ),
        "count" | "" => format!("{total} {shown}"),
        unit => format!("{total} {unit} of {shown}"),
    }
}

/// Loads every file, or fails on the first bad one.
pub fn load_files(paths: &[impl AsRef<Path>]) -> Result<Vec<Run>, OpenError> {
    load_files_with(paths, &OpenOptions::default())
}

/// [`load_files`] with `options`.
pub fn load_files_with(
    paths: &[impl AsRef<Path>],
    options: &OpenOptions,
) -> Result<Vec<Run>, OpenError> {
    paths
        .iter()
        .enumerate()
        .map(|(i, p)| load_file_with(p.as_ref(), i + 1, options))
        .collect()
}

#[cfg(test)]
mod error_tests {
    use super::*;
    use std::error::Error;

    #[test]
    fn a_missing_file_is_named_and_keeps_the_io_error() {
        let err = load_file(Path::new("/no/such/file.folded"), 1).expect_err("missing");
        let text = err.to_string();
        assert!(
            text.starts_with("/no/such/file.folded: cannot read it: "),
            "{text}"
        );
        let io = err
            .source()
            .and_then(Error::source)
            .expect("the io error is kept");
        assert!(text.ends_with(&io.to_string()), "{text}");
    }

    #[test]
    fn a_broken_recording_names_its_line_and_keeps_the_parser_error() {
        let line = "{\"v\":1,\"type\":\"nope\"}\n";
        let err = load_reader(line.as_bytes(), "rec", 1).expect_err("not an event");
        let text = err.to_string();
        assert!(
            text.starts_with("line 1: not a boundscope event: ") && text.contains(TRIED),
            "{text}"
        );
        let event = err.source().expect("the event error is kept");
        assert!(event.source().is_some(), "and serde_json's");
        let huge = TimeError::OutOfRange {
            what: "a tick's elapsed_s".into(),
            value: 1e308,
        };
        assert_eq!(
            huge.to_string(),
            "a tick's elapsed_s is 1e308 s; times must be 0 to 1e7 s"
        );
    }
}
