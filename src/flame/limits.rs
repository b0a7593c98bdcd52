//! How much a profile or recording may make a reader hold: input bytes (after
//! decompression) and frames, so that `/dev/zero` or a gzip bomb ends with a message naming
//! the limit instead of taking every byte of memory.

use std::io::{BufRead, Read};

/// Default of `--max-input-mb`: bytes read from one input, after decompression.
pub const DEFAULT_MAX_INPUT_MB: u64 = 256;
/// Default of `--max-frames`: frames (tree nodes, or frames over all samples) of one input.
pub const DEFAULT_MAX_FRAMES: usize = 5_000_000;
/// Decoding a pprof protobuf takes up to this many times its size in memory (packed varints
/// become 8-byte integers), so a protobuf may be at most this fraction of the input limit.
pub const PPROF_EXPANSION: u64 = 8;

/// The error inside the `io::Error` of a reader past its limit, to tell it from others.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LimitExceeded(pub String);

impl LimitExceeded {
    /// The limit's message when `e` is a reader's limit error.
    pub fn message(e: &std::io::Error) -> Option<String> {
        e.get_ref()
            .and_then(|inner| inner.downcast_ref::<LimitExceeded>())
            .map(|l| l.0.clone())
    }
}

/// The caps of one reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimits {
    pub max_bytes: u64,
    pub max_frames: usize,
}

impl Default for InputLimits {
    fn default() -> Self {
        InputLimits {
            max_bytes: DEFAULT_MAX_INPUT_MB << 20,
            max_frames: DEFAULT_MAX_FRAMES,
        }
    }
}

impl InputLimits {
    /// Limits from the command line's `--max-input-mb` and `--max-frames`.
    pub fn new(max_input_mb: u64, max_frames: usize) -> InputLimits {
        InputLimits {
            max_bytes: max_input_mb.saturating_mul(1 << 20),
            max_frames,
        }
    }

    /// The error for input past `limit` bytes (`what`: "the input", "the decompressed
    /// profile", ...), naming the flag that raises it.
    pub fn too_many_bytes(&self, what: &str, limit: u64) -> std::io::Error {
        let mb = |bytes: u64| bytes >> 20;
        let message = if limit >= self.max_bytes {
            format!(
                "{what} is larger than {} MB, the --max-input-mb limit; raise it to read more",
                mb(limit)
            )
        } else {
            format!(
                "{what} is larger than {} MB, 1/{PPROF_EXPANSION} of the --max-input-mb limit \
                 of {} MB (decoding takes up to {PPROF_EXPANSION} times its size); raise it to \
                 read more",
                mb(limit),
                mb(self.max_bytes)
            )
        };
        std::io::Error::other(LimitExceeded(message))
    }

    /// The message for a profile past the frame limit.
    pub fn too_many_frames(&self) -> String {
        format!(
            "the profile has more than {} frames, the --max-frames limit; raise it to read more",
            self.max_frames
        )
    }

    /// `reader`, failing once it has given more than `limit` bytes.
    pub fn wrap<R>(&self, reader: R, what: &'static str, limit: u64) -> Limited<R> {
        Limited {
            inner: reader,
            left: limit,
            limit,
            what,
            limits: *self,
        }
    }
}

/// A reader that fails (with the limit's message) instead of going past its limit.
pub struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
    what: &'static str,
    limits: InputLimits,
}

impl<R> Limited<R> {
    fn exceeded(&self) -> std::io::Error {
        self.limits.too_many_bytes(self.what, self.limit)
    }
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One byte more tells a file of exactly the limit from a longer one.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(self.exceeded()),
            };
        }
        let room = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..room])?;
        self.left -= n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Limited<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.left == 0 {
            let more = !self.inner.fill_buf()?.is_empty();
            if more {
                return Err(self.exceeded());
            }
            return Ok(&[]);
        }
        let left = usize::try_from(self.left).unwrap_or(usize::MAX);
        let buf = self.inner.fill_buf()?;
        let n = buf.len().min(left);
        Ok(&buf[..n])
    }

    fn consume(&mut self, amount: usize) {
        let amount = amount.min(usize::try_from(self.left).unwrap_or(usize::MAX));
        self.left -= amount as u64;
        self.inner.consume(amount);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_past_the_limit_fails_with_the_flag_named() {
        let limits = InputLimits::new(1, 10);
        let exact = vec![b'a'; 1 << 20];
        let mut out = Vec::new();
        let mut reader = limits.wrap(exact.as_slice(), "the input", limits.max_bytes);
        assert_eq!(
            reader.read_to_end(&mut out).expect("exactly the limit"),
            1 << 20
        );
        let longer = vec![b'a'; (1 << 20) + 1];
        let mut reader = limits.wrap(longer.as_slice(), "the input", limits.max_bytes);
        let err = reader
            .read_to_end(&mut Vec::new())
            .expect_err("past the limit");
        assert!(err.to_string().contains("--max-input-mb"), "{err}");
        let mut lines = limits.wrap(std::io::Cursor::new(longer), "the input", 1 << 20);
        let err = lines
            .read_line(&mut String::new())
            .expect_err("one long line");
        assert!(err.to_string().contains("larger than 1 MB"), "{err}");
        let pprof = limits.too_many_bytes("the protobuf", 1 << 17).to_string();
        assert!(
            pprof.contains("1/8 of the --max-input-mb limit of 1 MB"),
            "{pprof}"
        );
    }
}
