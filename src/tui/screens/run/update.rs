//! `update` for the run screen: flame/top/tree navigation, transforms, search, freeze, export.

use super::{export, phase_entry, range, replay, RunScreen};
use crate::tui::state::{Action, Effect, Goto, Shared};
use crate::tui::widgets::flame::layout::{box_at, layout_window, FlameBox, Orientation};
use crate::tui::widgets::flame::parts::{flame_parts, tree_scroll};
use crate::tui::widgets::flame::stats::Search;
use crate::tui::widgets::flame::view::{FlameView, ViewKind};
use crate::tui::widgets::stages::stage_panel;
use crate::tui::widgets::text_input::{type_into, TextInput, Typed};

/// Handles an action while the run screen is showing.
pub fn run_action(screen: &mut RunScreen, shared: &mut Shared, action: Action) {
    if screen.search.is_some() {
        return search_action(screen, shared, action);
    }
    if replay::replay_action(screen, shared, &action) || range::time_action(screen, shared, &action)
    {
        return;
    }
    match action {
        Action::Tab => screen.flame.next_kind(),
        Action::NewRun | Action::StartRun => shared.goto = Some(Goto::SetupForm),
        Action::StopRun => stop_run(shared),
        Action::Compare => shared.goto = Some(Goto::Compare),
        Action::ExportSvg => export::export_svg(screen, shared),
        Action::ExportData => export::export_data(screen, shared),
        Action::SearchStart => screen.search = Some(TextInput::default()),
        Action::Click { col, row } => click(screen, shared, col, row),
        Action::Ledger => next_ledger(screen, shared),
        Action::Back if screen.ledger.is_some() => screen.ledger = None,
        Action::SearchNext => jump_match(screen, shared, 1),
        Action::SearchPrev => jump_match(screen, shared, -1),
        Action::Sandwich => match screen.flame.toggle_sandwich() {
            Ok(on) => {
                screen.flame.kind = if on {
                    ViewKind::Flame
                } else {
                    screen.flame.kind
                }
            }
            Err(why) => shared.status = why.to_string(),
        },
        Action::Detail => {
            screen.flame.toggle_detail();
        }
        Action::StageTimeline => toggle_stages(screen, shared),
        Action::Back if screen.flame.sandwich_on => {
            let _ = screen.flame.toggle_sandwich();
        }
        Action::Back if screen.time != Default::default() => {
            super::range::clear(screen, shared);
        }
        Action::Up | Action::Down | Action::Left | Action::Right | Action::Enter
            if screen.flame.sandwich_on && screen.flame.kind == ViewKind::Flame =>
        {
            sandwich_nav(screen, shared, action)
        }
        action => view_action(screen, shared, action),
    }
    follow_selection(screen, shared);
}

/// The arrows move the sandwich's pick among callers and callees; Enter makes the pick the
/// sandwich's function.
fn sandwich_nav(screen: &mut RunScreen, shared: &mut Shared, action: Action) {
    let view = &mut screen.flame;
    let Some(focus) = view.focus.clone() else {
        return;
    };
    match action {
        Action::Up | Action::Down => view.pick.step(&focus, matches!(action, Action::Up)),
        Action::Left => view.pick.beside(&focus, -1),
        Action::Right => view.pick.beside(&focus, 1),
        _ => shared.status = view.sandwich_enter(),
    }
}

/// Scrolls the flamegraph so the selection stays on screen, and refocuses the sandwich and
/// detail panel on it.
fn follow_selection(screen: &mut RunScreen, shared: &mut Shared) {
    let graph = flame_graph_area(screen, shared);
    screen.flame.follow_selection(graph.height);
    if screen.flame.focus.as_ref().map(|f| f.name.as_str()) != screen.flame.selected_function() {
        screen.flame.refresh_focus();
    }
}

/// `n` / `N`: the next or previous search match, with its place in the status line.
fn jump_match(screen: &mut RunScreen, shared: &mut Shared, step: isize) {
    shared.status = match screen.flame.jump_match(step) {
        Some((at, of)) => format!(
            "match {at} of {of}: {}",
            screen.flame.tree.nodes()[screen.flame.selected_id].name
        ),
        None if screen.flame.search.is_none() => {
            "no search: press / and type a pattern first".into()
        }
        None => "the search matches no frame".into(),
    };
}

fn stop_run(shared: &mut Shared) {
    match shared.live_run() {
        Some(i) => {
            shared.effects.push(Effect::StopRun);
            shared.status = format!("stopping run {} after the units in progress…", i + 1);
        }
        None => shared.status = "no run is going".into(),
    }
}

/// Actions that change the flame view; the tree is rebuilt after them.
fn view_action(screen: &mut RunScreen, shared: &mut Shared, action: Action) {
    let rebuild = match action {
        Action::Freeze => toggle_freeze(screen, shared),
        Action::Collapse => {
            screen.flame.toggle_collapse();
            true
        }
        Action::CollapseLibs => {
            screen.flame.collapse_libs = !screen.flame.collapse_libs;
            true
        }
        Action::FullStacks => {
            shared.status = toggle_full_stacks(&mut screen.flame);
            screen.phase_entry = None;
            true
        }
        Action::MergeThreads => {
            screen.flame.merge_threads = !screen.flame.merge_threads;
            true
        }
        Action::Invert => {
            screen.flame.toggle_inverted();
            true
        }
        Action::FilterThread => {
            shared.status = screen.flame.toggle_thread_filter();
            true
        }
        Action::CycleProfile => cycle_profile(screen, shared),
        Action::Orientation => {
            screen.flame.orientation = match screen.flame.orientation {
                Orientation::Icicle => Orientation::Flame,
                Orientation::Flame => Orientation::Icicle,
            };
            false
        }
        action => match screen.flame.kind {
            ViewKind::Flame => flame_nav(screen, shared, action),
            ViewKind::Top => top_nav(screen, shared, action),
            ViewKind::Tree => tree_nav(screen, shared, action),
        },
    };
    if rebuild {
        screen.refresh_flame(&shared.runs);
    }
}

/// Shows every frame, or folds the engine's frames again. Zoom targets are paths of the other
/// view, so zooming starts over; the selection goes to what remains of its path.
fn toggle_full_stacks(flame: &mut FlameView) -> String {
    flame.full_stacks = !flame.full_stacks;
    flame.zoom.clear();
    match flame.full_stacks {
        true => "full stacks: every engine frame above the workload (u folds them)".into(),
        false => "the engine's frames above the workload fold into one (u unfolds)".into(),
    }
}

fn toggle_freeze(screen: &mut RunScreen, shared: &mut Shared) -> bool {
    if screen.flame.frozen.take().is_some() {
        shared.status = "flamegraph follows the run again".into();
    } else if let Some(run) = screen.current_run(&shared.runs) {
        let (tree, wall_total) = (run.profile_tree(screen.flame.profile), run.wall_total());
        screen.flame.frozen = Some(tree);
        screen.flame.wall_total = wall_total;
        shared.status = "flamegraph frozen (f to follow the run again)".into();
    }
    true
}

/// Picks the next profile the run has (phases → code by phase → wall → CPU → off-CPU); a run with CPU
/// samples only stays on them.
fn cycle_profile(screen: &mut RunScreen, shared: &mut Shared) -> bool {
    let Some(run) = screen.current_run(&shared.runs) else {
        return false;
    };
    if !run.has_wall() && !run.has_phases() {
        shared.status = "this run has no wall-clock profile: CPU samples only".into();
        return false;
    }
    let next = screen.flame.profile.next_available(run.profiles());
    screen.flame.chosen = Some(next);
    // The zoom was a path of the other view.
    if screen.phase_entry.take().is_some() {
        screen.flame.zoom.clear();
    }
    true
}

/// Where the flamegraph is drawn on screen.
pub(crate) fn flame_graph_area(screen: &RunScreen, shared: &Shared) -> ratatui::layout::Rect {
    let inner = screen.areas(&shared.runs).profile_inner;
    flame_parts(inner, &screen.flame).graph
}

/// The boxes of the flame view as currently laid out on screen (absolute depth, rows relative
/// to the graph area).
pub fn flame_boxes(screen: &RunScreen, shared: &Shared) -> Vec<FlameBox> {
    let area = flame_graph_area(screen, shared);
    let first = screen.flame.window_start(area.height);
    let size = (area.width, area.height);
    layout_window(&screen.flame.tree, screen.flame.orientation, size, first)
}

fn flame_nav(screen: &mut RunScreen, shared: &mut Shared, action: Action) -> bool {
    let icicle = screen.flame.orientation == Orientation::Icicle;
    match action {
        Action::Up if icicle => screen.flame.select_parent(),
        Action::Down if !icicle => screen.flame.select_parent(),
        Action::Up | Action::Down => screen.flame.select_child(),
        Action::Left => screen.flame.select_beside(&flame_boxes(screen, shared), -1),
        Action::Right => screen.flame.select_beside(&flame_boxes(screen, shared), 1),
        Action::Enter => {
            return phase_entry::enter(screen, shared).unwrap_or_else(|| screen.flame.zoom_in())
        }
        Action::Back | Action::Backspace => return back(screen, shared),
        _ => {}
    }
    false
}

/// Esc: zoom out, else clear the search, else leave the run screen (for the suite when the
/// run is one of its lines, else for the setup screen).
fn back(screen: &mut RunScreen, shared: &mut Shared) -> bool {
    if phase_entry::back(screen, shared) || screen.flame.zoom_out() {
        return true;
    }
    if screen.flame.search.take().is_none() {
        shared.goto = Some(Goto::LeaveRun);
    }
    false
}

fn top_nav(screen: &mut RunScreen, shared: &mut Shared, action: Action) -> bool {
    match action {
        Action::Up => screen.flame.top_step(-1),
        Action::Down => screen.flame.top_step(1),
        Action::Enter => {
            if let Some(row) = screen.flame.top.get(screen.flame.top_cursor) {
                let pattern = format!("^{}$", regex::escape(&row.name));
                set_search(screen, shared, &pattern);
                screen.flame.kind = ViewKind::Flame;
            }
        }
        Action::Back | Action::Backspace => return back(screen, shared),
        _ => {}
    }
    false
}

fn tree_nav(screen: &mut RunScreen, shared: &mut Shared, action: Action) -> bool {
    match action {
        Action::Up => screen.flame.tree_step(-1),
        Action::Down => screen.flame.tree_step(1),
        Action::Right => screen.flame.tree_expand(true),
        Action::Left => screen.flame.tree_expand(false),
        Action::Enter => {
            let path = screen.flame.full_path(screen.flame.selected_id);
            let open = !screen.flame.expanded.contains(&path);
            screen.flame.tree_expand(open);
        }
        Action::Back | Action::Backspace => return back(screen, shared),
        _ => {}
    }
    false
}

/// Opens the next worker's ledger, or closes it after the last worker.
fn next_ledger(screen: &mut RunScreen, shared: &mut Shared) {
    let lanes = screen
        .current_run(&shared.runs)
        .map_or(0, |run| run.lanes.len());
    screen.ledger = match screen.ledger {
        None if lanes > 0 => Some(0),
        Some(i) if i + 1 < lanes => Some(i + 1),
        _ => None,
    };
}

/// A click on a worker's lane opens its ledger.
fn click_lane(screen: &mut RunScreen, shared: &mut Shared, row: u16) {
    let lanes = screen.areas(&shared.runs).lanes;
    let index = usize::from(row.saturating_sub(lanes.y + 1));
    if screen
        .current_run(&shared.runs)
        .is_some_and(|run| index < run.lanes.len())
    {
        screen.ledger = Some(index);
    }
}

fn click(screen: &mut RunScreen, shared: &mut Shared, col: u16, row: u16) {
    if screen.areas(&shared.runs).lanes.contains((col, row).into()) {
        return click_lane(screen, shared, row);
    }
    let area = screen.areas(&shared.runs).profile_inner;
    if !area.contains((col, row).into()) {
        return;
    }
    let y = row - area.y;
    match screen.flame.kind {
        ViewKind::Flame if screen.flame.sandwich_on => {}
        ViewKind::Flame => {
            let graph = flame_graph_area(screen, shared);
            if !graph.contains((col, row).into()) {
                return;
            }
            let (x, y) = (col - graph.x, row - graph.y);
            if let Some(b) = box_at(&flame_boxes(screen, shared), x, y) {
                screen.flame.select(b.node);
            }
        }
        ViewKind::Tree => {
            let rows = screen.flame.tree_rows();
            let skip = tree_scroll(&rows, screen.flame.selected_id, area.height);
            if let Some(&(id, _)) = rows.get(skip + usize::from(y)) {
                screen.flame.select(id);
            }
        }
        ViewKind::Top => {
            screen.flame.top_cursor = usize::from(y).min(screen.flame.top.len().saturating_sub(1))
        }
    }
}

/// Sets the search to `pattern`, or reports why it is not a valid regex.
pub fn set_search(screen: &mut RunScreen, shared: &mut Shared, pattern: &str) {
    if pattern.is_empty() {
        screen.flame.search = None;
        return;
    }
    match Search::new(pattern) {
        Ok(mut search) => {
            search.apply(&screen.flame.tree);
            shared.status = format!(
                "/{pattern}: {} frames, {:.1}% of {}",
                search.count,
                search.share * 100.0,
                screen.flame.profile.whole()
            );
            screen.flame.search = Some(search);
        }
        Err(e) => {
            let text = e.to_string();
            shared.status = format!("not a valid regex: {}", text.lines().last().unwrap_or(""));
        }
    }
}

fn search_action(screen: &mut RunScreen, shared: &mut Shared, action: Action) {
    if let Some(Typed::Confirmed(pattern)) = type_into(&mut screen.search, &action) {
        set_search(screen, shared, &pattern);
    }
}

/// `T`: hides or shows the stage timeline (only runs that have one).
fn toggle_stages(screen: &mut RunScreen, shared: &mut Shared) {
    if screen
        .current_run(&shared.runs)
        .and_then(stage_panel)
        .is_none()
    {
        shared.status = "only etl-pipeline runs have a stage timeline".into();
        return;
    }
    screen.stages_hidden = !screen.stages_hidden;
    shared.status = if screen.stages_hidden {
        "stage timeline hidden · T shows it".into()
    } else {
        "stage timeline shown · T hides it".into()
    };
    screen.stage_note = Some(shared.status.clone());
}
