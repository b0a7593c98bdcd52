//! The deterministic work plan of `api-fetch`: one unit = one request.

/// What one unit fetches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitKind {
    /// `GET /tenants/{id}/connections`.
    Connections(u32),
    /// `GET /prices?symbols=A,B,..` for one batch of symbols.
    Prices(Vec<String>),
}

impl UnitKind {
    /// The request path (with query) of this unit.
    pub fn path(&self) -> String {
        match self {
            UnitKind::Connections(id) => format!("/tenants/{id}/connections"),
            UnitKind::Prices(symbols) => {
                let list: Vec<String> = symbols.iter().map(|s| encode(s)).collect();
                format!("/prices?symbols={}", list.join(","))
            }
        }
    }
}

/// Percent-encodes everything but unreserved URL characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Every tenant's connections, then every symbol's prices in batches of `batch`.
///
/// `requests` limits the plan to that many units; more than the natural length repeats
/// the plan from the start (repeated URLs are what `--cache` saves).
pub fn build(
    tenants: &[u32],
    symbols: &[String],
    batch: usize,
    requests: Option<usize>,
) -> Vec<UnitKind> {
    let mut natural: Vec<UnitKind> = tenants
        .iter()
        .map(|&id| UnitKind::Connections(id))
        .collect();
    natural.extend(
        symbols
            .chunks(batch.max(1))
            .map(|chunk| UnitKind::Prices(chunk.to_vec())),
    );
    match requests {
        Some(n) if !natural.is_empty() => natural.iter().cycle().take(n).cloned().collect(),
        _ => natural,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn symbols(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("S{i}")).collect()
    }

    #[test]
    fn plan_lists_connections_then_price_batches() {
        let plan = build(&[1, 2], &symbols(5), 2, None);
        assert_eq!(plan.len(), 2 + 3);
        assert_eq!(plan[0].path(), "/tenants/1/connections");
        assert_eq!(plan[2].path(), "/prices?symbols=S0,S1");
        assert_eq!(plan[4].path(), "/prices?symbols=S4");
    }

    #[test]
    fn requests_truncate_or_repeat_the_plan() {
        assert_eq!(build(&[1, 2, 3], &symbols(2), 1, Some(2)).len(), 2);
        let long = build(&[1], &symbols(1), 1, Some(5));
        assert_eq!(long.len(), 5);
        assert_eq!(long[0], long[2]);
        assert_eq!(long[1], UnitKind::Prices(vec!["S0".into()]));
    }

    #[test]
    fn odd_symbols_are_encoded() {
        let unit = UnitKind::Prices(vec!["BRK.B".into(), "A&B".into()]);
        assert_eq!(unit.path(), "/prices?symbols=BRK.B,A%26B");
    }
}
