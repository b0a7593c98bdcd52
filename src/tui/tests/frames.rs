//! Readable frames: cut labels, scrolling that follows the selection, the breadcrumb, jumps
//! between search matches, the sandwich and the detail panel, and profile files given the
//! whole screen.

use super::snapshots::screen;
use super::{app, app_with_stacks, press, sample_events, selected_name};
use crate::flame::FoldedStacks;
use crate::tui::app::{update, App};
use crate::tui::state::runs::Run;
use crate::tui::state::Action;

pub(super) const RUN_UNIT: &str =
    "<boundscope::workload::json::JsonParse as boundscope::workload::Workload>::run_unit";
/// The frame the threads engine's frames above the workload fold into.
pub(super) const ENGINE: &str = "[threads engine]";

/// Stacks with the long Rust names a real run has, in nanoseconds of wall time.
fn long_stacks() -> String {
    let base = format!("boundscope::exec::threads::worker_loop;{RUN_UNIT}");
    let parse = "boundscope::workload::json::parse_value_line";
    [
        format!("bs-threads-0;{base};{parse};serde_json::de::from_str 1200000000"),
        format!("bs-threads-0;{base};{parse} 300000000"),
        format!("bs-threads-0;{base};boundscope::workload::json::write_parquet 500000000"),
        format!("bs-threads-0;{base};[disk wait] 400000000"),
        format!("bs-threads-1;{base};{parse};serde_json::de::from_str 900000000"),
        format!("bs-threads-1;{base};boundscope::workload::json::write_parquet 600000000"),
        "bs-threads-1;boundscope::exec::threads::worker_loop;[idle] 500000000".to_string(),
    ]
    .join("\n")
}

/// A finished json-parse run whose wall profile has long names.
pub(super) fn app_with_long_names() -> App {
    let mut app = app();
    app.add_run(Run::new(1, "json-parse", "threads", 2, false));
    for event in sample_events(2.0, true) {
        let event = Box::new(event);
        update(&mut app, Action::RunEvent { run: 0, event });
    }
    let wall = FoldedStacks::parse(&long_stacks()).unwrap();
    app.shared.runs[0].set_wall(wall.clone());
    app.shared.runs[0].set_stacks(wall);
    app.refresh_flame();
    app
}

/// Selects the frame at `path` below the root.
pub(super) fn select(app: &mut App, path: &[&str]) {
    let id = app.run.flame.tree.find(path).expect("frame exists");
    app.run.flame.select(id);
}

/// Both sizes, snapshotted under `name`.
pub(super) fn snapshot_both(app: &mut App, name: &str, must: &[&str]) {
    for (w, h) in [(80, 24), (200, 55)] {
        let text = screen(app, w, h);
        for want in must {
            assert!(text.contains(want), "{w}×{h} lacks {want:?}:\n{text}");
        }
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

#[test]
fn scroll_follows_the_selection_down_a_deep_stack() {
    let frames: Vec<String> = (0..40).map(|i| format!("f{i}")).collect();
    let mut app = app_with_stacks(&format!("t;{} 5\nu 5\n", frames.join(";")));
    app.resize(80, 24);
    let height = crate::tui::screens::run::update::flame_graph_area(&app.run, &app.shared).height;
    assert!(height < 40, "the stack is deeper than the pane");
    for _ in 0..35 {
        press(&mut app, &[Action::Down]);
        let depth = app.run.flame.tree.nodes()[app.run.flame.selected_id].depth;
        let first = app.run.flame.scroll;
        assert!(depth >= first && depth < first + usize::from(height));
        let drawn = crate::tui::screens::run::update::flame_boxes(&app.run, &app.shared);
        assert!(drawn.iter().any(|b| b.node == app.run.flame.selected_id));
    }
    assert_eq!(selected_name(&app), "f33");
    assert!(app.run.flame.scroll > 0, "the window moved down");
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("↑ ") && text.contains(" › f15 › f16"),
        "{text}"
    );
    for _ in 0..35 {
        press(&mut app, &[Action::Up]);
    }
    assert_eq!((selected_name(&app), app.run.flame.scroll), ("all", 0));
}

#[test]
fn n_and_shift_n_walk_the_search_matches_and_wrap() {
    let mut app = app_with_stacks("t;a;parse 3\nt;b;parse 1\nu;parse_all 2\nu;x 1\n");
    press(&mut app, &[Action::SearchNext]);
    assert!(
        app.shared.status.contains("press /"),
        "{}",
        app.shared.status
    );
    crate::tui::screens::run::update::set_search(&mut app.run, &mut app.shared, "parse");
    let mut seen = Vec::new();
    for _ in 0..4 {
        press(&mut app, &[Action::SearchNext]);
        seen.push(app.run.flame.full_path(app.run.flame.selected_id).join(";"));
    }
    assert_eq!(seen, ["t;a;parse", "t;b;parse", "u;parse_all", "t;a;parse"]);
    assert!(
        app.shared.status.starts_with("match 1 of 3"),
        "{}",
        app.shared.status
    );
    press(&mut app, &[Action::SearchPrev]);
    assert_eq!(
        app.run.flame.full_path(app.run.flame.selected_id),
        ["u", "parse_all"]
    );
    assert!(
        app.shared.status.starts_with("match 3 of 3"),
        "{}",
        app.shared.status
    );
    crate::tui::screens::run::update::set_search(&mut app.run, &mut app.shared, "nothing");
    press(&mut app, &[Action::SearchNext]);
    assert!(
        app.shared.status.contains("matches no frame"),
        "{}",
        app.shared.status
    );
}

#[test]
fn the_sandwich_toggles_on_a_function_and_follows_the_selection() {
    let mut app = app_with_stacks("t;a;parse;lex 3\nt;b;parse 1\nu;c 2\n");
    press(&mut app, &[Action::Sandwich]);
    assert!(!app.run.flame.sandwich_on, "the root is no function");
    assert!(
        app.shared.status.contains("select a function"),
        "{}",
        app.shared.status
    );
    select(&mut app, &["t", "a", "parse"]);
    press(&mut app, &[Action::Sandwich]);
    assert!(app.run.flame.sandwich_on);
    let focus = app.run.flame.focus.clone().expect("sandwich computed");
    assert_eq!((focus.name.as_str(), focus.total), ("parse", 4));
    assert!(focus.callers.find(&["b", "t"]).is_some(), "both call sites");
    select(&mut app, &["t", "a"]);
    press(&mut app, &[Action::Detail]);
    assert_eq!(app.run.flame.focus.as_ref().unwrap().name, "a");
    press(&mut app, &[Action::Back]);
    assert!(!app.run.flame.sandwich_on, "Esc closes the sandwich first");
    assert_eq!(app.screen, crate::tui::state::Screen::Run);
    press(&mut app, &[Action::Detail]);
    assert!(
        app.run.flame.focus.is_none(),
        "nothing kept once both are closed"
    );
}

#[test]
fn snapshot_cut_labels_mark_the_cut() {
    let mut app = app_with_long_names();
    snapshot_both(&mut app, "cut_labels", &["…::run_unit"]);
    let text = screen(&mut app, 80, 24);
    assert!(!text.contains("<boundscope::wor"), "{text}");
    assert!(
        text.contains(ENGINE) && text.contains("parse_valu…"),
        "{text}"
    );
    assert!(
        !text.contains("worker_loop"),
        "folded into the engine's frame:\n{text}"
    );
}

#[test]
fn snapshot_breadcrumb_of_a_zoomed_frame() {
    let mut app = app_with_long_names();
    let path = ["bs-threads-0", ENGINE, RUN_UNIT];
    select(&mut app, &path);
    press(&mut app, &[Action::Enter]);
    snapshot_both(
        &mut app,
        "breadcrumb",
        &["↑ all › bs-threads-0 › [threads engine]"],
    );
}

#[test]
fn snapshot_sandwich_of_a_function() {
    let mut app = app_with_long_names();
    let path = ["bs-threads-1", ENGINE, RUN_UNIT];
    select(&mut app, &path);
    press(&mut app, &[Action::Sandwich]);
    snapshot_both(&mut app, "sandwich", &["▲ callers of", "▼ callees of"]);
}

#[test]
fn snapshot_detail_panel_in_the_wall_view() {
    let mut app = app_with_long_names();
    let path = ["bs-threads-0", ENGINE, RUN_UNIT];
    select(&mut app, &path);
    press(&mut app, &[Action::Detail]);
    let lines = app.run.flame.detail_lines().join("\n");
    // run_unit: 2.4 s, all of bs-threads-0's 2.4 s, of 4.4 s in all; 3.9 s over both threads.
    assert!(
        lines.contains("100.0% of worker bs-threads-0's wall time"),
        "{lines}"
    );
    assert!(lines.contains("54.5% of wall time"), "{lines}");
    assert!(lines.contains("function  3.90s total"), "{lines}");
    assert!(
        !lines.contains("recursion"),
        "run_unit never calls itself: {lines}"
    );
    snapshot_both(
        &mut app,
        "detail",
        &["selected frame · d closes", "self      0.000s"],
    );
}

/// The function's figures count a recursive call once, and say so only when it recurses.
#[test]
fn the_detail_panel_mentions_recursion_only_for_a_recursive_function() {
    let detail_of = |path: &[&str]| {
        let mut app = app_with_stacks("t;f;g;f;h 4\nt;f 1\nt;x 2\n");
        select(&mut app, path);
        press(&mut app, &[Action::Detail]);
        app.run.flame.detail_lines().join("\n")
    };
    let f = detail_of(&["t", "f"]);
    let once = "function  5 total, 1 self over every place (recursion counted once)";
    assert!(f.contains(once), "{f}");
    let x = detail_of(&["t", "x"]);
    assert!(
        x.contains("function  2 total, 2 self over every place"),
        "{x}"
    );
    assert!(!x.contains("recursion"), "{x}");
}

#[test]
fn snapshot_a_profile_file_gets_the_whole_screen() {
    // Sample counts, as profilers write them.
    let wall = long_stacks();
    let lines: Vec<&str> = wall
        .lines()
        .map(|l| l.strip_suffix("00000000").unwrap())
        .collect();
    let text = lines.join("\n");
    let folded = crate::tui::screens::open::load_reader(text.as_bytes(), "json", 1).unwrap();
    let stacks = FoldedStacks::parse(&text).unwrap();
    let bytes = crate::flame::encode_pprof(&stacks, 99).unwrap();
    let pprof = crate::tui::screens::open::load_reader(&bytes[..], "cpu", 2).unwrap();
    let mut app = app();
    app.shared.runs.extend([folded, pprof]);
    app.show_run(0);
    snapshot_both(
        &mut app,
        "file_folded",
        &["folded · 44 samples", "no time data"],
    );
    app.show_run(1);
    let areas = app.run_areas();
    assert_eq!((areas.chart.area(), areas.lanes.area()), (0, 0));
    snapshot_both(
        &mut app,
        "file_pprof",
        &["99 Hz", "showing samples", "no chart"],
    );
    let text = screen(&mut app, 80, 24);
    assert!(
        !text.contains("items/s") && !text.contains("workers"),
        "{text}"
    );
}
