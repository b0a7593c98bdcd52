//! The PostgreSQL lane of the run screen: the run's connections as the server saw them,
//! one cell per `pg_stat_activity` sample, newest at the right.

use super::theme::Theme;
use crate::report::pg_activity::PgSample;
use ratatui::style::Color;
use ratatui::text::{Line, Span};

/// Room for the lane's name (the worker lanes' width).
const LABEL: usize = 13;
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

/// The lane: `postgres`, the latest samples that fit, and the active share of them all.
pub fn pg_lane_line(samples: &[PgSample], width: u16, theme: Theme) -> Line<'static> {
    let (active, total) = samples.iter().fold((0u64, 0u64), |(a, t), s| {
        (a + u64::from(s.active), t + u64::from(s.connections()))
    });
    let share = if total > 0 {
        active as f64 / total as f64
    } else {
        0.0
    };
    let summary = format!(" act {:>3.0}%", share * 100.0);
    let room = usize::from(width).saturating_sub(LABEL + 1 + summary.len());
    let start = samples.len().saturating_sub(room);
    let mut spans = vec![Span::raw(format!("{:<LABEL$} ", "postgres"))];
    spans.extend(samples[start..].iter().map(|s| cell(s, theme)));
    let pad = room.saturating_sub(samples.len() - start);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::raw(summary));
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lane_shows_the_newest_samples_and_the_active_share() {
        let busy = PgSample {
            active: 3,
            idle: 1,
            ..PgSample::default()
        };
        let idle = PgSample {
            idle: 4,
            ..PgSample::default()
        };
        let samples = vec![idle.clone(); 40]
            .into_iter()
            .chain([busy])
            .collect::<Vec<_>>();
        let line = pg_lane_line(&samples, 40, Theme { color: true });
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert!(text.starts_with("postgres"), "{text}");
        assert_eq!(text.chars().count(), 40, "{text}");
        assert!(text.contains("·▆ act   2%"), "{text}");
    }
}
