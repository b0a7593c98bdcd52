//! The fetch stages: one request per symbol, one after another (the write-up parallelised
//! phases, not requests), over the worker's reused connection; rows kept for the load stage.
//! Two of the write-up's next steps are knobs: prices for several symbols per request
//! (`--batch`), and company profiles kept between runs (`--cache-profiles`).

use super::dag::StageKind;
use super::profile_cache::ProfileCache;
use crate::db::{Column, ColumnType, Row, TableSpec, Value};
use crate::measure::{in_phase, WorkerCtx};
use crate::server::data::{Company, Financials, PricesResponse};
use crate::workload::api::{Client, WorkerAgent};
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

/// The API path that fetches `symbols` (several only for prices) for a stage of `kind`.
pub fn path(kind: StageKind, symbols: &[String]) -> String {
    let first = symbols.first().map_or("", String::as_str);
    match kind {
        StageKind::FetchCompanies => format!("/companies/{first}"),
        StageKind::FetchPrices => format!("/prices?symbols={}", symbols.join(",")),
        _ => format!("/financials/{first}"),
    }
}

fn int(n: u64) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Why an answer gives no rows.
#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    #[error("{0}")]
    Decode(#[from] serde_json::Error),
    #[error("asked for {asked}, the answer is about {got}")]
    WrongSymbol { asked: String, got: String },
    #[error("the answer holds no prices")]
    NoPrices,
}

/// Turns one answer into rows, checking it is about the symbols asked for (in their order).
pub fn rows_of(kind: StageKind, symbols: &[String], body: &[u8]) -> Result<Vec<Row>, AnswerError> {
    let symbol = symbols.first().map_or("", String::as_str);
    let wrong = |got: &str| AnswerError::WrongSymbol {
        asked: symbols.join(","),
        got: got.to_string(),
    };
    match kind {
        StageKind::FetchCompanies => {
            let c: Company = serde_json::from_slice(body)?;
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
            let p: PricesResponse = serde_json::from_slice(body)?;
            let mut rows = Vec::new();
            let got: Vec<&str> = p.prices.iter().map(|s| s.symbol.as_str()).collect();
            if got != symbols.iter().map(String::as_str).collect::<Vec<_>>() {
                return Err(wrong(&got.join(",")));
            }
            for series in p.prices {
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
                return Err(AnswerError::NoPrices);
            }
            Ok(rows)
        }
        _ => {
            let f: Financials = serde_json::from_slice(body)?;
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

/// How a fetch stage asks: symbols per `/prices` request, and the profile cache.
#[derive(Clone, Copy)]
pub struct FetchPlan<'a> {
    pub batch: usize,
    pub profiles: Option<&'a ProfileCache>,
}

/// Runs a fetch stage: every symbol (or batch of symbols) in order, each request a `net`
/// wait. Returns the rows and the bytes received.
pub fn run(
    kind: StageKind,
    table: &str,
    client: &Client,
    symbols: &[String],
    plan: FetchPlan,
    ctx: &mut WorkerCtx,
    agent: &mut WorkerAgent,
) -> Result<(FetchedTable, u64), WorkloadError> {
    let mut fetched = FetchedTable {
        spec: table_spec(kind, table),
        rows: Vec::new(),
    };
    let per_request = match kind {
        StageKind::FetchPrices => plan.batch.max(1),
        _ => 1,
    };
    let cache = plan.profiles.filter(|_| kind == StageKind::FetchCompanies);
    let mut bytes = 0u64;
    for asked in symbols.chunks(per_request) {
        let path = path(kind, asked);
        let body = match cache.and_then(|c| c.get(&asked[0])) {
            Some(body) => body,
            None => {
                let body = client
                    .get(&path, ctx, agent)
                    .map_err(|e| WorkloadError::Other(e.to_string()))?;
                bytes += body.len() as u64;
                body.to_vec()
            }
        };
        let rows = in_phase("decode", || rows_of(kind, asked, &body))
            .map_err(|why| WorkloadError::caused(format!("GET {}", client.url(&path)), why))?;
        if let Some(cache) = cache {
            cache.put(&asked[0], &body);
        }
        ctx.checkpoint();
        ctx.progress(rows.len() as u64, body.len() as u64);
        fetched.rows.extend(rows);
    }
    Ok((fetched, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_answer_keeps_the_decoder_error() {
        let symbols = ["AAA".to_string()];
        let err = rows_of(StageKind::FetchCompanies, &symbols, b"{").expect_err("not JSON");
        let source = std::error::Error::source(&err).expect("the serde_json error is kept");
        assert_eq!(err.to_string(), source.to_string());
        let empty = br#"{"prices":[]}"#;
        let err = rows_of(StageKind::FetchPrices, &[], empty).expect_err("no prices");
        assert_eq!(err.to_string(), "the answer holds no prices");
    }
}
