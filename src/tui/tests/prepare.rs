//! A run whose input data is generated first: `prepare` events before `start`.

use super::snapshots::screen;
use super::{app, start_event, tick};
use crate::events::Event;
use crate::model::GenProgress;
use crate::tui::app::{update, App};
use crate::tui::state::runs::Run;
use crate::tui::state::Action;

fn progress(files_done: u64, records_done: u64, elapsed_s: f64) -> GenProgress {
    GenProgress {
        what: "json-parse ticks".into(),
        files_done,
        files_total: 16,
        records_done,
        records_total: 320_000,
        bytes: files_done * 1_757_000,
        elapsed_s,
    }
}

fn send(app: &mut App, event: Event) {
    let event = Box::new(event);
    update(app, Action::RunEvent { run: 0, event });
}

/// An app whose one run is generating its data: 7 of 16 files done.
fn generating_app() -> App {
    let mut app = app();
    app.add_run(Run::new(1, "json-parse", "threads", 2, false));
    send(&mut app, Event::Prepare(progress(0, 0, 0.0)));
    send(&mut app, Event::Prepare(progress(7, 140_000, 2.1)));
    app
}

#[test]
fn prepare_events_show_generation_until_the_run_starts() {
    let mut app = generating_app();
    let run = app.current_run().expect("a run");
    let shown = run.preparing.as_ref().expect("preparing");
    assert_eq!((shown.files_done, shown.records_done), (7, 140_000));
    assert!(
        app.shared.status.contains("7 of 16 files (12.3 MB)"),
        "{}",
        app.shared.status
    );
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("generating input data · 2.1 s"), "{text}");
    assert!(text.contains("44%"), "{text}");
    assert!(!text.contains("running · 0.0 s"), "{text}");

    send(&mut app, start_event("json-parse"));
    assert!(app.current_run().expect("run").preparing.is_none());
    assert!(
        app.shared.status.contains("started"),
        "{}",
        app.shared.status
    );
    send(&mut app, tick(0.5, 1000, 0.9));
    let text = screen(&mut app, 120, 40);
    assert!(!text.contains("generating input data"), "{text}");
    assert!(text.contains("running · 0.5 s"), "{text}");
}

#[test]
fn a_failure_while_generating_leaves_the_generating_view() {
    let mut app = generating_app();
    send(
        &mut app,
        Event::Error {
            message: "no space left on device".into(),
        },
    );
    assert!(app.current_run().expect("run").preparing.is_none());
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("no space left on device"), "{text}");
    assert!(!text.contains("generating input data ·"), "{text}");
}

#[test]
fn snapshot_generating_input_data() {
    for (w, h) in [(80, 24), (200, 55)] {
        let mut app = generating_app();
        let text = screen(&mut app, w, h);
        insta::assert_snapshot!(format!("generating_input_data_{w}x{h}"), text);
    }
}
