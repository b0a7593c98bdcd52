//! Where one screen's state serves another, wired by the shell so that no screen imports
//! another: the setup form is what the suite screen sweeps.

use crate::model::Mode;
use crate::tui::screens::setup::form::SetupForm;
use crate::tui::screens::suite::lines::SweepSource;

impl SweepSource for SetupForm {
    fn workload_name(&self) -> &str {
        SetupForm::workload_name(self)
    }

    fn mode(&self) -> Mode {
        self.mode
    }

    fn gil(&self) -> bool {
        self.gil
    }

    fn pg(&self) -> Option<&str> {
        self.pg.as_deref()
    }

    fn child_args(&self, workers: usize) -> Vec<String> {
        let mut point = self.clone();
        point.workers = workers;
        SetupForm::child_args(&point)
    }
}
