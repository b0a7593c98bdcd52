//! The files one command reads and writes, so that an output that would destroy something is
//! refused before any work starts: the run's input, its database, another output of the same
//! run, or an existing directory.
//!
//! Paths are compared after resolving them: the parent directory canonicalized, joined with
//! the file name. The file name itself is not followed: an output that is a symlink to an
//! input is safe, since the output replaces the link (see the module above), not its target.
//! Inputs are also claimed fully resolved, so that an output at an input's real location is
//! refused even when the input was named through a link.

use super::OutfileError;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// A resolved path and what claimed it (`--svg`, `the input (--input)`).
#[derive(Debug, Clone)]
struct Claim {
    path: PathBuf,
    what: String,
}

/// The files claimed so far by one command's inputs and outputs.
#[derive(Debug, Default)]
pub struct Claims {
    files: Vec<Claim>,
    /// Input directories: every file already in one is an input.
    dirs: Vec<Claim>,
    /// The device and inode of each input that exists: a file written in place must not be
    /// a hard link to one.
    inodes: Vec<((u64, u64), String)>,
}

impl Claims {
    pub fn new() -> Claims {
        Claims::default()
    }

    /// A file (or directory of files) the command reads or writes in place, such as its
    /// input or its database. A path that is not there yet is claimed as named.
    pub fn input(&mut self, what: &str, path: &Path) {
        if let Ok(meta) = path.metadata() {
            self.inodes
                .push(((meta.dev(), meta.ino()), what.to_string()));
        }
        if path.is_dir() {
            if let Ok(dir) = path.canonicalize() {
                self.dirs.push(Claim {
                    path: dir,
                    what: what.to_string(),
                });
            }
            return;
        }
        let forms = [resolve(what, path).ok(), path.canonicalize().ok()];
        for path in forms.into_iter().flatten() {
            self.files.push(Claim {
                path,
                what: what.to_string(),
            });
        }
    }

    /// An output named by `what` (`--svg`): refused when it is an existing directory, when
    /// its directory does not exist, or when it is the same file as anything claimed before;
    /// claimed otherwise.
    pub fn output(&mut self, what: &str, path: &Path) -> Result<(), OutfileError> {
        super::check_target(what, path)?;
        let resolved = resolve(what, path)?;
        let same = |other: &str| OutfileError::Same {
            what: what.to_string(),
            path: path.to_path_buf(),
            other: other.to_string(),
        };
        if let Some(claim) = self.files.iter().find(|c| c.path == resolved) {
            return Err(same(&claim.what));
        }
        let exists = resolved.symlink_metadata().is_ok();
        if let Some(dir) = self.dirs.iter().find(|d| resolved.starts_with(&d.path)) {
            if exists {
                return Err(same(&format!("a file in {}", dir.what)));
            }
        }
        self.files.push(Claim {
            path: resolved,
            what: what.to_string(),
        });
        Ok(())
    }

    /// [`Claims::output`] for a file written in place (see `create_in_place`): a symlink is
    /// refused, and so is a hard link to an input, which writing in place would overwrite.
    pub fn output_in_place(&mut self, what: &str, path: &Path) -> Result<(), OutfileError> {
        self.output(what, path)?;
        let Ok(meta) = path.symlink_metadata() else {
            return Ok(());
        };
        if meta.is_symlink() {
            return Err(OutfileError::Symlink {
                what: what.to_string(),
                path: path.to_path_buf(),
            });
        }
        let inode = (meta.dev(), meta.ino());
        match self.inodes.iter().find(|(i, _)| *i == inode) {
            Some((_, input)) => Err(OutfileError::Same {
                what: what.to_string(),
                path: path.to_path_buf(),
                other: input.clone(),
            }),
            None => Ok(()),
        }
    }
}

/// `path` with its directory canonicalized: the file it names, with links in the directory
/// part followed and the last part kept as named.
fn resolve(what: &str, path: &Path) -> Result<PathBuf, OutfileError> {
    let Some(name) = path.file_name() else {
        return Err(OutfileError::NoFileName {
            what: what.to_string(),
            path: path.to_path_buf(),
        });
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let no_parent = || OutfileError::NoParent {
        what: what.to_string(),
        path: path.to_path_buf(),
        parent: parent.to_path_buf(),
    };
    if !parent.is_dir() {
        return Err(no_parent());
    }
    let dir = parent.canonicalize().map_err(|_| no_parent())?;
    Ok(dir.join(name))
}
