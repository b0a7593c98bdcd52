//! Inputs that can be read only once: a FIFO, a pipe, `/dev/stdin`, a terminal.
//!
//! A run reads its input more than once: a pass to find the chunks, then each unit its own
//! range, and in `processes` mode each child again (where `/dev/stdin` is the child's own
//! control pipe). Such an input is therefore copied once, before the run, into a private
//! temporary directory under the same file name (so tables and rejections are named as
//! before), and every reader of the run reads the copy.

use crate::workload::WorkloadError;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The file a run reads for an input: the input itself, or its copy.
#[derive(Debug, Clone)]
pub struct Settled {
    pub path: PathBuf,
    /// The copy's directory, removed when the last holder is dropped.
    copy: Option<Arc<tempfile::TempDir>>,
}

impl Settled {
    /// True when the input could be read only once and `path` is its copy.
    pub fn is_copy(&self) -> bool {
        self.copy.is_some()
    }
}

/// `path` if it is a regular file (or cannot be looked at: reading it then says why), else
/// a copy of everything it holds, read now.
pub fn settle(path: &Path) -> Result<Settled, WorkloadError> {
    let once = fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
    if !once {
        return Ok(Settled {
            path: path.to_path_buf(),
            copy: None,
        });
    }
    let failed = |e| WorkloadError::io(format!("cannot read {}", path.display()), e);
    let dir = tempfile::Builder::new()
        .prefix("boundscope-input-")
        .tempdir()
        .map_err(failed)?;
    let name = path.file_name().unwrap_or(path.as_os_str());
    let copy = dir.path().join(name);
    let mut from = fs::File::open(path).map_err(failed)?;
    let mut to = fs::File::create(&copy).map_err(failed)?;
    std::io::copy(&mut from, &mut to).map_err(failed)?;
    Ok(Settled {
        path: copy,
        copy: Some(Arc::new(dir)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_read_where_it_is_and_a_pipe_is_copied_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("plain.csv");
        fs::write(&file, "a\n1\n").expect("write");
        let settled = settle(&file).expect("regular file");
        assert!(!settled.is_copy());
        assert_eq!(settled.path, file);

        let fifo = dir.path().join("piped.csv");
        let c_path = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).expect("path");
        // SAFETY: mkfifo with a valid NUL-terminated path; no memory is shared.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let writer_path = fifo.clone();
        let writer = std::thread::spawn(move || fs::write(writer_path, "a\n2\n"));
        let settled = settle(&fifo).expect("fifo");
        writer.join().expect("writer").expect("write to the fifo");
        assert!(settled.is_copy());
        assert_eq!(settled.path.file_name(), fifo.file_name());
        // Read twice: the copy holds everything, however often it is read.
        for _ in 0..2 {
            assert_eq!(fs::read_to_string(&settled.path).expect("copy"), "a\n2\n");
        }
        let copy_dir = settled.path.parent().expect("dir").to_path_buf();
        drop(settled);
        assert!(!copy_dir.exists(), "the copy goes with the last holder");
    }
}
