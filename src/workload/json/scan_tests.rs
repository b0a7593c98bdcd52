//! Tests of the schema scanner: it reads canonical lines exactly as serde_json does, declines
//! everything else, and `parse_fast_line` equals `parse_typed_line` on any line.

use super::*;
use crate::workload::json::parse::{parse_fast_line, parse_typed_line};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// A canonical line with the given raw JSON texts for symbol contents and numbers.
fn line(symbol: &str, timestamp: &str, prices: [&str; 4], volume: &str) -> String {
    let [open, high, low, close] = prices;
    format!(
        r#"{{"symbol":"{symbol}","timestamp":{timestamp},"open":{open},"high":{high},"low":{low},"close":{close},"volume":{volume}}}"#
    )
}

/// The tick's fields with prices as bits, so `-0.0` and `0.0` differ.
fn key(tick: &Tick<'_>) -> (String, i64, [u64; 4], u64) {
    let prices = [tick.open, tick.high, tick.low, tick.close].map(f64::to_bits);
    (tick.symbol.to_string(), tick.timestamp, prices, tick.volume)
}

/// `fast` and `typed` agree on `text`: the same fields (bit for bit) or the same reason.
fn assert_same(text: &str) {
    let fast = parse_fast_line(text)
        .map(|t| key(&t))
        .map_err(|e| e.to_string());
    let typed = parse_typed_line(text)
        .map(|t| key(&t))
        .map_err(|e| e.to_string());
    assert_eq!(fast, typed, "{text:?}");
}

#[test]
fn reads_a_generated_line() {
    let text = line(
        "AAPL",
        "1700000000123",
        ["123.45", "130.00", "99.01", "0.07"],
        "4242",
    );
    let tick = scan_canonical(&text).expect("canonical");
    assert!(matches!(tick.symbol, Cow::Borrowed("AAPL")));
    assert_eq!(tick.timestamp, 1_700_000_000_123);
    assert_eq!(
        [tick.open, tick.high, tick.low, tick.close],
        [123.45, 130.0, 99.01, 0.07]
    );
    assert_eq!(tick.volume, 4242);
    assert_same(&text);
}

#[test]
fn reads_signs_zeros_and_limits_exactly() {
    let cases = [
        line(
            "Ä€ 中",
            "-9223372036854775808",
            ["-0.0", "-0", "0", "0.0"],
            "0",
        ),
        line(
            "S",
            "9223372036854775807",
            ["9007199254740992", "1.5", "-2", "0.1"],
            "9999999999999999999",
        ),
        line(
            "S",
            "0",
            ["0.000000000000000001", "123456789.012345", "17.5", "3"],
            "1",
        ),
    ];
    for text in &cases {
        let tick = scan_canonical(text).unwrap_or_else(|| panic!("canonical: {text}"));
        assert_eq!(
            key(&tick),
            key(&parse_typed_line(text).expect("typed")),
            "{text}"
        );
    }
    let tick = scan_canonical(&cases[0]).expect("canonical");
    assert!(
        tick.open.is_sign_negative() && tick.high.is_sign_negative(),
        "-0 keeps its sign"
    );
    assert!(tick.low.is_sign_positive() && tick.close.is_sign_positive());
}

/// Valid or invalid lines the scanner must leave to serde_json; each is checked to be
/// declined, and `fast` to equal `typed` on it (accepted or rejected).
#[test]
fn declines_everything_but_the_canonical_form() {
    let p = ["1.5", "2", "1", "1.25"];
    let declined = [
        line(r"A\u0042", "1", p, "1"),                 // escape in the symbol
        line("A\tB", "1", p, "1"),                     // control character
        line("A", "1", ["1e2", "2", "1", "1"], "1"),   // exponent
        line("A", "1", ["1E308", "2", "1", "1"], "1"), // exponent, upper case
        line("A", "1", ["12345678901234567890", "2", "1", "1"], "1"), // 20 digits
        line("A", "1", ["9007199254740993", "2", "1", "1"], "1"), // beyond 2^53
        line("A", "1", ["0.12345678901234567890", "2", "1", "1"], "1"), // long fraction
        line("A", "1", ["01.5", "2", "1", "1"], "1"),  // leading zero
        line("A", "1", ["1.", "2", "1", "1"], "1"),    // empty fraction
        line("A", "1", ["-", "2", "1", "1"], "1"),     // sign only
        line("A", "1", ["\"1\"", "2", "1", "1"], "1"), // string price
        line("A", "-0", p, "1"),                       // -0 is a float
        line("A", "9223372036854775808", p, "1"),      // past i64
        line("A", "1", p, "-1"),                       // negative volume
        line("A", "1", p, "1.0"),                      // fractional volume
        line("A", "1", p, "18446744073709551616"),     // past u64
        line("A", "1", p, "1") + " ",                  // trailing space
        line("A", "1", p, "1") + "\r",                 // CRLF file
        line("A", "1", p, "1") + "x",                  // trailing garbage
        line("A", "1", p, "1").replace(":", ": "),     // spaced
        line("A", "1", p, "1").replace("}", r#","x":[1,{}]}"#), // extra key
        line("A", "1", p, "1").replace(r#""open":1.5,"#, ""), // missing field
        line("A", "1", p, "1").replace("volume", "volume\""), // broken key
        r#"{"volume":1,"close":1,"low":1,"high":1,"open":1,"timestamp":1,"symbol":"A"}"#.into(),
        r#"["A",1,1.0,1.0,1.0,1.0,1]"#.into(),
        line("A", "1", p, "1")[..40].to_string(), // truncated
        String::new(),
    ];
    for text in &declined {
        assert!(scan_canonical(text).is_none(), "declined: {text:?}");
        assert_same(text);
    }
}

/// A JSON number text for a price: integer or decimal, either sign. Mostly as short as real
/// prices; one in ten has up to 22 digits, so some are read by the scanner and some declined.
fn price_text() -> impl Strategy<Value = String> {
    let short = ("(0|[1-9][0-9]{0,6})", prop::option::of("[0-9]{1,4}"));
    let long = ("(0|[1-9][0-9]{0,12})", prop::option::of("[0-9]{1,9}"));
    let digits = prop_oneof![9 => short, 1 => long];
    (any::<bool>(), digits).prop_map(|(negative, (int, frac))| {
        let sign = if negative { "-" } else { "" };
        match frac {
            Some(frac) => format!("{sign}{int}.{frac}"),
            None => format!("{sign}{int}"),
        }
    })
}

/// A canonical line with random symbol, numbers and prices.
fn canonical_line() -> impl Strategy<Value = String> {
    (
        "[A-Z]{1,5}|[a-zé中 ]{0,8}",
        any::<i64>(),
        prop::array::uniform4(price_text()),
        any::<u64>(),
    )
        .prop_map(|(symbol, ts, prices, volume)| {
            let prices = prices.each_ref().map(String::as_str);
            line(&symbol, &ts.to_string(), prices, &volume.to_string())
        })
}

/// One edit of a line: at a character position, delete, or insert a JSON-relevant character.
#[derive(Debug, Clone)]
enum Edit {
    Delete(prop::sample::Index),
    Insert(prop::sample::Index, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    let chars = prop::sample::select(vec![
        '"', '\\', '{', '}', '[', ']', ',', ':', ' ', '-', '+', '.', 'e', '0', '5', '9', 'u', '\t',
        'é',
    ]);
    prop_oneof![
        any::<prop::sample::Index>().prop_map(Edit::Delete),
        (any::<prop::sample::Index>(), chars).prop_map(|(i, c)| Edit::Insert(i, c)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        match e {
            Edit::Delete(i) if !chars.is_empty() => {
                chars.remove(i.index(chars.len()));
            }
            Edit::Delete(_) => {}
            Edit::Insert(i, c) => chars.insert(i.index(chars.len() + 1), *c),
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn fast_equals_typed_on_canonical_lines(text in canonical_line()) {
        assert_same(&text);
    }

    #[test]
    fn fast_equals_typed_on_mutated_lines(
        text in canonical_line(),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        assert_same(&apply(&text, &edits));
    }
}

/// The property above would hold trivially if the scanner declined everything: most
/// canonical lines with short prices must be read by the scanner itself.
#[test]
fn the_scanner_reads_most_canonical_lines() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = canonical_line();
    let read = (0..500)
        .filter(|_| {
            let text = strategy.new_tree(&mut runner).expect("case").current();
            scan_canonical(&text).is_some()
        })
        .count();
    assert!(read >= 250, "scanner read only {read} of 500");
}
