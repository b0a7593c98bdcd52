//! Rendering: a pure function of `&App` onto a frame. Screen layouts are pure functions of the
//! terminal size, so the event loop can map mouse clicks with the very same rectangles.

use super::app::{App, Screen};
use super::theme::Theme;
use crate::report::thousands;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// The smallest terminal the UI draws in.
pub const MIN_SIZE: (u16, u16) = (80, 24);

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

/// Draws the whole UI.
pub fn render(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        return render_too_small(frame, area);
    }
    let theme = Theme { color: app.color };
    match app.screen {
        Screen::Setup => super::render_setup::render_setup(frame, app, theme),
        Screen::Run => super::render_live::render_run(frame, app, theme),
        Screen::Compare => super::render_compare::render_compare(frame, app, theme),
    }
    if app.help {
        render_help(frame, area, app);
    }
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

/// "123,456 items/s".
pub fn fmt_rate(per_s: f64) -> String {
    format!("{} items/s", thousands(per_s.max(0.0).round() as u64))
}

/// First row shown so that `selected` is visible in `height` rows.
pub fn tree_scroll(rows: &[(usize, usize)], selected: usize, height: u16) -> usize {
    let at = rows.iter().position(|r| r.0 == selected).unwrap_or(0);
    (at + 1).saturating_sub(usize::from(height.max(1)))
}
