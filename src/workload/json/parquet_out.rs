//! Encodes a tick table as a Parquet file in memory (the caller writes the bytes to disk).

use super::table::TickTable;
use crate::workload::WorkloadError;
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DataType, DoubleType, Int64Type};
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::{SerializedFileWriter, SerializedRowGroupWriter};
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::ColumnPath;
use std::sync::Arc;

/// The file schema. Volumes are stored as unsigned 64-bit integers (bit-cast to `int64`),
/// timestamps as UTC milliseconds.
const SCHEMA: &str = "
message ticks {
    required binary symbol (STRING);
    required int64 timestamp (TIMESTAMP(MILLIS,true));
    required double open;
    required double high;
    required double low;
    required double close;
    required int64 volume (INTEGER(64,false));
}";

type RowGroup<'a> = SerializedRowGroupWriter<'a, Vec<u8>>;

/// Encodes `table` as a complete Parquet file (one row group, uncompressed, dictionary
/// encoding for the symbol only) and returns its bytes. An empty table gives a valid file with
/// no row groups.
pub fn write_parquet(table: &TickTable) -> Result<Vec<u8>, WorkloadError> {
    encode(table).map_err(|e| WorkloadError::Other(format!("parquet encoding failed: {e}")))
}

fn encode(table: &TickTable) -> Result<Vec<u8>, ParquetError> {
    let schema = Arc::new(parse_message_type(SCHEMA)?);
    let props = WriterProperties::builder()
        .set_compression(Compression::UNCOMPRESSED)
        .set_dictionary_enabled(false)
        .set_column_dictionary_enabled(ColumnPath::from("symbol"), true)
        .set_created_by(format!("boundscope {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut writer = SerializedFileWriter::new(Vec::new(), schema, Arc::new(props))?;
    if !table.is_empty() {
        let mut group = writer.next_row_group()?;
        write_columns(&mut group, table)?;
        group.close()?;
    }
    writer.into_inner()
}

fn write_columns(group: &mut RowGroup<'_>, table: &TickTable) -> Result<(), ParquetError> {
    let names: Vec<ByteArray> = table
        .dictionary
        .iter()
        .map(|s| ByteArray::from(s.as_bytes().to_vec()))
        .collect();
    let symbols: Vec<ByteArray> = table
        .symbols
        .iter()
        .map(|code| names[*code as usize].clone())
        .collect();
    let volumes: Vec<i64> = table.volumes.iter().map(|v| *v as i64).collect();
    write_column::<ByteArrayType>(group, &symbols)?;
    write_column::<Int64Type>(group, &table.timestamps)?;
    for prices in [&table.open, &table.high, &table.low, &table.close] {
        write_column::<DoubleType>(group, prices)?;
    }
    write_column::<Int64Type>(group, &volumes)
}

/// Writes the next column of `group`, which must have physical type `T`.
fn write_column<T: DataType>(
    group: &mut RowGroup<'_>,
    values: &[T::T],
) -> Result<(), ParquetError> {
    let mut column = group
        .next_column()?
        .ok_or_else(|| ParquetError::General("more columns than the schema has".into()))?;
    column.typed::<T>().write_batch(values, None, None)?;
    column.close()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::json::parse::Tick;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::RowAccessor;

    fn table(rows: usize) -> TickTable {
        let mut t = TickTable::default();
        for i in 0..rows {
            t.push(&Tick {
                symbol: if i % 2 == 0 { "AAPL" } else { "MSFT" }.into(),
                timestamp: 1_700_000_000_000 + i as i64,
                open: 1.25,
                high: 2.5,
                low: 1.0,
                close: 2.0,
                volume: u64::MAX - i as u64,
            });
        }
        t
    }

    fn reader_for(bytes: &[u8]) -> SerializedFileReader<std::fs::File> {
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, bytes).unwrap();
        SerializedFileReader::new(file).unwrap()
    }

    #[test]
    fn round_trips_rows_and_values() {
        let reader = reader_for(&write_parquet(&table(1000)).unwrap());
        let meta = reader.metadata();
        assert_eq!(meta.file_metadata().num_rows(), 1000);
        assert_eq!(meta.file_metadata().schema_descr().num_columns(), 7);
        let rows: Vec<_> = reader.get_row_iter(None).unwrap().collect();
        let second = rows[1].as_ref().unwrap();
        assert_eq!(second.get_string(0).unwrap(), "MSFT");
        assert_eq!(second.get_double(3).unwrap(), 2.5);
        assert_eq!(second.get_ulong(6).unwrap(), u64::MAX - 1);
    }

    #[test]
    fn empty_table_is_a_valid_file() {
        let reader = reader_for(&write_parquet(&TickTable::default()).unwrap());
        assert_eq!(reader.metadata().file_metadata().num_rows(), 0);
        assert_eq!(reader.num_row_groups(), 0);
    }
}
