//! pprof's protobuf profile format (gzipped `profile.proto`): written from folded stacks, so
//! `go tool pprof` and speedscope can read a run, and read back for `boundscope open`.
//!
//! A run's profile carries three sample types, in this order: `samples/count` (CPU samples),
//! `cpu/nanoseconds` and `wall/nanoseconds`. Each distinct stack is one pprof sample. The
//! stack's first frame (the worker thread) is not a function but the sample's `thread`
//! label; stacks ending in an off-CPU leaf of [`super::wall`] (`[net wait]`, `[idle]`, ...)
//! also get a `wait` label naming the category (`net`, `idle`, `run queue`, ...), and keep
//! the bracketed leaf as their innermost location so graphs show it. Every sample has a
//! `phase` label: the job's phase its stack was in (its innermost `[phase …]` tag, see
//! [`super::phase_tag`]; nested phases read `load/insert`), or `[no phase]`. A stack that is only a
//! thread name becomes a sample without locations: its time counts in every total and under
//! `-tagfocus=thread=...`, but in no function. Function names are the demangled frame names
//! with an empty `system_name`, so pprof leaves Rust names such as `<A as B>::f` alone.

use super::code::{CodeMap, CodeModule};
use super::limits::{InputLimits, LimitExceeded, PPROF_EXPANSION};
use super::phase_tag::phase_of_stack;
use super::pprof_proto::*;
use super::wall::{stack_kind, FrameKind};
use super::{FlameError, FoldedStacks};
use flate2::{read::GzDecoder, write::GzEncoder, Compression};
use prost::Message;
use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The label key holding a sample's thread (the folded stack's root frame).
pub const THREAD_LABEL: &str = "thread";
/// The label key holding the off-CPU category of a sample (`net`, `idle`, `run queue`, ...).
pub const WAIT_LABEL: &str = "wait";
/// The label key holding the job's phase a sample was in (`-tagfocus=phase=parse`).
pub const PHASE_LABEL: &str = "phase";
/// The `phase` label of a sample outside every phase (idle between units, engine work).
pub const NO_PHASE_LABEL: &str = "[no phase]";

/// Builds the tables of a profile: interned strings and one function/location per frame.
#[derive(Default)]
struct Builder {
    profile: Profile,
    strings: HashMap<String, i64>,
    frames: HashMap<String, u64>,
}

impl Builder {
    fn new() -> Self {
        let mut b = Builder::default();
        b.string("");
        b
    }

    fn string(&mut self, s: &str) -> i64 {
        if let Some(id) = self.strings.get(s) {
            return *id;
        }
        let id = self.profile.string_table.len() as i64;
        self.profile.string_table.push(s.to_string());
        self.strings.insert(s.to_string(), id);
        id
    }

    fn value_type(&mut self, kind: &str, unit: &str) -> ValueType {
        ValueType {
            r#type: self.string(kind),
            unit: self.string(unit),
        }
    }

    /// The location of `frame`, with its address, mapping, file and line when `code` knows
    /// them.
    fn location(&mut self, frame: &str, code: &CodeMap) -> u64 {
        if let Some(id) = self.frames.get(frame) {
            return *id;
        }
        let id = self.profile.location.len() as u64 + 1;
        let name = self.string(frame);
        let site = code.site(frame).cloned().unwrap_or_default();
        let filename = self.string(site.file.as_deref().unwrap_or(""));
        // No system name: pprof simplifies names it takes for C++ (dropping `<...>`), which
        // would eat the `<A as B>` of Rust trait methods.
        self.profile.function.push(Function {
            id,
            name,
            system_name: 0,
            filename,
        });
        let mapping_id = code.module_of(site.address).map_or(0, |i| i as u64 + 1);
        self.profile.location.push(Location {
            id,
            mapping_id,
            address: site.address,
            line: vec![Line {
                function_id: id,
                line: i64::from(site.line),
            }],
        });
        self.frames.insert(frame.to_string(), id);
        id
    }

    /// One mapping per module, ids in the modules' order from 1.
    fn mappings(&mut self, modules: &[CodeModule]) {
        for (i, m) in modules.iter().enumerate() {
            let mapping = Mapping {
                id: i as u64 + 1,
                memory_start: m.start,
                memory_limit: m.limit,
                file_offset: m.file_offset,
                filename: self.string(&m.path),
                build_id: self.string(&m.build_id),
                // The sampler symbolized every frame: pprof must not try again.
                has_functions: true,
                has_filenames: true,
                has_line_numbers: true,
                has_inline_frames: true,
            };
            self.profile.mapping.push(mapping);
        }
    }

    fn label(&mut self, key: &str, value: &str) -> Label {
        Label {
            key: self.string(key),
            str: self.string(value),
            num: 0,
        }
    }

    fn gzipped(&self) -> Result<Vec<u8>, FlameError> {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(&self.profile.encode_to_vec())?;
        Ok(gz.finish()?)
    }
}

/// What a run's pprof profile is made of.
#[derive(Debug, Clone, Copy)]
pub struct PprofInput<'a> {
    /// CPU samples: sample counts per folded stack (`thread;frame;...;leaf`).
    pub cpu: &'a FoldedStacks,
    /// The wall-clock profile in nanoseconds (see [`super::wall`]); empty when the run has none.
    pub wall: &'a FoldedStacks,
    /// The sampling rate of `cpu`.
    pub hz: u32,
    /// When the run began.
    pub start: SystemTime,
    /// How long the run took.
    pub duration: Duration,
    /// Addresses, source lines and loaded modules of the frames, when known.
    pub code: Option<&'a CodeMap>,
}

fn saturating_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Encodes a run's CPU samples and wall-clock profile as one gzipped pprof profile with the
/// sample types `samples/count`, `cpu/nanoseconds` and `wall/nanoseconds` (see the module
/// documentation for labels and locations).
///
/// Per distinct stack: `samples` is its CPU sample count; `cpu` is the wall profile's weight
/// for a sampled stack when it has one (the wall profile scales samples to thread CPU time),
/// else count × period, and for a stack only in the wall profile its nanoseconds when they
/// are CPU time (`[cpu, not sampled]`, code frames) and 0 when off-CPU; `wall` is the wall
/// profile's weight, or the `cpu` value when the run has no wall profile. So the `samples`
/// values sum to the CPU total and, with a wall profile, the `wall` values to its total.
pub fn encode_pprof_profile(input: &PprofInput) -> Result<Vec<u8>, FlameError> {
    let period_ns = 1_000_000_000 / i64::from(input.hz.max(1));
    let no_code = CodeMap::default();
    let code = input.code.unwrap_or(&no_code);
    let mut b = Builder::new();
    b.mappings(&code.modules);
    b.profile.sample_type = vec![
        b.value_type("samples", "count"),
        b.value_type("cpu", "nanoseconds"),
        b.value_type("wall", "nanoseconds"),
    ];
    b.profile.period_type = Some(b.value_type("cpu", "nanoseconds"));
    b.profile.period = period_ns;
    // pprof shows the last sample type unless told otherwise; CPU time is what
    // `go tool pprof FILE` showed before the wall type was added.
    b.profile.default_sample_type = b.string("cpu");
    b.profile.time_nanos = input
        .start
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
    b.profile.duration_nanos = i64::try_from(input.duration.as_nanos()).unwrap_or(i64::MAX);
    let has_wall = !input.wall.is_empty();
    let stacks: BTreeSet<&str> = input
        .cpu
        .iter()
        .chain(input.wall.iter())
        .map(|(stack, _)| stack)
        .collect();
    for stack in stacks {
        let count = input.cpu.get(stack);
        let wall_ns = saturating_i64(input.wall.get(stack));
        let kind = stack_kind(stack);
        let cpu_ns = if count > 0 && wall_ns > 0 {
            wall_ns
        } else if count > 0 {
            saturating_i64(count).saturating_mul(period_ns)
        } else if kind.is_off_cpu() {
            0
        } else {
            wall_ns
        };
        let wall_value = if has_wall { wall_ns } else { cpu_ns };
        let mut frames = stack.split(';');
        let thread = frames.next().unwrap_or_default();
        let phase = phase_of_stack(stack).unwrap_or(NO_PHASE_LABEL);
        let mut label = vec![b.label(THREAD_LABEL, thread), b.label(PHASE_LABEL, phase)];
        if kind.is_off_cpu() {
            let category = match kind {
                FrameKind::Wait(category) => category,
                other => other.label(),
            };
            label.push(b.label(WAIT_LABEL, category));
        }
        let location_id: Vec<u64> = frames.rev().map(|f| b.location(f, code)).collect();
        b.profile.sample.push(Sample {
            location_id,
            value: vec![saturating_i64(count), cpu_ns, wall_value],
            label,
        });
    }
    b.gzipped()
}

/// Encodes `stacks` sampled at `hz` as a gzipped pprof profile: [`encode_pprof_profile`]
/// without a wall-clock profile (`wall` equals `cpu`) and without a start time or duration.
pub fn encode_pprof(stacks: &FoldedStacks, hz: u32) -> Result<Vec<u8>, FlameError> {
    encode_pprof_profile(&PprofInput {
        cpu: stacks,
        wall: &FoldedStacks::new(),
        hz,
        start: UNIX_EPOCH,
        duration: Duration::ZERO,
        code: None,
    })
}

/// Decompresses (when gzipped) and decodes a profile; the protobuf may be at most
/// 1/[`PPROF_EXPANSION`] of the byte limit, since decoding takes up to that many times its
/// size.
fn read_profile(bytes: &[u8], limits: &InputLimits) -> Result<Profile, FlameError> {
    let cap = limits.max_bytes / PPROF_EXPANSION;
    let what = "the pprof protobuf (decompressed)";
    let raw = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        limits
            .wrap(GzDecoder::new(bytes), what, cap)
            .read_to_end(&mut out)
            .map_err(|e| match LimitExceeded::message(&e) {
                Some(limit) => FlameError::Limit(limit),
                None => FlameError::Io(e),
            })?;
        out
    } else if bytes.len() as u64 > cap {
        return Err(FlameError::Limit(
            limits.too_many_bytes(what, cap).to_string(),
        ));
    } else {
        bytes.to_vec()
    };
    Profile::decode(raw.as_slice())
        .map_err(|e| FlameError::Render(format!("not a pprof profile: {e}")))
}

/// Reads a pprof profile (gzipped or not) back into folded stacks, counting each sample's
/// first value (CPU samples in boundscope's profiles). A sample's `thread` label, when it has
/// one, becomes the root frame again.
pub fn decode_pprof(bytes: &[u8]) -> Result<FoldedStacks, FlameError> {
    decode_pprof_limited(bytes, &InputLimits::default())
}

/// [`decode_pprof`] within `limits` (decompressed size, frames over all samples).
pub fn decode_pprof_limited(
    bytes: &[u8],
    limits: &InputLimits,
) -> Result<FoldedStacks, FlameError> {
    let profile = read_profile(bytes, limits)?;
    stacks_of(&profile, 0, limits)
}

/// Like [`decode_pprof`], but weighs each stack by the sample type named `sample_type`
/// (`samples`, `cpu`, `wall`, ...). Naming a type the profile does not have is an error.
pub fn decode_pprof_index(bytes: &[u8], sample_type: &str) -> Result<FoldedStacks, FlameError> {
    decode_pprof_index_limited(bytes, sample_type, &InputLimits::default())
}

/// [`decode_pprof_index`] within `limits`.
pub fn decode_pprof_index_limited(
    bytes: &[u8],
    sample_type: &str,
    limits: &InputLimits,
) -> Result<FoldedStacks, FlameError> {
    let profile = read_profile(bytes, limits)?;
    let text = |i: i64| string_at(&profile, i);
    let index = profile
        .sample_type
        .iter()
        .position(|t| text(t.r#type) == sample_type)
        .ok_or_else(|| {
            let names: Vec<&str> = profile.sample_type.iter().map(|t| text(t.r#type)).collect();
            FlameError::Render(format!(
                "no sample type `{sample_type}` in this profile (it has: {})",
                names.join(", ")
            ))
        })?;
    stacks_of(&profile, index, limits)
}

/// What a pprof profile says about itself, for the header of an opened file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PprofSummary {
    /// Sample types as `type/unit`, in the profile's order.
    pub sample_types: Vec<String>,
    /// The sampling period in nanoseconds, when the period is a time (0 otherwise).
    pub period_ns: i64,
    /// How long the profile was recorded, in nanoseconds (0 when unknown).
    pub duration_ns: i64,
}

impl PprofSummary {
    /// The sampling rate the period gives (0 when the period is not a time).
    pub fn hz(&self) -> u32 {
        match self.period_ns {
            p if p > 0 => u32::try_from((1_000_000_000 + p / 2) / p).unwrap_or(u32::MAX),
            _ => 0,
        }
    }

    /// One line: `pprof · samples/count, cpu/nanoseconds · showing samples · 100 Hz · 1.10 s`.
    pub fn describe(&self, shown: &str) -> String {
        let mut line = format!(
            "pprof · types {} · showing {shown}",
            self.sample_types.join(", ")
        );
        if self.hz() > 0 {
            line.push_str(&format!(" · {} Hz", self.hz()));
        }
        if self.duration_ns > 0 {
            line.push_str(&format!(" · {:.2} s", self.duration_ns as f64 / 1e9));
        }
        line
    }
}

/// Reads what a pprof profile (gzipped or not) says about itself: sample types, period,
/// duration.
pub fn pprof_summary(bytes: &[u8]) -> Result<PprofSummary, FlameError> {
    let profile = read_profile(bytes, &InputLimits::default())?;
    let text = |i: i64| string_at(&profile, i);
    let period_unit = profile.period_type.as_ref().map_or("", |t| text(t.unit));
    let period_ns = match period_unit {
        "nanoseconds" => profile.period,
        "microseconds" => profile.period.saturating_mul(1_000),
        "milliseconds" => profile.period.saturating_mul(1_000_000),
        "seconds" => profile.period.saturating_mul(1_000_000_000),
        _ => 0,
    };
    Ok(PprofSummary {
        sample_types: profile
            .sample_type
            .iter()
            .map(|t| format!("{}/{}", text(t.r#type), text(t.unit)))
            .collect(),
        period_ns,
        duration_ns: profile.duration_nanos.max(0),
    })
}

/// The string at `index` of the string table ("" when out of range).
fn string_at(profile: &Profile, index: i64) -> &str {
    usize::try_from(index)
        .ok()
        .and_then(|i| profile.string_table.get(i))
        .map_or("", String::as_str)
}

/// The profile's samples as folded stacks weighted by their `index`th value.
fn stacks_of(
    profile: &Profile,
    index: usize,
    limits: &InputLimits,
) -> Result<FoldedStacks, FlameError> {
    let names = function_names(profile);
    let mut stacks = FoldedStacks::new();
    let mut frames_seen = 0usize;
    for sample in &profile.sample {
        frames_seen = frames_seen.saturating_add(sample.location_id.len());
        if frames_seen > limits.max_frames {
            return Err(FlameError::Limit(limits.too_many_frames()));
        }
        let thread = sample
            .label
            .iter()
            .find(|l| string_at(profile, l.key) == THREAD_LABEL)
            .map(|l| string_at(profile, l.str).replace(';', ":"))
            .filter(|t| !t.is_empty());
        let frames: Vec<&str> = thread
            .as_deref()
            .into_iter()
            .chain(
                sample
                    .location_id
                    .iter()
                    .rev()
                    .flat_map(|id| names.get(id).map(Vec::as_slice).unwrap_or(&[]))
                    .map(String::as_str),
            )
            .collect();
        let weight = sample.value.get(index).copied().unwrap_or(0).max(0) as u64;
        stacks.add(&frames.join(";"), weight);
    }
    Ok(stacks)
}

/// Frame names of each location, outermost inlined function first.
fn function_names(profile: &Profile) -> HashMap<u64, Vec<String>> {
    let functions: HashMap<u64, &str> = profile
        .function
        .iter()
        .map(|f| (f.id, string_at(profile, f.name)))
        .collect();
    profile
        .location
        .iter()
        .map(|l| {
            let names = l
                .line
                .iter()
                .rev()
                .filter_map(|line| functions.get(&line.function_id));
            (l.id, names.map(|n| n.replace(';', ":")).collect())
        })
        .collect()
}

#[cfg(test)]
#[path = "pprof_tests.rs"]
mod tests;
