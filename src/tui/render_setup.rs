//! The setup screen: the form for the next run and the session's run list.

use super::app::{App, Focus};
use super::render::{fmt_rate, render_status};
use super::setup::{field_info, FIELDS};
use super::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, TableState};
use ratatui::Frame;

/// Draws the setup screen.
pub fn render_setup(frame: &mut Frame, app: &App, theme: Theme) {
    let [title, body, hint, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let heading = "boundscope · is this job CPU-bound or IO-bound, and which concurrency helps?";
    frame.render_widget(Paragraph::new(heading).style(theme.bold()), title);
    let [form, runs] =
        Layout::horizontal([Constraint::Percentage(48), Constraint::Percentage(52)]).areas(body);
    render_form(frame, form, app, theme);
    render_runs(frame, runs, app, theme);
    let keys = match app.focus {
        Focus::Form => {
            "↑↓ field · ←→ change · digits type · Enter start · Tab runs · ? keys · q quit"
        }
        Focus::Runs => "↑↓ run · Enter open · Space mark · c compare · Tab form · ? keys · q quit",
    };
    frame.render_widget(Paragraph::new(keys).style(theme.dim()), hint);
    render_status(frame, status, app, theme);
}

fn render_form(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let form = &app.setup;
    let focused = app.focus == Focus::Form;
    let mut lines = Vec::new();
    for (i, field) in FIELDS.iter().enumerate() {
        let (label, help) = field_info(*field);
        let selected = focused && i == form.field;
        let mut value = form.value_text(*field);
        if selected && form.editing {
            value.push('_');
        }
        let style = if selected {
            theme.cursor()
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![Span::styled(
            format!(" {label:<9} ◀ {value:^10} ▶ "),
            style,
        )]));
        lines.push(Line::from(Span::styled(format!("   {help}"), theme.dim())));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" next run (Enter starts) ");
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn render_runs(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let rows = app.runs.iter().enumerate().map(|(i, run)| {
        let mark = if app.marked.contains(&i) { "*" } else { " " };
        let verdict = if run.error.is_some() {
            "error"
        } else {
            run.verdict()
        };
        Row::new([
            format!("{mark}{}", run.number),
            run.label.clone(),
            run.status.as_str().to_string(),
            fmt_rate(run.items_per_s()).replace(" items", ""),
            format!("{:.1}s", run.elapsed()),
            format!("{:.2}", run.busy_cores()),
            verdict.to_string(),
        ])
    });
    let widths = [
        Constraint::Length(3),
        Constraint::Length(20),
        Constraint::Length(8),
        Constraint::Length(11),
        Constraint::Length(6),
        Constraint::Length(5),
        Constraint::Min(8),
    ];
    let header = Row::new(["#", "run", "status", "items/s", "wall", "busy", "verdict"])
        .style(theme.bold().patch(theme.fg(Color::Cyan)));
    let highlight = if app.focus == Focus::Runs {
        theme.cursor()
    } else {
        Style::default()
    };
    let title = format!(" runs this session ({}) ", app.runs.len());
    let table = Table::new(rows, widths)
        .header(header)
        .row_highlight_style(highlight)
        .block(Block::default().borders(Borders::ALL).title(title));
    let selected = (!app.runs.is_empty()).then_some(app.run_cursor);
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);
}
