//! The setup screen: the form for the next run and the session's run list.

use super::form::{Field, SetupForm};
use super::{Focus, SetupScreen};
use crate::report::sweep_chart::short_number;
use crate::tui::state::Shared;
use crate::tui::widgets::status::render_status;
use crate::tui::widgets::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Padding, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

/// Draws the setup screen.
pub fn render_setup(frame: &mut Frame, screen: &SetupScreen, shared: &Shared, theme: Theme) {
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
    render_form(frame, form, screen, theme);
    render_runs(frame, runs, screen, shared, theme);
    let keys = match screen.focus {
        Focus::Form => form_keys(&screen.form),
        Focus::Runs => "↑↓ run · Enter open · Space mark · c compare · Tab form · ? keys · q quit",
    };
    frame.render_widget(Paragraph::new(keys).style(theme.dim()), hint);
    render_status(frame, status, &shared.status, theme);
}

/// The keys that matter on the form now: while typing, Enter keeps the text; on a path or
/// duration field, Enter types and `s` starts the run.
pub(super) fn form_keys(form: &SetupForm) -> &'static str {
    if form.is_typing() {
        "type the value · Enter keep it · Esc cancel · Backspace erase"
    } else if form.takes_text() {
        let steps = form
            .option(form.current())
            .is_some_and(|option| !option.presets.is_empty());
        if steps {
            "↑↓ field · ←→ step · Enter type a value · s start · Tab runs · ? keys · q quit"
        } else {
            "↑↓ field · Enter type a value · s start · Tab runs · ? keys · q quit"
        }
    } else {
        "↑↓ field · ←→ change · digits type · Enter start · Tab runs · ? keys · q quit"
    }
}

/// One line per shown field, then the help of the field under the cursor (the list changes
/// with the workload and mode, so a line of help under each would not fit at 80×24).
fn render_form(frame: &mut Frame, area: Rect, screen: &SetupScreen, theme: Theme) {
    let form = &screen.form;
    let focused = screen.focus == Focus::Form;
    let mut lines = Vec::new();
    for field in form.fields() {
        let selected = focused && field == form.current();
        let mut value = form.value_text(field);
        if selected && form.editing {
            value.push('_');
        }
        let style = if selected {
            theme.cursor()
        } else {
            Style::default()
        };
        let label = field.label();
        lines.push(Line::from(Span::styled(
            format!("{label:<9} ◀ {value:^15} ▶"),
            style,
        )));
    }
    lines.push(Line::default());
    let current = form.current();
    let name = match current {
        Field::Workload => "run WORKLOAD".to_string(),
        field => format!("--{}", field.label()),
    };
    lines.push(Line::from(Span::styled(name, theme.bold())));
    lines.push(Line::from(Span::styled(form.help(current), theme.dim())));
    let block = Block::default()
        .borders(Borders::ALL)
        .padding(Padding::horizontal(1))
        .title(" next run (Enter starts) ");
    let text = Paragraph::new(lines).wrap(Wrap { trim: false });
    frame.render_widget(text.block(block), area);
}

/// Each run takes two lines: what it was (number, workload, mode, workers, GIL; its knobs)
/// on the left, how it went (status and wall time; items/s and verdict) on the right, so two
/// runs that differ only in a knob or the GIL read differently even at 80 columns.
fn render_runs(frame: &mut Frame, area: Rect, screen: &SetupScreen, shared: &Shared, theme: Theme) {
    let width = usize::from(area.width.saturating_sub(2));
    let rows = shared.runs.iter().enumerate().map(|(i, run)| {
        let mark = if screen.marked.contains(&i) { "*" } else { " " };
        let verdict = if run.error.is_some() {
            "error"
        } else {
            run.verdict()
        };
        let what = format!("{mark}{} {}", run.number, crate::sanitize::name(&run.label));
        let status = format!("{} {:.1}s", run.status.as_str(), run.elapsed());
        let knobs = format!("   {}", run.knobs);
        let result = format!("{}/s {verdict}", short_number(run.items_per_s()));
        Row::new([Text::from(vec![
            Line::from(two_sided(&what, &status, width)),
            Line::from(Span::styled(two_sided(&knobs, &result, width), theme.dim())),
        ])])
        .height(2)
    });
    let widths = [Constraint::Fill(1)];
    let header = Row::new([two_sided("run · knobs", "status · items/s verdict", width)])
        .style(theme.bold().patch(theme.fg(Color::Cyan)));
    let highlight = if screen.focus == Focus::Runs {
        theme.cursor()
    } else {
        Style::default()
    };
    let title = format!(" runs this session ({}) ", shared.runs.len());
    let table = Table::new(rows, widths)
        .header(header)
        .row_highlight_style(highlight)
        .block(Block::default().borders(Borders::ALL).title(title));
    let selected = (!shared.runs.is_empty()).then_some(screen.run_cursor);
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);
}

/// `left` and `right` on one line of `width` columns, `right` flush right; when both do not
/// fit, `left` is cut and ends in `…` (the right side is the result, kept whole).
fn two_sided(left: &str, right: &str, width: usize) -> String {
    let (l, r) = (left.chars().count(), right.chars().count());
    if l + 1 + r <= width {
        return format!("{left}{}{right}", " ".repeat(width - l - r));
    }
    let room = width.saturating_sub(r + 2);
    let cut: String = left.chars().take(room).collect();
    format!("{cut}… {right}")
}

#[cfg(test)]
mod tests {
    use super::{form_keys, two_sided, Field, SetupForm};

    #[test]
    fn two_sided_lines_keep_the_right_side_whole() {
        assert_eq!(two_sided("ab", "cd", 8), "ab    cd");
        assert_eq!(two_sided("abcdef", "xy", 6), "ab… xy");
        assert_eq!(two_sided("a", "b", 3), "a b");
    }

    #[test]
    fn the_key_line_says_what_enter_does_on_the_field_and_while_typing() {
        let mut form = SetupForm::new(2);
        assert!(form_keys(&form).contains("Enter start"));
        form.choose("etl-pipeline");
        let pipeline = form
            .fields()
            .iter()
            .position(|f| *f == Field::Option("pipeline"));
        form.field = pipeline.expect("shown");
        assert!(form_keys(&form).starts_with("↑↓ field · Enter type a value · s start"));
        form.field = form.fields().len() - 1;
        assert_eq!(form.current(), Field::Option("latency"));
        assert!(form_keys(&form).contains("←→ step · Enter type a value"));
        form.field = pipeline.expect("shown");
        assert!(form.begin_typing());
        assert!(form_keys(&form).starts_with("type the value · Enter keep it · Esc cancel"));
    }
}
