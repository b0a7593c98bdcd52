//! Numbers as the UI writes them, for status lines set by `update` and for the screens alike.

use crate::model::thousands;

/// `run 3 · LABEL`: the label may be a file's name or a scenario line's, so it is sanitized.
pub fn run_title(run: &crate::tui::state::runs::Run) -> String {
    format!("run {} · {}", run.number, crate::sanitize::name(&run.label))
}

/// "123,456 items/s".
pub fn fmt_rate(per_s: f64) -> String {
    format!("{} items/s", thousands(per_s.max(0.0).round() as u64))
}

/// Columns a text value takes in the form; a longer one shows its end (a file's name).
const SHOWN: usize = 15;

/// `text`, or its end after `…` when longer than the form shows.
pub fn shown_tail(text: &str) -> String {
    let n = text.chars().count();
    if n <= SHOWN {
        return text.to_string();
    }
    let tail: String = text.chars().skip(n + 1 - SHOWN).collect();
    format!("…{tail}")
}
