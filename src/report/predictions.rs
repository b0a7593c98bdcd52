//! The run's predictions in its report and summary: what each mode would give, and the
//! verdict's clause naming the bottleneck.

use crate::model::{Prediction, RunReport};
use std::fmt::Write;

impl RunReport {
    /// Predicts the other modes from this run's ledger (once its verdict, phases and
    /// findings are in), and adds the bottleneck to the verdict's sentence.
    pub fn add_predictions(&mut self) {
        if self.worker_stats.is_empty() {
            return;
        }
        self.predictions = crate::predict::menu(self);
        let clause = crate::predict::verdict_clause(self);
        self.verdict_detail = format!("{}; {clause}", self.verdict_detail);
    }
}

/// The "what would help" table: one line per prediction.
pub(super) fn write_predictions(s: &mut String, r: &RunReport) {
    if r.predictions.is_empty() {
        return;
    }
    let heading = match crate::predict::advice(r) {
        Some(advice @ crate::predict::Advice::Nothing { .. }) => advice.sentence(),
        _ => "what would help".to_string(),
    };
    let _ = writeln!(
        s,
        "  {heading} (predicted from this run; speedup over it, limited by):"
    );
    for p in &r.predictions {
        let _ = writeln!(s, "{}", table_line(p));
    }
}

fn table_line(p: &Prediction) -> String {
    format!(
        "    {:<14} {:>6}  {}; {}",
        p.line(),
        format!("{:.1}×", p.speedup),
        p.bottleneck,
        p.next_limit
    )
}
