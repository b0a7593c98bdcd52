//! Reading CSV records with a cap on one record's length, so that a 200 MiB line or a quote
//! that never closes costs at most the cap in memory, and the records after it are still read.
//!
//! The rule. A record is measured in raw bytes from the end of the record before it (blank
//! lines in between count). Once it has passed the cap without ending, it ends at the next
//! newline, whatever its quoting says: its bytes are skipped up to and including that newline
//! and reading starts afresh after it, as at the start of a file. Why: where a record too long
//! to hold ends can only be known by parsing all of it, and a quote that never closes runs to
//! the end of the file; a newline is where a damaged record most likely ends, and starting
//! afresh there means the rest of the file is read as usual (the tail of a cut multi-line
//! quoted field is then read as records of its own, stored or rejected on their own merits).
//!
//! [`CapReader`] sits under the `csv` reader and enforces the cap: the CSV reader tells it
//! where each record ended; when the reader asks for more bytes of a record that is already
//! past the cap, it skips to the next newline and fails the read. [`Records`] turns that
//! failure into [`Next::TooLong`] (with the positions needed to leave the record out of every
//! chunk) and continues with a fresh CSV reader, keeping byte offsets and line numbers those
//! of the whole file.

use std::io::{self, BufRead, Read};

/// Where an over-long record was cut (absolute byte offsets in the input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cut {
    /// Where reading starts again: just after the newline that ended the record (or the end).
    resume: u64,
    /// Line number of `resume`.
    resume_line: u64,
}

/// The error a [`CapReader`] fails a read with when it has cut a record.
#[derive(Debug, thiserror::Error)]
#[error("record longer than the cap")]
struct RecordCut;

/// A reader that never hands out more than `cap + 1` bytes of one record (see the module).
pub struct CapReader<R> {
    inner: R,
    cap: u64,
    /// Bytes handed out or skipped so far.
    pos: u64,
    /// Newlines among them.
    newlines: u64,
    /// Where the record being read started (the end of the last one the CSV reader returned).
    record_start: u64,
    cut: Option<Cut>,
}

impl<R: BufRead> CapReader<R> {
    pub fn new(inner: R, cap: usize) -> Self {
        CapReader {
            inner,
            cap: cap as u64,
            pos: 0,
            newlines: 0,
            record_start: 0,
            cut: None,
        }
    }

    /// The CSV reader returned a record that ends at `end` (absolute byte offset).
    fn record_ended(&mut self, end: u64) {
        self.record_start = end;
    }

    /// Skips up to and including the next newline (or to the end of the input).
    fn skip_line(&mut self) -> io::Result<()> {
        loop {
            let available = self.inner.fill_buf()?;
            if available.is_empty() {
                return Ok(());
            }
            let newline = available.iter().position(|&b| b == b'\n');
            let used = newline.map_or(available.len(), |i| i + 1);
            self.inner.consume(used);
            self.pos += used as u64;
            if newline.is_some() {
                self.newlines += 1;
                return Ok(());
            }
        }
    }
}

impl<R: BufRead> Read for CapReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // The CSV reader asks for more only once it has parsed every byte it was given, so
        // all bytes since `record_start` belong to one record that has not ended yet.
        let used = self.pos - self.record_start;
        if used > self.cap {
            self.skip_line()?;
            self.cut = Some(Cut {
                resume: self.pos,
                resume_line: self.newlines + 1,
            });
            self.record_start = self.pos;
            return Err(io::Error::other(RecordCut));
        }
        let room = usize::try_from(self.cap + 1 - used).unwrap_or(usize::MAX);
        let available = self.inner.fill_buf()?;
        let n = available.len().min(buf.len()).min(room);
        buf[..n].copy_from_slice(&available[..n]);
        self.inner.consume(n);
        self.pos += n as u64;
        self.newlines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        Ok(n)
    }
}

/// What [`Records::next`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// A record (in the caller's buffer) starting at byte `start` on line `line`.
    Record {
        start: u64,
        line: u64,
    },
    /// A record longer than the cap, from byte `start` on line `line`; reading goes on at
    /// `resume` (line `resume_line`), and the bytes in between belong to no record.
    TooLong {
        start: u64,
        line: u64,
        resume: u64,
        resume_line: u64,
    },
    End,
}

/// CSV records of one input with the cap applied; offsets and lines are the whole input's.
pub struct Records<R> {
    /// `None` only while a cut record's reader is replaced by a fresh one.
    reader: Option<csv::Reader<CapReader<R>>>,
    /// Byte offset and line number where the current CSV reader started.
    base: (u64, u64),
}

fn csv_reader<R: BufRead>(inner: CapReader<R>) -> csv::Reader<CapReader<R>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(inner)
}

impl<R: BufRead> Records<R> {
    /// Records of `input`, none longer than `cap` bytes.
    pub fn new(input: R, cap: usize) -> Self {
        Records {
            reader: Some(csv_reader(CapReader::new(input, cap))),
            base: (0, 1),
        }
    }

    fn absolute(&self, pos: &csv::Position) -> (u64, u64) {
        (
            self.base.0 + pos.byte(),
            self.base.1 + pos.line().saturating_sub(1),
        )
    }

    /// Byte offset and line just after the last record read.
    pub fn position(&self) -> (u64, u64) {
        self.reader
            .as_ref()
            .map_or(self.base, |r| self.absolute(r.position()))
    }

    /// Reads the next record into `record`.
    pub fn next(&mut self, record: &mut csv::ByteRecord) -> Result<Next, csv::Error> {
        let Some(reader) = self.reader.as_mut() else {
            return Ok(Next::End);
        };
        let result = reader.read_byte_record(record);
        let (start, line) = record
            .position()
            .map_or(self.position(), |p| self.absolute(p));
        match result {
            Ok(true) => {
                let end = self.position().0;
                if let Some(reader) = self.reader.as_mut() {
                    reader.get_mut().record_ended(end);
                }
                Ok(Next::Record { start, line })
            }
            Ok(false) => Ok(Next::End),
            Err(e) => match self.reader.as_mut().and_then(|r| r.get_mut().cut.take()) {
                Some(cut) => {
                    self.restart(cut);
                    // Give the record's memory back: the next one may be as long.
                    *record = csv::ByteRecord::new();
                    Ok(Next::TooLong {
                        start,
                        line,
                        resume: cut.resume,
                        resume_line: cut.resume_line,
                    })
                }
                None => Err(e),
            },
        }
    }

    /// A CSV reader that failed cannot go on: a fresh one reads on from where the cut ended.
    fn restart(&mut self, cut: Cut) {
        self.reader = self.reader.take().map(|r| csv_reader(r.into_inner()));
        self.base = (cut.resume, cut.resume_line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `input` read with `cap`, through a 3-byte buffer so that records span
    /// many reads: `Ok((line, fields joined by |))` or `Err((line, resume line))` for a cut.
    fn read_all(input: &[u8], cap: usize) -> Vec<Result<(u64, String), (u64, u64)>> {
        let mut records = Records::new(io::BufReader::with_capacity(3, input), cap);
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        loop {
            match records.next(&mut record).expect("read") {
                Next::Record { start, line } => {
                    let fields: Vec<_> = record.iter().map(String::from_utf8_lossy).collect();
                    let at = &input[start as usize..];
                    let at = at.strip_prefix(b"\"").unwrap_or(at);
                    assert!(at.starts_with(fields[0].as_bytes()), "start of {fields:?}");
                    out.push(Ok((line, fields.join("|"))));
                }
                Next::TooLong {
                    start,
                    line,
                    resume,
                    resume_line,
                } => {
                    let skipped = &input[start as usize..resume as usize];
                    let newlines = skipped.iter().filter(|&&b| b == b'\n').count() as u64;
                    assert_eq!(line + newlines, resume_line, "lines stay right");
                    assert!(skipped.len() > cap, "only longer records are cut");
                    out.push(Err((line, resume_line)));
                }
                Next::End => break,
            }
        }
        assert_eq!(records.position().0, input.len() as u64, "every byte read");
        out
    }

    #[test]
    fn a_long_record_is_cut_at_its_newline_and_the_rest_is_read() {
        let got = read_all(b"a,b\nxxxxxxxxxxxxxxxxxxxx,y\nc,d\n", 8);
        assert_eq!(
            got,
            [Ok((1, "a|b".into())), Err((2, 3)), Ok((3, "c|d".into()))]
        );
        // Exactly the cap, terminator not counted, is kept.
        let got = read_all(b"12345678\nab\n", 8);
        assert_eq!(got, [Ok((1, "12345678".into())), Ok((2, "ab".into()))]);
        // A long last record without a newline ends the input.
        assert_eq!(
            read_all(b"a\nxxxxxxxxxxxx", 8),
            [Ok((1, "a".into())), Err((2, 2))]
        );
    }

    #[test]
    fn an_unterminated_quote_is_cut_and_the_lines_after_it_are_records() {
        let input = b"h\n\"open,1\nl2\nl3\nl4\nl5\n";
        let got = read_all(input, 8);
        // The quote swallows the lines after it; the cap is passed inside line 3 (`l2`), so
        // the record ends with that line and line 4 is read afresh.
        let rest = [(4, "l3"), (5, "l4"), (6, "l5")].map(|(n, l)| Ok((n, l.to_string())));
        assert_eq!(got[..2], [Ok((1, "h".into())), Err((2, 4))]);
        assert_eq!(got[2..], rest);
    }

    #[test]
    fn quoted_newlines_within_the_cap_stay_one_record() {
        let got = read_all(b"\"a\nb\",c\nd\n", 64);
        assert_eq!(got, [Ok((1, "a\nb|c".into())), Ok((3, "d".into()))]);
    }

    #[test]
    fn consecutive_long_records_are_each_cut() {
        let got = read_all(b"xxxxxxxxxxxx\nyyyyyyyyyyyyy\nok\n", 4);
        assert_eq!(got, [Err((1, 2)), Err((2, 3)), Ok((3, "ok".into()))]);
    }
}
