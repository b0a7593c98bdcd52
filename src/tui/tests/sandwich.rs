//! Moving in the sandwich view: the arrows pick callers and callees, Enter makes the pick the
//! sandwich's function, the pick stays on screen and is named under the halves.

use super::frames::{app_with_long_names, select, snapshot_both, ENGINE, RUN_UNIT};
use super::snapshots::screen;
use super::{app_with_stacks, press, selected_name};
use crate::tui::app::App;
use crate::tui::state::Action;
use crate::tui::widgets::flame::sandwich::Side;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;
use ratatui::Terminal;

/// The pick as (side, path).
fn pick(app: &App) -> (Side, Vec<&str>) {
    let p = &app.run.flame.pick;
    (p.side, p.path.iter().map(String::as_str).collect())
}

#[test]
fn arrows_move_between_callers_and_callees() {
    let mut app = app_with_stacks("t;a;parse;lex 3\nt;b;parse 1\nu;c;parse;alloc 2\n");
    select(&mut app, &["t", "a", "parse"]);
    press(&mut app, &[Action::Sandwich]);
    assert_eq!(pick(&app), (Side::Callers, vec![]), "the function first");
    // Up goes out through the heaviest caller to the thread, and no further.
    press(&mut app, &[Action::Up]);
    assert_eq!(pick(&app), (Side::Callers, vec!["a"]));
    press(&mut app, &[Action::Up, Action::Up]);
    assert_eq!(pick(&app), (Side::Callers, vec!["a", "t"]));
    // Left and right go along the callers at one depth.
    press(
        &mut app,
        &[Action::Down, Action::Right, Action::Right, Action::Right],
    );
    assert_eq!(pick(&app), (Side::Callers, vec!["c"]));
    press(&mut app, &[Action::Left]);
    assert_eq!(pick(&app), (Side::Callers, vec!["b"]));
    // Down comes back to the function and goes on into its heaviest callee.
    press(&mut app, &[Action::Down]);
    assert_eq!(pick(&app), (Side::Callers, vec![]));
    press(&mut app, &[Action::Down]);
    assert_eq!(pick(&app), (Side::Callees, vec!["lex"]));
    press(&mut app, &[Action::Left, Action::Down]);
    assert_eq!(pick(&app), (Side::Callees, vec!["alloc"]));
    press(&mut app, &[Action::Up]);
    assert_eq!(pick(&app), (Side::Callers, vec![]));
    // The flamegraph's own selection stayed where it was.
    assert_eq!(
        app.run.flame.full_path(app.run.flame.selected_id),
        ["t", "a", "parse"]
    );
}

#[test]
fn enter_makes_the_pick_the_function_and_the_detail_follows() {
    let mut app = app_with_stacks("t;a;parse;lex 3\nt;b;parse 1\nu;c;parse;alloc 2\n");
    select(&mut app, &["u", "c", "parse"]);
    press(&mut app, &[Action::Sandwich, Action::Detail]);
    press(&mut app, &[Action::Down, Action::Enter]);
    let focus = app.run.flame.focus.clone().expect("a sandwich");
    assert_eq!((focus.name.as_str(), focus.total), ("lex", 3));
    assert!(app.run.flame.sandwich_on, "still the sandwich");
    assert_eq!(selected_name(&app), "lex");
    assert_eq!(
        pick(&app),
        (Side::Callers, vec![]),
        "the new function picked"
    );
    assert!(
        app.shared.status.contains("sandwich of lex"),
        "{}",
        app.shared.status
    );
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("▲ callers of lex"), "{text}");
    assert!(
        text.contains("name      lex"),
        "the detail panel follows:\n{text}"
    );
    // Back up to parse: its heaviest place is selected, t;a;parse.
    press(&mut app, &[Action::Up, Action::Enter]);
    assert_eq!(app.run.flame.focus.as_ref().unwrap().name, "parse");
    assert_eq!(
        app.run.flame.full_path(app.run.flame.selected_id),
        ["t", "a", "parse"]
    );
    // Enter on the function itself changes nothing.
    press(&mut app, &[Action::Enter]);
    assert_eq!(app.run.flame.focus.as_ref().unwrap().name, "parse");
    assert!(
        app.shared.status.contains("already"),
        "{}",
        app.shared.status
    );
}

/// The cells of the screen as drawn, to see which frame is highlighted.
fn draw(app: &mut App, w: u16, h: u16) -> ratatui::buffer::Buffer {
    app.resize(w, h);
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| crate::tui::render(f, app)).unwrap();
    terminal.backend().buffer().clone()
}

#[test]
fn a_deep_pick_stays_on_screen_and_is_highlighted() {
    let chain: Vec<String> = (0..40).map(|i| format!("g{i:02}")).collect();
    let stacks = format!("t;{};leaf 6\nu;leaf 4\n", chain.join(";"));
    let mut app = app_with_stacks(&stacks);
    let (id, _) = app
        .run
        .flame
        .tree
        .iter()
        .find(|(_, n)| &*n.name == "leaf")
        .unwrap();
    app.run.flame.select(id);
    press(&mut app, &[Action::Sandwich]);
    press(&mut app, &vec![Action::Up; 30]);
    assert_eq!(pick(&app).1.len(), 30);
    let buf = draw(&mut app, 80, 24);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("▸ caller ↑30 g10"), "{text}");
    // The box of g10 is drawn (the callers half is far less than 30 rows) and marked.
    let area = buf.area;
    let cells: Vec<(u16, u16)> = (0..area.height)
        .flat_map(|y| (0..area.width.saturating_sub(2)).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let at = |dx: u16| buf[(x + dx, y)].symbol().to_string();
            (at(0), at(1), at(2)) == ("g".into(), "1".into(), "0".into())
        })
        .collect();
    let marked = cells.iter().any(|&(x, y)| {
        let m = buf[(x, y)].modifier;
        m.contains(Modifier::BOLD | Modifier::UNDERLINED)
    });
    assert!(marked, "g10 drawn and highlighted at {cells:?}:\n{text}");
}

#[test]
fn snapshot_sandwich_with_a_picked_caller() {
    let mut app = app_with_long_names();
    let path = ["bs-threads-1", ENGINE, RUN_UNIT];
    select(&mut app, &path);
    press(&mut app, &[Action::Sandwich, Action::Up]);
    snapshot_both(&mut app, "sandwich_pick", &["▸ caller ↑1 "]);
}

#[test]
fn snapshot_sandwich_with_a_picked_callee() {
    let mut app = app_with_long_names();
    let path = ["bs-threads-1", ENGINE, RUN_UNIT];
    select(&mut app, &path);
    press(&mut app, &[Action::Sandwich, Action::Down, Action::Down]);
    snapshot_both(&mut app, "sandwich_callee", &["▸ callee ↓2"]);
}
