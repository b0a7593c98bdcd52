//! The three line parsers (untyped DOM, typed serde_json, schema scanner with serde_json
//! fallback) and their shared rules.
//!
//! All three accept exactly the same lines. The typed parsers deserialize into [`Tick`]; the
//! DOM parser builds a `serde_json::Value` per field and then applies the same type rules
//! by hand (`f64` prices accept integers, `volume` must be a non-negative integer, ...).
//! Like serde's derived `Deserialize`, it also accepts the positional array form
//! `[symbol, timestamp, open, high, low, close, volume]` and rejects a repeated field.

use super::scan::scan_canonical;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// One stock tick, as every parser produces it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Tick<'a> {
    /// Borrowed from the input line unless the JSON string has escapes.
    #[serde(borrow)]
    pub symbol: Cow<'a, str>,
    pub timestamp: i64,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: u64,
}

/// The field names, in the order of the positional (array) form and of the canonical line.
pub(super) const FIELDS: [&str; 7] = [
    "symbol",
    "timestamp",
    "open",
    "high",
    "low",
    "close",
    "volume",
];

/// Deepest nesting of arrays and objects a line may have (serde_json's own limit). Deeper
/// lines are rejected before a recursive parser sees them, so they cannot overflow its stack.
pub const MAX_DEPTH: usize = 128;

/// Longest rejection reason kept, in bytes.
const MAX_REASON: usize = 160;

/// Why a line is rejected (its message is the rejection's reason: one short line).
#[derive(Debug, thiserror::Error)]
pub enum LineError {
    #[error("arrays and objects nest deeper than {MAX_DEPTH} levels (the limit)")]
    TooDeep,
    /// serde_json refused the line; the reason is its message's first line, cut short.
    #[error("{}", short_reason(.0))]
    Syntax(#[source] serde_json::Error),
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    #[error("field `{name}`: expected {expected}, found {found}")]
    WrongType {
        name: &'static str,
        expected: &'static str,
        found: String,
    },
    #[error("invalid length {}, expected {} values", .0, FIELDS.len())]
    Length(usize),
    #[error("invalid UTF-8: {0}")]
    Utf8(#[from] std::str::Utf8Error),
    #[error("{}", crate::workload::data::lines::too_long_reason())]
    TooLong,
}

/// Parses a line into an untyped DOM (like Python's `json.loads`), then extracts the fields
/// with explicit type checks.
#[inline(never)]
pub fn parse_value_line(line: &str) -> Result<Tick<'_>, LineError> {
    check_depth(line)?;
    let record: Record = serde_json::from_str(line).map_err(LineError::Syntax)?;
    match record {
        Record::Object(map) => tick_from_object(&map),
        Record::Array(items) => tick_from_array(&items),
    }
}

/// Parses a line with serde_json straight into [`Tick`].
#[inline(never)]
pub fn parse_typed_line(line: &str) -> Result<Tick<'_>, LineError> {
    check_depth(line)?;
    serde_json::from_str(line).map_err(LineError::Syntax)
}

/// Parses a line with the schema scanner ([`scan_canonical`]) when it is in the canonical
/// flat form the generator writes, and with [`parse_typed_line`] otherwise.
///
/// The scanner only accepts lines it reads exactly as serde_json would and never rejects,
/// so values, acceptance and rejection reasons are those of `typed` by construction; it
/// needs no depth check, as the canonical form is one flat object.
#[inline(never)]
pub fn parse_fast_line(line: &str) -> Result<Tick<'_>, LineError> {
    match scan_canonical(line) {
        Some(tick) => Ok(tick),
        None => parse_typed_line(line),
    }
}

/// Refuses a line whose arrays and objects nest deeper than [`MAX_DEPTH`] (brackets inside
/// strings do not count).
pub fn check_depth(line: &str) -> Result<(), LineError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in line.as_bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(LineError::TooDeep);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The first line of a parser's message, cut to [`MAX_REASON`] bytes.
pub fn short_reason(err: &dyn fmt::Display) -> String {
    let text = err.to_string();
    let first = text.lines().next().unwrap_or("").trim();
    let mut end = first.len().min(MAX_REASON);
    while !first.is_char_boundary(end) {
        end -= 1;
    }
    if first.is_empty() {
        "unparsable record".to_string()
    } else {
        first[..end].to_string()
    }
}

fn tick_from_object(map: &Map<String, Value>) -> Result<Tick<'static>, LineError> {
    let field = |name: &'static str| {
        map.get(name)
            .ok_or(LineError::MissingField(name))
            .map(|v| (name, v))
    };
    Ok(Tick {
        symbol: Cow::Owned(as_string(field("symbol")?)?),
        timestamp: as_i64(field("timestamp")?)?,
        open: as_f64(field("open")?)?,
        high: as_f64(field("high")?)?,
        low: as_f64(field("low")?)?,
        close: as_f64(field("close")?)?,
        volume: as_u64(field("volume")?)?,
    })
}

fn tick_from_array(items: &[Value]) -> Result<Tick<'static>, LineError> {
    if items.len() != FIELDS.len() {
        return Err(LineError::Length(items.len()));
    }
    let at = |i: usize| (FIELDS[i], &items[i]);
    Ok(Tick {
        symbol: Cow::Owned(as_string(at(0))?),
        timestamp: as_i64(at(1))?,
        open: as_f64(at(2))?,
        high: as_f64(at(3))?,
        low: as_f64(at(4))?,
        close: as_f64(at(5))?,
        volume: as_u64(at(6))?,
    })
}

fn as_string((name, v): (&'static str, &Value)) -> Result<String, LineError> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| wrong_type(name, v, "a string"))
}

fn as_i64((name, v): (&'static str, &Value)) -> Result<i64, LineError> {
    v.as_i64().ok_or_else(|| wrong_type(name, v, "an i64"))
}

fn as_u64((name, v): (&'static str, &Value)) -> Result<u64, LineError> {
    v.as_u64().ok_or_else(|| wrong_type(name, v, "a u64"))
}

/// Integers are accepted and converted, as serde converts them for an `f64` field.
fn as_f64((name, v): (&'static str, &Value)) -> Result<f64, LineError> {
    v.as_f64().ok_or_else(|| wrong_type(name, v, "an f64"))
}

fn wrong_type(name: &'static str, v: &Value, expected: &'static str) -> LineError {
    let found = match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => format!("number `{n}`"),
        Value::String(_) => "a string".to_string(),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    };
    LineError::WrongType {
        name,
        expected,
        found,
    }
}

/// A whole line as a DOM: an object (field order kept out) or the positional array form.
enum Record {
    Object(Map<String, Value>),
    Array(Vec<Value>),
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RecordVisitor)
    }
}

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = Record;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a tick object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Record, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let value: Value = access.next_value()?;
            if FIELDS.contains(&key.as_str()) && map.contains_key(&key) {
                return Err(de::Error::duplicate_field(static_name(&key)));
            }
            map.insert(key, value);
        }
        Ok(Record::Object(map))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Record, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = access.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Record::Array(items))
    }
}

fn static_name(key: &str) -> &'static str {
    FIELDS.iter().copied().find(|f| *f == key).unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;

    type ParseFn = fn(&str) -> Result<Tick<'_>, LineError>;
    const PARSERS: [(&str, ParseFn); 3] = [
        ("value", parse_value_line),
        ("typed", parse_typed_line),
        ("fast", parse_fast_line),
    ];

    const GOOD: &str = r#"{"symbol":"AAPL","timestamp":1700000000000,"open":1.5,"high":2.25,"low":1.0,"close":2.0,"volume":10}"#;

    #[test]
    fn all_parsers_read_a_good_line() {
        for (name, parse) in PARSERS {
            let tick = parse(GOOD).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(tick.symbol, "AAPL", "{name}");
            assert_eq!(tick.timestamp, 1_700_000_000_000, "{name}");
            assert_eq!(
                [tick.open, tick.high, tick.low, tick.close],
                [1.5, 2.25, 1.0, 2.0]
            );
            assert_eq!(tick.volume, 10, "{name}");
        }
    }

    /// Edge cases where DOM and typed parsing could disagree. `true` = accepted.
    const EDGE_CASES: &[(&str, bool)] = &[
        (r#"{"symbol":"A","timestamp":1,"open":1,"high":2,"low":0,"close":1,"volume":0}"#, true),
        (r#"{"symbol":"A\u0042","timestamp":-5,"open":1e2,"high":2E-1,"low":0.1,"close":1,"volume":1}"#, true),
        (r#"{"volume":1,"close":1,"low":1,"high":1,"open":1,"timestamp":1,"symbol":"A","x":[1,{"y":null}]}"#, true),
        (r#"["A",1,1.0,1.0,1.0,1.0,1]"#, true),
        (r#"["A",1,1.0,1.0,1.0,1.0]"#, false),
        (r#"["A",1,1.0,1.0,1.0,1.0,1,2]"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1,"volume":2}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":-1}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":-0}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1.0}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1e3}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":18446744073709551616}"#, false),
        (r#"{"symbol":"A","timestamp":9223372036854775808,"open":1,"high":1,"low":1,"close":1,"volume":1}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":"1","high":1,"low":1,"close":1,"volume":1}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":null,"high":1,"low":1,"close":1,"volume":1}"#, false),
        (r#"{"symbol":7,"timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":1e999,"high":1,"low":1,"close":1,"volume":1}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1} x"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1,"x":tru}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1,"x":"\q"}"#, false),
        (r#"{"symbol":"\ud800","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":1,"#, false),
        ("{\"symbol\":\"A\",\"timestamp\":1,\"open\":1,\"high\":1,\"low\":1,\"close\":1,\"volume\":1,\"x\":\"a\u{1}b\"}", false),
        ("{\"symbol\":\"A\tB\",\"timestamp\":1,\"open\":1,\"high\":1,\"low\":1,\"close\":1,\"volume\":1}", false),
        ("\u{feff}{\"symbol\":\"A\",\"timestamp\":1,\"open\":1,\"high\":1,\"low\":1,\"close\":1,\"volume\":1}", false),
        (" {\"symbol\":\"Ä€\",\"timestamp\":1,\"open\":1,\"high\":1,\"low\":1,\"close\":1,\"volume\":1}\r", true),
        (r#"{"symbol":"A\/B","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1,"\u00e9":{}}"#, true),
        (r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1,}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1,"x":[1,]}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1,"x":01}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":1.,"high":1,"low":1,"close":1,"volume":1}"#, false),
        (r#"{"symbol":"A","timestamp":1,"open":-1.5e-3,"high":123456789012345678901234567890,"low":1,"close":1,"volume":1}"#, true),
        (r#"{"symbol":"A","timestamp":1e3,"open":1,"high":1,"low":1,"close":1,"volume":1}"#, false),
        (r#"{"symbol":"A","timestamp":-9223372036854775808,"open":1,"high":1,"low":1,"close":1,"volume":18446744073709551615}"#, true),
        ("[]", false),
        ("42", false),
        ("null", false),
        ("not json", false),
    ];

    #[test]
    fn parsers_agree_on_edge_cases() {
        for (line, accepted) in EDGE_CASES {
            for (name, parse) in PARSERS {
                let result = parse(line);
                assert_eq!(result.is_ok(), *accepted, "{name} on {line}: {result:?}");
                if let Err(err) = result {
                    let reason = err.to_string();
                    assert!(
                        !reason.is_empty() && !reason.contains('\n'),
                        "{name}: {reason:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn floats_are_bit_identical_across_parsers() {
        let prices = [
            "-0.0",
            "-0",
            "1e308",
            "0.1",
            "123.45",
            "9007199254740993",
            "2.2250738585072014e-308",
            "1e23",
        ];
        for p in prices {
            let line = format!(
                r#"{{"symbol":"S","timestamp":1,"open":{p},"high":{p},"low":{p},"close":{p},"volume":1}}"#
            );
            let bits: Vec<u64> = PARSERS
                .iter()
                .map(|(_, parse)| parse(&line).unwrap().open.to_bits())
                .collect();
            assert!(bits.iter().all(|b| *b == bits[0]), "{p}: {bits:x?}");
            assert_eq!(bits[0], p.parse::<f64>().unwrap().to_bits(), "{p}");
        }
    }

    #[test]
    fn typed_parsers_borrow_the_symbol() {
        assert!(matches!(
            parse_typed_line(GOOD).unwrap().symbol,
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            parse_fast_line(GOOD).unwrap().symbol,
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_syntax_error_keeps_serde_json_s_error_as_its_source() {
        for (name, parse) in PARSERS {
            let err = parse("not json").expect_err("not JSON");
            let source = std::error::Error::source(&err).expect("serde_json's error is kept");
            assert_eq!(err.to_string(), short_reason(source), "{name}");
        }
        let err = parse_value_line(r#"{"symbol":7}"#).expect_err("wrong type");
        assert_eq!(
            err.to_string(),
            "field `symbol`: expected a string, found number `7`"
        );
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert_eq!(
            parse_typed_line(&deep).expect_err("too deep").to_string(),
            format!("arrays and objects nest deeper than {MAX_DEPTH} levels (the limit)")
        );
    }

    #[test]
    fn reasons_are_short_single_lines() {
        let long = format!("first line {}\nsecond", "x".repeat(500));
        let reason = short_reason(&long);
        assert!(reason.len() <= MAX_REASON && reason.starts_with("first line"));
        assert_eq!(short_reason(&""), "unparsable record");
    }
}
