//! The up-front pass over an input file: row count, chunk boundaries and the table schema.

use super::schemas;
use crate::db::{Column, ColumnType, TableSpec};
use crate::workload::WorkloadError;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// A byte range of an input file holding up to `chunk_rows` records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub start: u64,
    pub end: u64,
    /// 1-based line number of the chunk's first record.
    pub first_line: u64,
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
/// becomes the primary key.
pub fn scan(path: &Path, table: &str, chunk_rows: usize) -> Result<InputFile, WorkloadError> {
    let read_error =
        |e: String| WorkloadError::Input(format!("cannot read CSV file {}: {e}", path.display()));
    let file = File::open(path).map_err(|e| read_error(e.to_string()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::with_capacity(1 << 16, file));
    let mut header = csv::ByteRecord::new();
    if !reader
        .read_byte_record(&mut header)
        .map_err(|e| read_error(e.to_string()))?
    {
        return Err(WorkloadError::Input(format!(
            "CSV file {} is empty; it needs a header line naming the columns",
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
    let (rows, chunks) = find_chunks(&mut reader, chunk_rows, |record| {
        if infer {
            votes.observe(record);
        }
    })
    .map_err(|e| read_error(e.to_string()))?;
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
    })
}

/// Reads the records after the header, noting where every `chunk_rows`-th one starts.
fn find_chunks<R: std::io::Read>(
    reader: &mut csv::Reader<R>,
    chunk_rows: usize,
    mut each: impl FnMut(&csv::ByteRecord),
) -> Result<(u64, Vec<Chunk>), csv::Error> {
    let chunk_rows = chunk_rows.max(1) as u64;
    let mut record = csv::ByteRecord::new();
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut rows = 0u64;
    while reader.read_byte_record(&mut record)? {
        if rows % chunk_rows == 0 {
            let (byte, line) = record.position().map_or((0, 0), |p| (p.byte(), p.line()));
            if let Some(last) = chunks.last_mut() {
                last.end = byte;
            }
            chunks.push(Chunk {
                start: byte,
                end: byte,
                first_line: line,
            });
        }
        each(&record);
        rows += 1;
    }
    if let Some(last) = chunks.last_mut() {
        last.end = reader.position().byte();
    }
    Ok((rows, chunks))
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
        let input = scan(&path, "people", 2).expect("scan");
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
        let err = scan(&missing, "t", 10).expect_err("missing");
        assert!(matches!(err, WorkloadError::Input(_)));
        assert!(err.to_string().contains("nope.csv"), "{err}");
        let empty = dir.path().join("empty.csv");
        std::fs::write(&empty, "").expect("write");
        let err = scan(&empty, "t", 10).expect_err("empty").to_string();
        assert!(err.contains("empty") && err.contains("header"), "{err}");
    }
}
