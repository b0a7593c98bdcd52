//! The schema-specialised scanner behind `--parser fast`: one pass over a tick line written in
//! the canonical flat form, or a refusal that sends the line to serde_json.
//!
//! The canonical form is the one the generator writes:
//! `{"symbol":"AAPL","timestamp":1700000000123,"open":123.45,"high":…,"low":…,"close":…,"volume":4242}`
//! — the seven fields in [`FIELDS`] order, no whitespace, no escapes, plain decimal numbers.
//! The scanner accepts a line only when it is valid JSON of exactly that shape *and* it can
//! compute every value exactly as serde_json would; anything else (whitespace, other key
//! orders, extra keys, escapes, exponents, long numbers, arrays, errors) returns `None`, and
//! the caller parses the line with the `typed` serde_json path. So `fast` gives the same
//! values, the same acceptance and the same rejection reasons as `typed` by construction:
//! the scanner never rejects, it only declines.
//!
//! Why not a SIMD crate: sonic-rs picks its SIMD level at compile time (a portable build gets
//! SSE2 only and measured 1.06× `typed`), and simd-json reads `-0` and integers beyond `u64`
//! differently from serde_json. A scanner that knows the record beats both on this data
//! without depending on the CPU it runs on.

use super::parse::{Tick, FIELDS};
use std::borrow::Cow;

/// Most decimal digits a number may have here; more could overflow the `u64` accumulator
/// (10^19 - 1 < 2^64), so such numbers go to serde_json.
const MAX_DIGITS: usize = 19;
/// Largest integer significand that is exact in an `f64` (2^53).
const MAX_EXACT_SIGNIFICAND: u64 = 1 << 53;
/// Powers of ten that are exact in an `f64` (10^0 ..= 10^22).
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Reads `line` if it is a tick in the canonical flat form; `None` means "not canonical"
/// (which says nothing about whether the line is valid: ask serde_json).
pub fn scan_canonical(line: &str) -> Option<Tick<'_>> {
    let mut c = Cursor {
        bytes: line.as_bytes(),
        pos: 0,
    };
    c.byte(b'{')?;
    c.key(0)?;
    let (start, end) = c.plain_string()?;
    c.key(1)?;
    let timestamp = c.int()?;
    c.key(2)?;
    let open = c.price()?;
    c.key(3)?;
    let high = c.price()?;
    c.key(4)?;
    let low = c.price()?;
    c.key(5)?;
    let close = c.price()?;
    c.key(6)?;
    let volume = c.digits()?.0;
    c.byte(b'}')?;
    if c.pos != c.bytes.len() {
        return None;
    }
    Some(Tick {
        // The bounds sit next to ASCII quotes, so they are character boundaries.
        symbol: Cow::Borrowed(line.get(start..end)?),
        timestamp,
        open,
        high,
        low,
        close,
        volume,
    })
}

/// A read position in a line; every method consumes what it matched or returns `None`.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn byte(&mut self, expected: u8) -> Option<()> {
        (self.peek()? == expected).then(|| self.pos += 1)
    }

    /// `"name":` of field `index` (preceded by `,` after the first field).
    fn key(&mut self, index: usize) -> Option<()> {
        if index > 0 {
            self.byte(b',')?;
        }
        self.byte(b'"')?;
        let name = FIELDS[index].as_bytes();
        let rest = self.bytes.get(self.pos..)?;
        if !rest.starts_with(name) {
            return None;
        }
        self.pos += name.len();
        self.byte(b'"')?;
        self.byte(b':')
    }

    /// A string without escapes or control characters (which JSON forbids unescaped); returns
    /// the byte range of its contents. The line is already valid UTF-8.
    fn plain_string(&mut self) -> Option<(usize, usize)> {
        self.byte(b'"')?;
        let start = self.pos;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' | 0x00..=0x1F => return None,
                _ => self.pos += 1,
            }
        }
        let end = self.pos;
        self.pos += 1;
        Some((start, end))
    }

    /// A JSON integer part without sign: `0` or a digit 1-9 and more digits, at most
    /// [`MAX_DIGITS`]; returns its value and digit count.
    fn digits(&mut self) -> Option<(u64, usize)> {
        let start = self.pos;
        let mut value = 0u64;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            if self.pos - start == MAX_DIGITS {
                return None;
            }
            value = value * 10 + u64::from(d - b'0');
            self.pos += 1;
        }
        let count = self.pos - start;
        // Leading zeros are invalid JSON: serde_json decides (and rejects) those.
        let leading_zero = count > 1 && self.bytes[start] == b'0';
        (count > 0 && !leading_zero).then_some((value, count))
    }

    /// An optional `-`.
    fn minus(&mut self) -> bool {
        self.byte(b'-').is_some()
    }

    /// An `i64`. `-0` is declined: serde_json reads it as the float `-0.0`, which an `i64`
    /// field refuses.
    fn int(&mut self) -> Option<i64> {
        let negative = self.minus();
        let (magnitude, _) = self.digits()?;
        // At most 19 digits, so the magnitude fits an i128 without loss.
        let value = if negative {
            -i128::from(magnitude)
        } else {
            i128::from(magnitude)
        };
        if negative && magnitude == 0 {
            return None;
        }
        i64::try_from(value).ok()
    }

    /// A price: `-?int(.frac)?` without exponent, read exactly when the significand fits 53
    /// bits and the fraction has at most 22 digits. Then both the significand and the power
    /// of ten are exact `f64`s and one IEEE division rounds correctly, so the result is the
    /// correctly rounded value — the same bits as serde_json's `float_roundtrip` parse (and
    /// its integer-to-`f64` conversion for prices without a fraction). Anything else declines.
    fn price(&mut self) -> Option<f64> {
        let negative = self.minus();
        let (int_part, int_digits) = self.digits()?;
        let (mut significand, mut frac_digits) = (int_part, 0usize);
        if self.byte(b'.').is_some() {
            while let Some(d @ b'0'..=b'9') = self.peek() {
                if int_digits + frac_digits >= MAX_DIGITS {
                    return None;
                }
                significand = significand * 10 + u64::from(d - b'0');
                frac_digits += 1;
                self.pos += 1;
            }
            if frac_digits == 0 {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E'))
            || significand > MAX_EXACT_SIGNIFICAND
            || frac_digits >= EXACT_POWERS_OF_TEN.len()
        {
            return None;
        }
        // Exact conversion: significand <= 2^53.
        let magnitude = significand as f64 / EXACT_POWERS_OF_TEN[frac_digits];
        Some(if negative { -magnitude } else { magnitude })
    }
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
