//! `update` for the run screen: flame/top/tree navigation, transforms, search, freeze, export.

use super::app::{Action, App, Effect, Focus, Screen};
use super::flame_layout::{box_at, layout_window, FlameBox, Orientation};
use super::flame_stats::Search;
use super::flame_view::ViewKind;
use super::layout::stage_panel;

/// Handles an action while the run screen is showing.
pub fn run_action(app: &mut App, action: Action) {
    if app.search_input.is_some() {
        return search_action(app, action);
    }
    if super::replay::replay_action(app, &action) || super::range::time_action(app, &action) {
        return;
    }
    match action {
        Action::Tab => app.flame.next_kind(),
        Action::NewRun => {
            app.screen = Screen::Setup;
            app.focus = Focus::Form;
        }
        Action::StopRun => stop_run(app),
        Action::StartRun => {
            app.screen = Screen::Setup;
            app.focus = Focus::Form;
        }
        Action::Compare => super::app_setup::open_compare(app),
        Action::ExportSvg => super::export::export_svg(app),
        Action::ExportData => super::export::export_data(app),
        Action::SearchStart => app.search_input = Some(String::new()),
        Action::Click { col, row } => click(app, col, row),
        Action::Ledger => next_ledger(app),
        Action::Back if app.ledger.is_some() => app.ledger = None,
        Action::SearchNext => jump_match(app, 1),
        Action::SearchPrev => jump_match(app, -1),
        Action::Sandwich => match app.flame.toggle_sandwich() {
            Ok(on) => app.flame.kind = if on { ViewKind::Flame } else { app.flame.kind },
            Err(why) => app.status = why.to_string(),
        },
        Action::Detail => {
            app.flame.toggle_detail();
        }
        Action::StageTimeline => toggle_stages(app),
        Action::Back if app.flame.sandwich_on => {
            let _ = app.flame.toggle_sandwich();
        }
        Action::Back if app.time != Default::default() => {
            super::range::clear(app);
        }
        Action::Up | Action::Down | Action::Left | Action::Right | Action::Enter
            if app.flame.sandwich_on && app.flame.kind == ViewKind::Flame =>
        {
            sandwich_nav(app, action)
        }
        action => view_action(app, action),
    }
    follow_selection(app);
}

/// The arrows move the sandwich's pick among callers and callees; Enter makes the pick the
/// sandwich's function.
fn sandwich_nav(app: &mut App, action: Action) {
    let view = &mut app.flame;
    let Some(focus) = view.focus.clone() else {
        return;
    };
    match action {
        Action::Up | Action::Down => view.pick.step(&focus, matches!(action, Action::Up)),
        Action::Left => view.pick.beside(&focus, -1),
        Action::Right => view.pick.beside(&focus, 1),
        _ => app.status = view.sandwich_enter(),
    }
}

/// Scrolls the flamegraph so the selection stays on screen, and refocuses the sandwich and
/// detail panel on it.
fn follow_selection(app: &mut App) {
    let graph = flame_graph_area(app);
    app.flame.follow_selection(graph.height);
    if app.flame.focus.as_ref().map(|f| f.name.as_str()) != app.flame.selected_function() {
        app.flame.refresh_focus();
    }
}

/// `n` / `N`: the next or previous search match, with its place in the status line.
fn jump_match(app: &mut App, step: isize) {
    app.status = match app.flame.jump_match(step) {
        Some((at, of)) => format!(
            "match {at} of {of}: {}",
            app.flame.tree.nodes()[app.flame.selected_id].name
        ),
        None if app.flame.search.is_none() => "no search: press / and type a pattern first".into(),
        None => "the search matches no frame".into(),
    };
}

fn stop_run(app: &mut App) {
    match app.live_run() {
        Some(i) => {
            app.effects.push(Effect::StopRun);
            app.status = format!("stopping run {} after the units in progress…", i + 1);
        }
        None => app.status = "no run is going".into(),
    }
}

/// Actions that change the flame view; the tree is rebuilt after them.
fn view_action(app: &mut App, action: Action) {
    let rebuild = match action {
        Action::Freeze => toggle_freeze(app),
        Action::Collapse => {
            app.flame.toggle_collapse();
            true
        }
        Action::CollapseLibs => {
            app.flame.collapse_libs = !app.flame.collapse_libs;
            true
        }
        Action::MergeThreads => {
            app.flame.merge_threads = !app.flame.merge_threads;
            true
        }
        Action::Invert => {
            app.flame.toggle_inverted();
            true
        }
        Action::FilterThread => {
            app.status = app.flame.toggle_thread_filter();
            true
        }
        Action::CycleProfile => cycle_profile(app),
        Action::Orientation => {
            app.flame.orientation = match app.flame.orientation {
                Orientation::Icicle => Orientation::Flame,
                Orientation::Flame => Orientation::Icicle,
            };
            false
        }
        action => match app.flame.kind {
            ViewKind::Flame => flame_nav(app, action),
            ViewKind::Top => top_nav(app, action),
            ViewKind::Tree => tree_nav(app, action),
        },
    };
    if rebuild {
        app.refresh_flame();
    }
}

fn toggle_freeze(app: &mut App) -> bool {
    if app.flame.frozen.take().is_some() {
        app.status = "flamegraph follows the run again".into();
    } else if let Some(run) = app.current_run() {
        let (tree, wall_total) = (run.profile_tree(app.flame.profile), run.wall_total());
        app.flame.frozen = Some(tree);
        app.flame.wall_total = wall_total;
        app.status = "flamegraph frozen (f to follow the run again)".into();
    }
    true
}

/// Picks the next profile (wall → CPU → off-CPU); a run without a wall profile stays on CPU.
fn cycle_profile(app: &mut App) -> bool {
    let Some(run) = app.current_run() else {
        return false;
    };
    if !run.has_wall() {
        app.status = "this run has no wall-clock profile: CPU samples only".into();
        return false;
    }
    app.flame.chosen = Some(app.flame.profile.next());
    true
}

/// Where the flamegraph is drawn on screen.
pub(crate) fn flame_graph_area(app: &App) -> ratatui::layout::Rect {
    let inner = app.run_areas().profile_inner;
    super::layout::flame_parts(inner, &app.flame).graph
}

/// The boxes of the flame view as currently laid out on screen (absolute depth, rows relative
/// to the graph area).
pub fn flame_boxes(app: &App) -> Vec<FlameBox> {
    let area = flame_graph_area(app);
    let first = app.flame.window_start(area.height);
    let size = (area.width, area.height);
    layout_window(&app.flame.tree, app.flame.orientation, size, first)
}

fn flame_nav(app: &mut App, action: Action) -> bool {
    let icicle = app.flame.orientation == Orientation::Icicle;
    match action {
        Action::Up if icicle => app.flame.select_parent(),
        Action::Down if !icicle => app.flame.select_parent(),
        Action::Up | Action::Down => app.flame.select_child(),
        Action::Left => app.flame.select_beside(&flame_boxes(app), -1),
        Action::Right => app.flame.select_beside(&flame_boxes(app), 1),
        Action::Enter => return app.flame.zoom_in(),
        Action::Back | Action::Backspace => return back(app),
        _ => {}
    }
    false
}

/// Esc: zoom out, else clear the search, else leave for the setup screen.
fn back(app: &mut App) -> bool {
    if app.flame.zoom_out() {
        return true;
    }
    if app.flame.search.take().is_none() {
        app.screen = match is_suite_line(app) {
            true => Screen::Suite,
            false => Screen::Setup,
        };
    }
    false
}

/// Whether the run shown is a line of the suite on the suite screen, so Esc goes back there.
fn is_suite_line(app: &App) -> bool {
    let lines = app.suite.suite.as_ref().map(|s| s.lines.as_slice());
    lines.is_some_and(|lines| {
        lines
            .iter()
            .any(|l| l.run.is_some() && l.run == app.current)
    })
}

fn top_nav(app: &mut App, action: Action) -> bool {
    match action {
        Action::Up => app.flame.top_step(-1),
        Action::Down => app.flame.top_step(1),
        Action::Enter => {
            if let Some(row) = app.flame.top.get(app.flame.top_cursor) {
                let pattern = format!("^{}$", regex::escape(&row.name));
                set_search(app, &pattern);
                app.flame.kind = ViewKind::Flame;
            }
        }
        Action::Back | Action::Backspace => return back(app),
        _ => {}
    }
    false
}

fn tree_nav(app: &mut App, action: Action) -> bool {
    match action {
        Action::Up => app.flame.tree_step(-1),
        Action::Down => app.flame.tree_step(1),
        Action::Right => app.flame.tree_expand(true),
        Action::Left => app.flame.tree_expand(false),
        Action::Enter => {
            let path = app.flame.full_path(app.flame.selected_id);
            let open = !app.flame.expanded.contains(&path);
            app.flame.tree_expand(open);
        }
        Action::Back | Action::Backspace => return back(app),
        _ => {}
    }
    false
}

/// Opens the next worker's ledger, or closes it after the last worker.
fn next_ledger(app: &mut App) {
    let lanes = app.current_run().map_or(0, |run| run.lanes.len());
    app.ledger = match app.ledger {
        None if lanes > 0 => Some(0),
        Some(i) if i + 1 < lanes => Some(i + 1),
        _ => None,
    };
}

/// A click on a worker's lane opens its ledger.
fn click_lane(app: &mut App, row: u16) {
    let lanes = app.run_areas().lanes;
    let index = usize::from(row.saturating_sub(lanes.y + 1));
    if app.current_run().is_some_and(|run| index < run.lanes.len()) {
        app.ledger = Some(index);
    }
}

fn click(app: &mut App, col: u16, row: u16) {
    if app.run_areas().lanes.contains((col, row).into()) {
        return click_lane(app, row);
    }
    let area = app.run_areas().profile_inner;
    if !area.contains((col, row).into()) {
        return;
    }
    let y = row - area.y;
    match app.flame.kind {
        ViewKind::Flame if app.flame.sandwich_on => {}
        ViewKind::Flame => {
            let graph = flame_graph_area(app);
            if !graph.contains((col, row).into()) {
                return;
            }
            let (x, y) = (col - graph.x, row - graph.y);
            if let Some(b) = box_at(&flame_boxes(app), x, y) {
                app.flame.select(b.node);
            }
        }
        ViewKind::Tree => {
            let rows = app.flame.tree_rows();
            let skip = super::layout::tree_scroll(&rows, app.flame.selected_id, area.height);
            if let Some(&(id, _)) = rows.get(skip + usize::from(y)) {
                app.flame.select(id);
            }
        }
        ViewKind::Top => {
            app.flame.top_cursor = usize::from(y).min(app.flame.top.len().saturating_sub(1))
        }
    }
}

/// Sets the search to `pattern`, or reports why it is not a valid regex.
pub fn set_search(app: &mut App, pattern: &str) {
    if pattern.is_empty() {
        app.flame.search = None;
        return;
    }
    match Search::new(pattern) {
        Ok(mut search) => {
            search.apply(&app.flame.tree);
            app.status = format!(
                "/{pattern}: {} frames, {:.1}% of {}",
                search.count,
                search.share * 100.0,
                app.flame.profile.whole()
            );
            app.flame.search = Some(search);
        }
        Err(e) => {
            let text = e.to_string();
            app.status = format!("not a valid regex: {}", text.lines().last().unwrap_or(""));
        }
    }
}

fn search_action(app: &mut App, action: Action) {
    let Some(text) = app.search_input.as_mut() else {
        return;
    };
    match action {
        Action::SearchChar(c) => text.push(c),
        Action::SearchBackspace => {
            text.pop();
        }
        Action::SearchConfirm => {
            let pattern = app.search_input.take().unwrap_or_default();
            set_search(app, &pattern);
        }
        Action::SearchCancel => app.search_input = None,
        _ => {}
    }
}

/// `T`: hides or shows the stage timeline (only runs that have one).
fn toggle_stages(app: &mut App) {
    if app.current_run().and_then(stage_panel).is_none() {
        app.status = "only etl-pipeline runs have a stage timeline".into();
        return;
    }
    app.stages_hidden = !app.stages_hidden;
    app.status = if app.stages_hidden {
        "stage timeline hidden · T shows it".into()
    } else {
        "stage timeline shown · T hides it".into()
    };
}
