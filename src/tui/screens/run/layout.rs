//! Pure geometry of the run screen, shared by `update` and rendering so a click is mapped
//! with the very rectangles that are drawn: the screen's areas for a terminal size and the
//! state shown, and the stage panel's room. Nothing here draws (and nothing imports a
//! `render*` module).

use crate::tui::state::Run;
use crate::tui::widgets::stages::{panel_height, stage_panel};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders};
use ratatui::Frame;

/// Where the parts of the run screen go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunAreas {
    pub header: Rect,
    pub chart: Rect,
    pub lanes: Rect,
    pub profile: Rect,
    /// Inside the profile block's border: where the flamegraph is laid out.
    pub profile_inner: Rect,
    pub detail: Rect,
    pub status: Rect,
}

/// The run screen's layouts for one terminal size, computed once per resize and kept in the
/// screen's state, so update maps a click with the rectangles render draws without laying
/// out again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenLayout {
    /// Columns and rows.
    pub size: (u16, u16),
    /// With the chart and the lanes (a run).
    pub run: RunAreas,
    /// Without them (a profile read from a file).
    pub file: RunAreas,
}

impl ScreenLayout {
    pub fn new(size: (u16, u16)) -> ScreenLayout {
        ScreenLayout {
            size,
            run: run_areas(size),
            file: file_areas(size),
        }
    }
}

/// The size to lay out for: the frame's (tests draw into any size).
pub fn size_of(frame: &Frame) -> (u16, u16) {
    (frame.area().width, frame.area().height)
}

/// The layout for a profile file: header, the flamegraph over the whole width, detail, status;
/// no chart and no lanes (empty areas).
pub fn file_areas(size: (u16, u16)) -> RunAreas {
    let full = Rect::new(0, 0, size.0, size.1);
    let [header, profile, detail, status] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(full);
    RunAreas {
        header,
        chart: Rect::default(),
        lanes: Rect::default(),
        profile,
        profile_inner: Block::default().borders(Borders::ALL).inner(profile),
        detail,
        status,
    }
}

/// The run screen's layout for a terminal of `size` (columns, rows).
pub fn run_areas(size: (u16, u16)) -> RunAreas {
    let full = Rect::new(0, 0, size.0, size.1);
    let [header, body, detail, status] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(full);
    let [left, profile] =
        Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(body);
    let [chart, lanes] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(left);
    RunAreas {
        header,
        chart,
        lanes,
        profile,
        profile_inner: Block::default().borders(Borders::ALL).inner(profile),
        detail,
        status,
    }
}

/// Takes the stage panel's rows from the top of the profile's area, when the run shown has
/// one and the user has not hidden it; returns where the panel goes.
pub fn carve(hidden: bool, run: Option<&Run>, areas: &mut RunAreas) -> Option<Rect> {
    if hidden {
        return None;
    }
    let panel = stage_panel(run?)?;
    let height = panel_height(panel, areas.profile.height);
    let [top, rest] =
        Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(areas.profile);
    areas.profile = rest;
    areas.profile_inner = Block::default().borders(Borders::ALL).inner(rest);
    Some(top)
}

/// The other runs drawn under `run` in the chart: the two latest that did the same work (the
/// same workload and options; mode, workers and GIL may differ), as only those compare line
/// for line, and more would crowd the chart.
pub fn overlaid<'a>(runs: &'a [Run], run: &Run) -> Vec<&'a Run> {
    let same_work = |r: &Run| r.workload == run.workload && r.work == run.work;
    let mut others: Vec<&Run> = runs
        .iter()
        .rev()
        .filter(|r| !run.work.is_empty() && same_work(r) && r.number != run.number)
        .take(2)
        .collect();
    others.reverse();
    others
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::{update, App};
    use crate::tui::state::Action;

    #[test]
    fn a_resize_lays_the_screen_out_once_for_the_new_size() {
        let mut app = App::new(2, false, std::env::temp_dir());
        app.resize(200, 55);
        assert_eq!(app.size(), (200, 55));
        assert_eq!(app.run.layout.run, run_areas((200, 55)));
        assert_eq!(app.run.layout.file, file_areas((200, 55)));
        assert_eq!(
            app.run_areas(),
            run_areas((200, 55)),
            "no run, nothing carved"
        );
        let wide = app.run_areas().profile;
        update(&mut app, Action::Resize(80, 24));
        assert_eq!(app.size(), (80, 24));
        assert!(app.run_areas().profile.width < wide.width);
    }
}
