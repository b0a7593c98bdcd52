//! pprof's protobuf profile format (gzipped `profile.proto`): written from folded stacks, so
//! `go tool pprof` and speedscope can read a run, and read back for `boundscope open`.

use super::{FlameError, FoldedStacks};
use flate2::{read::GzDecoder, write::GzEncoder, Compression};
use prost::Message;
use std::collections::HashMap;
use std::io::{Read, Write};

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
    #[prost(message, optional, tag = "11")]
    period_type: Option<ValueType>,
    #[prost(int64, tag = "12")]
    period: i64,
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

/// Builds the tables of a profile: interned strings and one function/location per frame.
#[derive(Default)]
struct Builder {
    profile: Profile,
    strings: HashMap<String, i64>,
    frames: HashMap<String, u64>,
}

impl Builder {
    fn string(&mut self, s: &str) -> i64 {
        if let Some(id) = self.strings.get(s) {
            return *id;
        }
        let id = self.profile.string_table.len() as i64;
        self.profile.string_table.push(s.to_string());
        self.strings.insert(s.to_string(), id);
        id
    }

    fn location(&mut self, frame: &str) -> u64 {
        if let Some(id) = self.frames.get(frame) {
            return *id;
        }
        let id = self.profile.location.len() as u64 + 1;
        let name = self.string(frame);
        self.profile.function.push(Function {
            id,
            name,
            system_name: name,
        });
        self.profile.location.push(Location {
            id,
            line: vec![Line { function_id: id }],
        });
        self.frames.insert(frame.to_string(), id);
        id
    }
}

/// Encodes `stacks` sampled at `hz` as a gzipped pprof profile (samples and CPU time).
pub fn encode_pprof(stacks: &FoldedStacks, hz: u32) -> Result<Vec<u8>, FlameError> {
    let period_ns = 1_000_000_000 / i64::from(hz.max(1));
    let mut b = Builder::default();
    b.string("");
    let (samples, count, cpu, ns) = (
        b.string("samples"),
        b.string("count"),
        b.string("cpu"),
        b.string("nanoseconds"),
    );
    b.profile.sample_type = vec![
        ValueType {
            r#type: samples,
            unit: count,
        },
        ValueType {
            r#type: cpu,
            unit: ns,
        },
    ];
    b.profile.period_type = Some(ValueType {
        r#type: cpu,
        unit: ns,
    });
    b.profile.period = period_ns;
    for (stack, n) in stacks.iter() {
        let location_id: Vec<u64> = stack.split(';').rev().map(|f| b.location(f)).collect();
        let n = n as i64;
        b.profile.sample.push(Sample {
            location_id,
            value: vec![n, n.saturating_mul(period_ns)],
        });
    }
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&b.profile.encode_to_vec())?;
    Ok(gz.finish()?)
}

/// Reads a pprof profile (gzipped or not) back into folded stacks, counting each sample's
/// first value.
pub fn decode_pprof(bytes: &[u8]) -> Result<FoldedStacks, FlameError> {
    let raw = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        GzDecoder::new(bytes).read_to_end(&mut out)?;
        out
    } else {
        bytes.to_vec()
    };
    let profile = Profile::decode(raw.as_slice())
        .map_err(|e| FlameError::Render(format!("not a pprof profile: {e}")))?;
    let names = function_names(&profile);
    let mut stacks = FoldedStacks::new();
    for sample in &profile.sample {
        let frames: Vec<&str> = sample
            .location_id
            .iter()
            .rev()
            .flat_map(|id| names.get(id).map(Vec::as_slice).unwrap_or(&[]))
            .map(String::as_str)
            .collect();
        let count = sample.value.first().copied().unwrap_or(0).max(0) as u64;
        stacks.add(&frames.join(";"), count);
    }
    Ok(stacks)
}

/// Frame names of each location, outermost inlined function first.
fn function_names(profile: &Profile) -> HashMap<u64, Vec<String>> {
    let text = |i: i64| {
        profile
            .string_table
            .get(i as usize)
            .cloned()
            .unwrap_or_default()
    };
    let functions: HashMap<u64, String> = profile
        .function
        .iter()
        .map(|f| (f.id, text(f.name)))
        .collect();
    profile
        .location
        .iter()
        .map(|l| {
            let names = l
                .line
                .iter()
                .rev()
                .filter_map(|line| functions.get(&line.function_id).cloned());
            (l.id, names.map(|n| n.replace(';', ":")).collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_stacks_survive_a_round_trip_through_pprof() {
        let stacks =
            FoldedStacks::parse("bs-seq-0;main;parse 7\nbs-seq-0;main;write 3\nbs-seq-1;main 2\n")
                .unwrap();
        let bytes = encode_pprof(&stacks, 99).unwrap();
        assert_eq!(&bytes[..2], &[0x1f, 0x8b], "gzipped");
        assert_eq!(decode_pprof(&bytes).unwrap(), stacks);
    }

    #[test]
    fn the_profile_carries_cpu_time_per_sample() {
        let stacks = FoldedStacks::parse("t;f 4\n").unwrap();
        let bytes = encode_pprof(&stacks, 100).unwrap();
        let mut raw = Vec::new();
        GzDecoder::new(bytes.as_slice())
            .read_to_end(&mut raw)
            .unwrap();
        let profile = Profile::decode(raw.as_slice()).unwrap();
        assert_eq!(profile.period, 10_000_000);
        assert_eq!(profile.sample[0].value, vec![4, 40_000_000]);
        assert_eq!(profile.string_table[0], "");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode_pprof(b"definitely not protobuf \xff\xff").is_err());
    }
}
