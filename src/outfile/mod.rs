//! Every file boundscope writes, written so that nothing is destroyed on the way.
//!
//! A file is written to a temporary file in its target directory and renamed into place when
//! complete: a reader never sees half a file, a failed write leaves the old file as it was,
//! and a symlink at the target is replaced rather than written through (writing through it
//! would overwrite whatever it points at, and a dangling one would create its target). The
//! rename stays inside one directory, so it is atomic. [`Claims`] refuses, before any work, an
//! output that is the same file as an input, the database or another output.

mod claims;

pub use claims::Claims;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::{NamedTempFile, TempPath};

/// Why an output cannot be written, or may not be.
#[derive(Debug, thiserror::Error)]
pub enum OutfileError {
    #[error("{what} {}: it is a directory; give a file name", .path.display())]
    Directory { what: String, path: PathBuf },
    #[error("{what} {}: directory {} does not exist", .path.display(), .parent.display())]
    NoParent {
        what: String,
        path: PathBuf,
        parent: PathBuf,
    },
    #[error("{what} {}: it names no file", .path.display())]
    NoFileName { what: String, path: PathBuf },
    /// A device, pipe or socket: replacing it would destroy it.
    #[error("{what} {}: it is not a regular file; give a file name", .path.display())]
    NotRegular { what: String, path: PathBuf },
    /// A file written in place (a recording) is not written through a symlink.
    #[error("{what} {}: it is a symlink; give the file itself", .path.display())]
    Symlink { what: String, path: PathBuf },
    /// Two claims on one file: writing one would destroy the other.
    #[error("{what} {} is the same file as {other}: it would be overwritten; give another file", .path.display())]
    Same {
        what: String,
        path: PathBuf,
        other: String,
    },
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl OutfileError {
    /// True when the user can fix it by naming another file (all but a failed write).
    pub fn is_usage(&self) -> bool {
        !matches!(self, OutfileError::Write { .. })
    }

    fn write(path: &Path, source: std::io::Error) -> OutfileError {
        OutfileError::Write {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl From<OutfileError> for std::io::Error {
    fn from(e: OutfileError) -> Self {
        match e {
            OutfileError::Write { source, .. } => source,
            other => std::io::Error::new(std::io::ErrorKind::InvalidInput, other),
        }
    }
}

/// A file being written: a temporary file beside its target until [`NewFile::commit`]
/// renames it into place. Dropped without a commit, it is removed and the target untouched.
pub struct NewFile {
    temp: NamedTempFile,
    target: PathBuf,
}

/// Refuses what a file may not replace: a directory, a device, a pipe or a socket (a
/// symlink may be replaced; `Claims::output` says so before any work).
pub(super) fn check_target(what: &str, target: &Path) -> Result<(), OutfileError> {
    let refused = |kind: fn(String, PathBuf) -> OutfileError| {
        Err(kind(what.to_string(), target.to_path_buf()))
    };
    if target.is_dir() {
        return refused(|what, path| OutfileError::Directory { what, path });
    }
    match target.symlink_metadata() {
        Ok(meta) if !meta.is_file() && !meta.is_symlink() => {
            refused(|what, path| OutfileError::NotRegular { what, path })
        }
        _ => Ok(()),
    }
}

impl NewFile {
    /// Starts writing `target`. What it may not replace is refused now, not after the work.
    pub fn create(target: &Path) -> Result<NewFile, OutfileError> {
        check_target("cannot write", target)?;
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = target.file_name().unwrap_or_default().to_string_lossy();
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            // As `File::create` would: the umask decides, not the temporary file's 0600.
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
            .tempfile_in(dir)
            .map_err(|e| OutfileError::write(target, e))?;
        Ok(NewFile {
            temp,
            target: target.to_path_buf(),
        })
    }

    /// The temporary file, to write to.
    pub fn file(&self) -> &File {
        self.temp.as_file()
    }

    /// Renames the finished file into place.
    pub fn commit(self) -> Result<(), OutfileError> {
        let target = self.target;
        self.temp
            .persist(&target)
            .map(drop)
            .map_err(|e| OutfileError::write(&target, e.error))
    }

    /// The open file and what renames it into place later, for a file written while
    /// something else runs (a recording of events).
    pub fn into_parts(self) -> (File, PendingFile) {
        let (file, path) = self.temp.into_parts();
        let pending = PendingFile {
            temp: path,
            target: self.target,
        };
        (file, pending)
    }
}

/// A temporary file written elsewhere, renamed into place by [`PendingFile::commit`] (and
/// removed if dropped first).
pub struct PendingFile {
    temp: TempPath,
    target: PathBuf,
}

impl PendingFile {
    pub fn target(&self) -> &Path {
        &self.target
    }

    pub fn commit(self) -> Result<(), OutfileError> {
        let target = self.target;
        self.temp
            .persist(&target)
            .map_err(|e| OutfileError::write(&target, e.error))
    }
}

/// Opens `path` to be written in place, for a file that is read while it grows (a recording
/// of events, followed with `tail -f` or by a script waiting for a tick, and kept in part by
/// a run that is killed). Without a rename, a symlink there would be written through, so it
/// is refused (`O_NOFOLLOW` closes the gap between the check and the open), as is anything
/// but a regular file. `Claims::output_in_place` refuses a hard link to an input.
pub fn create_in_place(what: &str, path: &Path) -> Result<File, OutfileError> {
    use std::os::unix::fs::OpenOptionsExt;
    check_target(what, path)?;
    if path.symlink_metadata().is_ok_and(|m| m.is_symlink()) {
        return Err(OutfileError::Symlink {
            what: what.to_string(),
            path: path.to_path_buf(),
        });
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| OutfileError::write(path, e))
}

/// Writes `path` with what `fill` writes, through a temporary file renamed into place.
pub fn write_with<E: From<OutfileError>>(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    let new = NewFile::create(path)?;
    let mut out = BufWriter::new(new.file());
    fill(&mut out)?;
    out.flush().map_err(|e| OutfileError::write(path, e))?;
    drop(out);
    Ok(new.commit()?)
}

/// Writes `bytes` to `path` through a temporary file renamed into place.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), OutfileError> {
    write_with(path, |out| {
        out.write_all(bytes.as_ref())
            .map_err(|e| OutfileError::write(path, e))
    })
}

#[cfg(test)]
mod tests;
