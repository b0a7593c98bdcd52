//! `update` on the compare screen: swapping the two runs, moving through the diff, leaving.

use super::Compare;
use crate::tui::state::{Action, Goto, Shared};

pub fn compare_action(compare: &mut Option<Compare>, shared: &mut Shared, action: Action) {
    match action {
        Action::Back => shared.goto = Some(Goto::Setup),
        Action::Tab => {
            if let Some(c) = compare.as_mut() {
                c.swap(&shared.runs);
                shared.status = swapped(c, &shared.runs);
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

/// The status line after a swap: which run is which now, and the frame selected in B.
fn swapped(c: &Compare, runs: &[crate::tui::state::Run]) -> String {
    let frame = c.selected_figures().map_or("", |(name, ..)| name);
    let (a, b) = (&runs[c.a], &runs[c.b]);
    format!(
        "swapped: A is run {}, B is run {} · {frame}",
        a.number, b.number
    )
}
