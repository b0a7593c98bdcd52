//! The run screen while the run's input data is generated (before its `start`): what is
//! generated, a progress bar and how long it has taken, instead of an empty live view that
//! reads `running · 0.0 s` as if the run hung.

use super::layout::{run_areas, size_of};
use super::RunScreen;
use crate::model::GenProgress;
use crate::tui::state::{Run, Shared};
use crate::tui::widgets::status::render_status;
use crate::tui::widgets::theme::Theme;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding, Paragraph, Wrap};
use ratatui::Frame;

/// The panel's height: its text at 80 columns, wrapped, and the border.
const PANEL_ROWS: u16 = 11;

/// Draws the run screen of the run shown, whose input data is being generated.
pub fn render_preparing(frame: &mut Frame, screen: &RunScreen, shared: &Shared, theme: Theme) {
    let Some(run) = screen.current_run(&shared.runs) else {
        return;
    };
    let Some(progress) = &run.preparing else {
        return;
    };
    let areas = run_areas(size_of(frame));
    frame.render_widget(Paragraph::new(header(run, progress, theme)), areas.header);
    // The body's full width (the bar reads better wide) and the rows the text needs.
    let room = areas.detail.bottom().saturating_sub(areas.chart.y);
    let body = Rect {
        height: room.min(PANEL_ROWS),
        ..areas.chart.union(areas.profile)
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .padding(Padding::horizontal(1))
        .title(" generating input data ");
    let inner = block.inner(body);
    frame.render_widget(block, body);
    let text = Paragraph::new(panel(progress, inner.width, theme)).wrap(Wrap { trim: true });
    frame.render_widget(text, inner);
    render_status(frame, areas.status, &shared.status, theme);
}

fn header(run: &Run, progress: &GenProgress, theme: Theme) -> Vec<Line<'static>> {
    let first = Line::from(vec![
        Span::styled(crate::tui::widgets::fmt::run_title(run), theme.bold()),
        Span::styled(
            format!(" · generating input data · {:.1} s", progress.elapsed_s),
            theme.fg(Color::Yellow),
        ),
    ]);
    let second = Line::from(format!(
        "{}: {} · {}",
        progress.what,
        progress.files_text(),
        progress.records_text()
    ));
    vec![first, second]
}

/// The panel's lines: what is generated and why, the bar, the counts.
fn panel(progress: &GenProgress, width: u16, theme: Theme) -> Vec<Line<'static>> {
    let fraction = progress.fraction();
    let percent = format!(" {:>3.0}%", fraction * 100.0);
    let bar_width = usize::from(width).saturating_sub(percent.len() + 1).min(60);
    vec![
        Line::from(format!(
            "{} is not in the data cache yet: it is generated once now and reused by later runs.",
            progress.what
        )),
        Line::default(),
        Line::from(vec![
            Span::styled(bar(fraction, bar_width), theme.fg(Color::Cyan)),
            Span::styled(percent, theme.bold()),
        ]),
        Line::from(format!(
            "{} · {} · {:.1} s",
            progress.files_text(),
            progress.records_text(),
            progress.elapsed_s
        )),
        Line::default(),
        Line::from(Span::styled(
            "The run starts when its data is ready; throughput, worker lanes and the \
             flamegraph show from then on.",
            theme.dim(),
        )),
    ]
}

/// `width` cells, the done share full blocks and the rest light shade (readable without
/// colour).
fn bar(fraction: f64, width: usize) -> String {
    let full = ((fraction.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    format!("{}{}", "█".repeat(full), "░".repeat(width - full))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bar_fills_with_the_share_done() {
        assert_eq!(super::bar(0.0, 4), "░░░░");
        assert_eq!(super::bar(0.5, 4), "██░░");
        assert_eq!(super::bar(1.0, 4), "████");
        assert_eq!(super::bar(2.0, 4), "████", "clamped");
    }
}
