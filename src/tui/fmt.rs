//! Numbers as the UI writes them, for status lines set by `update` and for the screens alike.

use crate::model::thousands;

/// "123,456 items/s".
pub fn fmt_rate(per_s: f64) -> String {
    format!("{} items/s", thousands(per_s.max(0.0).round() as u64))
}
