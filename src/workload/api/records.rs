//! Checks a unit's response body and turns it into keyed record digests.
//!
//! Checksums: a unit's digest combines the digests of the records it fetched, in order, so a
//! run's checksum (`combine_digests` over units) is the same in every mode. It still depends
//! on `--batch`, because batching changes which units exist and `combine_digests` hashes
//! unit numbers. For a batch-independent figure each record is also keyed (`tenant/ID`,
//! `prices/SYMBOL`) with the digest of its canonical JSON; `content_checksum` hashes those
//! sorted by key, so it is the same for any batch size, mode or repetition of the plan.

use super::plan::UnitKind;
use crate::server::data::{PricesResponse, TenantConnections};
use std::collections::BTreeMap;
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

/// What a checked response contained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// Records received (connections or price rows).
    pub items: u64,
    /// `(key, digest)` per tenant or symbol, in response order.
    pub records: Vec<(String, u64)>,
}

impl Parsed {
    /// The unit's digest: its record digests combined in order.
    pub fn digest(&self) -> u64 {
        let mut hasher = Xxh3::new();
        for (key, digest) in &self.records {
            hasher.update(key.as_bytes());
            hasher.update(&digest.to_le_bytes());
        }
        hasher.digest()
    }
}

/// Why an answer is not what was asked for.
#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    #[error("the answer is not a tenant's connections: {0}")]
    NotConnections(#[source] serde_json::Error),
    #[error("asked for tenant {asked}, got tenant {got}")]
    WrongTenant { asked: u32, got: u32 },
    #[error("the answer is not a price list: {0}")]
    NotPrices(#[source] serde_json::Error),
    #[error("asked for prices of {asked:?}, got {got:?}")]
    WrongSymbols {
        asked: Vec<String>,
        got: Vec<String>,
    },
    /// Re-encoding a received record for its digest failed.
    #[error("{0}")]
    Encode(#[source] serde_json::Error),
}

/// Parses `body` as the answer to `unit`, checking it is what was asked for. `checkpoint`
/// is called between records (a blocking worker's `WorkerCtx::checkpoint`, where a
/// simulated GIL may change hands; nothing for async tasks, which hold it per poll).
pub fn parse(
    unit: &UnitKind,
    body: &[u8],
    checkpoint: &mut dyn FnMut(),
) -> Result<Parsed, AnswerError> {
    match unit {
        UnitKind::Connections(id) => connections(*id, body),
        UnitKind::Prices(symbols) => prices(symbols, body, checkpoint),
    }
}

fn connections(id: u32, body: &[u8]) -> Result<Parsed, AnswerError> {
    let parsed: TenantConnections =
        serde_json::from_slice(body).map_err(AnswerError::NotConnections)?;
    if parsed.tenant_id != id {
        return Err(AnswerError::WrongTenant {
            asked: id,
            got: parsed.tenant_id,
        });
    }
    Ok(Parsed {
        items: parsed.connections.len() as u64,
        records: vec![(format!("tenant/{id}"), xxh3_64(body))],
    })
}

fn prices(
    symbols: &[String],
    body: &[u8],
    checkpoint: &mut dyn FnMut(),
) -> Result<Parsed, AnswerError> {
    let parsed: PricesResponse = serde_json::from_slice(body).map_err(AnswerError::NotPrices)?;
    let got: Vec<&str> = parsed.prices.iter().map(|p| p.symbol.as_str()).collect();
    if got != symbols {
        return Err(AnswerError::WrongSymbols {
            asked: symbols.to_vec(),
            got: got.iter().map(|s| s.to_string()).collect(),
        });
    }
    let mut out = Parsed {
        items: 0,
        records: Vec::with_capacity(symbols.len()),
    };
    for entry in &parsed.prices {
        checkpoint();
        let canonical = serde_json::to_vec(entry).map_err(AnswerError::Encode)?;
        out.items += entry.days.len() as u64;
        out.records
            .push((format!("prices/{}", entry.symbol), xxh3_64(&canonical)));
    }
    Ok(out)
}

/// Record digests seen so far, by key, for the batch-independent `content_checksum`.
#[derive(Debug, Default)]
pub struct ContentDigests {
    by_key: parking_lot::Mutex<BTreeMap<String, u64>>,
}

impl ContentDigests {
    pub fn add(&self, records: &[(String, u64)]) {
        let mut map = self.by_key.lock();
        for (key, digest) in records {
            map.insert(key.clone(), *digest);
        }
    }

    /// Hex digest of every record seen, in key order.
    pub fn checksum(&self) -> String {
        let mut hasher = Xxh3::new();
        for (key, digest) in self.by_key.lock().iter() {
            hasher.update(key.as_bytes());
            hasher.update(&digest.to_le_bytes());
        }
        format!("{:016x}", hasher.digest())
    }

    pub fn record_count(&self) -> usize {
        self.by_key.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::data::Dataset;

    fn body_for(data: &Dataset, symbols: &[String]) -> Vec<u8> {
        let prices = symbols.iter().filter_map(|s| data.prices(s)).collect();
        serde_json::to_vec(&PricesResponse { prices }).expect("serialise")
    }

    #[test]
    fn content_checksum_does_not_depend_on_batching() {
        let data = Dataset::new(1, 6);
        let symbols = data.symbols().symbols;
        let [one, three] = [1, 3].map(|batch| {
            let digests = ContentDigests::default();
            for chunk in symbols.chunks(batch) {
                let unit = UnitKind::Prices(chunk.to_vec());
                let parsed = parse(&unit, &body_for(&data, chunk), &mut || {}).expect("valid");
                assert_eq!(parsed.items, (chunk.len() * 30) as u64);
                digests.add(&parsed.records);
            }
            digests.checksum()
        });
        assert_eq!(one, three);
    }

    #[test]
    fn wrong_answers_are_refused() {
        let data = Dataset::new(3, 2);
        let symbols = data.symbols().symbols;
        let unit = UnitKind::Prices(vec![symbols[0].clone()]);
        let err = parse(&unit, &body_for(&data, &symbols[1..]), &mut || {}).unwrap_err();
        let wanted = format!(
            "asked for prices of {:?}, got {:?}",
            &symbols[..1],
            &symbols[1..]
        );
        assert_eq!(err.to_string(), wanted);
        let conns = serde_json::to_vec(&data.connections(2)).expect("serialise");
        let err = parse(&UnitKind::Connections(1), &conns, &mut || {}).unwrap_err();
        assert_eq!(err.to_string(), "asked for tenant 1, got tenant 2");
        assert!(parse(&UnitKind::Connections(1), b"[]", &mut || {}).is_err());
    }

    #[test]
    fn an_unreadable_answer_keeps_the_decoder_error_as_its_source() {
        let err = parse(&UnitKind::Connections(1), b"[]", &mut || {}).unwrap_err();
        let source = std::error::Error::source(&err).expect("the serde_json error is kept");
        let text = err.to_string();
        assert!(
            text.starts_with("the answer is not a tenant's connections: "),
            "{text}"
        );
        assert!(text.ends_with(&source.to_string()), "{text}");
        let wrapped = crate::workload::WorkloadError::caused("GET http://x/tenants/1", err);
        assert!(wrapped
            .to_string()
            .starts_with("GET http://x/tenants/1: the answer is not"));
        let chain = std::error::Error::source(&wrapped).and_then(std::error::Error::source);
        assert!(chain.is_some(), "the chain reaches the decoder's error");
    }
}
