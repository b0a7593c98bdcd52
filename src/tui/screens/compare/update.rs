//! `update` on the compare screen: swapping the two runs, moving through the diff, leaving.

use super::Compare;
use crate::tui::state::{Action, Goto, Shared};

pub fn compare_action(compare: &mut Option<Compare>, shared: &mut Shared, action: Action) {
    match action {
        Action::Back => shared.goto = Some(Goto::Setup),
        Action::Tab => {
            if let Some(c) = compare.as_mut() {
                c.swap(&shared.runs);
            }
        }
        Action::NewRun => shared.goto = Some(Goto::SetupForm),
        action => {
            if let Some(c) = compare.as_mut() {
                c.navigate(&action);
            }
        }
    }
}
