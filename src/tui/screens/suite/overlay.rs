//! How each suite line is drawn on the overlaid throughput chart: a colour and a marker of its
//! own, so the lines stay apart under `NO_COLOR` too, with the marker's glyph for the legend
//! and the table.

use crate::tui::state::runs::Run;
use ratatui::style::Color;
use ratatui::symbols::Marker;

/// The lines' colours in the table and the chart, in line order (repeating).
const LINE_COLORS: [Color; 6] = [
    Color::Cyan,
    Color::Yellow,
    Color::Magenta,
    Color::Green,
    Color::LightRed,
    Color::LightBlue,
];

/// The lines' markers in line order (repeating), each with the glyph it draws a flat line
/// with, which the legend and the table show next to the line's label.
const LINE_MARKERS: [(Marker, &str); 5] = [
    (Marker::Braille, "⠤"),
    (Marker::Dot, "•"),
    (Marker::Block, "█"),
    (Marker::Bar, "▄"),
    (Marker::HalfBlock, "▀"),
];

/// How line `i` of a suite is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineLook {
    pub color: Color,
    pub marker: Marker,
    pub glyph: &'static str,
}

/// The look of line `i`: colours and markers cycle independently, so two lines share both
/// only after 30 lines (a sweep takes at most 12).
pub fn line_look(i: usize) -> LineLook {
    let (marker, glyph) = LINE_MARKERS[i % LINE_MARKERS.len()];
    LineLook {
        color: LINE_COLORS[i % LINE_COLORS.len()],
        marker,
        glyph,
    }
}

/// A line's points on the chart: its throughput history, or, for a run shorter than two
/// ticks (one point would draw as a dot), its mean rate from start to end.
pub fn line_points(run: &Run) -> Vec<(f64, f64)> {
    if run.throughput.len() >= 2 || run.elapsed() <= 0.0 {
        return run.throughput.clone();
    }
    let rate = run.items_per_s();
    vec![(0.0, rate), (run.elapsed(), rate)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbouring_lines_differ_in_marker_and_glyph() {
        for i in 0..LINE_MARKERS.len() - 1 {
            let (a, b) = (line_look(i), line_look(i + 1));
            assert_ne!(a.marker, b.marker);
            assert_ne!(a.glyph, b.glyph);
        }
        let glyphs: std::collections::BTreeSet<_> = (0..5).map(|i| line_look(i).glyph).collect();
        assert_eq!(glyphs.len(), 5);
    }
}
