//! The fetch stages: one request per symbol, one after another (the write-up parallelised
//! phases, not requests), over the worker's reused connection; rows kept for the load stage.

use super::dag::StageKind;
use crate::db::{Column, ColumnType, Row, TableSpec, Value};
use crate::measure::WorkerCtx;
use crate::server::data::{Company, Financials, PricesResponse};
use crate::workload::api::Client;
use crate::workload::WorkloadError;

/// Rows a fetch stage produced, with the table they belong in.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedTable {
    pub spec: TableSpec,
    pub rows: Vec<Row>,
}

fn column(name: &str, ty: ColumnType) -> Column {
    Column {
        name: name.to_string(),
        ty,
    }
}

/// The table a fetch stage of `kind` fills, named `table`.
pub fn table_spec(kind: StageKind, table: &str) -> TableSpec {
    use ColumnType::{Integer, Real, Text};
    let (columns, primary_key) = match kind {
        StageKind::FetchCompanies => (
            vec![
                column("symbol", Text),
                column("name", Text),
                column("sector", Text),
                column("exchange", Text),
                column("employees", Integer),
                column("founded", Integer),
            ],
            Some(0),
        ),
        StageKind::FetchPrices => (
            vec![
                column("symbol", Text),
                column("date", Text),
                column("open", Real),
                column("high", Real),
                column("low", Real),
                column("close", Real),
                column("volume", Integer),
            ],
            None,
        ),
        StageKind::FetchFinancials | StageKind::Load | StageKind::Sql => (
            vec![
                column("symbol", Text),
                column("period", Text),
                column("currency", Text),
                column("revenue", Integer),
                column("net_income", Integer),
                column("shares", Integer),
            ],
            None,
        ),
    };
    TableSpec {
        name: table.to_string(),
        columns,
        primary_key,
    }
}

/// The API path that fetches `symbol` for a stage of `kind`.
pub fn path(kind: StageKind, symbol: &str) -> String {
    match kind {
        StageKind::FetchCompanies => format!("/companies/{symbol}"),
        StageKind::FetchPrices => format!("/prices?symbols={symbol}"),
        _ => format!("/financials/{symbol}"),
    }
}

fn int(n: u64) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Turns one answer into rows, checking it is about the symbol asked for.
pub fn rows_of(kind: StageKind, symbol: &str, body: &[u8]) -> Result<Vec<Row>, String> {
    let wrong = |got: &str| format!("asked for {symbol}, the answer is about {got}");
    match kind {
        StageKind::FetchCompanies => {
            let c: Company = serde_json::from_slice(body).map_err(|e| e.to_string())?;
            if c.symbol != symbol {
                return Err(wrong(&c.symbol));
            }
            Ok(vec![vec![
                Value::Text(c.symbol),
                Value::Text(c.name),
                Value::Text(c.sector),
                Value::Text(c.exchange),
                Value::Int(c.employees.into()),
                Value::Int(c.founded.into()),
            ]])
        }
        StageKind::FetchPrices => {
            let p: PricesResponse = serde_json::from_slice(body).map_err(|e| e.to_string())?;
            let mut rows = Vec::new();
            for series in p.prices {
                if series.symbol != symbol {
                    return Err(wrong(&series.symbol));
                }
                for day in series.days {
                    rows.push(vec![
                        Value::Text(series.symbol.clone()),
                        Value::Text(day.date),
                        Value::Real(day.open),
                        Value::Real(day.high),
                        Value::Real(day.low),
                        Value::Real(day.close),
                        int(day.volume),
                    ]);
                }
            }
            if rows.is_empty() {
                return Err("the answer holds no prices".into());
            }
            Ok(rows)
        }
        _ => {
            let f: Financials = serde_json::from_slice(body).map_err(|e| e.to_string())?;
            if f.symbol != symbol {
                return Err(wrong(&f.symbol));
            }
            Ok(f.statements
                .into_iter()
                .map(|s| {
                    vec![
                        Value::Text(f.symbol.clone()),
                        Value::Text(s.period),
                        Value::Text(f.currency.clone()),
                        int(s.revenue),
                        Value::Int(s.net_income),
                        int(s.shares),
                    ]
                })
                .collect())
        }
    }
}

/// Runs a fetch stage: every symbol in order, each request a `net` wait. Returns the rows
/// and the bytes received.
pub fn run(
    kind: StageKind,
    table: &str,
    client: &Client,
    symbols: &[String],
    ctx: &mut WorkerCtx,
) -> Result<(FetchedTable, u64), WorkloadError> {
    let mut fetched = FetchedTable {
        spec: table_spec(kind, table),
        rows: Vec::new(),
    };
    let mut bytes = 0u64;
    for symbol in symbols {
        let path = path(kind, symbol);
        let body = client
            .get(&path, ctx)
            .map_err(|e| WorkloadError::Other(e.to_string()))?;
        let rows = rows_of(kind, symbol, &body)
            .map_err(|why| WorkloadError::Other(format!("GET {}: {why}", client.url(&path))))?;
        ctx.checkpoint();
        ctx.progress(rows.len() as u64, body.len() as u64);
        bytes += body.len() as u64;
        fetched.rows.extend(rows);
    }
    Ok((fetched, bytes))
}
