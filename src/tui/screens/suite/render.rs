//! The suite screen: the picker (built-in scenarios with title and lesson, a scenario file, a
//! sweep), and a suite's lines side by side — table, overlaid throughput, expectations.

use super::flow::{PickItem, SuiteState};
use super::lines::{LineState, Suite, SuiteKind, SweepSource};
use super::overlay::{line_look, line_points};
use crate::report::sweep_chart::short_number;
use crate::scenario::{Scenario, BUILT_IN};
use crate::tui::state::{Run, Shared};
use crate::tui::widgets::status::render_status;
use crate::tui::widgets::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph, Row, Table, Wrap,
};
use ratatui::Frame;

/// Draws the suite screen.
pub fn render_suite(
    frame: &mut Frame,
    (state, form): (&SuiteState, &dyn SweepSource),
    shared: &Shared,
    theme: Theme,
) {
    let [body, hint, status] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let keys = match (&state.suite, state.picking) {
        (Some(suite), false) => {
            render_results(frame, body, &shared.runs, suite, theme);
            "↑↓ line · Enter its run · x stop · n another · Esc setup · ? keys"
        }
        _ => {
            render_picker(frame, body, (state, form), theme);
            "↑↓ choose · ←→ quick/full sizes · Enter start · Esc back · ? keys"
        }
    };
    frame.render_widget(Paragraph::new(keys).style(theme.dim()), hint);
    render_status(frame, status, &shared.status, theme);
}

fn render_picker(
    frame: &mut Frame,
    area: Rect,
    (state, form): (&SuiteState, &dyn SweepSource),
    theme: Theme,
) {
    let [list, detail] =
        Layout::horizontal([Constraint::Length(30), Constraint::Min(0)]).areas(area);
    let mut items: Vec<Line> = BUILT_IN
        .iter()
        .map(|(name, text)| {
            let pg = Scenario::parse(text).is_ok_and(|s| s.postgres);
            Line::from(format!(" {name}{}", if pg { " [PostgreSQL]" } else { "" }))
        })
        .collect();
    items.push(Line::from(" a scenario file…"));
    items.push(Line::from(" a sweep of worker counts…"));
    for (i, line) in items.iter_mut().enumerate() {
        if i == state.cursor {
            *line = line.clone().style(theme.cursor());
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" scenario or sweep ");
    frame.render_widget(Paragraph::new(items).block(block), list);
    let block = Block::default().borders(Borders::ALL).title(" about it ");
    let text = Paragraph::new(picker_detail(state, form, theme))
        .wrap(Wrap { trim: false })
        .block(block);
    frame.render_widget(text, detail);
}

/// The highlighted item: a scenario's title, lesson, sizes and lines; a file's path; a sweep's
/// workload, mode and worker counts.
fn picker_detail(state: &SuiteState, form: &dyn SweepSource, theme: Theme) -> Vec<Line<'static>> {
    let typed = |saved: &str| match &state.input {
        Some(input) => format!("{}_", input.text()),
        None => saved.to_string(),
    };
    match state.item() {
        PickItem::BuiltIn(i) => match Scenario::parse(BUILT_IN[i].1) {
            Ok(mut scenario) => {
                scenario.keep_real(false);
                scenario_detail(&scenario, state, theme)
            }
            Err(e) => vec![Line::from(e.to_string())],
        },
        PickItem::File => {
            let mut lines = vec![
                Line::styled("A scenario file (TOML)", theme.bold()),
                Line::from(format!("path: {}", typed(&state.path))),
                Line::default(),
                Line::styled("Enter types the path, Enter again starts it.", theme.dim()),
            ];
            lines.push(sizes_line(state, theme));
            lines
        }
        PickItem::Sweep => {
            let gil = if form.gil() { " with --gil" } else { "" };
            vec![
                Line::styled("A sweep: one run per worker count", theme.bold()),
                Line::from(format!(
                    "{} {}{gil}, from the setup form (Esc to change them there)",
                    form.workload_name(),
                    form.mode().as_str()
                )),
                Line::from(format!("worker counts: {}", typed(&state.counts))),
                Line::default(),
                Line::styled(
                    "Enter types the counts, Enter again starts. Speedups are over the first \
                     count; sizes are the setup form's.",
                    theme.dim(),
                ),
            ]
        }
    }
}

fn sizes_line(state: &SuiteState, theme: Theme) -> Line<'static> {
    let sizes = if state.quick {
        "◀ quick ▶ (small; full sizes take minutes)"
    } else {
        "◀ full ▶ (as the file says; takes minutes)"
    };
    Line::from(vec![
        Span::styled("sizes: ", theme.bold()),
        Span::raw(sizes),
    ])
}

/// Text of a scenario file (titles, labels, expectations) or of a failure, as it is shown.
fn shown(text: &str) -> String {
    crate::sanitize::name(text).into_owned()
}

fn scenario_detail(scenario: &Scenario, state: &SuiteState, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::styled(shown(&scenario.title), theme.bold()),
        Line::from(shown(&scenario.lesson())),
        Line::default(),
        sizes_line(state, theme),
    ];
    for (i, run) in scenario.runs.iter().enumerate() {
        let argv = scenario.argv(i, state.quick).join(" ");
        let text = shown(&format!("{}: {argv}", run.label));
        lines.push(Line::styled(text, theme.dim()));
    }
    lines.push(Line::styled(
        format!(
            "{} expectations · one run per line here (the CLI repeats {}×)",
            scenario.expects.len(),
            scenario.repeat
        ),
        theme.dim(),
    ));
    lines
}

fn render_results(frame: &mut Frame, area: Rect, runs: &[Run], suite: &Suite, theme: Theme) {
    let notes = notes(runs, suite, theme);
    let lesson_rows = if suite.lesson.is_empty() { 0 } else { 2 };
    // Wrapped rows of the notes, plus the title's, within a third of the screen.
    let width = usize::from(area.width.max(1));
    let wrapped: usize = notes.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
    let note_rows = (wrapped as u16 + 1).min(area.height / 3);
    let [header, lesson, table, chart, checks] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(lesson_rows),
        Constraint::Length(suite.lines.len() as u16 + 1),
        Constraint::Min(5),
        Constraint::Length(note_rows),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(header_lines(suite, theme)), header);
    let text = Paragraph::new(shown(&suite.lesson)).wrap(Wrap { trim: true });
    frame.render_widget(text, lesson);
    render_table(frame, table, runs, suite, theme);
    render_overlay(frame, chart, runs, suite, theme);
    let title = match suite.kind {
        SuiteKind::Scenario => " expectations ",
        SuiteKind::Sweep => " reading ",
    };
    let block = Block::default().borders(Borders::TOP).title(title);
    let p = Paragraph::new(notes).wrap(Wrap { trim: false });
    frame.render_widget(p.block(block), checks);
}

fn header_lines(suite: &Suite, theme: Theme) -> Vec<Line<'static>> {
    let (k, n) = suite.progress();
    let progress = match suite.running() {
        Some(i) => format!("line {k} of {n} running: {}", shown(&suite.lines[i].label)),
        None if suite.stopping => format!("stopped after {k} of {n} lines"),
        None => format!("all {n} lines done"),
    };
    let mut about = format!("{progress} · {}", suite.sizes);
    if !suite.source.is_empty() {
        about += &format!(" · {}", shown(&suite.source));
    }
    about += " · one run per line";
    vec![
        Line::styled(shown(&suite.title), theme.bold()),
        Line::from(about),
    ]
}

fn render_table(frame: &mut Frame, area: Rect, runs: &[Run], suite: &Suite, theme: Theme) {
    let rows = suite.lines.iter().enumerate().map(|(i, line)| {
        let run = line.run.and_then(|r| runs.get(r));
        // A line that failed before its first tick has no figures, only its mode and workers.
        let measured = run.filter(|r| r.report.is_some() || r.last_tick.elapsed_s > 0.0);
        let figure = |f: &dyn Fn(&Run) -> String| run.map_or("-".to_string(), f);
        let measure = |f: &dyn Fn(&Run) -> String| measured.map_or("-".to_string(), f);
        let speedup = suite
            .speedup(runs, i)
            .map_or("-".to_string(), |s| format!("{s:.2}×"));
        let look = line_look(i);
        let mark = Span::styled(format!("{} ", look.glyph), theme.fg(look.color));
        let row = Row::new([
            Line::from(vec![mark, Span::raw(shown(&line.label))]),
            Line::from(figure(&|r| r.mode.clone())),
            Line::from(figure(&|r| r.workers.to_string())),
            Line::from(measure(&|r| format!("{:.2} s", r.elapsed()))),
            Line::from(measure(&|r| short_number(r.items_per_s()))),
            Line::from(speedup),
            Line::from(reading(line.state.clone(), run)),
        ]);
        match i == suite.cursor {
            true => row.style(theme.cursor()),
            false => row,
        }
    });
    let header = Row::new([
        "line", "mode", "workers", "wall", "items/s", "speedup", "reading",
    ])
    .style(theme.bold());
    let widths = [
        Constraint::Length(24),
        Constraint::Length(10),
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Fill(1),
    ];
    frame.render_widget(Table::new(rows, widths).header(header), area);
}

/// A line's verdict when done, else where it is.
fn reading(state: LineState, run: Option<&Run>) -> String {
    match state {
        LineState::Waiting => "waiting".into(),
        LineState::Running => "running".into(),
        LineState::Done => run.map_or(String::new(), |r| r.verdict().to_string()),
        LineState::Stopped => "stopped".into(),
        LineState::Failed(_) => "failed (below)".into(),
    }
}

/// A line's (seconds, items/s) points.
type Points = Vec<(f64, f64)>;

/// Throughput of every line that ran, on one time axis and one scale, labelled.
fn render_overlay(frame: &mut Frame, area: Rect, runs: &[Run], suite: &Suite, theme: Theme) {
    let runs: Vec<(usize, &str, &Run, Points)> = suite
        .lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| Some((i, l.label.as_str(), runs.get(l.run?)?)))
        .map(|(i, label, run)| (i, label, run, line_points(run)))
        .filter(|line| !line.3.is_empty())
        .collect();
    let t_max = runs.iter().map(|r| r.2.elapsed()).fold(0.1f64, f64::max);
    let points = runs.iter().flat_map(|r| r.3.iter().map(|p| p.1));
    let y_max = points.fold(1.0f64, f64::max) * 1.1;
    let datasets: Vec<Dataset> = runs
        .iter()
        .map(|(i, label, _, points)| {
            let look = line_look(*i);
            Dataset::default()
                .name(format!("{} {}", look.glyph, shown(label)))
                .marker(look.marker)
                .graph_type(GraphType::Line)
                .style(theme.fg(look.color))
                .data(points)
        })
        .collect();
    let title = format!(" items/s · top {} · 0 – {t_max:.1} s ", short_number(y_max));
    let chart = Chart::new(datasets)
        .block(Block::default().borders(Borders::ALL).title(title))
        .hidden_legend_constraints((Constraint::Percentage(60), Constraint::Percentage(80)))
        .x_axis(Axis::default().bounds([0.0, t_max]))
        .y_axis(Axis::default().bounds([0.0, y_max]));
    frame.render_widget(chart, area);
}

/// Under the chart: the expectations met or not (scenario) or the curve's reading (sweep),
/// then the checksums and any failed line's message.
fn notes(runs: &[Run], suite: &Suite, theme: Theme) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = suite
        .checks(runs)
        .into_iter()
        .map(|c| {
            let (status, style) = match (c.measured, c.check.ok) {
                (false, _) => ("waiting ".to_string(), theme.dim()),
                (true, true) => ("met     ".to_string(), theme.fg(Color::Green)),
                (true, false) => ("NOT MET ".to_string(), theme.fg(Color::Red)),
            };
            let measured = match c.measured {
                true => format!(" — measured {}", c.check.measured),
                false => String::new(),
            };
            Line::from(vec![
                Span::styled(status, style),
                Span::raw(shown(&format!("{}{measured}", c.check.expectation))),
            ])
        })
        .collect();
    if let Some(text) = suite.sweep_reading(runs) {
        lines.push(Line::from(text));
    }
    match suite.checksums_agree(runs) {
        Some(true) => lines.push(Line::styled("checksums agree", theme.dim())),
        Some(false) => lines.push(Line::styled(
            "checksums differ: the same work gave different results",
            theme.fg(Color::Red),
        )),
        None => {}
    }
    for line in &suite.lines {
        if let LineState::Failed(why) = &line.state {
            lines.push(Line::styled(
                shown(&format!("{} failed: {why}", line.label)),
                theme.fg(Color::Red),
            ));
        }
    }
    if lines.is_empty() && suite.kind == SuiteKind::Sweep {
        lines.push(Line::styled(
            "the curve is read once every line has run",
            theme.dim(),
        ));
    }
    lines
}
