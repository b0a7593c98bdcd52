//! The server's deterministic data set (tenants, companies, prices, financials) and its JSON shapes.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Fixed seed of the data itself: the same content every run, whatever the fault seed.
const DATA_SEED: u64 = 0x0b0d_5c0e_da7a_0001;
/// Trading days of prices per symbol.
pub const PRICE_DAYS: usize = 30;
/// Quarterly statements per symbol.
pub const QUARTERS: usize = 8;

const REGIONS: [&str; 6] = [
    "eu-west",
    "eu-central",
    "us-east",
    "us-west",
    "ap-south",
    "sa-east",
];
const TENANT_WORDS: [&str; 12] = [
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "stark",
    "wayne",
    "tyrell",
    "wonka",
    "soylent",
    "cyberdyne",
    "vandelay",
];
const KINDS: [&str; 5] = ["postgres", "mysql", "s3", "kafka", "http"];
const SECTORS: [&str; 6] = [
    "technology",
    "energy",
    "health",
    "finance",
    "industrials",
    "consumer",
];
const EXCHANGES: [&str; 3] = ["NYSE", "NASDAQ", "LSE"];

/// `GET /tenants`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantList {
    pub tenants: Vec<Tenant>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: u32,
    pub name: String,
    pub region: String,
}

/// `GET /tenants/{id}/connections`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantConnections {
    pub tenant_id: u32,
    pub connections: Vec<Connection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    pub id: String,
    pub kind: String,
    pub host: String,
    pub created: String,
}

/// `GET /companies`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SymbolList {
    pub symbols: Vec<String>,
}

/// `GET /companies/{symbol}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Company {
    pub symbol: String,
    pub name: String,
    pub sector: String,
    pub exchange: String,
    pub employees: u32,
    pub founded: u16,
}

/// `GET /prices?symbols=A,B`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricesResponse {
    pub prices: Vec<SymbolPrices>,
}

/// One symbol's daily prices: the unit a client digests, whatever the batch size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SymbolPrices {
    pub symbol: String,
    pub days: Vec<PriceDay>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceDay {
    pub date: String,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: u64,
}

/// `GET /financials/{symbol}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Financials {
    pub symbol: String,
    pub currency: String,
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    pub period: String,
    pub revenue: u64,
    pub net_income: i64,
    pub shares: u64,
}

/// A JSON error body (`404`, `429`, `5xx`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub status: u16,
}

/// The whole data set, generated once at start-up.
#[derive(Debug, Clone)]
pub struct Dataset {
    tenants: Vec<Tenant>,
    symbols: Vec<String>,
    index: HashMap<String, u64>,
}

/// A deterministic number in `[0, 1)` for (`stream`, `a`, `b`).
pub(crate) fn unit_f64(seed: u64, stream: u64, a: u64, b: u64) -> f64 {
    let mut bytes = [0u8; 24];
    bytes[..8].copy_from_slice(&stream.to_le_bytes());
    bytes[8..16].copy_from_slice(&a.to_le_bytes());
    bytes[16..].copy_from_slice(&b.to_le_bytes());
    (xxh3_64_with_seed(&bytes, seed) >> 11) as f64 / (1u64 << 53) as f64
}

fn pick<'a>(list: &[&'a str], stream: u64, a: u64, b: u64) -> &'a str {
    let i = (unit_f64(DATA_SEED, stream, a, b) * list.len() as f64) as usize;
    list[i.min(list.len() - 1)]
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The `index`-th ticker: a bijection onto 3 letters (4 beyond 17,576 symbols).
pub fn symbol_name(index: usize) -> String {
    const SPACE3: usize = 26 * 26 * 26;
    let (mut n, len) = if index < SPACE3 {
        ((index * 7919 + 1234) % SPACE3, 3)
    } else {
        (index - SPACE3, 4)
    };
    let mut letters = vec![b'A'; len];
    for slot in letters.iter_mut().rev() {
        *slot = b'A' + (n % 26) as u8;
        n /= 26;
    }
    String::from_utf8_lossy(&letters).into_owned()
}

fn tenant(id: u32) -> Tenant {
    let word = pick(&TENANT_WORDS, 1, id.into(), 0);
    Tenant {
        id,
        name: format!("{word}-{id:04}"),
        region: pick(&REGIONS, 2, id.into(), 0).to_string(),
    }
}

impl Dataset {
    /// Builds `tenants` tenants (ids 1..=N) and `symbols` companies.
    pub fn new(tenants: usize, symbols: usize) -> Dataset {
        let symbols: Vec<String> = (0..symbols).map(symbol_name).collect();
        let index = symbols
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as u64))
            .collect();
        Dataset {
            tenants: (1..=tenants as u32).map(tenant).collect(),
            symbols,
            index,
        }
    }

    pub fn tenants(&self) -> TenantList {
        TenantList {
            tenants: self.tenants.clone(),
        }
    }

    pub fn symbols(&self) -> SymbolList {
        SymbolList {
            symbols: self.symbols.clone(),
        }
    }

    fn symbol_index(&self, symbol: &str) -> Option<u64> {
        self.index.get(symbol).copied()
    }

    /// A tenant's connections (2 to 5 of them), or `None` for an unknown id.
    pub fn connections(&self, tenant_id: u32) -> Option<TenantConnections> {
        let known = tenant_id >= 1 && tenant_id as usize <= self.tenants.len();
        if !known {
            return None;
        }
        let t = u64::from(tenant_id);
        let count = 2 + (unit_f64(DATA_SEED, 3, t, 0) * 4.0) as u64;
        let connections = (0..count)
            .map(|k| {
                let kind = pick(&KINDS, 4, t, k);
                let month = 1 + (unit_f64(DATA_SEED, 5, t, k) * 12.0) as u32;
                let day = 1 + (unit_f64(DATA_SEED, 6, t, k) * 28.0) as u32;
                Connection {
                    id: format!("t{tenant_id}-c{k}"),
                    kind: kind.to_string(),
                    host: format!("{kind}-{}.tenant{tenant_id}.internal", k + 1),
                    created: format!("2023-{month:02}-{day:02}"),
                }
            })
            .collect();
        Some(TenantConnections {
            tenant_id,
            connections,
        })
    }

    pub fn company(&self, symbol: &str) -> Option<Company> {
        let i = self.symbol_index(symbol)?;
        Some(Company {
            symbol: symbol.to_string(),
            name: format!("{} {}", capitalise(pick(&TENANT_WORDS, 7, i, 0)), symbol),
            sector: pick(&SECTORS, 8, i, 0).to_string(),
            exchange: pick(&EXCHANGES, 9, i, 0).to_string(),
            employees: 50 + (unit_f64(DATA_SEED, 10, i, 0) * 200_000.0) as u32,
            founded: 1900 + (unit_f64(DATA_SEED, 11, i, 0) * 120.0) as u16,
        })
    }

    /// `PRICE_DAYS` days of prices (a seeded random walk), or `None` for an unknown symbol.
    pub fn prices(&self, symbol: &str) -> Option<SymbolPrices> {
        let i = self.symbol_index(symbol)?;
        let mut close = 10.0 + unit_f64(DATA_SEED, 12, i, 0) * 490.0;
        let days = (0..PRICE_DAYS as u64)
            .map(|d| {
                let open = close;
                let change = (unit_f64(DATA_SEED, 13, i, d) - 0.5) * 0.06;
                close = (open * (1.0 + change)).max(0.5);
                let spread = unit_f64(DATA_SEED, 14, i, d) * 0.02;
                PriceDay {
                    date: format!("2024-01-{:02}", d + 1),
                    open: round2(open),
                    high: round2(open.max(close) * (1.0 + spread)),
                    low: round2(open.min(close) * (1.0 - spread)),
                    close: round2(close),
                    volume: 10_000 + (unit_f64(DATA_SEED, 15, i, d) * 5e6) as u64,
                }
            })
            .collect();
        Some(SymbolPrices {
            symbol: symbol.to_string(),
            days,
        })
    }

    /// `QUARTERS` quarterly statements, or `None` for an unknown symbol.
    pub fn financials(&self, symbol: &str) -> Option<Financials> {
        let i = self.symbol_index(symbol)?;
        let base = 1e7 + unit_f64(DATA_SEED, 16, i, 0) * 5e9;
        let shares = 1_000_000 + (unit_f64(DATA_SEED, 17, i, 0) * 1e9) as u64;
        let statements = (0..QUARTERS as u64)
            .map(|q| {
                let revenue = base * (0.9 + unit_f64(DATA_SEED, 18, i, q) * 0.3);
                let margin = unit_f64(DATA_SEED, 19, i, q) * 0.3 - 0.05;
                Statement {
                    period: format!("{}-Q{}", 2022 + q / 4, q % 4 + 1),
                    revenue: revenue as u64,
                    net_income: (revenue * margin) as i64,
                    shares,
                }
            })
            .collect();
        Some(Financials {
            symbol: symbol.to_string(),
            currency: "USD".to_string(),
            statements,
        })
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn symbols_are_unique_and_stable() {
        let names: HashSet<String> = (0..20_000).map(symbol_name).collect();
        assert_eq!(names.len(), 20_000);
        assert_eq!(symbol_name(5), symbol_name(5));
        assert_eq!(symbol_name(0).len(), 3);
        assert_eq!(symbol_name(17_576).len(), 4);
    }

    #[test]
    fn data_is_deterministic_and_well_formed() {
        let a = Dataset::new(10, 5);
        let b = Dataset::new(10, 5);
        let sym = &a.symbols().symbols[2];
        assert_eq!(a.prices(sym), b.prices(sym));
        let prices = a.prices(sym).expect("known symbol");
        assert_eq!(prices.days.len(), PRICE_DAYS);
        for day in &prices.days {
            assert!(day.low <= day.open.min(day.close) && day.high >= day.open.max(day.close));
        }
        let conns = a.connections(3).expect("known tenant");
        assert!((2..=5).contains(&conns.connections.len()));
        assert!(a.connections(0).is_none() && a.connections(11).is_none());
        assert!(a.company("ZZZZ").is_none());
        assert_eq!(
            a.financials(sym).map(|f| f.statements.len()),
            Some(QUARTERS)
        );
    }
}
