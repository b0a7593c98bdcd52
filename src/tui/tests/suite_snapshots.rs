//! Snapshots of the suite screen: the picker, a scenario's lines with their expectations, and
//! a sweep with its reading, at 80×24 and 200×55.

use super::press;
use super::snapshots::screen;
use super::suite::{finish, open_sweep, start_scenario, started};
use crate::tui::app::App;
use crate::tui::state::Action;

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 55)];

/// json-gil with every line finished: the process pool twice as fast, the fast parser not.
fn finished_scenario() -> App {
    let mut app = start_scenario("json-gil");
    finish(&mut app, 0, (2.0, "gil-bound"), ("sequential", 1));
    finish(&mut app, 1, (1.0, "cpu-bound"), ("processes", 2));
    finish(&mut app, 2, (4.0, "gil-bound"), ("sequential", 1));
    started(&mut app);
    app
}

#[test]
fn snapshot_scenario_screen() {
    for (w, h) in SIZES {
        let mut app = finished_scenario();
        let text = screen(&mut app, w, h);
        assert!(text.contains("NOT MET") && text.contains("met "), "{text}");
        assert!(text.contains("process pool"), "{text}");
        insta::assert_snapshot!(format!("suite_scenario_{w}x{h}"), text);
    }
}

/// A sweep over 1,2,4: two lines done, the last one failed.
#[test]
fn snapshot_sweep_screen() {
    for (w, h) in SIZES {
        let mut app = crate::tui::tests::app();
        open_sweep(&mut app);
        press(
            &mut app,
            &[Action::SearchBackspace, Action::SearchBackspace],
        );
        press(&mut app, &[Action::SearchConfirm]);
        if let Some(suite) = app.suite.suite.as_mut() {
            suite.cores = 2;
        }
        finish(&mut app, 0, (4.0, "cpu-bound"), ("threads", 1));
        finish(&mut app, 1, (2.5, "cpu-bound"), ("threads", 2));
        let stderr = "error: the run failed: out of memory".to_string();
        let exited = Action::RunExited {
            run: 2,
            code: Some(1),
            stderr,
        };
        press(&mut app, &[exited]);
        let text = screen(&mut app, w, h);
        assert!(
            text.contains("threads ×4") && text.contains("out of memory"),
            "{text}"
        );
        insta::assert_snapshot!(format!("suite_sweep_{w}x{h}"), text);
    }
}

#[test]
fn snapshot_picker() {
    for (w, h) in SIZES {
        let mut app = crate::tui::tests::app();
        press(&mut app, &[Action::OpenSuite, Action::Down, Action::Down]);
        let text = screen(&mut app, w, h);
        assert!(
            text.contains("json-gil") && text.contains("quick"),
            "{text}"
        );
        insta::assert_snapshot!(format!("suite_picker_{w}x{h}"), text);
    }
}

/// While the second line runs: its progress, the first line's figures, the third waiting,
/// and the expectations waiting for their lines.
#[test]
fn snapshot_scenario_running() {
    let mut app = start_scenario("json-gil");
    finish(&mut app, 0, (2.0, "gil-bound"), ("sequential", 1));
    for event in super::sample_events(1.0, false).into_iter().take(4) {
        press(
            &mut app,
            &[Action::RunEvent {
                run: 1,
                event: Box::new(event),
            }],
        );
    }
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("line 2 of 3 running: process pool"), "{text}");
    assert!(text.contains("waiting"), "{text}");
    insta::assert_snapshot!("suite_scenario_running_80x24", text);
}

/// Without colour the overlaid lines are told apart by their markers: each line's glyph is
/// drawn in the chart and shown beside its label in the legend and in the table.
#[test]
fn snapshot_scenario_without_colour() {
    let mut app = finished_scenario();
    app.shared.color = false;
    let text = screen(&mut app, 80, 24);
    let rows: Vec<&str> = text.lines().collect();
    let chart_top = rows.iter().position(|r| r.contains("items/s · top"));
    let chart = &rows[chart_top.expect("the chart") + 1..];
    for (i, label) in ["sequential", "process pool", "faster parser"]
        .iter()
        .enumerate()
    {
        let glyph = crate::tui::screens::suite::overlay::line_look(i).glyph;
        let marked = format!("{glyph} {label}");
        assert!(
            rows.iter().filter(|r| r.contains(&marked)).count() >= 2,
            "{marked} in the table and the legend:\n{text}"
        );
        // Drawn in the chart, left of the legend box.
        assert!(
            chart
                .iter()
                .any(|r| r.split('┌').next().unwrap_or("").contains(glyph)),
            "{glyph} drawn:\n{text}"
        );
    }
    insta::assert_snapshot!("suite_scenario_no_colour_80x24", text);
}
