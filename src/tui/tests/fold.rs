//! The code views fold the engine's frames above the workload into one frame; one key (from
//! the key map) shows full stacks, and the pane's title says so.

use super::frames::{app_with_long_names, ENGINE};
use super::press;
use super::snapshots::screen;
use crate::tui::app::App;
use crate::tui::state::Action;
use crossterm::event::{Event, KeyCode, KeyEvent};

const ENGINE_FRAME: &str = "boundscope::exec::threads::worker_loop";

/// The action the key map gives `c` on the screen showing.
fn key(app: &App, c: char) -> Action {
    let input = Event::Key(KeyEvent::from(KeyCode::Char(c)));
    crate::tui::keys::input_action(app.key_target(), &input).expect("a bound key")
}

#[test]
fn u_unfolds_the_engine_frames_and_folds_them_again() {
    let mut app = app_with_long_names();
    let total = app.run.flame.tree.total();
    let folded = screen(&mut app, 200, 55);
    assert!(folded.contains(ENGINE), "{folded}");
    assert!(!folded.contains(ENGINE_FRAME) && !folded.contains("full stacks"));

    let unfold = key(&app, 'u');
    assert!(matches!(unfold, Action::FullStacks), "{unfold:?}");
    press(&mut app, std::slice::from_ref(&unfold));
    let full = screen(&mut app, 200, 55);
    assert!(
        full.contains(ENGINE_FRAME) && !full.contains(ENGINE),
        "{full}"
    );
    assert!(
        full.contains("flamegraph · 4.40 s wall time · full stacks"),
        "the title says so:\n{full}"
    );
    assert!(
        app.shared.status.contains("u folds"),
        "{}",
        app.shared.status
    );
    assert_eq!(app.run.flame.tree.total(), total, "no time lost or added");

    press(&mut app, &[unfold]);
    let again = screen(&mut app, 200, 55);
    assert!(again.contains(ENGINE) && !again.contains(ENGINE_FRAME));
    assert!(!again.contains("full stacks"), "{again}");
}
