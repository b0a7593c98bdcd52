//! Enter on a phase of the phase view shows the code that ran in it (the code-by-phase view,
//! zoomed to that phase); Esc comes back to the phase view as it was.

use super::state::PhaseEntry;
use super::RunScreen;
use crate::tui::state::profiles::Profile;
use crate::tui::state::Shared;

/// The phase path (`worker;phase;…`) of the frame selected in the phase view: a cause leaf
/// (`[cpu]`, `[net wait]`…) stands for the phase it is under. `None` for a worker or the root.
fn selected_phase(screen: &RunScreen) -> Option<Vec<String>> {
    let mut path = screen.flame.full_path(screen.flame.selected_id);
    if path.last().is_some_and(|leaf| leaf.starts_with('[')) {
        path.pop();
    }
    (path.len() >= 2).then_some(path)
}

/// Enter in the phase view. Returns `None` when Enter is an ordinary zoom here (not the phase
/// view, an inverted graph, a worker selected), else whether the view must be rebuilt.
pub fn enter(screen: &mut RunScreen, shared: &mut Shared) -> Option<bool> {
    if screen.flame.profile != Profile::Phases || screen.flame.inverted {
        return None;
    }
    let phase = selected_phase(screen)?;
    let run = screen.current_run(&shared.runs)?;
    let shown = phase[1..].join("/");
    if !run.profiles().phase_code {
        shared.status = format!(
            "{shown}: this run's stacks carry no phase tags (an older recording), so its code cannot be shown by phase"
        );
        return Some(false);
    }
    screen.phase_entry = Some(PhaseEntry {
        phases_zoom: std::mem::take(&mut screen.flame.zoom),
        phase: phase.clone(),
    });
    screen.flame.chosen = Some(Profile::PhaseCode);
    screen.flame.zoom = vec![phase];
    screen.flame.selected.clear();
    shared.status = format!("the code that ran in phase {shown} · Esc goes back to the phases");
    Some(true)
}

/// Esc while a phase's code shows, at the phase itself: back to the phase view, the phase
/// selected. Returns false when Esc means something else here.
pub fn back(screen: &mut RunScreen, shared: &mut Shared) -> bool {
    let at_entry = screen.flame.profile == Profile::PhaseCode && screen.flame.zoom.len() == 1;
    let Some(entry) = screen.phase_entry.take_if(|_| at_entry) else {
        return false;
    };
    let base = entry.phases_zoom.last().map_or(0, Vec::len);
    screen.flame.selected = entry
        .phase
        .get(base..)
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    screen.flame.zoom = entry.phases_zoom;
    screen.flame.chosen = Some(Profile::Phases);
    shared.status = "the job's phases (Enter on one shows its code)".into();
    true
}
