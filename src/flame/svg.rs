//! SVG export: renders `FoldedStacks` as an interactive flame graph through inferno, with stable
//! colours, differential graphs of two profiles, and a small placeholder SVG when there are no
//! samples.

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

use inferno::flamegraph::color::{BasicPalette, Color, Palette, PaletteMap};
use inferno::flamegraph::{self, Direction, Options};

use super::wall::{frame_kind, FrameKind};
use super::{diff_folded_text, FlameError, FoldedStacks, Weight};

/// How the SVG should look.
#[derive(Debug, Clone, PartialEq)]
pub struct SvgOptions {
    /// Heading at the top of the graph.
    pub title: String,
    /// Optional second line under the title.
    pub subtitle: Option<String>,
    /// Draw an icicle graph (roots at the top) instead of a flame graph.
    pub inverted: bool,
    /// Image width in pixels (inferno's default when `None`).
    pub width: Option<usize>,
    /// Frames narrower than this many pixels are omitted.
    pub min_width: f64,
    /// What the stacks' counts are: the tooltips name the unit (a wall profile's counts are
    /// nanoseconds, shown as µs).
    pub weight: Weight,
}

impl Default for SvgOptions {
    fn default() -> Self {
        SvgOptions {
            title: "Flame Graph".to_string(),
            subtitle: None,
            inverted: false,
            width: None,
            min_width: 0.1,
            weight: Weight::Samples,
        }
    }
}

/// Writes `stacks` as an SVG flame graph to `out`. Colours depend only on frame names, so the
/// same input always gives the same file. An empty stack set gives a small SVG saying so.
pub fn write_svg(
    stacks: &FoldedStacks,
    opts: &SvgOptions,
    mut out: impl Write,
) -> Result<(), FlameError> {
    if stacks.total() == 0 {
        out.write_all(empty_svg(opts).as_bytes())?;
        return Ok(out.flush()?);
    }
    let stacks = shown(stacks);
    let mut options = inferno_options(opts);
    if opts.weight == Weight::Nanoseconds {
        // No delta percentages here, so inferno's `factor` scales the tooltips' counts.
        options.count_name = "µs".to_string();
        options.factor = 1e-3;
    }
    // Off-CPU leaves of a wall profile get one fixed colour per kind; code keeps the palette.
    let mut waits = wait_palette(&stacks);
    if !waits.is_empty() {
        options.palette_map = Some(&mut waits.0);
    }
    render(&mut options, &stacks.to_text(), out)
}

/// Renders folded `text` through inferno into memory first (on failure inferno has already
/// written a partial error SVG), then to `out`.
fn render(options: &mut Options, text: &str, mut out: impl Write) -> Result<(), FlameError> {
    let mut svg = Vec::new();
    flamegraph::from_lines(options, text.lines(), &mut svg)
        .map_err(|e| FlameError::Render(e.to_string()))?;
    out.write_all(&svg)?;
    Ok(out.flush()?)
}

/// Like [`write_svg`], into the file at `path` (through a temporary file, see `outfile`).
pub fn write_svg_file(
    stacks: &FoldedStacks,
    opts: &SvgOptions,
    path: impl AsRef<Path>,
) -> Result<(), FlameError> {
    crate::outfile::write_with(path.as_ref(), |out| write_svg(stacks, opts, out))
}

/// `stacks` with every frame name through the sanitizer: inferno writes names into the SVG
/// as they are, and XML 1.0 forbids most control characters (borrowed when none has one).
fn shown(stacks: &FoldedStacks) -> Cow<'_, FoldedStacks> {
    let clean = |stack: &str| matches!(crate::sanitize::name(stack), Cow::Borrowed(_));
    if stacks.iter().all(|(stack, _)| clean(stack)) {
        return Cow::Borrowed(stacks);
    }
    let mut out = FoldedStacks::new();
    for (stack, count) in stacks.iter() {
        out.add(&crate::sanitize::name(stack), count);
    }
    Cow::Owned(out)
}

/// Writes the differential flame graph of `after` against `before` (already normalized and with
/// merged roots) to `out`: frames are as wide as in `after` and coloured by their change, red
/// for growth and blue for shrinkage. Counts are `weight`s; nanoseconds are shown as µs.
pub fn write_diff_svg(
    before: &FoldedStacks,
    after: &FoldedStacks,
    weight: Weight,
    opts: &SvgOptions,
    mut out: impl Write,
) -> Result<(), FlameError> {
    if after.total() == 0 {
        out.write_all(empty_svg(opts).as_bytes())?;
        return Ok(out.flush()?);
    }
    let (before, after) = (shown(before), shown(after));
    let mut options = inferno_options(opts);
    // Scaled here rather than with inferno's `factor`, which its delta percentages ignore.
    let text = match weight {
        Weight::Nanoseconds => {
            options.count_name = "µs".to_string();
            diff_folded_text(&before.scaled(1e-3), &after.scaled(1e-3))
        }
        Weight::Samples => diff_folded_text(&before, &after),
    };
    render(&mut options, &text, out)
}

/// Like [`write_diff_svg`], into the file at `path` (through a temporary file).
pub fn write_diff_svg_file(
    before: &FoldedStacks,
    after: &FoldedStacks,
    weight: Weight,
    opts: &SvgOptions,
    path: impl AsRef<Path>,
) -> Result<(), FlameError> {
    crate::outfile::write_with(path.as_ref(), |out| {
        write_diff_svg(before, after, weight, opts, out)
    })
}

/// Colours of the off-CPU leaves present in `stacks`.
struct WaitPalette(PaletteMap, usize);

impl WaitPalette {
    fn is_empty(&self) -> bool {
        self.1 == 0
    }
}

fn wait_palette(stacks: &FoldedStacks) -> WaitPalette {
    let mut map = PaletteMap::default();
    let mut count = 0;
    let mut seen = std::collections::HashSet::new();
    for (stack, _) in stacks.iter() {
        let leaf = stack.rsplit(';').next().unwrap_or(stack);
        if !seen.insert(leaf) {
            continue;
        }
        if let Some((r, g, b)) = off_cpu_colour(frame_kind(leaf)) {
            map.insert(leaf, Color { r, g, b });
            count += 1;
        }
    }
    WaitPalette(map, count)
}

/// One cool colour per kind of off-CPU time (code frames keep the warm palette).
fn off_cpu_colour(kind: FrameKind<'_>) -> Option<(u8, u8, u8)> {
    Some(match kind {
        FrameKind::Code | FrameKind::UnsampledCpu => return None,
        FrameKind::Wait("net") => (80, 170, 230),
        FrameKind::Wait("db") => (60, 200, 200),
        FrameKind::Wait("db-lock") => (70, 180, 110),
        FrameKind::Wait("gil") => (160, 110, 220),
        FrameKind::Wait("disk") => (100, 110, 210),
        FrameKind::Wait(_) => (120, 150, 190),
        FrameKind::Idle => (175, 175, 175),
        FrameKind::RunQueue => (170, 210, 80),
        FrameKind::Untracked => (120, 130, 145),
    })
}

fn inferno_options<'a>(opts: &SvgOptions) -> Options<'a> {
    let mut options = Options::default();
    options.title = crate::sanitize::name(&opts.title).into_owned();
    options.subtitle = opts
        .subtitle
        .as_deref()
        .map(|s| crate::sanitize::name(s).into_owned());
    options.direction = if opts.inverted {
        Direction::Inverted
    } else {
        Direction::Straight
    };
    options.image_width = opts.width;
    options.min_width = opts.min_width;
    options.count_name = "samples".to_string();
    options.colors = Palette::Basic(BasicPalette::Hot);
    options.deterministic = true;
    options.hash = false;
    options
}

/// A minimal, valid SVG with the title and a "no samples" note.
fn empty_svg(opts: &SvgOptions) -> String {
    let width = opts.width.unwrap_or(1200);
    let title = escape_xml(&crate::sanitize::name(&opts.title));
    let subtitle = opts
        .subtitle
        .as_deref()
        .map(|s| {
            format!(
                r#"<text x="50%" y="44" text-anchor="middle">{}</text>"#,
                escape_xml(&crate::sanitize::name(s))
            )
        })
        .unwrap_or_default();
    format!(
        concat!(
            r#"<?xml version="1.0" standalone="no"?>"#,
            "\n",
            r#"<svg version="1.1" width="{w}" height="100" viewBox="0 0 {w} 100" "#,
            r#"xmlns="http://www.w3.org/2000/svg" font-family="Verdana" font-size="12">"#,
            r##"<rect x="0" y="0" width="100%" height="100%" fill="#eeeeee"/>"##,
            r#"<text x="50%" y="24" text-anchor="middle" font-size="17">{t}</text>{s}"#,
            r#"<text x="50%" y="72" text-anchor="middle">No samples were collected.</text>"#,
            "</svg>\n"
        ),
        w = width,
        t = title,
        s = subtitle,
    )
}

fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[path = "svg_tests.rs"]
mod tests;
