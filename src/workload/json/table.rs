//! The columnar tick table, the line loop that fills it, and its canonical digest.

use super::parse::{parse_fast_line, parse_typed_line, parse_value_line, LineError, Tick};
use super::Parser;
use crate::measure::{in_phase_beside, WorkerCtx};
use crate::model::Rejection;
use crate::model::WaitCategory;
use crate::workload::data::lines::{read_line_capped, LineRead, MAX_LINE_BYTES};
use std::collections::HashMap;
use std::io::{self, BufReader, Read};
use xxhash_rust::xxh3::Xxh3;

/// Lines between two `ctx.checkpoint()` calls.
const CHECKPOINT_EVERY: u64 = 64;
/// Lines between two `ctx.progress(..)` reports.
const PROGRESS_EVERY: u64 = 1024;
/// Separates the symbol from the fixed-width fields in the digest (never valid UTF-8).
const SYMBOL_END: u8 = 0xFF;

/// Accepted ticks of one file, column by column, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TickTable {
    /// Distinct symbols, in order of first appearance.
    pub dictionary: Vec<String>,
    /// Per row: an index into `dictionary`.
    pub symbols: Vec<u32>,
    pub timestamps: Vec<i64>,
    pub open: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub close: Vec<f64>,
    pub volumes: Vec<u64>,
    lookup: HashMap<String, u32>,
}

impl TickTable {
    pub fn len(&self) -> usize {
        self.symbols.len()
    }

    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }

    /// Appends one row.
    pub fn push(&mut self, tick: &Tick<'_>) {
        let code = match self.lookup.get(tick.symbol.as_ref()) {
            Some(code) => *code,
            None => self.intern(&tick.symbol),
        };
        self.symbols.push(code);
        self.timestamps.push(tick.timestamp);
        self.open.push(tick.open);
        self.high.push(tick.high);
        self.low.push(tick.low);
        self.close.push(tick.close);
        self.volumes.push(tick.volume);
    }

    fn intern(&mut self, symbol: &str) -> u32 {
        let code = self.dictionary.len() as u32;
        self.dictionary.push(symbol.to_owned());
        self.lookup.insert(symbol.to_owned(), code);
        code
    }

    /// The symbol of row `row`.
    pub fn symbol(&self, row: usize) -> &str {
        &self.dictionary[self.symbols[row] as usize]
    }

    /// xxh3 over every row's canonical bytes, in row order: symbol bytes, `0xFF`, then
    /// timestamp, open, high, low, close (`f64::to_bits`) and volume, each little-endian.
    pub fn digest(&self) -> u64 {
        let mut hasher = Xxh3::new();
        let mut fixed = [0u8; 48];
        for row in 0..self.len() {
            hasher.update(self.symbol(row).as_bytes());
            hasher.update(&[SYMBOL_END]);
            let words = [
                self.timestamps[row] as u64,
                self.open[row].to_bits(),
                self.high[row].to_bits(),
                self.low[row].to_bits(),
                self.close[row].to_bits(),
                self.volumes[row],
            ];
            for (chunk, word) in fixed.chunks_exact_mut(8).zip(words) {
                chunk.copy_from_slice(&word.to_le_bytes());
            }
            hasher.update(&fixed);
        }
        hasher.digest()
    }
}

/// What parsing one file produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedFile {
    pub table: TickTable,
    pub rejected: Vec<Rejection>,
    /// Input bytes read, newlines included.
    pub bytes: u64,
}

/// Parses NDJSON `data` line by line with `parser` into a table (see [`read_table`]).
pub fn build_table(data: &[u8], parser: Parser, source: &str, ctx: &mut WorkerCtx) -> ParsedFile {
    let mut reader = BufReader::new(data);
    // Reading from memory cannot fail.
    read_table(&mut reader, parser, source, ctx).unwrap_or_default()
}

/// Parses NDJSON from `reader` line by line with `parser` into a table. Blank lines are
/// skipped; bad lines (invalid UTF-8 or JSON, missing fields, wrong types, longer than
/// [`MAX_LINE_BYTES`]) become rejections of `source`, with 1-based line numbers. Reading is
/// counted as disk wait; at most one line is held in memory.
pub fn read_table<R: Read>(
    reader: &mut BufReader<R>,
    parser: Parser,
    source: &str,
    ctx: &mut WorkerCtx,
) -> io::Result<ParsedFile> {
    match parser {
        Parser::Value => build_with(reader, source, ctx, parse_value_line),
        Parser::Typed => build_with(reader, source, ctx, parse_typed_line),
        Parser::Fast => build_with(reader, source, ctx, parse_fast_line),
    }
}

/// Progress not yet reported to the context.
#[derive(Default)]
struct Pending {
    items: u64,
    bytes: u64,
    rejected: u64,
}

impl Pending {
    fn flush(&mut self, ctx: &WorkerCtx) {
        ctx.progress(self.items, self.bytes);
        if self.rejected > 0 {
            ctx.rejected(self.rejected);
        }
        *self = Pending::default();
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn build_with<R, F>(
    reader: &mut BufReader<R>,
    source: &str,
    ctx: &mut WorkerCtx,
    parse: F,
) -> io::Result<ParsedFile>
where
    R: Read,
    F: for<'a> Fn(&'a str) -> Result<Tick<'a>, LineError>,
{
    let mut out = ParsedFile::default();
    let mut pending = Pending::default();
    let mut raw = Vec::new();
    let mut number = 0u64;
    while let Some(read) = next_line(reader, &mut raw, ctx)? {
        number += 1;
        if number % CHECKPOINT_EVERY == 0 {
            ctx.checkpoint();
            if number % PROGRESS_EVERY == 0 {
                pending.flush(ctx);
            }
        }
        pending.bytes += read.consumed;
        out.bytes += read.consumed;
        // A UTF-8 byte-order mark starts the file, not its first record (as in the CSV reader).
        let line = match raw.strip_prefix(UTF8_BOM) {
            Some(rest) if number == 1 => rest,
            _ => raw.as_slice(),
        };
        if !read.too_long && is_blank(line) {
            continue;
        }
        let parsed = if read.too_long {
            Err(LineError::TooLong)
        } else {
            std::str::from_utf8(line)
                .map_err(LineError::Utf8)
                .and_then(&parse)
        };
        match parsed {
            Ok(tick) => {
                out.table.push(&tick);
                pending.items += 1;
            }
            Err(reason) => {
                out.rejected.push(Rejection {
                    source: source.to_string(),
                    line: number,
                    reason: reason.to_string(),
                });
                pending.rejected += 1;
            }
        }
    }
    pending.flush(ctx);
    Ok(out)
}

/// The next line; time spent refilling the buffer from the file is a disk wait (checked per
/// line, not per byte, so lines already in the buffer cost no clock reads).
fn next_line<R: Read>(
    reader: &mut BufReader<R>,
    raw: &mut Vec<u8>,
    ctx: &mut WorkerCtx,
) -> io::Result<Option<LineRead>> {
    if reader.buffer().contains(&b'\n') {
        read_line_capped(reader, raw, MAX_LINE_BYTES)
    } else {
        in_phase_beside("read", || {
            ctx.wait(WaitCategory::Disk, || {
                read_line_capped(reader, raw, MAX_LINE_BYTES)
            })
        })
    }
}

/// Only JSON whitespace (or nothing): skipped, not counted.
fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{RunCounters, WorkerMeter};
    use std::sync::Arc;
    use std::time::Instant;

    fn tick(symbol: &str, volume: u64) -> Tick<'_> {
        Tick {
            symbol: symbol.into(),
            timestamp: 1,
            open: 1.0,
            high: 2.0,
            low: 0.5,
            close: 1.5,
            volume,
        }
    }

    #[test]
    fn table_interns_symbols() {
        let mut table = TickTable::default();
        for (s, v) in [("A", 1), ("B", 2), ("A", 3)] {
            table.push(&tick(s, v));
        }
        assert_eq!(table.dictionary, ["A", "B"]);
        assert_eq!(table.symbols, [0, 1, 0]);
        assert_eq!(table.symbol(2), "A");
        assert_eq!(table.volumes, [1, 2, 3]);
    }

    #[test]
    fn digest_depends_on_rows_and_order() {
        let build = |rows: &[(&str, u64)]| {
            let mut t = TickTable::default();
            rows.iter().for_each(|(s, v)| t.push(&tick(s, *v)));
            t.digest()
        };
        let base = build(&[("A", 1), ("B", 2)]);
        assert_eq!(base, build(&[("A", 1), ("B", 2)]));
        assert_ne!(base, build(&[("B", 2), ("A", 1)]));
        assert_ne!(base, build(&[("A", 1), ("B", 3)]));
        assert_ne!(build(&[("AB", 1)]), build(&[("A", 1)]));
        assert_ne!(base, TickTable::default().digest());
    }

    fn counted_ctx() -> (WorkerCtx, Arc<RunCounters>) {
        let meter = Arc::new(WorkerMeter::for_current_thread("test", Instant::now()));
        let counters = Arc::new(RunCounters::default());
        (WorkerCtx::new(meter, counters.clone(), None), counters)
    }

    #[test]
    fn progress_bytes_match_file_size() {
        let line =
            br#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1}"#;
        for lines in [1023usize, 1024, 1025, 3000] {
            for trailing_newline in [false, true] {
                let mut data = vec![line.as_slice(); lines].join(&b'\n');
                if trailing_newline {
                    data.push(b'\n');
                }
                let (mut ctx, counters) = counted_ctx();
                let parsed = build_table(&data, Parser::Fast, "f", &mut ctx);
                assert_eq!(parsed.table.len(), lines);
                assert_eq!(counters.items(), lines as u64);
                assert_eq!(
                    counters.bytes(),
                    data.len() as u64,
                    "{lines} {trailing_newline}"
                );
            }
        }
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_record() {
        let good =
            br#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1}"#;
        let mut data = b"\xEF\xBB\xBF".to_vec();
        data.extend_from_slice(good);
        data.push(b'\n');
        data.extend_from_slice(good);
        for parser in [Parser::Value, Parser::Typed, Parser::Fast] {
            let (mut ctx, counters) = counted_ctx();
            let parsed = build_table(&data, parser, "bom.ndjson", &mut ctx);
            assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
            assert_eq!(parsed.table.len(), 2);
            assert_eq!(counters.bytes(), data.len() as u64);
        }
    }

    #[test]
    fn lines_blank_bad_utf8_and_progress() {
        let good =
            br#"{"symbol":"A","timestamp":1,"open":1,"high":1,"low":1,"close":1,"volume":1}"#;
        let mut data = Vec::new();
        data.extend_from_slice(good);
        data.extend_from_slice(b"\n \r\n");
        data.extend_from_slice(&good[..14]);
        data.extend_from_slice(b"\xff\xfe");
        data.extend_from_slice(&good[14..]);
        data.extend_from_slice(b"\n");
        data.extend_from_slice(good);
        let (mut ctx, counters) = counted_ctx();
        let parsed = build_table(&data, Parser::Typed, "f.ndjson", &mut ctx);
        assert_eq!(counters.items(), 2);
        assert_eq!(counters.bytes(), data.len() as u64);
        assert_eq!(
            counters.rejected.load(std::sync::atomic::Ordering::Relaxed),
            1
        );
        assert_eq!(parsed.table.len(), 2);
        assert_eq!(parsed.rejected.len(), 1);
        assert_eq!(parsed.rejected[0].line, 3);
        assert_eq!(parsed.rejected[0].source, "f.ndjson");
        assert!(parsed.rejected[0].reason.contains("UTF-8"));
    }
}
