//! Tests of the stage timeline's layout (stage → columns, the critical path marked) and of
//! the panel's place on the run screen.

use super::*;
use crate::report::timeline::compute;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use crate::report::timeline::{test_stage as stage, test_unit as unit};

/// Three independent fetches, a load after them, two computations after the load; `b`, the
/// load and `x` are the longest chain. `y` did not run when `y_ran` is false.
pub fn timeline(y_ran: bool) -> Timeline {
    let dag = [
        stage("a", &[]),
        stage("b", &[]),
        stage("c_with_a_long_name", &[]),
        stage("load", &["a", "b", "c_with_a_long_name"]),
        stage("x", &["load"]),
        stage("y", &["load"]),
    ];
    let mut units = vec![
        unit("a", 0.0, 0.2),
        unit("b", 0.0, 0.3),
        unit("c_with_a_long_name", 0.0, 0.1),
        unit("load", 0.3, 0.35),
        unit("x", 0.35, 0.4),
    ];
    if y_ran {
        units.push(unit("y", 0.35, 0.37));
    }
    compute(&units, &dag, 0.4).expect("a timeline")
}

#[test]
fn stages_lie_on_one_axis_and_the_critical_path_is_marked() {
    // A third of 36 columns for names (12), 4 for the mark and gaps, 8 for durations: 12 left
    // for an axis of 0.4 s, 30 ms a column.
    let width = 36;
    let l = layout(&timeline(true), width);
    assert_eq!((l.name_width, l.axis_width), (12, 12));
    let by_name = |name: &str| l.rows.iter().find(|r| r.name == name).expect(name);
    let at = |x: f64| (x / 0.4 * l.axis_width as f64).round() as usize;
    assert_eq!(by_name("b").bar, Some(0..at(0.3)));
    assert_eq!(by_name("load").bar, Some(at(0.3)..at(0.35)));
    assert_eq!(by_name("x").bar, Some(at(0.35)..l.axis_width));
    // A stage shorter than a column still gets one.
    let y = by_name("y").bar.clone().expect("y ran");
    assert_eq!(y.len(), 1);
    let critical: Vec<&str> = l
        .rows
        .iter()
        .filter(|r| r.critical)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(critical, ["b", "load", "x"]);
    assert!(l.rows.iter().any(|r| r.name == "c_with_a_lo…"), "{l:?}");
    assert_eq!(by_name("load").duration, "50 ms");
}

#[test]
fn a_stage_that_did_not_run_has_no_bar() {
    let l = layout(&timeline(false), 60);
    let y = l.rows.iter().find(|r| r.name == "y").expect("listed");
    assert_eq!((y.bar.clone(), y.duration.as_str()), (None, "not run"));
}

/// The panel drawn alone, without colour, as text rows.
fn drawn(t: &Timeline, w: u16, h: u16) -> Vec<String> {
    let mut run = Run::new(1, crate::workload::etl::NAME, "threads", 2, false);
    run.report = Some(crate::model::RunReport {
        findings: crate::model::WorkloadFindings {
            timeline: Some(t.clone()),
            ..Default::default()
        },
        ..Default::default()
    });
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    let theme = Theme { color: false };
    let area = Rect::new(0, 0, w, h);
    terminal
        .draw(|f| render_stages(f, area, &run, theme))
        .expect("drawn");
    let buf = terminal.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

#[test]
fn without_colour_the_critical_path_reads_by_mark_and_glyph() {
    let t = timeline(true);
    let rows = drawn(&t, 60, 10);
    let stage_rows: Vec<&String> = rows.iter().filter(|r| r.ends_with(" ms│")).collect();
    assert_eq!(stage_rows.len(), t.stages.len(), "{rows:#?}");
    for row in &stage_rows {
        let critical = row.chars().nth(1) == Some('*');
        assert_eq!(row.contains(CRITICAL_GLYPH), critical, "{row}");
        assert_eq!(row.contains(STAGE_GLYPH), !critical, "{row}");
    }
    let marked = stage_rows.iter().filter(|r| r.starts_with("│*")).count();
    assert_eq!(marked, t.critical_path.len());
    assert!(rows
        .iter()
        .any(|r| r.contains("critical path  b → load → x = 400 ms")));
    assert!(
        rows.iter().any(|r| r.contains("theoretical 1.80×")),
        "{rows:#?}"
    );
}

#[test]
fn a_short_panel_keeps_every_stage_and_one_summary_line() {
    let t = timeline(true);
    // Six stages and one summary line inside the border.
    let rows = drawn(&t, 48, 9);
    let stage_rows = rows.iter().filter(|r| r.contains(" ms│")).count();
    assert_eq!(stage_rows, t.stages.len(), "{rows:#?}");
    assert!(rows[7].contains("1.80× possible"), "{rows:#?}");
    // Fewer rows than stages: the rest are counted, the summary stays.
    let rows = drawn(&t, 48, 6);
    assert!(
        rows.iter().any(|r| r.contains("… 4 more stages")),
        "{rows:#?}"
    );
    assert!(rows[4].contains("1.80× possible"), "{rows:#?}");
}

#[test]
fn the_panel_takes_at_most_half_the_column() {
    let t = timeline(true);
    let panel = StagePanel::Timeline(&t);
    // Room for everything: stages, two summary lines, the border.
    assert_eq!(panel_height(panel, 51), 10);
    assert_eq!(panel_height(panel, 20), 10);
    // Short of that, one summary line.
    assert_eq!(panel_height(panel, 18), 9);
    assert_eq!(panel_height(panel, 14), 7);
    let pending = StagePanel::Pending { done: 1, total: 7 };
    assert_eq!(panel_height(pending, 20), 3);
}
