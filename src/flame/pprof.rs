//! pprof's protobuf profile format (gzipped `profile.proto`): written from folded stacks, so
//! `go tool pprof` and speedscope can read a run, and read back for `boundscope open`.
//!
//! A run's profile carries three sample types, in this order: `samples/count` (CPU samples),
//! `cpu/nanoseconds` and `wall/nanoseconds`. Each distinct stack is one pprof sample. The
//! stack's first frame (the worker thread) is not a function but the sample's `thread`
//! label; stacks ending in an off-CPU leaf of [`super::wall`] (`[net wait]`, `[idle]`, ...)
//! also get a `wait` label naming the category (`net`, `idle`, `run queue`, ...), and keep
//! the bracketed leaf as their innermost location so graphs show it. A stack that is only a
//! thread name becomes a sample without locations: its time counts in every total and under
//! `-tagfocus=thread=...`, but in no function. Function names are the demangled frame names
//! with an empty `system_name`, so pprof leaves Rust names such as `<A as B>::f` alone.

use super::limits::{InputLimits, LimitExceeded, PPROF_EXPANSION};
use super::wall::{stack_kind, FrameKind};
use super::{FlameError, FoldedStacks};
use flate2::{read::GzDecoder, write::GzEncoder, Compression};
use prost::Message;
use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Clone, PartialEq, Message)]
struct Profile {
    #[prost(message, repeated, tag = "1")]
    sample_type: Vec<ValueType>,
    #[prost(message, repeated, tag = "2")]
    sample: Vec<Sample>,
    #[prost(message, repeated, tag = "4")]
    location: Vec<Location>,
    #[prost(message, repeated, tag = "5")]
    function: Vec<Function>,
    #[prost(string, repeated, tag = "6")]
    string_table: Vec<String>,
    #[prost(int64, tag = "9")]
    time_nanos: i64,
    #[prost(int64, tag = "10")]
    duration_nanos: i64,
    #[prost(message, optional, tag = "11")]
    period_type: Option<ValueType>,
    #[prost(int64, tag = "12")]
    period: i64,
    #[prost(int64, tag = "14")]
    default_sample_type: i64,
}

#[derive(Clone, PartialEq, Message)]
struct ValueType {
    #[prost(int64, tag = "1")]
    r#type: i64,
    #[prost(int64, tag = "2")]
    unit: i64,
}

#[derive(Clone, PartialEq, Message)]
struct Sample {
    /// Leaf first.
    #[prost(uint64, repeated, tag = "1")]
    location_id: Vec<u64>,
    #[prost(int64, repeated, tag = "2")]
    value: Vec<i64>,
    #[prost(message, repeated, tag = "3")]
    label: Vec<Label>,
}

#[derive(Clone, PartialEq, Message)]
struct Label {
    #[prost(int64, tag = "1")]
    key: i64,
    /// A string label's value (index into the string table); 0 for numeric labels.
    #[prost(int64, tag = "2")]
    str: i64,
    #[prost(int64, tag = "3")]
    num: i64,
}

#[derive(Clone, PartialEq, Message)]
struct Location {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(message, repeated, tag = "4")]
    line: Vec<Line>,
}

#[derive(Clone, PartialEq, Message)]
struct Line {
    #[prost(uint64, tag = "1")]
    function_id: u64,
}

#[derive(Clone, PartialEq, Message)]
struct Function {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(int64, tag = "2")]
    name: i64,
    #[prost(int64, tag = "3")]
    system_name: i64,
}

/// The label key holding a sample's thread (the folded stack's root frame).
pub const THREAD_LABEL: &str = "thread";
/// The label key holding the off-CPU category of a sample (`net`, `idle`, `run queue`, ...).
pub const WAIT_LABEL: &str = "wait";

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

    fn location(&mut self, frame: &str) -> u64 {
        if let Some(id) = self.frames.get(frame) {
            return *id;
        }
        let id = self.profile.location.len() as u64 + 1;
        let name = self.string(frame);
        // No system name: pprof simplifies names it takes for C++ (dropping `<...>`), which
        // would eat the `<A as B>` of Rust trait methods.
        self.profile.function.push(Function {
            id,
            name,
            system_name: 0,
        });
        self.profile.location.push(Location {
            id,
            line: vec![Line { function_id: id }],
        });
        self.frames.insert(frame.to_string(), id);
        id
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
    let mut b = Builder::new();
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
        let mut label = vec![b.label(THREAD_LABEL, thread)];
        if kind.is_off_cpu() {
            let category = match kind {
                FrameKind::Wait(category) => category,
                other => other.label(),
            };
            label.push(b.label(WAIT_LABEL, category));
        }
        let location_id: Vec<u64> = frames.rev().map(|f| b.location(f)).collect();
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
    let limits = InputLimits::default();
    let profile = read_profile(bytes, &limits)?;
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
    stacks_of(&profile, index, &limits)
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
mod tests {
    use super::*;

    const RUN_UNIT: &str =
        "<boundscope::workload::json::JsonParse as boundscope::workload::Workload>::run_unit";

    fn unzip(bytes: &[u8]) -> Profile {
        let mut raw = Vec::new();
        GzDecoder::new(bytes).read_to_end(&mut raw).unwrap();
        Profile::decode(raw.as_slice()).unwrap()
    }

    fn text(profile: &Profile, i: i64) -> String {
        profile.string_table[i as usize].clone()
    }

    /// The sample's labels as `key=value` strings.
    fn labels(profile: &Profile, sample: &Sample) -> Vec<String> {
        sample
            .label
            .iter()
            .map(|l| format!("{}={}", text(profile, l.key), text(profile, l.str)))
            .collect()
    }

    /// The sample's frame names, leaf first.
    fn frames(profile: &Profile, sample: &Sample) -> Vec<String> {
        sample
            .location_id
            .iter()
            .map(|id| {
                let location = profile.location.iter().find(|l| l.id == *id).unwrap();
                let function = profile
                    .function
                    .iter()
                    .find(|f| f.id == location.line[0].function_id)
                    .unwrap();
                text(profile, function.name)
            })
            .collect()
    }

    /// The sample whose thread label and frames (root to leaf) make up `stack`.
    fn sample_of<'a>(profile: &'a Profile, stack: &str) -> &'a Sample {
        profile
            .sample
            .iter()
            .find(|s| {
                let thread = labels(profile, s)
                    .into_iter()
                    .find_map(|l| l.strip_prefix("thread=").map(str::to_string))
                    .unwrap();
                let mut path = frames(profile, s);
                path.push(thread);
                path.reverse();
                path.join(";") == stack
            })
            .unwrap_or_else(|| panic!("no sample for {stack}"))
    }

    fn cpu() -> FoldedStacks {
        FoldedStacks::parse(&format!(
            "bs-threads-0;main;{RUN_UNIT} 3\nbs-threads-0;main;write 2\nbs-threads-1;main;write 1\n"
        ))
        .unwrap()
    }

    fn wall() -> FoldedStacks {
        FoldedStacks::parse(&format!(
            "bs-threads-0;main;{RUN_UNIT} 33000000\n\
             bs-threads-0;main;write 25000000\n\
             bs-threads-0;fetch;[net wait] 400000000\n\
             bs-threads-0;[db-lock wait] 2000000\n\
             bs-threads-1;[idle] 50000000\n\
             bs-threads-1;[run queue] 7000000\n\
             bs-threads-1;[cpu, not sampled] 3000000\n\
             bs-threads-1;[untracked] 1000000\n\
             bs-threads-2 5\n"
        ))
        .unwrap()
    }

    fn start() -> SystemTime {
        UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123_456_789)
    }

    fn encoded() -> Vec<u8> {
        let (cpu, wall) = (cpu(), wall());
        encode_pprof_profile(&PprofInput {
            cpu: &cpu,
            wall: &wall,
            hz: 99,
            start: start(),
            duration: Duration::from_millis(2_500),
        })
        .unwrap()
    }

    #[test]
    fn a_run_profile_has_samples_cpu_and_wall_types_a_period_and_times() {
        let profile = unzip(&encoded());
        let types: Vec<(String, String)> = profile
            .sample_type
            .iter()
            .map(|t| (text(&profile, t.r#type), text(&profile, t.unit)))
            .collect();
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            types,
            vec![
                pair("samples", "count"),
                pair("cpu", "nanoseconds"),
                pair("wall", "nanoseconds")
            ]
        );
        let period_type = profile.period_type.clone().unwrap();
        assert_eq!(text(&profile, period_type.r#type), "cpu");
        assert_eq!(text(&profile, period_type.unit), "nanoseconds");
        assert_eq!(profile.period, 1_000_000_000 / 99);
        assert_eq!(profile.time_nanos, 1_700_000_000_123_456_789);
        assert_eq!(profile.duration_nanos, 2_500_000_000);
        assert_eq!(text(&profile, profile.default_sample_type), "cpu");
        assert_eq!(profile.string_table[0], "");
    }

    #[test]
    fn values_sum_to_the_cpu_samples_and_the_wall_profile() {
        let profile = unzip(&encoded());
        let sum = |i: usize| profile.sample.iter().map(|s| s.value[i]).sum::<i64>();
        assert_eq!(sum(0), cpu().total() as i64);
        assert_eq!(sum(2), wall().total() as i64);
        let period = 1_000_000_000 / 99;
        let values = |stack: &str| sample_of(&profile, stack).value.clone();
        // CPU time comes from the wall profile when it has the stack, else count × period.
        assert_eq!(
            values(&format!("bs-threads-0;main;{RUN_UNIT}")),
            vec![3, 33_000_000, 33_000_000]
        );
        assert_eq!(values("bs-threads-1;main;write"), vec![1, period, 0]);
        assert_eq!(
            values("bs-threads-0;fetch;[net wait]"),
            vec![0, 0, 400_000_000]
        );
        assert_eq!(values("bs-threads-1;[idle]"), vec![0, 0, 50_000_000]);
        assert_eq!(
            values("bs-threads-1;[cpu, not sampled]"),
            vec![0, 3_000_000, 3_000_000]
        );
        assert_eq!(
            profile.sample.len(),
            wall().len() + 1,
            "one sample per distinct stack"
        );
    }

    #[test]
    fn samples_are_labelled_with_their_thread_and_off_cpu_category() {
        let profile = unzip(&encoded());
        let labels_of = |stack: &str| labels(&profile, sample_of(&profile, stack));
        assert_eq!(
            labels_of("bs-threads-0;fetch;[net wait]"),
            vec!["thread=bs-threads-0", "wait=net"]
        );
        assert_eq!(
            labels_of("bs-threads-0;[db-lock wait]"),
            vec!["thread=bs-threads-0", "wait=db-lock"]
        );
        assert_eq!(
            labels_of("bs-threads-1;[idle]"),
            vec!["thread=bs-threads-1", "wait=idle"]
        );
        assert_eq!(
            labels_of("bs-threads-1;[run queue]"),
            vec!["thread=bs-threads-1", "wait=run queue"]
        );
        assert_eq!(
            labels_of("bs-threads-1;[untracked]"),
            vec!["thread=bs-threads-1", "wait=untracked"]
        );
        assert_eq!(
            labels_of("bs-threads-1;[cpu, not sampled]"),
            vec!["thread=bs-threads-1"]
        );
        assert_eq!(
            labels_of("bs-threads-1;main;write"),
            vec!["thread=bs-threads-1"]
        );
        for sample in &profile.sample {
            assert!(labels(&profile, sample)[0].starts_with("thread=bs-threads-"));
        }
    }

    #[test]
    fn threads_are_labels_not_functions_and_names_are_kept_verbatim() {
        let profile = unzip(&encoded());
        let names: Vec<String> = profile
            .function
            .iter()
            .map(|f| text(&profile, f.name))
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with("bs-threads")),
            "{names:?}"
        );
        assert!(names.iter().any(|n| n == RUN_UNIT), "{names:?}");
        assert!(profile.function.iter().all(|f| f.system_name == 0));
        let net = sample_of(&profile, "bs-threads-0;fetch;[net wait]");
        assert_eq!(frames(&profile, net), vec!["[net wait]", "fetch"]);
        let bare = sample_of(&profile, "bs-threads-2");
        assert!(bare.location_id.is_empty());
        assert_eq!(bare.value, vec![0, 5, 5]);
    }

    #[test]
    fn decoding_picks_a_sample_type_and_puts_the_thread_back() {
        let bytes = encoded();
        assert_eq!(decode_pprof(&bytes).unwrap(), cpu());
        assert_eq!(decode_pprof_index(&bytes, "samples").unwrap(), cpu());
        assert_eq!(decode_pprof_index(&bytes, "wall").unwrap(), wall());
        let cpu_ns = decode_pprof_index(&bytes, "cpu").unwrap();
        assert_eq!(cpu_ns.get("bs-threads-0;main;write"), 25_000_000);
        assert_eq!(cpu_ns.get("bs-threads-0;fetch;[net wait]"), 0);
        let err = decode_pprof_index(&bytes, "alloc").unwrap_err().to_string();
        assert!(err.contains("samples, cpu, wall"), "{err}");
    }

    #[test]
    fn without_a_wall_profile_wall_time_is_cpu_time() {
        let stacks = FoldedStacks::parse("t;f 4\nt;g 1\n").unwrap();
        let profile = unzip(&encode_pprof(&stacks, 100).unwrap());
        assert_eq!(profile.period, 10_000_000);
        assert_eq!(
            sample_of(&profile, "t;f").value,
            vec![4, 40_000_000, 40_000_000]
        );
        assert_eq!(profile.time_nanos, 0);
        let wall = decode_pprof_index(&encode_pprof(&stacks, 100).unwrap(), "wall").unwrap();
        assert_eq!(wall.get("t;g"), 10_000_000);
    }

    #[test]
    fn folded_stacks_survive_a_round_trip_through_pprof() {
        let stacks =
            FoldedStacks::parse("bs-seq-0;main;parse 7\nbs-seq-0;main;write 3\nbs-seq-1;main 2\n")
                .unwrap();
        let bytes = encode_pprof(&stacks, 99).unwrap();
        assert_eq!(&bytes[..2], &[0x1f, 0x8b], "gzipped");
        assert_eq!(decode_pprof(&bytes).unwrap(), stacks);
    }

    /// A profile as boundscope wrote them before labels: the thread is the root function,
    /// two sample types, no labels.
    fn old_format(stacks: &FoldedStacks, period: i64) -> Vec<u8> {
        let mut b = Builder::new();
        b.profile.sample_type = vec![
            b.value_type("samples", "count"),
            b.value_type("cpu", "nanoseconds"),
        ];
        b.profile.period = period;
        for (stack, n) in stacks.iter() {
            let location_id = stack.split(';').rev().map(|f| b.location(f)).collect();
            let n = n as i64;
            b.profile.sample.push(Sample {
                location_id,
                value: vec![n, n * period],
                label: Vec::new(),
            });
        }
        b.gzipped().unwrap()
    }

    #[test]
    fn profiles_of_the_old_format_still_decode() {
        let stacks = FoldedStacks::parse("bs-seq-0;main;parse 7\nbs-seq-1;main 2\n").unwrap();
        let bytes = old_format(&stacks, 1000);
        assert_eq!(decode_pprof(&bytes).unwrap(), stacks);
        let cpu = decode_pprof_index(&bytes, "cpu").unwrap();
        assert_eq!(cpu.get("bs-seq-0;main;parse"), 7000);
        assert!(decode_pprof_index(&bytes, "wall").is_err());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode_pprof(b"definitely not protobuf \xff\xff").is_err());
        assert!(decode_pprof_index(b"definitely not protobuf \xff\xff", "wall").is_err());
        assert!(decode_pprof(&[0x1f, 0x8b, 0, 1, 2, 3]).is_err());
    }

    #[test]
    fn dangling_indexes_and_ids_do_not_panic() {
        let profile = Profile {
            sample_type: vec![ValueType {
                r#type: 1,
                unit: -4,
            }],
            sample: vec![
                Sample {
                    location_id: vec![7, 1],
                    value: vec![3],
                    label: vec![Label {
                        key: 2,
                        str: 99,
                        num: 0,
                    }],
                },
                Sample {
                    location_id: vec![1],
                    value: vec![],
                    label: vec![Label {
                        key: -1,
                        str: -1,
                        num: 0,
                    }],
                },
            ],
            location: vec![Location {
                id: 1,
                line: vec![Line { function_id: 1 }, Line { function_id: 42 }],
            }],
            function: vec![Function {
                id: 1,
                name: 1234,
                system_name: -3,
            }],
            string_table: vec![String::new(), "samples".into(), THREAD_LABEL.into()],
            ..Profile::default()
        };
        let bytes = profile.encode_to_vec();
        // The only function has no name and the thread label no value: nothing is left.
        assert!(decode_pprof(&bytes).unwrap().is_empty());
        assert!(decode_pprof_index(&bytes, "samples").unwrap().is_empty());
    }
}
