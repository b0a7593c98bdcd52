//! The progress bar on stderr (hidden when quiet or when stderr is not a terminal).

use boundscope::events::Tick;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(quiet: bool, title: &str) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} units  {msg}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(title.to_string());
        bar.set_message("preparing (input data is generated on first use)…");
        Progress { bar: Some(bar) }
    }

    pub fn update(&mut self, tick: &Tick) {
        let Some(bar) = &self.bar else { return };
        bar.set_length(tick.units_total);
        bar.set_position(tick.units_done);
        let rate = tick.items as f64 / tick.elapsed_s.max(1e-3);
        let busy: f64 =
            tick.workers.iter().map(|w| w.cpu_s).sum::<f64>() / tick.elapsed_s.max(1e-3);
        bar.set_message(format!(
            "{} items  {rate:.0} items/s  {busy:.2} busy cores",
            boundscope::report::thousands(tick.items)
        ));
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
