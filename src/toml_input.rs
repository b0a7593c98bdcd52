//! Reading TOML input files (pipelines, scenarios) with their errors as one plain line.
//!
//! The `toml` crate's own message is a multi-line snippet with a caret; on a terminal and in
//! logs one line that names the place (`FILE:LINE:COL: what`) reads better.

use serde::de::DeserializeOwned;
use std::fmt;
use std::io::Read;
use std::path::Path;

/// Largest TOML input file read. Scenarios and pipelines are a few KB written by hand; the cap
/// keeps a mistaken argument (a data file, `/dev/zero`) from being read whole into memory.
pub const MAX_TOML_BYTES: u64 = 1 << 20;

/// A TOML file that could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {what} {path}: {source}")]
    Io {
        what: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// `size` is the file's size when known, else the bytes read before giving up.
    #[error(
        "{what} {path} is larger than {} MiB ({size} bytes), the limit for a {what}",
        MAX_TOML_BYTES >> 20
    )]
    TooLarge {
        what: &'static str,
        path: String,
        size: u64,
    },
}

/// The text of the TOML file at `path` (`what`: "scenario file", "pipeline file"), refused
/// past [`MAX_TOML_BYTES`] before more than one byte over the limit is read.
pub fn read_capped(path: &Path, what: &'static str) -> Result<String, ReadError> {
    let shown = || path.display().to_string();
    let io = |source| ReadError::Io {
        what,
        path: shown(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let known = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let too_large = |size| ReadError::TooLarge {
        what,
        path: shown(),
        size,
    };
    if let Some(size) = known.filter(|&n| n > MAX_TOML_BYTES) {
        return Err(too_large(size));
    }
    let mut text = String::new();
    // One byte past the limit tells a file of exactly the limit from a longer one (a pipe or
    // a device has no size to check first).
    file.take(MAX_TOML_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(io)?;
    if text.len() as u64 > MAX_TOML_BYTES {
        return Err(too_large(text.len() as u64));
    }
    Ok(text)
}

/// A TOML file that could not be read into the expected shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct TomlError {
    /// 1-based; 0 when the parser gave no position.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// The parser's message, its lines joined with `; `.
    pub message: String,
}

impl TomlError {
    /// `SOURCE:LINE:COL: message`, the form compilers use.
    pub fn at(&self, source: &str) -> String {
        Located(source, self).to_string()
    }
}

struct Located<'a>(&'a str, &'a TomlError);

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Located(source, e) = self;
        write!(f, "{source}:{}:{}: {}", e.line, e.column, e.message)
    }
}

/// Parses `text` as a `T`.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, TomlError> {
    toml::from_str(text).map_err(|e| located(text, &e))
}

fn located(text: &str, e: &toml::de::Error) -> TomlError {
    let (line, column) = match e.span() {
        Some(span) => position(text, span.start),
        None => (0, 0),
    };
    let parts: Vec<&str> = e
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    TomlError {
        line,
        column,
        message: parts.join("; "),
    }
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Shape {
        name: String,
    }

    #[test]
    fn errors_are_one_line_with_their_place() {
        let e = parse::<Shape>("# x\nname = nope\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 8), "{e:?}");
        let text = e.at("p.toml");
        assert!(text.starts_with("p.toml:2:8: "), "{text}");
        assert!(!text.contains('\n'), "{text}");
        let e = parse::<Shape>("name = \"é\"\nextra = 1\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1), "{e:?}");
        assert!(e.message.contains("unknown field `extra`"), "{e:?}");
    }

    #[test]
    fn files_past_the_cap_are_refused_with_size_and_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.toml");
        let mut text = "# x\n".repeat((MAX_TOML_BYTES as usize) / 4);
        std::fs::write(&path, &text).expect("write");
        assert_eq!(
            read_capped(&path, "scenario file").expect("at the cap"),
            text
        );
        text.push('\n');
        std::fs::write(&path, &text).expect("write");
        let e = read_capped(&path, "scenario file").expect_err("past the cap");
        let shown = e.to_string();
        assert!(shown.contains("big.toml"), "{shown}");
        assert!(shown.contains("1048577 bytes"), "{shown}");
        assert!(shown.contains("larger than 1 MiB"), "{shown}");
    }

    #[test]
    fn positions_count_characters() {
        assert_eq!(position("ab\ncé d", 7), (2, 4));
        assert_eq!(position("", 5), (1, 1));
    }
}
