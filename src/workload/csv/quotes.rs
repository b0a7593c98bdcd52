//! Whether a CSV record ends inside an open quote.
//!
//! The `csv` reader ends a record whose quote never closes at the end of the input, with every
//! line after the quote inside one field: a damaged file would silently merge its last records
//! into one. The reader does not say when this happened, so the scan asks here about the last
//! record of a file, reading its bytes with the same grammar (RFC 4180 as the `csv` crate reads
//! it: a quote opens a quoted field only at the start of a field, and `""` inside one is a
//! literal quote).

/// Where the lexer is within a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: it closes the field unless another quote follows.
    QuoteInQuoted,
}

/// True when `record` (the raw bytes of one record, from its first byte to the end of the
/// input) leaves a quoted field open.
pub fn ends_in_open_quote(record: &[u8]) -> bool {
    let mut state = State::FieldStart;
    for &b in record {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::FieldStart | State::QuoteInQuoted, b'"') => State::Quoted,
            (_, b',' | b'\n' | b'\r') => State::FieldStart,
            _ => State::Unquoted,
        };
    }
    state == State::Quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_quote_is_found_and_closed_ones_are_not() {
        let open: [&[u8]; 4] = [
            b"1,\"unterminated\n2,b\n3,c\n",
            b"\"",
            b"a,\"x\"\"y",
            b"a,\"x\"\"\n",
        ];
        for record in open {
            assert!(ends_in_open_quote(record), "{record:?}");
        }
        let closed: [&[u8]; 6] = [
            b"1,\"two\nlines\",x\n",
            b"a,b\"c,d\n",
            b"a,\"x\"\"y\"",
            b"",
            b"\"\"",
            b"a,\"q\"z\n",
        ];
        for record in closed {
            assert!(!ends_in_open_quote(record), "{record:?}");
        }
    }

    #[test]
    fn the_csv_reader_agrees_that_an_open_quote_runs_to_the_end() {
        let input = b"1,\"unterminated\n2,b\n3,c\n";
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&input[..]);
        let records: Vec<csv::ByteRecord> = reader.byte_records().map(|r| r.unwrap()).collect();
        assert_eq!(records.len(), 1, "the quote swallows the lines after it");
        assert_eq!(&records[0][1], b"unterminated\n2,b\n3,c\n");
    }
}
