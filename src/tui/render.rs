//! Drawing the whole UI: a pure function of `&App` onto a frame. Each screen draws itself
//! from its own state and the shared state; the help over it comes from the key map.

use crate::tui::app::App;
use crate::tui::screens::{compare, run, setup, suite};
use crate::tui::state::Screen;
use crate::tui::widgets::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// The smallest terminal the UI draws in.
pub const MIN_SIZE: (u16, u16) = (80, 24);

/// Draws the whole UI.
pub fn render(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        return render_too_small(frame, area);
    }
    let theme = Theme {
        color: app.shared.color,
    };
    let shared = &app.shared;
    match app.screen {
        Screen::Setup => setup::render::render_setup(frame, &app.setup, shared, theme),
        Screen::Run => run::render::render_screen(frame, &app.run, shared, theme),
        Screen::Compare => {
            compare::render::render_compare(frame, app.compare.as_ref(), shared, theme)
        }
        Screen::Suite => {
            suite::render::render_suite(frame, (&app.suite, &app.setup.form), shared, theme)
        }
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
    let rows = crate::tui::keys::help_rows(app.screen);
    let widest = rows
        .iter()
        .map(|(_, d)| d.chars().count())
        .max()
        .unwrap_or(0);
    let width = (widest as u16 + 17).min(area.width);
    let visible = crate::tui::keys::help_visible_rows(area.height);
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
