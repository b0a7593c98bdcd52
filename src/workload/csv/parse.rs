//! Parsing and validating one chunk of CSV records into typed rows, and the rows' digest.

use super::scan::{Chunk, InputFile};
use crate::db::{ColumnType, Row, TableSpec, Value};
use crate::model::Rejection;
use crate::workload::data::lines::record_too_long_reason;

/// The records of one chunk that passed validation, and the ones that did not.
#[derive(Debug, Default)]
pub struct ParsedChunk {
    pub rows: Vec<Row>,
    /// Line number of each row in `rows`.
    pub lines: Vec<u64>,
    pub rejected: Vec<Rejection>,
}

/// Parses `data` (the bytes of `chunk` in `input`), checking field counts, UTF-8 and numbers;
/// calls `checkpoint` now and then (the worker's `ctx.checkpoint()`, a no-op in a future).
pub fn parse_chunk(
    data: &[u8],
    input: &InputFile,
    chunk: &Chunk,
    checkpoint: &mut dyn FnMut(),
) -> ParsedChunk {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut record = csv::ByteRecord::new();
    let mut parsed = ParsedChunk::default();
    // Records cut for their length were left out of `data` by the scan; they are this
    // chunk's to reject.
    for &line in &chunk.too_long {
        parsed.reject(input, line, record_too_long_reason(input.record_cap));
    }
    // Lines inside `data` are 1-based; the chunk's first record is on `first_line`.
    let line_of = |local: u64| chunk.first_line + local.saturating_sub(1);
    for n in 0u64.. {
        if n % 256 == 0 {
            checkpoint();
        }
        let line = match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => line_of(record.position().map_or(1, |p| p.line())),
            Err(e) => {
                let line = line_of(reader.position().line());
                parsed.reject(input, line, format!("unreadable CSV record: {e}"));
                break;
            }
        };
        match convert(&record, &input.spec) {
            Ok(row) => {
                parsed.rows.push(row);
                parsed.lines.push(line);
            }
            Err(reason) => parsed.reject(input, line, reason.to_string()),
        }
    }
    // The file's last record, left out of `data` by the scan, comes after all of them.
    if let Some(open) = &chunk.unterminated {
        parsed.reject(input, open.line, open.reason());
    }
    parsed
}

impl ParsedChunk {
    fn reject(&mut self, input: &InputFile, line: u64, reason: String) {
        let source = input.source.clone();
        self.rejected.push(Rejection {
            source,
            line,
            reason,
        });
    }
}

/// Why a record is rejected (its message is the rejection's reason).
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("expected {expected} fields, found {found}")]
    FieldCount { expected: usize, found: usize },
    #[error("invalid UTF-8 in column `{column}`")]
    Utf8 {
        column: String,
        #[source]
        source: std::str::Utf8Error,
    },
    #[error("`{text}` is not an integer (column `{column}`)")]
    Integer {
        text: String,
        column: String,
        #[source]
        source: std::num::ParseIntError,
    },
    /// Not a number, or not a finite one (no parse error then, so no source).
    #[error("`{text}` is not a number (column `{column}`)")]
    Real { text: String, column: String },
    #[error("missing primary key `{0}`")]
    MissingKey(String),
}

/// Turns one record into a row of the table's types, or says why it cannot.
fn convert(record: &csv::ByteRecord, spec: &TableSpec) -> Result<Row, RecordError> {
    if record.len() != spec.columns.len() {
        return Err(RecordError::FieldCount {
            expected: spec.columns.len(),
            found: record.len(),
        });
    }
    let mut row = Vec::with_capacity(record.len());
    for (i, (field, column)) in record.iter().zip(&spec.columns).enumerate() {
        let text = std::str::from_utf8(field).map_err(|source| RecordError::Utf8 {
            column: column.name.clone(),
            source,
        })?;
        let value = match column.ty {
            ColumnType::Text => Value::Text(text.to_string()),
            _ if text.trim().is_empty() => Value::Null,
            ColumnType::Integer => {
                text.trim()
                    .parse::<i64>()
                    .map(Value::Int)
                    .map_err(|source| RecordError::Integer {
                        text: text.to_string(),
                        column: column.name.clone(),
                        source,
                    })?
            }
            ColumnType::Real => match text.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => Value::Real(if v == 0.0 { 0.0 } else { v }),
                _ => {
                    return Err(RecordError::Real {
                        text: text.to_string(),
                        column: column.name.clone(),
                    })
                }
            },
        };
        if value == Value::Null && spec.primary_key == Some(i) {
            return Err(RecordError::MissingKey(column.name.clone()));
        }
        row.push(value);
    }
    Ok(row)
}

/// xxh3 over the rows in order. Floats are hashed by their bits after parsing (and `-0.0`
/// became `0.0`), so the digest does not depend on how a database prints numbers. The rows
/// are laid out in one buffer and hashed at once (much cheaper than many tiny updates).
pub fn digest_rows<'a>(rows: impl IntoIterator<Item = &'a Row>) -> u64 {
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    for row in rows {
        for value in row {
            match value {
                Value::Null => buf.push(0),
                Value::Int(v) => {
                    buf.push(1);
                    buf.extend_from_slice(&v.to_le_bytes());
                }
                Value::Real(v) => {
                    buf.push(2);
                    buf.extend_from_slice(&v.to_bits().to_le_bytes());
                }
                Value::Text(s) => {
                    buf.push(3);
                    buf.extend_from_slice(&(s.len() as u64).to_le_bytes());
                    buf.extend_from_slice(s.as_bytes());
                }
            }
        }
        buf.push(0xFF);
    }
    xxhash_rust::xxh3::xxh3_64(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Column;

    fn spec() -> TableSpec {
        let col = |name: &str, ty| Column {
            name: name.into(),
            ty,
        };
        TableSpec {
            name: "t".into(),
            columns: vec![
                col("id", ColumnType::Integer),
                col("x", ColumnType::Real),
                col("s", ColumnType::Text),
            ],
            primary_key: Some(0),
        }
    }

    fn record(fields: &[&[u8]]) -> csv::ByteRecord {
        csv::ByteRecord::from(fields.to_vec())
    }

    #[test]
    fn converts_and_rejects_with_reasons() {
        let s = spec();
        let ok = convert(&record(&[b"7", b" -0.0 ", b"hi"]), &s).expect("good row");
        assert_eq!(
            ok,
            vec![Value::Int(7), Value::Real(0.0), Value::Text("hi".into())]
        );
        assert!(
            ok[1] == Value::Real(0.0) && matches!(ok[1], Value::Real(v) if v.is_sign_positive())
        );
        let empty = convert(&record(&[b"8", b"", b""]), &s).expect("nulls");
        assert_eq!(empty[1], Value::Null);
        let cases: [(&[&[u8]], &str); 5] = [
            (&[b"1", b"2"], "expected 3 fields, found 2"),
            (&[b"x1", b"2", b"s"], "`x1` is not an integer (column `id`)"),
            (&[b"1", b"nan", b"s"], "`nan` is not a number (column `x`)"),
            (&[b"1", b"2", b"\xff\xfe"], "invalid UTF-8 in column `s`"),
            (&[b"", b"2", b"s"], "missing primary key `id`"),
        ];
        for (fields, reason) in cases {
            let err = convert(&record(fields), &s).expect_err(reason);
            assert_eq!(err.to_string(), reason);
        }
    }

    #[test]
    fn a_rejected_number_keeps_the_parse_error_as_its_source() {
        let err = convert(&record(&[b"x1", b"2", b"s"]), &spec()).expect_err("not an integer");
        let source = std::error::Error::source(&err).expect("the parse error is kept");
        assert_eq!(
            source.to_string(),
            "x1".parse::<i64>().expect_err("bad").to_string()
        );
        let utf8 = convert(&record(&[b"1", b"2", b"\xff"]), &spec()).expect_err("bad UTF-8");
        assert!(std::error::Error::source(&utf8).is_some());
    }

    #[test]
    fn digest_depends_on_values_and_order() {
        let a = vec![Value::Int(1), Value::Text("a".into())];
        let b = vec![Value::Int(2), Value::Null];
        let ab = digest_rows([&a, &b]);
        assert_eq!(ab, digest_rows(vec![&a, &b]));
        assert_ne!(ab, digest_rows([&b, &a]));
        assert_ne!(
            digest_rows([&vec![Value::Real(1.0)]]),
            digest_rows([&vec![Value::Int(1)]])
        );
    }
}
