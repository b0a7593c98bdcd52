//! Splitting a command line written as text (a scenario's `args`) into words the way a POSIX
//! shell would quote them, without running a shell: nothing is expanded or executed.
//!
//! Whitespace separates words. `'…'` keeps everything inside as it is; `"…"` does too, except
//! that `\"` and `\\` stand for `"` and `\`; outside quotes a backslash takes the next
//! character as it is. Quoted and unquoted pieces next to each other make one word, so
//! `"my dir"/in.csv` is the path `my dir/in.csv`, and `""` is an empty word.

/// A quote or a backslash left open at the end of the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} opened at character {at} is never closed")]
pub struct OpenQuote {
    /// `a single quote`, `a double quote` or `a backslash`.
    pub what: &'static str,
    /// 1-based character position of the quote in the text.
    pub at: usize,
    /// The words as far as they could be read, the open one last (taken as it stands).
    pub words: Vec<String>,
}

/// The words of `text` (see the module).
pub fn split(text: &str) -> Result<Vec<String>, OpenQuote> {
    let mut words = Vec::new();
    // The word being built, `None` between words (so `""` still makes an empty word).
    let mut word: Option<String> = None;
    let mut chars = text.chars().enumerate();
    while let Some((i, c)) = chars.next() {
        let open = |what: &'static str, word: Option<String>, mut words: Vec<String>| {
            words.extend(word);
            OpenQuote {
                what,
                at: i + 1,
                words,
            }
        };
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '\'' => {
                let part = word.get_or_insert_with(String::new);
                if !take_until(&mut chars, part, |c| c == '\'', false) {
                    return Err(open("a single quote", word, words));
                }
            }
            '"' => {
                let part = word.get_or_insert_with(String::new);
                if !take_until(&mut chars, part, |c| c == '"', true) {
                    return Err(open("a double quote", word, words));
                }
            }
            '\\' => match chars.next() {
                Some((_, next)) => word.get_or_insert_with(String::new).push(next),
                None => return Err(open("a backslash", word, words)),
            },
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

/// `words` written as one line that [`split`] reads back into the same words: a word of
/// plain characters as it is, any other in single quotes (a `'` inside as `'\''`).
pub fn join<S: AsRef<str>>(words: &[S]) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c);
    let quoted: Vec<String> = words
        .iter()
        .map(|word| {
            let word = word.as_ref();
            if !word.is_empty() && word.chars().all(plain) {
                word.to_string()
            } else {
                format!("'{}'", word.replace('\'', "'\\''"))
            }
        })
        .collect();
    quoted.join(" ")
}

/// Moves characters into `part` up to the closing one (consumed, not kept); false when the
/// text ends first. With `escapes`, `\"` and `\\` stand for the character after the backslash.
fn take_until(
    chars: &mut impl Iterator<Item = (usize, char)>,
    part: &mut String,
    closes: impl Fn(char) -> bool,
    escapes: bool,
) -> bool {
    while let Some((_, c)) = chars.next() {
        if closes(c) {
            return true;
        }
        if escapes && c == '\\' {
            match chars.next() {
                Some((_, next @ ('"' | '\\'))) => part.push(next),
                Some((_, other)) => {
                    part.push('\\');
                    part.push(other);
                }
                None => return false,
            }
            continue;
        }
        part.push(c);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        split(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    #[test]
    fn joined_words_split_back_into_the_same_words() {
        let cases: [&[&str]; 4] = [
            &["python3", "job.py", "--workers", "8"],
            &["sh", "-c", "echo 'hi there'; exit 3"],
            &["", "a b", "it's", "back\\slash \"q\""],
            &["tab\tand\nnewline", "$HOME", "*"],
        ];
        for case in cases {
            let line = join(case);
            assert_eq!(words(&line), case, "{line}");
        }
        assert_eq!(join(&["python3", "job.py"]), "python3 job.py");
    }

    #[test]
    fn plain_words_split_on_any_whitespace() {
        assert_eq!(
            words("  csv-import\t--mode  threads\n"),
            ["csv-import", "--mode", "threads"]
        );
        assert!(words("   ").is_empty());
    }

    #[test]
    fn quotes_keep_spaces_and_join_with_their_neighbours() {
        assert_eq!(
            words(r#"--input "my dir/in.csv" --svg 'out put.svg'"#),
            ["--input", "my dir/in.csv", "--svg", "out put.svg"]
        );
        assert_eq!(words(r#""my dir"/in.csv"#), ["my dir/in.csv"]);
        assert_eq!(words(r#"a "" b"#), ["a", "", "b"]);
        assert_eq!(words(r#"'it"s' "it's""#), ["it\"s", "it's"]);
        assert_eq!(words(r#""a\"b\\c\d""#), ["a\"b\\c\\d"]);
        assert_eq!(words(r"my\ dir '\n'"), ["my dir", "\\n"]);
    }

    #[test]
    fn an_open_quote_says_which_and_where() {
        let err = split(r#"--input "my dir/in.csv"#).expect_err("open");
        assert_eq!(err.what, "a double quote");
        assert_eq!(err.at, 9);
        assert_eq!(err.words, ["--input", "my dir/in.csv"]);
        assert_eq!(
            err.to_string(),
            "a double quote opened at character 9 is never closed"
        );
        assert_eq!(split("a 'b").expect_err("open").what, "a single quote");
        assert_eq!(split("a b\\").expect_err("open").what, "a backslash");
    }
}
