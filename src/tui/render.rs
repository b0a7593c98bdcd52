//! Rendering: a pure function of `&App` onto a frame. Screen layouts come from
//! [`layout`](super::layout), the geometry `update` maps mouse clicks with, so both use the very
//! same rectangles.

use super::app::{App, Screen};
use super::theme::Theme;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

// Where the layout used to live; kept reachable by its old path.
pub use super::layout::run_areas;

/// The smallest terminal the UI draws in.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// Draws the whole UI.
pub fn render(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        return render_too_small(frame, area);
    }
    let theme = Theme { color: app.color };
    match app.screen {
        Screen::Setup => super::render_setup::render_setup(frame, app, theme),
        Screen::Run
            if app
                .current_run()
                .is_some_and(super::runs::Run::is_profile_file) =>
        {
            render_profile_file(frame, app, theme)
        }
        Screen::Run if app.current_run().is_some_and(|r| r.preparing.is_some()) => {
            super::render_prepare::render_preparing(frame, app, theme)
        }
        Screen::Run => super::render_live::render_run(frame, app, theme),
        Screen::Compare => super::render_compare::render_compare(frame, app, theme),
        Screen::Suite => super::render_suite::render_suite(frame, app, theme),
    }
    if app.help {
        render_help(frame, area, app);
    }
}

/// A profile read from a file: what the file says about itself, and the flamegraph over the
/// whole screen (there is no time axis to chart).
fn render_profile_file(frame: &mut Frame, app: &App, theme: Theme) {
    let areas = app.run_areas();
    let Some(run) = app.current_run() else {
        return;
    };
    let first = Line::from(vec![
        Span::styled(format!("run {} · {}", run.number, run.label), theme.bold()),
        Span::raw(format!(
            " · {} file · no time data: no chart or worker lanes",
            run.workload
        )),
    ]);
    let about = run.source.clone().unwrap_or_default();
    let header = Paragraph::new(vec![first, Line::from(about)]);
    frame.render_widget(header, areas.header);
    super::render_flame::render_profile(frame, areas.profile, app, theme);
    super::render_flame::render_detail(frame, areas.detail, app, theme);
    render_status(frame, areas.status, app, theme);
}

fn render_too_small(frame: &mut Frame, area: Rect) {
    let text = format!(
        "terminal too small: {}×{}, boundscope needs at least {}×{} (q quits)",
        area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
    );
    let p = Paragraph::new(text).wrap(Wrap { trim: true });
    frame.render_widget(p, area);
}

/// The key map as a popup: the screen in use first; when it is taller than the terminal it
/// scrolls (↑↓) and its title says which rows show.
fn render_help(frame: &mut Frame, area: Rect, app: &App) {
    let rows = super::keys::help_rows(app.screen);
    let widest = rows
        .iter()
        .map(|(_, d)| d.chars().count())
        .max()
        .unwrap_or(0);
    let width = (widest as u16 + 17).min(area.width);
    let visible = super::keys::help_visible_rows(area.height);
    let height = (rows.len().min(visible) as u16 + 2).min(area.height);
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let first = app.help_scroll.min(rows.len().saturating_sub(visible));
    let lines: Vec<Line> = rows
        .iter()
        .skip(first)
        .take(visible)
        .map(|(k, d)| Line::from(format!(" {k:<13} {d}")))
        .collect();
    let title = if rows.len() > visible {
        let last = (first + visible).min(rows.len());
        format!(
            " keys {}–{last} of {} · ↑↓ scroll · Esc closes ",
            first + 1,
            rows.len()
        )
    } else {
        " keys (Esc or ? closes) ".to_string()
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

/// The bottom status line.
pub fn render_status(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let text = if app.status.is_empty() {
        "? keys · q quit".to_string()
    } else {
        app.status.clone()
    };
    let p = Paragraph::new(text)
        .style(theme.dim())
        .alignment(Alignment::Left);
    frame.render_widget(p, area);
}
