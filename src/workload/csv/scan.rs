//! The up-front pass over an input file: row count, chunk boundaries and the table schema.

use super::capped::{Next, Records};
use super::quotes::ends_in_open_quote;
use super::schemas;
use crate::db::{Column, ColumnType, TableSpec};
use crate::workload::data::lines::size_text;
use crate::workload::WorkloadError;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// A byte range of an input file holding up to `chunk_rows` records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub start: u64,
    pub end: u64,
    /// 1-based line number of the chunk's first record.
    pub first_line: u64,
    /// Lines of the records longer than the cap cut just before `start` (their bytes are in
    /// no chunk; the chunk rejects them).
    pub too_long: Vec<u64>,
    /// The file's last record, left out of the chunk because a quote in it never closes (see
    /// `quotes`): the chunk rejects it.
    pub unterminated: Option<Unterminated>,
}

/// A last record whose quoted field runs to the end of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unterminated {
    /// Where the record starts.
    pub line: u64,
    /// The last line of the file with any of its bytes: every line from `line` on is inside it.
    pub last_line: u64,
}

impl Unterminated {
    /// The rejection's reason: the lines the open quote took in are said plainly, since the
    /// records a reader would expect there were never read as records of their own.
    pub fn reason(&self) -> String {
        let base = "unterminated quoted field";
        if self.last_line > self.line {
            format!(
                "{base} (its quote runs to the end of the file: lines {}–{} are inside this \
                 one record)",
                self.line, self.last_line
            )
        } else {
            format!("{base} (its quote runs to the end of the file)")
        }
    }
}

/// One scanned input file and the table it goes into.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: PathBuf,
    /// The name rejections are reported under (the file name).
    pub source: String,
    pub spec: TableSpec,
    /// Data records (lines after the header, counting multi-line quoted records once).
    pub rows: u64,
    pub chunks: Vec<Chunk>,
    /// Longest record kept, in bytes.
    pub record_cap: usize,
}

/// What the data says each column can be (an empty field fits every type).
struct TypeVotes {
    int: Vec<bool>,
    real: Vec<bool>,
    seen: Vec<bool>,
}

impl TypeVotes {
    fn new(width: usize) -> Self {
        TypeVotes {
            int: vec![true; width],
            real: vec![true; width],
            seen: vec![false; width],
        }
    }

    fn observe(&mut self, record: &csv::ByteRecord) {
        if record.len() != self.int.len() {
            return;
        }
        for (i, field) in record.iter().enumerate() {
            let Ok(text) = std::str::from_utf8(field) else {
                continue;
            };
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            self.seen[i] = true;
            if self.int[i] && text.parse::<i64>().is_err() {
                self.int[i] = false;
            }
            if self.real[i] && !text.parse::<f64>().is_ok_and(f64::is_finite) {
                self.real[i] = false;
            }
        }
    }

    fn types(&self) -> Vec<ColumnType> {
        (0..self.int.len())
            .map(|i| match (self.seen[i], self.int[i], self.real[i]) {
                (true, true, _) => ColumnType::Integer,
                (true, false, true) => ColumnType::Real,
                _ => ColumnType::Text,
            })
            .collect()
    }
}

/// Reads `path` once. A header equal to a built-in table's gets that table's types and primary
/// key; any other header gets types inferred from the data, and an INTEGER column named `id`
/// becomes the primary key. No record longer than `record_cap` bytes is held (see `capped`).
pub fn scan(
    path: &Path,
    table: &str,
    chunk_rows: usize,
    record_cap: usize,
) -> Result<InputFile, WorkloadError> {
    let read_error =
        |e: String| WorkloadError::Input(format!("cannot read CSV file {}: {e}", path.display()));
    let file = File::open(path).map_err(|e| read_error(e.to_string()))?;
    let mut records = Records::new(BufReader::with_capacity(1 << 16, file), record_cap);
    let mut header = csv::ByteRecord::new();
    let problem = match records.next(&mut header) {
        Ok(Next::Record { .. }) => None,
        Ok(Next::End) => Some("is empty; it needs a header line naming the columns".into()),
        Ok(Next::TooLong { .. }) => Some(format!(
            "has a header line longer than {} (the limit)",
            size_text(record_cap)
        )),
        Err(e) => return Err(read_error(e.to_string())),
    };
    let header_end = records.position().0;
    if let Some(problem) = problem {
        return Err(WorkloadError::Input(format!(
            "CSV file {} {problem}",
            path.display()
        )));
    }
    let raw: Vec<String> = header
        .iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    let names = schemas::column_names(&raw);
    let builtin = schemas::builtin_for(&names, table);
    let mut votes = TypeVotes::new(names.len());
    let infer = builtin.is_none();
    let limits = (chunk_rows, record_cap);
    let (rows, mut chunks, last) = find_chunks(&mut records, limits, |record| {
        if infer {
            votes.observe(record);
        }
    })
    .map_err(|e| read_error(e.to_string()))?;
    let open_header = rows == 0 && open_quote_in(path, 0, header_end)?.is_some();
    if open_header {
        return Err(WorkloadError::Input(format!(
            "CSV file {} has a header line with an unterminated quoted field (it runs to the \
             end of the file)",
            path.display()
        )));
    }
    leave_out_unterminated(path, last, &mut chunks)?;
    let spec = builtin.unwrap_or_else(|| inferred_spec(table, names, votes.types()));
    let source = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(InputFile {
        path: path.to_path_buf(),
        source,
        spec,
        rows,
        chunks,
        record_cap,
    })
}

/// Leaves the file's last record (from byte `start` on `line`, if the file ends with a record
/// rather than a cut) out of the last chunk when a quote in it never closes.
fn leave_out_unterminated(
    path: &Path,
    last: Option<(u64, u64)>,
    chunks: &mut [Chunk],
) -> Result<(), WorkloadError> {
    let (Some((start, line)), Some(chunk)) = (last, chunks.last_mut()) else {
        return Ok(());
    };
    if let Some(newlines) = open_quote_in(path, start, chunk.end)? {
        chunk.end = start;
        chunk.unterminated = Some(Unterminated {
            line,
            last_line: line + newlines,
        });
    }
    Ok(())
}

/// When the bytes `start..end` of `path` (one record, at most the record cap long) leave a
/// quote open: the newlines inside them, a final one not counted.
fn open_quote_in(path: &Path, start: u64, end: u64) -> Result<Option<u64>, WorkloadError> {
    let read = || -> std::io::Result<Vec<u8>> {
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(start))?;
        let mut bytes = Vec::new();
        file.take(end.saturating_sub(start))
            .read_to_end(&mut bytes)?;
        Ok(bytes)
    };
    let bytes = read().map_err(|e| {
        WorkloadError::Input(format!("cannot read CSV file {}: {e}", path.display()))
    })?;
    if !ends_in_open_quote(&bytes) {
        return Ok(None);
    }
    let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    Ok(Some(body.iter().filter(|&&b| b == b'\n').count() as u64))
}

/// The records after the header in chunks, their count, and where the last one starts (byte
/// offset and line) when the input ends with a record that was not cut.
type Found = (u64, Vec<Chunk>, Option<(u64, u64)>);

/// Reads the records after the header and splits them into chunks (see [`Chunker`]).
fn find_chunks<R: BufRead>(
    records: &mut Records<R>,
    (chunk_rows, record_cap): (usize, usize),
    mut each: impl FnMut(&csv::ByteRecord),
) -> Result<Found, csv::Error> {
    let mut chunker = Chunker {
        chunk_rows: chunk_rows.max(1) as u64,
        max_bytes: record_cap as u64,
        chunks: Vec::new(),
        in_last: 0,
        rows: 0,
        last: None,
    };
    let mut record = csv::ByteRecord::new();
    loop {
        match records.next(&mut record)? {
            Next::Record { start, line } => {
                chunker.record(start, line);
                each(&record);
            }
            Next::TooLong {
                line,
                start,
                resume,
                resume_line,
            } => chunker.cut(line, start, (resume, resume_line)),
            Next::End => break,
        }
    }
    let end = records.position().0;
    if let Some(last) = chunker.chunks.last_mut() {
        last.end = end;
    }
    Ok((chunker.rows, chunker.chunks, chunker.last))
}

/// Splits records into chunks. A chunk ends after `chunk_rows` records, once it holds
/// `max_bytes` (the record cap, so that one unit reads at most about twice the cap), and at
/// every record cut for being too long, whose bytes belong to no chunk.
struct Chunker {
    chunk_rows: u64,
    max_bytes: u64,
    chunks: Vec<Chunk>,
    /// Records in the last chunk.
    in_last: u64,
    /// Records seen, cut ones included.
    rows: u64,
    /// Start and line of the last record, unless a cut came after it.
    last: Option<(u64, u64)>,
}

impl Chunker {
    fn record(&mut self, start: u64, line: u64) {
        let full = self.chunks.last().is_none_or(|last| {
            self.in_last >= self.chunk_rows || start.saturating_sub(last.start) >= self.max_bytes
        });
        if full {
            self.open(start, start, line);
        }
        self.in_last += 1;
        self.rows += 1;
        self.last = Some((start, line));
    }

    /// A record on `line` from byte `start` was cut; reading resumed at `resume`.
    fn cut(&mut self, line: u64, start: u64, (resume, resume_line): (u64, u64)) {
        self.rows += 1;
        self.last = None;
        match self.chunks.last_mut() {
            // Nothing is in the last chunk yet (it follows another cut): it moves past this one.
            Some(last) if self.in_last == 0 => {
                (last.start, last.end, last.first_line) = (resume, resume, resume_line);
                last.too_long.push(line);
            }
            _ => {
                self.open(start, resume, resume_line);
                if let Some(last) = self.chunks.last_mut() {
                    last.too_long.push(line);
                }
            }
        }
    }

    /// Ends the last chunk at `end` and starts one at `start` on `line`.
    fn open(&mut self, end: u64, start: u64, line: u64) {
        if let Some(last) = self.chunks.last_mut() {
            last.end = end;
        }
        self.chunks.push(Chunk {
            start,
            end: start,
            first_line: line,
            too_long: Vec::new(),
            unterminated: None,
        });
        self.in_last = 0;
    }
}

fn inferred_spec(table: &str, names: Vec<String>, types: Vec<ColumnType>) -> TableSpec {
    let columns: Vec<Column> = names
        .into_iter()
        .zip(types)
        .map(|(name, ty)| Column { name, ty })
        .collect();
    let primary_key = columns
        .iter()
        .position(|c| c.name == "id" && c.ty == ColumnType::Integer);
    TableSpec {
        name: table.to_string(),
        columns,
        primary_key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_chunks_lines_and_types() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("people.csv");
        let text = "ID,Name,Score,Note\n1,a,1.5,x\n2,\"b\nc\",2,\n3,d,,y\n4,e,3e2,z\n5,f,7,w\n";
        std::fs::write(&path, text).expect("write");
        let input = scan(&path, "people", 2, 1 << 20).expect("scan");
        assert_eq!(input.rows, 5);
        assert_eq!(input.source, "people.csv");
        let lines: Vec<u64> = input.chunks.iter().map(|c| c.first_line).collect();
        assert_eq!(lines, [2, 5, 7], "the quoted record spans lines 3-4");
        assert_eq!(
            input.chunks[0].start,
            text.find("1,a").map_or(0, |i| i as u64)
        );
        assert_eq!(input.chunks[2].end, text.len() as u64);
        assert_eq!(input.chunks[0].end, input.chunks[1].start);
        let types: Vec<ColumnType> = input.spec.columns.iter().map(|c| c.ty).collect();
        use ColumnType::*;
        assert_eq!(types, [Integer, Text, Real, Text]);
        assert_eq!(input.spec.primary_key, Some(0));
    }

    #[test]
    fn missing_and_empty_files_are_input_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("nope.csv");
        let err = scan(&missing, "t", 10, 1 << 20).expect_err("missing");
        assert!(matches!(err, WorkloadError::Input(_)));
        assert!(err.to_string().contains("nope.csv"), "{err}");
        let empty = dir.path().join("empty.csv");
        std::fs::write(&empty, "").expect("write");
        let err = scan(&empty, "t", 10, 1 << 20)
            .expect_err("empty")
            .to_string();
        assert!(err.contains("empty") && err.contains("header"), "{err}");
    }
}
