//! Styles, honouring `NO_COLOR`: stable frame colours hashed from names, wait leaves coloured by
//! category, lane glyphs, highlights.

use crate::flame::wall::frame_kind;
use crate::model::WaitCategory;
use crate::tui::state::runs::LaneState;
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
pub const WAIT_LABELS: [&str; 14] = [
    "net",
    "db",
    "db-lock",
    "gil",
    "disk",
    "lock",
    "sleep",
    "pipe",
    "child",
    "unknown",
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
        "lock" => (190, 110, 210),
        "sleep" => (150, 150, 200),
        "pipe" => (90, 190, 160),
        "child" => (140, 200, 240),
        "unknown" => (120, 120, 140),
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

    /// Glyph and style of one lane state (`None`: the worker did not exist then).
    pub fn lane_state(self, state: Option<LaneState>) -> (char, Style) {
        let Some(state) = state else {
            return (' ', Style::default());
        };
        match lane_style(state) {
            Some(style) => (style.glyph, self.fg(style.color)),
            None => (' ', Style::default()),
        }
    }
}

/// How the lanes draw one state: a glyph that tells it apart without colour, the colour the
/// flamegraph gives the same time, and the legend's name for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LaneStyle {
    pub state: LaneState,
    pub glyph: char,
    pub color: Color,
    pub name: &'static str,
}

const fn wait_lane(
    category: WaitCategory,
    glyph: char,
    rgb: (u8, u8, u8),
    name: &'static str,
) -> LaneStyle {
    LaneStyle {
        state: LaneState::Wait(category),
        glyph,
        color: Color::Rgb(rgb.0, rgb.1, rgb.2),
        name,
    }
}

/// Every lane state, in legend order: the one declaration the lanes and their legend share.
/// Colours are the flamegraph's for the same kind of time (see [`wait_color`]).
pub const LANE_STYLES: [LaneStyle; 13] = [
    LaneStyle {
        state: LaneState::Cpu,
        glyph: '█',
        color: CODE_COLOR,
        name: "cpu",
    },
    LaneStyle {
        state: LaneState::RunQueue,
        glyph: '▒',
        color: Color::Rgb(170, 215, 90),
        name: "run queue",
    },
    wait_lane(WaitCategory::Gil, '▓', (170, 130, 240), "gil"),
    wait_lane(WaitCategory::DbLock, '#', (60, 160, 120), "db-lock"),
    wait_lane(WaitCategory::Db, '=', (80, 210, 210), "db"),
    wait_lane(WaitCategory::Net, '~', (100, 170, 250), "net"),
    wait_lane(WaitCategory::Disk, '+', (110, 120, 220), "disk"),
    wait_lane(WaitCategory::Lock, '%', (190, 110, 210), "lock"),
    wait_lane(WaitCategory::Pipe, '|', (90, 190, 160), "pipe"),
    wait_lane(WaitCategory::Child, '^', (140, 200, 240), "child"),
    wait_lane(WaitCategory::Sleep, 'z', (150, 150, 200), "sleep"),
    wait_lane(WaitCategory::Unknown, '?', (120, 120, 140), "unknown"),
    wait_lane(WaitCategory::Queue, '·', (175, 175, 175), "idle"),
];

/// The style of `state` (`None`: nothing is known for the interval).
pub fn lane_style(state: LaneState) -> Option<&'static LaneStyle> {
    LANE_STYLES.iter().find(|s| s.state == state)
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
    fn every_lane_state_has_its_own_glyph_and_colour_and_the_flames_colour() {
        for (i, a) in LANE_STYLES.iter().enumerate() {
            for b in &LANE_STYLES[i + 1..] {
                assert_ne!(a.glyph, b.glyph, "{} and {}", a.name, b.name);
                assert_ne!(a.color, b.color, "{} and {}", a.name, b.name);
            }
            if let LaneState::Wait(_) | LaneState::RunQueue = a.state {
                assert_eq!(a.color, wait_color(a.name), "{}", a.name);
            }
        }
        for category in crate::model::WAIT_CATEGORIES {
            assert!(
                lane_style(LaneState::Wait(category)).is_some(),
                "{category:?}"
            );
        }
    }

    #[test]
    fn no_color_emits_no_colours() {
        let theme = Theme { color: false };
        let styles = [
            theme.frame("x", false, false, false),
            theme.frame("x", true, true, false),
            theme.diff_frame(0.5, false),
            theme.lane_state(Some(LaneState::Cpu)).1,
            theme.fg(Color::Red),
        ];
        for s in styles {
            assert_eq!((s.fg, s.bg), (None, None), "{s:?}");
        }
    }
}
