//! The run screen: headline figures, throughput chart, worker lanes, the flamegraph and its
//! detail, an etl-pipeline run's stage timeline, a worker's ledger, the status line; a run
//! whose input is being generated, and a profile read from a file, are drawn their own way.

use super::layout::{carve, overlaid, run_areas, size_of, RunAreas};
use super::render_prepare::render_preparing;
use super::render_range::{mark_columns, mark_header};
use super::RunScreen;
use crate::tui::state::{Run, Shared};
use crate::tui::widgets::chart::axis::gutter;
use crate::tui::widgets::chart::{render_chart, ChartScale};
use crate::tui::widgets::flame::render::{render_detail, render_profile};
use crate::tui::widgets::fmt::{self, fmt_rate};
use crate::tui::widgets::lanes::{render_lanes, render_ledger};
use crate::tui::widgets::stages::render_stages;
use crate::tui::widgets::status::render_status;
use crate::tui::widgets::theme::Theme;
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// Draws the run screen for the run shown.
pub fn render_screen(frame: &mut Frame, screen: &RunScreen, shared: &Shared, theme: Theme) {
    match screen.current_run(&shared.runs) {
        Some(run) if run.is_profile_file() => render_profile_file(frame, screen, shared, theme),
        Some(run) if run.preparing.is_some() => render_preparing(frame, screen, shared, theme),
        _ => render_run(frame, screen, shared, theme),
    }
}

/// Draws the run screen.
fn render_run(frame: &mut Frame, screen: &RunScreen, shared: &Shared, theme: Theme) {
    let mut areas = run_areas(size_of(frame));
    let stages = carve(
        screen.stages_hidden,
        screen.current_run(&shared.runs),
        &mut areas,
    );
    let Some(run) = screen.current_run(&shared.runs) else {
        frame.render_widget(
            Paragraph::new("no run yet: press r to set one up"),
            areas.header,
        );
        return render_status(frame, areas.status, &shared.status, theme);
    };
    let mut header = headline(run, theme);
    mark_header(&mut header, screen, run, theme);
    frame.render_widget(Paragraph::new(header), areas.header);
    let others = overlaid(&shared.runs, run);
    let lanes_inner = Block::default().borders(Borders::ALL).inner(areas.lanes);
    let gutter = gutter(&run.lanes, lanes_inner.width);
    render_chart(
        frame,
        areas.chart,
        (run, &others),
        ChartScale::default(),
        gutter,
        theme,
    );
    render_lanes(frame, areas.lanes, (run, &others), theme);
    mark_columns(frame, screen, shared, theme);
    render_panes(frame, &areas, screen, theme);
    if let Some(area) = stages {
        render_stages(frame, area, run, theme);
    }
    if let Some(lane) = screen.ledger.and_then(|i| run.lanes.get(i)) {
        render_ledger(frame, areas.profile, (run, lane), screen.time.range, theme);
    }
    render_status(frame, areas.status, &shared.status, theme);
}

fn headline(run: &Run, theme: Theme) -> Vec<Line<'static>> {
    let mut first = vec![
        Span::styled(fmt::run_title(run), theme.bold()),
        Span::raw(format!(
            " · {} · {:.1} s",
            run.status.as_str(),
            run.elapsed()
        )),
    ];
    if !run.verdict().is_empty() {
        let verdict = format!(" · {}", run.verdict());
        first.push(Span::styled(verdict, theme.fg(Color::Yellow)));
    }
    if let Some(e) = &run.error {
        let e = crate::sanitize::name(e);
        first.push(Span::styled(format!(" · {e}"), theme.fg(Color::Red)));
    }
    if let Some(source) = &run.source {
        let source = crate::sanitize::name(source).into_owned();
        return vec![Line::from(first), Line::from(source)];
    }
    if run.mode == crate::model::Mode::Exec.as_str() {
        return vec![Line::from(first), Line::from(program_line(run))];
    }
    let second = format!(
        "{} · busy {:.2} / {} cores · {} samples @ {:.0} Hz · CPU samples cover {:.0}% of worker time",
        fmt_rate(run.items_per_s()),
        run.busy_cores(),
        run.workers,
        run.samples,
        run.effective_hz(),
        run.coverage() * 100.0
    );
    // The advice leads the second line: on an 80-column terminal the first one is full.
    let second = match advice_hint(run) {
        Some(advice) => vec![
            Span::styled(advice, theme.fg(Color::Cyan)),
            Span::raw(format!(" · {second}")),
        ],
        None => vec![Span::raw(second)],
    };
    vec![Line::from(first), Line::from(second)]
}

/// The second line of a program's run (`exec`): its threads, busy cores and reading rate,
/// and, once it ended, why it has no stacks if it has none.
fn program_line(run: &Run) -> String {
    let rate = match run.charts_busy_cores {
        true => String::new(),
        false => format!("{} · ", fmt_rate(run.items_per_s())),
    };
    let mut line = format!(
        "{rate}{} threads · busy {:.2} cores · read {} times a second",
        run.lanes.len(),
        run.busy_cores(),
        run.hz
    );
    let warnings = run.report.iter().flat_map(|r| &r.warnings);
    for warning in warnings {
        line.push_str(" · ");
        line.push_str(&crate::sanitize::name(warning));
    }
    line
}

/// What the finished run's predictions advise: `would help: threads ×8 ≈6.7× (network
/// answers)`, or `nothing listed would help: limited by the server's concurrency 8`.
fn advice_hint(run: &Run) -> Option<String> {
    let advice = crate::predict::advice(run.report.as_ref()?)?;
    Some(advice.sentence())
}

/// A profile read from a file: what the file says about itself, and the flamegraph over the
/// whole screen (there is no time axis to chart).
fn render_profile_file(frame: &mut Frame, screen: &RunScreen, shared: &Shared, theme: Theme) {
    let areas = screen.areas(&shared.runs);
    let Some(run) = screen.current_run(&shared.runs) else {
        return;
    };
    let first = Line::from(vec![
        Span::styled(fmt::run_title(run), theme.bold()),
        Span::raw(format!(
            " · {} file · no time data: no chart or worker lanes",
            crate::sanitize::name(&run.workload)
        )),
    ]);
    // What a file says about itself (a pprof's sample types) is the file's text.
    let about = crate::sanitize::name(run.source.as_deref().unwrap_or_default()).into_owned();
    let header = Paragraph::new(vec![first, Line::from(about)]);
    frame.render_widget(header, areas.header);
    render_panes(frame, &areas, screen, theme);
    render_status(frame, areas.status, &shared.status, theme);
}

/// The flamegraph's pane and the detail line under it (or the search being typed).
fn render_panes(frame: &mut Frame, areas: &RunAreas, screen: &RunScreen, theme: Theme) {
    render_profile(frame, areas.profile, &screen.flame, theme);
    let search = screen.search.as_ref();
    render_detail(frame, areas.detail, &screen.flame, search, theme);
}
