//! Gzip-compressed inputs: recordings written as `--events run.ndjson.gz`, folded stacks,
//! and pprof profiles (which are usually stored so). A stream cut short (a run killed while
//! it recorded) reads up to where it ends, and says so.

use std::cell::Cell;
use std::io::{ErrorKind, Read};
use std::rc::Rc;

/// A gzip stream's content, ending quietly where a cut-short stream ends; `torn` is set then.
pub struct Unzipped<R: Read> {
    inner: flate2::read::MultiGzDecoder<R>,
    torn: Rc<Cell<bool>>,
}

impl<R: Read> Unzipped<R> {
    pub fn new(compressed: R) -> (Unzipped<R>, Rc<Cell<bool>>) {
        let torn = Rc::new(Cell::new(false));
        let reader = Unzipped {
            inner: flate2::read::MultiGzDecoder::new(compressed),
            torn: torn.clone(),
        };
        (reader, torn)
    }
}

impl<R: Read> Read for Unzipped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.inner.read(buf) {
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => {
                self.torn.set(true);
                Ok(0)
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(text: &[u8], finish: bool) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(text).expect("compress");
        encoder.flush().expect("sync flush");
        match finish {
            true => encoder.finish().expect("finish"),
            false => encoder.get_ref().clone(),
        }
    }

    #[test]
    fn a_whole_stream_reads_back_and_a_cut_one_up_to_its_last_flush() {
        let text = b"line one\nline two\n";
        for (finish, torn) in [(true, false), (false, true)] {
            let compressed = gzip(text, finish);
            let (mut reader, was_torn) = Unzipped::new(&compressed[..]);
            let mut back = Vec::new();
            reader.read_to_end(&mut back).expect("read");
            assert_eq!(back, text);
            assert_eq!(was_torn.get(), torn);
        }
    }
}
