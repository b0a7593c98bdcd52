//! The stage timeline of an `etl-pipeline` run, over its flamegraph: each stage a bar on one
//! time axis, the critical path marked (`*` and a solid bar, so it reads without colour), each
//! stage's duration, and the speedups. The figures are the report's [`Timeline`], the ones the
//! headless summary prints; a run still going shows how many stages are done.

use super::theme::Theme;
use crate::model::Timeline;
use crate::report::timeline::seconds;
use crate::tui::state::{Run, RunStatus};
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use std::ops::Range;

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
pub fn panel_height(panel: StagePanel, height: u16) -> u16 {
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

/// Bar glyphs: the critical path's, the other stages', a failed stage's.
pub const CRITICAL_GLYPH: char = '█';
pub const STAGE_GLYPH: char = '░';
pub const FAILED_GLYPH: char = 'x';
/// Columns of the duration at the end of a row (`1234 ms`, `12.34 s`, `not run`).
const DURATION_WIDTH: usize = 8;

/// One stage's row laid out on the panel.
#[derive(Debug, Clone, PartialEq)]
pub struct StageRow {
    /// The name, cut to the name column (ending in `…` when cut).
    pub name: String,
    pub critical: bool,
    pub failed: bool,
    /// The bar's columns on the time axis; `None` for a stage that did not run.
    pub bar: Option<Range<usize>>,
    pub duration: String,
}

/// The rows of a timeline on a panel `width` columns wide (inside its border):
/// `* name axis duration`, every bar on one axis of `axis_width` columns.
#[derive(Debug, Clone, PartialEq)]
pub struct StageLayout {
    pub name_width: usize,
    pub axis_width: usize,
    pub rows: Vec<StageRow>,
}

/// Lays `t` out on `width` columns: names take at most a third of them, the axis the rest.
pub fn layout(t: &Timeline, width: u16) -> StageLayout {
    let width = usize::from(width);
    // Stage names come from a pipeline file: shown sanitized, and measured so.
    let shown = |name: &str| crate::sanitize::name(name).into_owned();
    let longest = t
        .stages
        .iter()
        .map(|s| shown(&s.name).chars().count())
        .max();
    let name_width = longest.unwrap_or(0).min(width / 3).max(1);
    let axis_width = width.saturating_sub(name_width + 4 + DURATION_WIDTH);
    let rows = t
        .stages
        .iter()
        .map(|st| StageRow {
            name: cut(&shown(&st.name), name_width),
            critical: st.critical,
            failed: st.failed,
            bar: t.bar_columns(st, axis_width),
            duration: if st.missing {
                "not run".into()
            } else {
                seconds(st.duration_s)
            },
        })
        .collect();
    StageLayout {
        name_width,
        axis_width,
        rows,
    }
}

/// `text` in at most `width` columns, ending in `…` when cut.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let kept: String = text.chars().take(width.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// The first of `variants` that fits `width` columns, else the last one cut.
fn fit(variants: &[String], width: usize) -> String {
    let found = variants.iter().find(|v| v.chars().count() <= width);
    let last = variants.last().map_or("", String::as_str);
    found.cloned().unwrap_or_else(|| cut(last, width))
}

/// Draws the panel of `run` into `area`.
pub fn render_stages(frame: &mut Frame, area: Rect, run: &Run, theme: Theme) {
    let Some(panel) = stage_panel(run) else {
        return;
    };
    let width = usize::from(area.width.saturating_sub(2));
    let (title, lines) = match panel {
        StagePanel::Timeline(t) => (title(t, width), timeline_lines(t, area, theme)),
        StagePanel::Pending { total: 0, .. } => {
            let text = fit(
                &["the stages' timeline comes with the run's report".into()],
                width,
            );
            (" stage timeline ".into(), vec![Line::from(text)])
        }
        StagePanel::Pending { done, total } => {
            let variants = [
                format!("{done} of {total} stages done · the timeline and critical path come with the report"),
                format!("{done} of {total} stages done · timeline at the end"),
                format!("{done}/{total} stages done"),
            ];
            (
                " stage timeline ".into(),
                vec![Line::from(fit(&variants, width))],
            )
        }
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The panel's title: the axis's span and the legend, as long as the width allows.
fn title(t: &Timeline, width: usize) -> String {
    let span = seconds(t.span_s());
    let critical = seconds(t.critical_path_s);
    let variants = [
        format!(" stage timeline 0 → {span} · * {CRITICAL_GLYPH} critical path · {STAGE_GLYPH} other stages · T hides "),
        format!(" stages 0 → {span} · *{CRITICAL_GLYPH} critical path {critical} "),
        format!(" stages 0 → {span} · *{CRITICAL_GLYPH} critical "),
        format!(" stages 0 → {span} "),
    ];
    fit(&variants, width)
}

/// The stage rows and the summary lines that fit `area` (inside its border).
fn timeline_lines(t: &Timeline, area: Rect, theme: Theme) -> Vec<Line<'static>> {
    let inner = Block::default().borders(Borders::ALL).inner(area);
    let rows = usize::from(inner.height);
    let width = usize::from(inner.width);
    let stages = layout(t, inner.width);
    let summary = summary_lines(t, width, rows > stages.rows.len() + 1);
    let room = rows.saturating_sub(summary.len());
    let mut lines: Vec<Line> = Vec::with_capacity(rows);
    for (i, row) in stages.rows.iter().enumerate().take(room) {
        if i + 1 == room && stages.rows.len() > room {
            let more = stages.rows.len() - i;
            lines.push(Line::from(format!("  … {more} more stages")));
            break;
        }
        lines.push(stage_line(row, &stages, theme));
    }
    lines.extend(summary.into_iter().map(Line::from));
    lines
}

fn stage_line(row: &StageRow, layout: &StageLayout, theme: Theme) -> Line<'static> {
    let mark = if row.critical { '*' } else { ' ' };
    let (glyph, color) = match (row.failed, row.critical) {
        (true, _) => (FAILED_GLYPH, Color::Red),
        (false, true) => (CRITICAL_GLYPH, Color::Yellow),
        (false, false) => (STAGE_GLYPH, Color::Cyan),
    };
    let bar = row.bar.clone().unwrap_or(0..0);
    let axis = layout.axis_width;
    let name_width = layout.name_width;
    let head = format!("{mark} {:<name_width$} ", row.name);
    let head = if row.critical {
        Span::styled(head, theme.bold())
    } else {
        Span::raw(head)
    };
    Line::from(vec![
        head,
        Span::raw(" ".repeat(bar.start)),
        Span::styled(glyph.to_string().repeat(bar.len()), theme.fg(color)),
        Span::raw(" ".repeat(axis.saturating_sub(bar.end))),
        Span::raw(format!(" {:>w$}", row.duration, w = DURATION_WIDTH)),
    ])
}

/// The critical path and the speedups: two lines, or one when `two` is false.
fn summary_lines(t: &Timeline, width: usize, two: bool) -> Vec<String> {
    let path = t.critical_path.join(" → ");
    let critical = seconds(t.critical_path_s);
    let (theory, achieved) = (t.theoretical_speedup, t.achieved_speedup);
    let share = if theory > 0.0 {
        achieved / theory * 100.0
    } else {
        0.0
    };
    // A timeline whose stages took no measurable time has no speedup to tell.
    let speedups = theory > 0.0;
    if !two {
        let mut variants = vec![format!("critical {critical}")];
        if speedups {
            variants.insert(
                0,
                format!(
                    "critical {critical} · speedup {theory:.2}× possible, {achieved:.2}× achieved"
                ),
            );
            variants.insert(
                1,
                format!("{theory:.2}× possible · {achieved:.2}× achieved"),
            );
        }
        return vec![fit(&variants, width)];
    }
    let mut lines = vec![fit(
        &[
            format!("critical path  {path} = {critical}"),
            format!("critical path {critical}: {path}"),
        ],
        width,
    )];
    if speedups {
        let variants = [
            format!(
                "speedup  theoretical {theory:.2}× (stages {} ÷ critical path {critical}), achieved {achieved:.2}× (÷ wall {}) = {share:.0}% of it",
                seconds(t.stages_sum_s),
                seconds(t.wall_s)
            ),
            format!("speedup  theoretical {theory:.2}×, achieved {achieved:.2}× = {share:.0}% of it"),
            format!("{theory:.2}× possible · {achieved:.2}× achieved"),
        ];
        lines.push(fit(&variants, width));
    }
    lines
}

#[cfg(test)]
#[path = "stages_tests.rs"]
mod tests;
