//! The progress bar on stderr (hidden when quiet or when stderr is not a terminal): input data
//! being generated first, if any, then the run's units.

use boundscope::model::GenProgress;
use boundscope::model::Tick;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

const UNITS_TEMPLATE: &str = "{prefix} [{bar:30}] {pos}/{len} units  {msg}";
/// While input data is generated the bar counts records, which the message names.
const PREPARE_TEMPLATE: &str = "{prefix} [{bar:30}] {msg}";

pub struct Progress {
    bar: Option<ProgressBar>,
    preparing: bool,
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
}

impl Progress {
    pub fn new(quiet: bool, title: &str) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress {
                bar: None,
                preparing: false,
            };
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(style(UNITS_TEMPLATE));
        bar.set_prefix(title.to_string());
        bar.set_message("preparing…");
        Progress {
            bar: Some(bar),
            preparing: false,
        }
    }

    /// Input data being generated: the bar fills with the records written.
    pub fn prepare(&mut self, progress: &GenProgress) {
        let Some(bar) = &self.bar else { return };
        if !self.preparing {
            bar.set_style(style(PREPARE_TEMPLATE));
            self.preparing = true;
        }
        bar.set_length(progress.records_total.max(1));
        bar.set_position(progress.records_done);
        bar.set_message(progress.line());
    }

    pub fn update(&mut self, tick: &Tick) {
        let Some(bar) = &self.bar else { return };
        if self.preparing {
            bar.set_style(style(UNITS_TEMPLATE));
            self.preparing = false;
        }
        bar.set_length(tick.units_total);
        bar.set_position(tick.units_done);
        let rate = tick.items as f64 / tick.elapsed_s.max(1e-3);
        let busy: f64 =
            tick.workers.iter().map(|w| w.cpu_s).sum::<f64>() / tick.elapsed_s.max(1e-3);
        bar.set_message(format!(
            "{} items  {rate:.0} items/s  {busy:.2} busy cores",
            boundscope::model::thousands(tick.items)
        ));
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
