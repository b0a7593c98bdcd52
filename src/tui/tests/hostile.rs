//! Arbitrary bytes as frame and run names never put a control character (other than a
//! newline or tab where text keeps its lines), DEL, a C1 control or a bidi override into
//! what is shown: the terminal UI's buffer, a summary line, or an SVG text node.

use super::snapshots::screen;
use super::*;
use crate::sanitize::is_unsafe;
use proptest::prelude::*;

/// Arbitrary bytes read as text, the way every reader of input reads them.
fn hostile_name(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_shown_clean(shown: &str, keep_lines: bool, what: &str) {
    let bad = shown
        .chars()
        .find(|&c| is_unsafe(c) && !(keep_lines && matches!(c, '\n' | '\t')));
    assert_eq!(bad, None, "{what}: {shown:?}");
}

/// The text nodes and attribute values of `svg`, which must parse as XML.
fn svg_texts(svg: &str) -> Vec<String> {
    use quick_xml::events::Event as Xml;
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut texts = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Xml::Eof) => break,
            Ok(Xml::Text(t)) => texts.push(String::from_utf8_lossy(&t).into_owned()),
            Ok(Xml::Start(e) | Xml::Empty(e)) => texts.extend(
                e.attributes()
                    .flatten()
                    .map(|a| String::from_utf8_lossy(&a.value).into_owned()),
            ),
            Ok(_) => {}
            Err(e) => panic!("not XML at {}: {e}", reader.buffer_position()),
        }
    }
    texts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn no_control_reaches_the_buffer_a_summary_or_an_svg(
        bytes in proptest::collection::vec(any::<u8>(), 1..80),
    ) {
        let name = hostile_name(&bytes).replace(';', ":");
        let mut stacks = FoldedStacks::new();
        stacks.add(&format!("bs-threads-0;{name}"), 7);
        stacks.add("bs-threads-0;plain", 1);
        let mut app = app();
        let mut run = Run::new(1, &name, "stacks", 0, false);
        run.label = name.clone();
        run.set_stacks(stacks.clone());
        app.add_run(run);
        assert_shown_clean(&screen(&mut app, 100, 30), true, "the terminal UI");

        let report = RunReport { workload: name.clone(), ..RunReport::default() };
        let summary = crate::report::summary_text(&report);
        assert_shown_clean(&crate::sanitize::text(&summary), true, "the summary");

        let options = crate::flame::SvgOptions { title: name.clone(), ..Default::default() };
        let mut svg = Vec::new();
        crate::flame::write_svg(&stacks, &options, &mut svg).unwrap();
        for text in svg_texts(&String::from_utf8(svg).unwrap()) {
            assert_shown_clean(&text, true, "an SVG text node");
        }
    }
}
