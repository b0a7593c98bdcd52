//! The PostgreSQL lane of the run screen: the run's connections as the server saw them,
//! on the workers' time axis, each column the `pg_stat_activity` samples of its seconds.

use super::axis::TimeAxis;
use crate::model::pg_activity::PgSample;
use crate::tui::widgets::theme::Theme;
use ratatui::style::Color;
use ratatui::text::{Line, Span};

const EIGHTHS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A cell's glyph (height: share of connections active) and colour (the state most
/// connections were in: cyan active, red idle in transaction, grey idle).
fn cell(sample: &PgSample, theme: Theme) -> Span<'static> {
    let n = sample.connections();
    if n == 0 {
        return Span::raw(" ");
    }
    let active = f64::from(sample.active) / f64::from(n);
    let glyph = match sample.active {
        0 => '·',
        _ => EIGHTHS[((active * 8.0).ceil() as usize).clamp(1, 8) - 1],
    };
    let most = sample
        .active
        .max(sample.idle)
        .max(sample.idle_in_transaction);
    let color = match most {
        m if m == sample.active => Color::Cyan,
        m if m == sample.idle_in_transaction => Color::LightRed,
        _ => Color::DarkGray,
    };
    Span::styled(glyph.to_string(), theme.fg(color))
}

/// The samples of one column, added up (`t_s` of the first).
fn column_sum(samples: &[PgSample], (from, to): (f64, f64)) -> Option<PgSample> {
    let first = samples.partition_point(|s| s.t_s < from);
    let inside = samples[first..].iter().take_while(|s| s.t_s < to);
    inside.fold(None, |sum: Option<PgSample>, s| {
        let mut sum = sum.unwrap_or_else(|| PgSample {
            t_s: s.t_s,
            ..PgSample::default()
        });
        sum.active += s.active;
        sum.idle += s.idle;
        sum.idle_in_transaction += s.idle_in_transaction;
        sum.other += s.other;
        Some(sum)
    })
}

/// The lane on the workers' time axis: `pg` in the gutter, then one cell per column (the
/// samples taken in that column's seconds).
pub fn pg_lane_line(
    samples: &[PgSample],
    gutter: u16,
    axis: TimeAxis,
    theme: Theme,
) -> Line<'static> {
    let width = usize::from(gutter.saturating_sub(1));
    let label: String = "pg".chars().take(width).collect();
    let mut spans = vec![Span::raw(format!("{label:<width$} "))];
    for column in 0..axis.columns {
        spans.push(match column_sum(samples, axis.span(column)) {
            Some(sum) => cell(&sum, theme),
            None => Span::raw(" "),
        });
    }
    Line::from(spans)
}

/// The pg lane's legend: what height and colour mean.
pub fn pg_legend(theme: Theme) -> Line<'static> {
    Line::from(vec![
        Span::raw("pg: height = share active, "),
        Span::styled("█", theme.fg(Color::Cyan)),
        Span::raw("active "),
        Span::styled("█", theme.fg(Color::LightRed)),
        Span::raw("idle in tx "),
        Span::styled("·", theme.fg(Color::DarkGray)),
        Span::raw("idle"),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lane_puts_each_sample_in_its_seconds() {
        let at = |t_s: f64, active: u32, idle: u32| PgSample {
            t_s,
            active,
            idle,
            ..PgSample::default()
        };
        let samples = vec![at(0.1, 0, 4), at(0.2, 0, 4), at(1.5, 4, 0), at(3.9, 1, 3)];
        let axis = TimeAxis {
            t_max: 4.0,
            columns: 4,
        };
        let line = pg_lane_line(&samples, 5, axis, Theme { color: false });
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "pg   ·█ ▂");
    }
}
