//! SVG export: renders `FoldedStacks` as an interactive flame graph through inferno, with stable
//! colours, differential graphs of two profiles, and a small placeholder SVG when there are no
//! samples.

use std::fs::File;
use std::io::{BufWriter, Write};
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
}

impl Default for SvgOptions {
    fn default() -> Self {
        SvgOptions {
            title: "Flame Graph".to_string(),
            subtitle: None,
            inverted: false,
            width: None,
            min_width: 0.1,
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
    let mut options = inferno_options(opts);
    // Off-CPU leaves of a wall profile get one fixed colour per kind; code keeps the palette.
    let mut waits = wait_palette(stacks);
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

/// Like [`write_svg`], creating (or truncating) the file at `path`.
pub fn write_svg_file(
    stacks: &FoldedStacks,
    opts: &SvgOptions,
    path: impl AsRef<Path>,
) -> Result<(), FlameError> {
    let path = path.as_ref();
    let file = File::create(path).map_err(|source| FlameError::File {
        path: path.to_path_buf(),
        source,
    })?;
    write_svg(stacks, opts, BufWriter::new(file))
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
    let mut options = inferno_options(opts);
    // Scaled here rather than with inferno's `factor`, which its delta percentages ignore.
    let text = match weight {
        Weight::Nanoseconds => {
            options.count_name = "µs".to_string();
            diff_folded_text(&before.scaled(1e-3), &after.scaled(1e-3))
        }
        Weight::Samples => diff_folded_text(before, after),
    };
    render(&mut options, &text, out)
}

/// Like [`write_diff_svg`], creating (or truncating) the file at `path`.
pub fn write_diff_svg_file(
    before: &FoldedStacks,
    after: &FoldedStacks,
    weight: Weight,
    opts: &SvgOptions,
    path: impl AsRef<Path>,
) -> Result<(), FlameError> {
    let path = path.as_ref();
    let file = File::create(path).map_err(|source| FlameError::File {
        path: path.to_path_buf(),
        source,
    })?;
    write_diff_svg(before, after, weight, opts, BufWriter::new(file))
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
    options.title = opts.title.clone();
    options.subtitle = opts.subtitle.clone();
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
    let title = escape_xml(&opts.title);
    let subtitle = opts
        .subtitle
        .as_deref()
        .map(|s| {
            format!(
                r#"<text x="50%" y="44" text-anchor="middle">{}</text>"#,
                escape_xml(s)
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
mod tests {
    use super::*;

    fn render(stacks: &FoldedStacks, opts: &SvgOptions) -> String {
        let mut buf = Vec::new();
        write_svg(stacks, opts, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    fn looks_like_svg(svg: &str) {
        let head = svg.trim_start();
        assert!(
            head.starts_with("<?xml") || head.starts_with("<svg"),
            "{head:.80}"
        );
        assert!(svg.trim_end().ends_with("</svg>"), "no closing tag");
    }

    #[test]
    fn renders_title_frames_and_samples() {
        let stacks = FoldedStacks::parse("main;parse_json 30\nmain;sum<u8> 10\n").unwrap();
        let opts = SvgOptions {
            title: "JSON workload".into(),
            subtitle: Some("mode: rayon".into()),
            ..SvgOptions::default()
        };
        let svg = render(&stacks, &opts);
        looks_like_svg(&svg);
        assert!(svg.contains("JSON workload"));
        assert!(svg.contains("mode: rayon"));
        assert!(svg.contains("parse_json"));
        assert!(svg.contains("sum&lt;u8&gt;"));
        assert!(svg.contains("samples"));
    }

    #[test]
    fn output_is_deterministic_and_inverted_differs() {
        let stacks = FoldedStacks::parse("t;a;b 5\nt;c 3\n").unwrap();
        let opts = SvgOptions::default();
        let first = render(&stacks, &opts);
        assert_eq!(first, render(&stacks, &opts));
        let icicle = render(
            &stacks,
            &SvgOptions {
                inverted: true,
                ..opts
            },
        );
        looks_like_svg(&icicle);
        assert_ne!(first, icicle);
    }

    #[test]
    fn wait_leaves_get_their_kinds_colour_and_code_keeps_the_palette() {
        let stacks =
            FoldedStacks::parse("w;fetch;[net wait] 900\nw;parse 100\nw;[gil wait] 50\n").unwrap();
        let mut out = Vec::new();
        write_svg(&stacks, &SvgOptions::default(), &mut out).unwrap();
        let svg = String::from_utf8(out).unwrap();
        assert!(svg.contains("rgb(80,170,230)"), "net colour");
        assert!(svg.contains("rgb(160,110,220)"), "gil colour");
        assert_eq!(
            wait_palette(&FoldedStacks::parse("w;parse 1\n").unwrap()).1,
            0
        );
    }

    #[test]
    fn empty_stacks_give_valid_svg() {
        let opts = SvgOptions {
            title: "Nothing <here>".into(),
            ..SvgOptions::default()
        };
        let svg = render(&FoldedStacks::new(), &opts);
        looks_like_svg(&svg);
        assert!(svg.contains("Nothing &lt;here&gt;"));
        assert!(svg.contains("No samples"));
        assert_eq!(svg.matches("<svg").count(), 1);
    }

    #[test]
    fn odd_frames_render_or_fail_cleanly() {
        let stacks = FoldedStacks::parse("t;<impl Foo for Bar>::f 3\nt;[u8] 1\n").unwrap();
        let svg = render(&stacks, &SvgOptions::default());
        assert!(svg.contains("&lt;impl Foo for Bar&gt;::f"));
        let wide = SvgOptions {
            min_width: 5000.0,
            ..SvgOptions::default()
        };
        looks_like_svg(&render(&stacks, &wide));
        // inferno skips lines starting with "# ": all input dropped is an error, not a panic,
        // and nothing is written to the output.
        // (The folded parser skips such lines itself; `add` keeps them.)
        let mut comment = FoldedStacks::new();
        comment.add("# t;f", 3);
        let mut buf = Vec::new();
        let err = write_svg(&comment, &SvgOptions::default(), &mut buf).unwrap_err();
        assert!(matches!(err, FlameError::Render(_)), "{err}");
        assert!(buf.is_empty());
    }

    #[test]
    fn differential_svg_colours_growth_and_shows_microseconds() {
        let before = FoldedStacks::parse("workers;parse 4000000\n").unwrap();
        let after =
            FoldedStacks::parse("workers;parse 4000000\nworkers;parse;[gil wait] 2000000\n")
                .unwrap();
        let opts = SvgOptions::default();
        let mut buf = Vec::new();
        write_diff_svg(&before, &after, Weight::Nanoseconds, &opts, &mut buf).unwrap();
        let svg = String::from_utf8(buf).unwrap();
        looks_like_svg(&svg);
        // inferno's tooltips: width in µs, then the change as a share of the total.
        assert!(
            svg.contains("[gil wait] (2,000 µs, 33.33%; +33.33%)"),
            "{svg:.3000}"
        );
        assert!(
            svg.contains("parse (6,000 µs, 100.00%; 0.00%)"),
            "{svg:.3000}"
        );
        let same = render(&after, &opts);
        assert_ne!(svg, same, "a differential graph is not the plain one");
        let mut empty = Vec::new();
        write_diff_svg(
            &after,
            &FoldedStacks::new(),
            Weight::Samples,
            &opts,
            &mut empty,
        )
        .unwrap();
        assert!(String::from_utf8(empty).unwrap().contains("No samples"));
    }

    #[test]
    fn width_is_applied() {
        let stacks = FoldedStacks::parse("t;a 1\n").unwrap();
        let opts = SvgOptions {
            width: Some(640),
            ..SvgOptions::default()
        };
        assert!(render(&stacks, &opts).contains("width=\"640\""));
    }

    #[test]
    fn write_svg_file_creates_file_and_reports_bad_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("flame.svg");
        let stacks = FoldedStacks::parse("t;a 1\n").unwrap();
        write_svg_file(&stacks, &SvgOptions::default(), &path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("</svg>"));
        let bad = dir.path().join("missing").join("x.svg");
        let err = write_svg_file(&stacks, &SvgOptions::default(), &bad).unwrap_err();
        assert!(matches!(err, FlameError::File { .. }));
        assert!(err.to_string().contains("x.svg"));
    }
}
