//! Tests of the SVG writer: inferno's output, its colours, units and failures.

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
        FoldedStacks::parse("workers;parse 4000000\nworkers;parse;[gil wait] 2000000\n").unwrap();
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
    assert!(matches!(err, FlameError::Output(_)), "{err}");
    assert!(err.to_string().contains("x.svg"));
}

#[test]
fn a_wall_profile_s_tooltips_say_microseconds_not_samples() {
    let wall = FoldedStacks::parse("w0;parse 4000000\nw0;[net wait] 2000000\n").unwrap();
    let opts = SvgOptions {
        weight: Weight::Nanoseconds,
        ..SvgOptions::default()
    };
    let svg = render(&wall, &opts);
    assert!(svg.contains("parse (4,000 µs, 66.67%)"), "{svg:.3000}");
    assert!(svg.contains("all (6,000 µs, 100%)"), "{svg:.3000}");
    assert!(!svg.contains(" samples,"), "{svg:.3000}");
    // CPU samples stay samples.
    let cpu = render(&wall, &SvgOptions::default());
    assert!(
        cpu.contains("parse (4,000,000 samples, 66.67%)"),
        "{cpu:.3000}"
    );
}

/// Fails unless `svg` is well-formed XML (quick-xml checks that every character is allowed).
fn assert_xml(svg: &str) {
    let mut reader = quick_xml::Reader::from_str(svg);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not XML at {}: {e}", reader.buffer_position()),
        }
    }
    let bad = svg
        .chars()
        .find(|&c| crate::sanitize::is_unsafe(c) && !matches!(c, '\n' | '\t' | '\r'));
    assert_eq!(bad, None, "XML 1.0 forbids it");
}

#[test]
fn names_full_of_control_characters_give_xml() {
    let hostile = "t\u{1b}]0;pwned\u{7};f\u{1}\u{7f}\u{85}\u{202e}dcba;g\u{0}\u{1b}[2J";
    let mut stacks = FoldedStacks::new();
    stacks.add(hostile, 3);
    stacks.add("t;plain", 1);
    let opts = SvgOptions {
        title: "run \u{1b}[31mred".into(),
        subtitle: Some("sub\u{8}title".into()),
        ..SvgOptions::default()
    };
    let svg = render(&stacks, &opts);
    assert_xml(&svg);
    assert!(svg.contains("pwned\\u{7}"), "escaped, still readable");
    let mut diff = Vec::new();
    write_diff_svg(&stacks, &stacks, Weight::Samples, &opts, &mut diff).unwrap();
    assert_xml(&String::from_utf8(diff).unwrap());
    assert_xml(&render(&FoldedStacks::new(), &opts));
}
