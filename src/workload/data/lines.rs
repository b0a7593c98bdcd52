//! Reading newline-ended records with a cap on one record's length, so that a file without
//! newlines (or a damaged one) cannot make a reader hold more than the cap in memory.

use std::io::{self, BufRead};

/// Longest record line kept in memory. Real records are well under 1 KB; 16 MiB leaves room
/// for odd but honest data while a file with no newline at all (gigabytes of one "line")
/// costs at most this much memory. A constant, not a flag: the workloads' options are
/// declared per workload and no caller has needed longer lines.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// The reason a line past [`MAX_LINE_BYTES`] is rejected with.
pub fn too_long_reason() -> String {
    format!("line longer than {} (the limit)", size_text(MAX_LINE_BYTES))
}

/// The reason a CSV record past `cap` bytes is rejected with (the cap defaults to
/// [`MAX_LINE_BYTES`]).
pub fn record_too_long_reason(cap: usize) -> String {
    format!("record longer than {} (the limit)", size_text(cap))
}

/// A byte count as people write a limit: whole MiB, else whole KiB, else bytes.
pub fn size_text(bytes: usize) -> String {
    const MIB: usize = 1 << 20;
    const KIB: usize = 1 << 10;
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= KIB && b % KIB == 0 => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

/// One line read by [`read_line_capped`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRead {
    /// Bytes consumed from the input, the newline included.
    pub consumed: u64,
    /// The line was longer than the cap: its bytes were skipped, the buffer is empty.
    pub too_long: bool,
}

/// Reads the next line (without its `\n`) into `line`, which it clears first; `None` at the
/// end of the input. A line longer than `cap` bytes is skipped up to its newline, so what
/// follows it is read as usual.
pub fn read_line_capped<R: BufRead>(
    reader: &mut R,
    line: &mut Vec<u8>,
    cap: usize,
) -> io::Result<Option<LineRead>> {
    line.clear();
    let mut read = LineRead {
        consumed: 0,
        too_long: false,
    };
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        let newline = available.iter().position(|&b| b == b'\n');
        let part = &available[..newline.unwrap_or(available.len())];
        if !read.too_long {
            if line.len() + part.len() > cap {
                read.too_long = true;
                // Give the memory back: the rest of the file may be one endless line.
                *line = Vec::new();
            } else {
                line.extend_from_slice(part);
            }
        }
        let used = part.len() + usize::from(newline.is_some());
        reader.consume(used);
        read.consumed += used as u64;
        if newline.is_some() {
            break;
        }
    }
    Ok((read.consumed > 0).then_some(read))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], cap: usize) -> Vec<(Vec<u8>, LineRead)> {
        // A small buffer makes lines span several fills.
        let mut reader = io::BufReader::with_capacity(3, input);
        let mut line = Vec::new();
        let mut out = Vec::new();
        while let Some(read) = read_line_capped(&mut reader, &mut line, cap).expect("read") {
            out.push((line.clone(), read));
        }
        out
    }

    #[test]
    fn long_lines_are_skipped_and_the_rest_is_read() {
        let got = lines(b"ab\nlong line\n\nxyz", 4);
        let texts: Vec<&[u8]> = got.iter().map(|(l, _)| l.as_slice()).collect();
        assert_eq!(texts, [&b"ab"[..], b"", b"", b"xyz"]);
        let too_long: Vec<bool> = got.iter().map(|(_, r)| r.too_long).collect();
        assert_eq!(too_long, [false, true, false, false]);
        let consumed: u64 = got.iter().map(|(_, r)| r.consumed).sum();
        assert_eq!(consumed, 17, "every byte is accounted for");
        assert!(!lines(b"abcd\n", 4)[0].1.too_long, "exactly the cap");
        assert!(lines(b"", 4).is_empty());
    }

    #[test]
    fn limits_read_as_people_write_them() {
        assert_eq!(too_long_reason(), "line longer than 16 MiB (the limit)");
        assert_eq!(
            record_too_long_reason(4 << 10),
            "record longer than 4 KiB (the limit)"
        );
        assert_eq!(size_text(1500), "1500 bytes");
    }
}
