//! Styles, honouring `NO_COLOR`: stable frame colours hashed from names, wait leaves coloured by
//! category, lane glyphs, highlights.

use super::runs::{LaneCell, LaneState};
use crate::flame::wall::frame_kind;
use crate::measure::WaitCategory;
use ratatui::style::{Color, Modifier, Style};

/// Chooses styles; with `color` false no colour is ever emitted (modifiers only).
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

/// FNV-1a: a stable hash, identical across runs and builds.
pub fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The off-CPU leaf kinds as `FrameKind::label` names them, in legend order (`wait` is a
/// category this build has no name for).
pub const WAIT_LABELS: [&str; 9] = [
    "net",
    "db",
    "db-lock",
    "gil",
    "disk",
    "wait",
    "idle",
    "run queue",
    "untracked",
];

/// The colour of off-CPU leaves of kind `label` (see [`WAIT_LABELS`]): cool and grey tones,
/// none of them in the warm range of code frames.
pub fn wait_color(label: &str) -> Color {
    let (r, g, b) = match label {
        "net" => (100, 170, 250),
        "db" => (80, 210, 210),
        "db-lock" => (60, 160, 120),
        "gil" => (170, 130, 240),
        "disk" => (110, 120, 220),
        "idle" => (175, 175, 175),
        "run queue" => (170, 215, 90),
        "untracked" => (130, 140, 160),
        _ => (190, 205, 235),
    };
    Color::Rgb(r, g, b)
}

/// The swatch colour of code frames in legends (one of the warm colours).
pub const CODE_COLOR: Color = Color::Rgb(230, 150, 60);

/// A frame's colour: off-CPU leaves by category, code warm and picked by the function name.
pub fn frame_color(name: &str) -> Color {
    let kind = frame_kind(name);
    if kind.is_off_cpu() {
        return wait_color(kind.label());
    }
    let h = name_hash(name);
    let r = 205 + (h % 50) as u8;
    let g = 80 + ((h >> 8) % 150) as u8;
    let b = 40 + ((h >> 16) % 50) as u8;
    Color::Rgb(r, g, b)
}

impl Theme {
    pub fn fg(self, color: Color) -> Style {
        if self.color {
            Style::default().fg(color)
        } else {
            Style::default()
        }
    }

    pub fn bold(self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn dim(self) -> Style {
        self.fg(Color::DarkGray)
    }

    /// The highlighted row of a list or table.
    pub fn cursor(self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    /// A flame frame: `selected`, `matched` by the search, `dimmed` by a search that missed it.
    /// Without colour, code frames are solid (reversed) and off-CPU leaves plain: their labels
    /// name the wait.
    pub fn frame(self, name: &str, selected: bool, matched: bool, dimmed: bool) -> Style {
        if !self.color {
            let mut m = if frame_kind(name).is_off_cpu() {
                Modifier::empty()
            } else {
                Modifier::REVERSED
            };
            if selected {
                m = Modifier::BOLD | Modifier::UNDERLINED;
            } else if matched {
                m |= Modifier::BOLD | Modifier::UNDERLINED;
            }
            return Style::default().add_modifier(m);
        }
        let bg = if matched {
            Color::Rgb(200, 60, 220)
        } else if dimmed {
            Color::Rgb(90, 90, 90)
        } else {
            frame_color(name)
        };
        let style = Style::default().bg(bg).fg(Color::Black);
        if selected {
            style.bg(Color::White).add_modifier(Modifier::BOLD)
        } else {
            style
        }
    }

    /// A differential frame: red when it grew, blue when it shrank (`delta` as a share of all).
    pub fn diff_frame(self, delta: f64, selected: bool) -> Style {
        if !self.color {
            let m = if delta > 0.005 {
                Modifier::REVERSED | Modifier::BOLD
            } else {
                Modifier::REVERSED
            };
            return Style::default().add_modifier(if selected { Modifier::UNDERLINED } else { m });
        }
        let strength = (delta.abs() * 8.0).min(1.0);
        let fade = (200.0 * (1.0 - strength)) as u8 + 40;
        let bg = if delta >= 0.0 {
            Color::Rgb(240, fade, fade)
        } else {
            Color::Rgb(fade, fade, 240)
        };
        Style::default().bg(bg).fg(Color::Black)
    }

    /// Glyph and style of one lane cell.
    pub fn lane(self, cell: Option<&LaneCell>) -> (char, Style) {
        const EIGHTHS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
        let Some(cell) = cell else {
            return (' ', Style::default());
        };
        let (glyph, color) = match cell.dominant() {
            LaneState::Cpu => {
                let i = ((cell.cpu * 8.0).ceil() as usize).clamp(1, 8) - 1;
                (EIGHTHS[i], Color::Green)
            }
            LaneState::RunQueue => ('▒', Color::Yellow),
            LaneState::Wait(c) => wait_glyph(c),
            LaneState::Unknown => (' ', Color::Reset),
        };
        (glyph, self.fg(color))
    }
}

/// Glyph and colour of a wait category in the lanes.
pub fn wait_glyph(category: WaitCategory) -> (char, Color) {
    match category {
        WaitCategory::Gil => ('▓', Color::Red),
        WaitCategory::Queue => ('·', Color::DarkGray),
        WaitCategory::Disk => ('░', Color::Blue),
        WaitCategory::Net => ('░', Color::Magenta),
        WaitCategory::Db => ('░', Color::Cyan),
        WaitCategory::DbLock => ('▓', Color::LightRed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_colours_are_stable_and_vary_by_name() {
        assert_eq!(
            frame_color("parse_value_line"),
            frame_color("parse_value_line")
        );
        assert_ne!(
            frame_color("parse_value_line"),
            frame_color("write_parquet")
        );
        assert_eq!(name_hash("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn wait_leaves_have_distinct_cool_colours() {
        let colours: Vec<Color> = WAIT_LABELS.iter().map(|l| wait_color(l)).collect();
        for (i, c) in colours.iter().enumerate() {
            assert!(
                !colours[..i].contains(c),
                "{} shares a colour",
                WAIT_LABELS[i]
            );
            let Color::Rgb(r, g, b) = *c else {
                panic!("{c:?}")
            };
            let warm = r >= 205 && (80..230).contains(&g) && (40..90).contains(&b);
            assert!(!warm, "{} looks like a code frame", WAIT_LABELS[i]);
        }
        assert_eq!(frame_color("[net wait]"), wait_color("net"));
        assert_eq!(frame_color("[db-lock wait]"), wait_color("db-lock"));
        assert_eq!(frame_color("[run queue]"), wait_color("run queue"));
        assert_ne!(frame_color("[cpu, not sampled]"), wait_color("untracked"));
        let theme = Theme { color: true };
        assert_eq!(
            theme.frame("[idle]", false, false, false).bg,
            Some(wait_color("idle"))
        );
    }

    #[test]
    fn without_colour_waits_are_plain_and_code_is_solid() {
        let theme = Theme { color: false };
        let code = theme.frame("fetch_page", false, false, false);
        let wait = theme.frame("[net wait]", false, false, false);
        assert!(code.add_modifier.contains(Modifier::REVERSED));
        assert!(!wait.add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn no_color_emits_no_colours() {
        let theme = Theme { color: false };
        let styles = [
            theme.frame("x", false, false, false),
            theme.frame("x", true, true, false),
            theme.diff_frame(0.5, false),
            theme
                .lane(Some(&LaneCell {
                    cpu: 1.0,
                    ..Default::default()
                }))
                .1,
            theme.fg(Color::Red),
        ];
        for s in styles {
            assert_eq!((s.fg, s.bg), (None, None), "{s:?}");
        }
    }
}
