//! speedscope's JSON file format: written from folded stacks (one sampled profile per thread)
//! and read back, sampled or evented, into folded stacks rooted at each profile's name.

use super::{FlameError, FoldedStacks};
use serde::{Deserialize, Serialize};
use serde_json::Number;
use std::collections::{BTreeMap, HashMap};

/// The `$schema` every speedscope file names.
pub const SCHEMA: &str = "https://www.speedscope.app/file-format-schema.json";

/// What a profile's weights measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// Plain counts (samples).
    None,
    /// Nanoseconds.
    Nanoseconds,
    /// Microseconds.
    Microseconds,
    /// Milliseconds.
    Milliseconds,
    /// Seconds.
    Seconds,
    /// Bytes.
    Bytes,
}

impl Unit {
    /// The factor that turns a weight in this unit into a whole number: time in nanoseconds,
    /// counts and bytes as they are.
    fn to_base(self) -> f64 {
        match self {
            Unit::Microseconds => 1e3,
            Unit::Milliseconds => 1e6,
            Unit::Seconds => 1e9,
            Unit::None | Unit::Nanoseconds | Unit::Bytes => 1.0,
        }
    }
}

/// One set of stacks to write: a profile per root (thread) frame, named after it with
/// ` (suffix)` appended when there is a suffix.
#[derive(Debug, Clone, Copy)]
pub struct SpeedscopeInput<'a> {
    /// Folded stacks whose first frame is the thread.
    pub stacks: &'a FoldedStacks,
    /// What the counts measure.
    pub unit: Unit,
    /// Appended to each profile's name, as in `bs-threads-0 (cpu)`.
    pub suffix: Option<&'a str>,
}

#[derive(Serialize, Deserialize)]
struct File {
    #[serde(rename = "$schema")]
    schema: String,
    shared: Shared,
    profiles: Vec<Profile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exporter: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Shared {
    frames: Vec<Frame>,
}

#[derive(Serialize, Deserialize)]
struct Frame {
    name: String,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Profile {
    Sampled {
        name: String,
        unit: Unit,
        #[serde(rename = "startValue")]
        start_value: Number,
        #[serde(rename = "endValue")]
        end_value: Number,
        samples: Vec<Vec<usize>>,
        weights: Vec<Number>,
    },
    Evented {
        name: String,
        unit: Unit,
        #[serde(rename = "startValue")]
        start_value: Number,
        #[serde(rename = "endValue")]
        end_value: Number,
        events: Vec<Event>,
    },
}

#[derive(Serialize, Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    frame: usize,
    at: f64,
}

/// Writes `inputs` as one speedscope file named `name`. Frames are shared across profiles;
/// each sample is a stack of frame indices, outermost first, weighted by its count.
pub fn encode_speedscope(inputs: &[SpeedscopeInput], name: &str) -> Result<String, FlameError> {
    let mut frames: Vec<Frame> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut profiles = Vec::new();
    for input in inputs {
        let mut threads: BTreeMap<&str, (Vec<Vec<usize>>, Vec<u64>)> = BTreeMap::new();
        for (stack, count) in input.stacks.iter() {
            let mut parts = stack.split(';');
            let thread = parts.next().unwrap_or_default();
            let ids = parts
                .map(|frame| {
                    *index.entry(frame.to_string()).or_insert_with(|| {
                        frames.push(Frame {
                            name: frame.to_string(),
                        });
                        frames.len() - 1
                    })
                })
                .collect();
            let (samples, weights) = threads.entry(thread).or_default();
            samples.push(ids);
            weights.push(count);
        }
        for (thread, (samples, weights)) in threads {
            let total = weights.iter().fold(0u64, |a, &w| a.saturating_add(w));
            profiles.push(Profile::Sampled {
                name: match input.suffix {
                    Some(suffix) => format!("{thread} ({suffix})"),
                    None => thread.to_string(),
                },
                unit: input.unit,
                start_value: Number::from(0u64),
                end_value: Number::from(total),
                samples,
                weights: weights.into_iter().map(Number::from).collect(),
            });
        }
    }
    let file = File {
        schema: SCHEMA.to_string(),
        shared: Shared { frames },
        profiles,
        name: Some(name.to_string()),
        exporter: Some(format!("boundscope {}", env!("CARGO_PKG_VERSION"))),
    };
    serde_json::to_string(&file).map_err(|e| FlameError::Speedscope(e.to_string()))
}

/// True when `text` is one JSON object with speedscope's `$schema` or `profiles` and `shared`.
pub fn looks_like(text: &str) -> bool {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) => {
            map.get("$schema").and_then(|s| s.as_str()) == Some(SCHEMA)
                || (map.contains_key("profiles") && map.contains_key("shared"))
        }
        _ => false,
    }
}

/// Reads a speedscope file into folded stacks whose root is each profile's name. Profiles in
/// another unit than the first one's are left out (counts and times do not add up); times
/// become nanoseconds. In an evented profile a stack weighs the time from its frame's opening
/// (or the closing of a callee) to the next event; time with no frame open is not counted.
pub fn decode_speedscope(text: &str) -> Result<FoldedStacks, FlameError> {
    let file: File = serde_json::from_str(text)
        .map_err(|e| FlameError::Speedscope(format!("not a speedscope file: {e}")))?;
    let names: Vec<String> = file
        .shared
        .frames
        .iter()
        .map(|f| f.name.replace(';', ":"))
        .collect();
    let frame = |i: usize| {
        names.get(i).map(String::as_str).ok_or_else(|| {
            FlameError::Speedscope(format!(
                "frame index {i} is past the {} frames",
                names.len()
            ))
        })
    };
    let mut out = FoldedStacks::new();
    let first_unit = file.profiles.first().map(profile_unit);
    for profile in &file.profiles {
        if Some(profile_unit(profile)) != first_unit {
            continue;
        }
        match profile {
            Profile::Sampled {
                name,
                unit,
                samples,
                weights,
                ..
            } => {
                if samples.len() != weights.len() {
                    return Err(FlameError::Speedscope(format!(
                        "profile {name:?}: {} samples but {} weights",
                        samples.len(),
                        weights.len()
                    )));
                }
                for (sample, weight) in samples.iter().zip(weights) {
                    let mut stack = name.replace(';', ":");
                    for &i in sample {
                        stack.push(';');
                        stack.push_str(frame(i)?);
                    }
                    out.add(&stack, whole(weight, *unit, name)?);
                }
            }
            Profile::Evented {
                name, unit, events, ..
            } => evented(&mut out, name, *unit, events, &frame)?,
        }
    }
    Ok(out)
}

/// One line saying what a speedscope file holds, for the header of an opened file:
/// `speedscope · 2 profiles (sampled) · seconds, shown as nanoseconds · by py-spy@0.4.3`.
pub fn describe_speedscope(text: &str) -> Result<String, FlameError> {
    let file: File = serde_json::from_str(text)
        .map_err(|e| FlameError::Speedscope(format!("not a speedscope file: {e}")))?;
    let kinds: std::collections::BTreeSet<&str> = file
        .profiles
        .iter()
        .map(|p| match p {
            Profile::Sampled { .. } => "sampled",
            Profile::Evented { .. } => "evented",
        })
        .collect();
    let kinds: Vec<&str> = kinds.into_iter().collect();
    let mut line = format!(
        "speedscope · {} profiles ({})",
        file.profiles.len(),
        kinds.join(", ")
    );
    if let Some(unit) = file.profiles.first().map(profile_unit) {
        let name = serde_json::to_value(unit).unwrap_or_default();
        let name = name.as_str().unwrap_or("?");
        line.push_str(&match unit.to_base() {
            1.0 => format!(" · {name}"),
            _ => format!(" · {name}, shown as nanoseconds"),
        });
    }
    if let Some(exporter) = file.exporter.filter(|e| !e.is_empty()) {
        line.push_str(&format!(" · by {exporter}"));
    }
    Ok(line)
}

fn profile_unit(profile: &Profile) -> Unit {
    match profile {
        Profile::Sampled { unit, .. } | Profile::Evented { unit, .. } => *unit,
    }
}

/// A weight as a whole number in the unit's base (see [`Unit::to_base`]).
fn whole(weight: &Number, unit: Unit, profile: &str) -> Result<u64, FlameError> {
    if unit.to_base() == 1.0 {
        if let Some(w) = weight.as_u64() {
            return Ok(w);
        }
    }
    match weight.as_f64() {
        // `as` saturates at u64::MAX.
        Some(w) if w >= 0.0 => Ok((w * unit.to_base()).round() as u64),
        _ => Err(FlameError::Speedscope(format!(
            "profile {profile:?}: the weight {weight} is negative"
        ))),
    }
}

/// Adds an evented profile's open/close events as stacks weighted by the time between events.
fn evented<'a>(
    out: &mut FoldedStacks,
    name: &str,
    unit: Unit,
    events: &[Event],
    frame: &impl Fn(usize) -> Result<&'a str, FlameError>,
) -> Result<(), FlameError> {
    let bad = |reason: String| FlameError::Speedscope(format!("profile {name:?}: {reason}"));
    let mut open: Vec<usize> = Vec::new();
    let mut last: Option<f64> = None;
    for event in events {
        if let (Some(prev), false) = (last, open.is_empty()) {
            if event.at < prev {
                return Err(bad(format!("event at {} comes before {prev}", event.at)));
            }
            let mut stack = name.replace(';', ":");
            for &i in &open {
                stack.push(';');
                stack.push_str(frame(i)?);
            }
            let weight = Number::from_f64(event.at - prev).unwrap_or_else(|| Number::from(0u64));
            out.add(&stack, whole(&weight, unit, name)?);
        }
        last = Some(event.at);
        match event.kind.as_str() {
            "O" => {
                frame(event.frame)?;
                open.push(event.frame);
            }
            "C" => match open.pop() {
                Some(top) if top == event.frame => {}
                _ => return Err(bad(format!("frame {} closes but is not open", event.frame))),
            },
            other => return Err(bad(format!("unknown event type {other:?}"))),
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "speedscope_tests.rs"]
mod tests;
