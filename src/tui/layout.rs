//! Pure geometry of the run screen, shared by `update` and rendering so a click is mapped
//! with the very rectangles that are drawn: the screen's areas for a terminal size and the
//! state shown, the stage panel's room, the flamegraph's parts, the call tree's scroll and the
//! seconds the time axis spans. Nothing here draws (and nothing imports a `render*` module).

use super::app::App;
use super::flame_view::FlameView;
use super::profiles::Profile;
use super::runs::{Run, RunStatus};
use crate::model::Timeline;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders};

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

/// The run screen's layouts for one terminal size, computed once per resize and kept in
/// `App`, so update maps a click with the rectangles render draws without laying out again.
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

impl App {
    /// The run screen's layout for the run shown: a profile read from a file has no time
    /// data, so its flamegraph takes the chart's and the lanes' room too; an etl-pipeline
    /// run's stage panel takes room from the lanes.
    pub fn run_areas(&self) -> RunAreas {
        let file = self.current_run().is_some_and(Run::is_profile_file);
        if file {
            return self.layout.file;
        }
        let mut areas = self.layout.run;
        carve(self, &mut areas);
        areas
    }

    /// Columns and rows of the terminal.
    pub fn size(&self) -> (u16, u16) {
        self.layout.size
    }

    /// Takes the terminal's new size and lays the screen out for it.
    pub fn resize(&mut self, columns: u16, rows: u16) {
        self.layout = ScreenLayout::new((columns, rows));
    }
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

/// What the stage panel shows for a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StagePanel<'a> {
    Timeline(&'a Timeline),
    /// An etl-pipeline run still going (or a recording played back to before its report).
    Pending {
        done: u64,
        total: u64,
    },
}

/// The stage panel of `run`, if it has one: a timeline in its report, or an etl-pipeline run
/// waiting for its report.
pub fn stage_panel(run: &Run) -> Option<StagePanel<'_>> {
    if let Some(t) = run
        .report
        .as_ref()
        .and_then(|r| r.findings.timeline.as_ref())
    {
        return Some(StagePanel::Timeline(t));
    }
    let waiting = matches!(run.status, RunStatus::Running | RunStatus::Recorded);
    let pending = StagePanel::Pending {
        done: run.last_tick.units_done,
        total: run.last_tick.units_total,
    };
    (waiting && run.workload == crate::workload::etl::NAME).then_some(pending)
}

/// Rows of the panel in a column `height` rows tall. It takes at most half the column, so the
/// flamegraph keeps the other half: every stage with the critical path and the speedups on
/// two lines when they fit, else on one (at 80×24), else as many stages as fit.
pub(crate) fn panel_height(panel: StagePanel, height: u16) -> u16 {
    let room = (height / 2).max(3);
    let want = match panel {
        StagePanel::Pending { .. } => 3,
        StagePanel::Timeline(t) => {
            let rows = t.stages.len() as u16 + 2;
            if rows + 2 <= room {
                rows + 2
            } else {
                rows + 1
            }
        }
    };
    want.min(room).min(height)
}

/// Takes the stage panel's rows from the top of the profile's area, when the run shown has
/// one and the user has not hidden it; returns where the panel goes.
pub fn carve(app: &App, areas: &mut RunAreas) -> Option<Rect> {
    if app.stages_hidden {
        return None;
    }
    let panel = stage_panel(app.current_run()?)?;
    let height = panel_height(panel, areas.profile.height);
    let [top, rest] =
        Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(areas.profile);
    areas.profile = rest;
    areas.profile_inner = Block::default().borders(Borders::ALL).inner(rest);
    Some(top)
}

/// Where the parts of the flamegraph go inside the profile pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlameParts {
    pub graph: Rect,
    /// The breadcrumb row over the graph: shown when zoomed or scrolled down.
    pub crumbs: Option<Rect>,
    /// The legend row under the graph (wall-time views only).
    pub legend: Option<Rect>,
}

/// The parts of the flamegraph of `view` inside the profile pane's `inner` area.
pub fn flame_parts(inner: Rect, view: &FlameView) -> FlameParts {
    let (mut graph, legend) = flame_areas(inner, view.profile);
    // Only when ancestors are out of sight: a graph deeper than the pane whose top rows all
    // show (its deepest frames are too narrow to matter) needs no breadcrumb.
    let scrolled = view.window_start(graph.height) > 0;
    let crumbs = (graph.height >= 2 && (scrolled || !view.zoom.is_empty())).then(|| {
        let row = Rect { height: 1, ..graph };
        graph.y += 1;
        graph.height -= 1;
        row
    });
    FlameParts {
        graph,
        crumbs,
        legend,
    }
}

/// Where the flamegraph goes inside the profile pane's `inner` area, and the legend's row
/// under it (wall-time views only).
pub fn flame_areas(inner: Rect, profile: Profile) -> (Rect, Option<Rect>) {
    if !profile.is_time() || inner.height < 2 {
        return (inner, None);
    }
    let graph = Rect {
        height: inner.height - 1,
        ..inner
    };
    let row = Rect {
        y: inner.y + inner.height - 1,
        height: 1,
        ..inner
    };
    (graph, Some(row))
}

/// First row shown so that `selected` is visible in `height` rows.
pub fn tree_scroll(rows: &[(usize, usize)], selected: usize, height: u16) -> usize {
    let at = rows.iter().position(|r| r.0 == selected).unwrap_or(0);
    (at + 1).saturating_sub(usize::from(height.max(1)))
}

/// The other runs of the workload drawn under `run` in the chart: the two latest, as more
/// would crowd the chart and stretch its scale away from the run being watched.
pub fn overlaid<'a>(app: &'a App, run: &Run) -> Vec<&'a Run> {
    let mut others: Vec<&Run> = app
        .runs
        .iter()
        .rev()
        .filter(|r| r.workload == run.workload && r.number != run.number)
        .take(2)
        .collect();
    others.reverse();
    others
}

/// The seconds the chart and lanes span: the longest run shown.
pub fn shown_seconds(run: &Run, others: &[&Run]) -> f64 {
    others
        .iter()
        .copied()
        .chain(std::iter::once(run))
        .flat_map(|r| {
            r.throughput
                .last()
                .map(|p| p.0)
                .into_iter()
                .chain(r.spans.last().map(|s| s.1))
        })
        .fold(0.0f64, f64::max)
        .max(0.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resize_lays_the_screen_out_once_for_the_new_size() {
        let mut app = App::new(2, false, std::env::temp_dir());
        app.resize(200, 55);
        assert_eq!(app.size(), (200, 55));
        assert_eq!(app.layout.run, run_areas((200, 55)));
        assert_eq!(app.layout.file, file_areas((200, 55)));
        assert_eq!(
            app.run_areas(),
            run_areas((200, 55)),
            "no run, nothing carved"
        );
        let wide = app.run_areas().profile;
        super::super::app::update(&mut app, super::super::app::Action::Resize(80, 24));
        assert_eq!(app.size(), (80, 24));
        assert!(app.run_areas().profile.width < wide.width);
    }
}
