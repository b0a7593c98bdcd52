//! The one sanitizer for text that came from input (frame names, file, stage and scenario
//! names, server and database messages) on its way to a terminal, a summary line or an SVG.
//!
//! A control character in such text is an instruction to whoever reads it: ESC starts a
//! terminal escape sequence (a new window title, a cleared screen), a bidi override turns the
//! text around it backwards, and XML 1.0 forbids most C0 controls outright, so an SVG holding
//! one is not XML. Each of them (C0 controls, DEL, C1 controls, and the bidi overrides and
//! isolates U+202A–U+202E and U+2066–U+2069) is shown instead as a visible escape in one form,
//! `\u{1b}`. Everything else, non-ASCII letters included, is left as it is.
//!
//! The output holds no character the sanitizer escapes, so sanitizing twice changes nothing:
//! a layer that cannot know whether its text was already sanitized may simply do it again.

use std::borrow::Cow;
use std::fmt::Write;

/// A name shown on one line (a frame, a stage, a file, a label): every control is escaped,
/// newlines and tabs included.
pub fn name(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// Text that may span lines (a message, a summary): newlines and tabs stay, where they are
/// meant; every other control is escaped.
pub fn text(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// True for a character the sanitizer escapes (in names; `text` keeps `\n` and `\t`).
pub fn is_unsafe(c: char) -> bool {
    // `is_control` is Unicode's Cc: C0 (U+0000–U+001F), DEL and C1 (U+0080–U+009F).
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escaped_here(c: char, keep_lines: bool) -> bool {
    is_unsafe(c) && !(keep_lines && matches!(c, '\n' | '\t'))
}

fn escape(text: &str, keep_lines: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| escaped_here(c, keep_lines)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped_here(c, keep_lines) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn controls_become_visible_escapes_in_one_form() {
        assert_eq!(name("a\u{1b}]0;pwned\u{7}b"), "a\\u{1b}]0;pwned\\u{7}b");
        assert_eq!(name("com\npanies\u{1b}[2J"), "com\\u{a}panies\\u{1b}[2J");
        assert_eq!(text("two\nlines\tand\r"), "two\nlines\tand\\u{d}");
        assert_eq!(name("\u{7f}\u{85}\u{9f}"), "\\u{7f}\\u{85}\\u{9f}");
        assert_eq!(
            name("abc\u{202e}fed\u{2066}x\u{2069}"),
            "abc\\u{202e}fed\\u{2066}x\\u{2069}"
        );
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for plain in [
            "main",
            "<a::B as c::D>::run_unit",
            "Zürich · 東京 · Ωμέγα",
            "a\\u{1b}",
        ] {
            assert!(
                matches!(name(plain), Cow::Borrowed(s) if s == plain),
                "{plain}"
            );
        }
    }

    fn assert_clean(out: &str, keep_lines: bool) {
        for c in out.chars() {
            let allowed = keep_lines && matches!(c, '\n' | '\t');
            assert!(allowed || !is_unsafe(c), "{c:?} in {out:?}");
            assert!(
                !matches!(c, '\u{80}'..='\u{9f}' | '\u{7f}'),
                "{c:?} in {out:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn no_control_survives_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let input = String::from_utf8_lossy(&bytes);
            assert_clean(&name(&input), false);
            assert_clean(&text(&input), true);
        }

        #[test]
        fn no_control_survives_arbitrary_strings(input in any::<String>()) {
            let named = name(&input);
            assert_clean(&named, false);
            assert_clean(&text(&input), true);
            let twice = name(&named).into_owned();
            prop_assert_eq!(twice, named.as_ref(), "sanitizing twice changes nothing");
        }

        #[test]
        fn ordinary_text_is_left_alone(input in "[\\p{L}\\p{N}\\p{P}\\p{S} ]{0,60}") {
            prop_assert_eq!(name(&input).into_owned(), input.clone());
            prop_assert_eq!(text(&input).into_owned(), input);
        }
    }
}
