//! This process's own temporary directory, and the removal of what dead processes left behind.
//!
//! Every temporary file of the process (private copies of piped inputs, scratch databases,
//! what libraries create) is created inside one private directory, removed when the process
//! ends, so none is left in `$TMPDIR`; a process that could not remove it (killed) is cleaned
//! up after by the next one.

use std::fs;
use std::path::{Path, PathBuf};

/// Prefix of the private directories in the system temporary directory.
const PREFIX: &str = "boundscope-proc-";

/// The private temporary directory of this process; removed (with its content) on drop.
#[derive(Debug)]
pub struct ProcessTempDir {
    path: PathBuf,
}

impl ProcessTempDir {
    /// Removes the directories of dead boundscope processes, creates this process's own,
    /// and makes it the directory where every temporary file of the process goes. `None`
    /// when the directory cannot be created (temporary files then go where they always do)
    /// or when another one was already claimed.
    pub fn claim() -> Option<ProcessTempDir> {
        let root = std::env::temp_dir();
        remove_dead(&root, |name| {
            name.strip_prefix(PREFIX)?.split('-').next()?.parse().ok()
        });
        let dir = tempfile::Builder::new()
            .prefix(&format!("{PREFIX}{}-", std::process::id()))
            .tempdir_in(&root)
            .ok()?;
        let path = dir.keep();
        if tempfile::env::override_temp_dir(&path).is_err() {
            let _ = fs::remove_dir_all(&path);
            return None;
        }
        Some(ProcessTempDir { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ProcessTempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// True while a process with this id exists (a reused id counts as alive: the caller then
/// keeps something it could have removed, never the reverse).
pub fn pid_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let found = unsafe { libc::kill(pid, 0) } == 0;
    found || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Removes every entry of `dir` whose name `owner` maps to the id of a process that is gone.
/// Returns how many it removed.
pub fn remove_dead(dir: &Path, owner: impl Fn(&str) -> Option<u32>) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(&owner) else {
            continue;
        };
        if pid_alive(pid) {
            continue;
        }
        let path = entry.path();
        let gone = match entry.file_type() {
            Ok(t) if t.is_dir() => fs::remove_dir_all(&path),
            _ => fs::remove_file(&path),
        };
        removed += usize::from(gone.is_ok());
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A process id that is certainly gone: a child that was waited for.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true")
            .spawn()
            .expect("run true");
        let pid = child.id();
        child.wait().expect("wait");
        pid
    }

    #[test]
    fn only_entries_of_dead_processes_are_removed() {
        let root = tempfile::tempdir().expect("temp dir");
        let dead = dead_pid();
        let alive = std::process::id();
        for name in [format!("x-{dead}"), format!("x-{alive}"), "other".into()] {
            fs::create_dir(root.path().join(&name)).expect("mkdir");
            fs::write(root.path().join(&name).join("f"), b"1").expect("write");
        }
        let owner = |name: &str| name.strip_prefix("x-")?.parse().ok();
        assert_eq!(remove_dead(root.path(), owner), 1);
        let mut left: Vec<String> = fs::read_dir(root.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, vec!["other".to_string(), format!("x-{alive}")]);
        assert!(pid_alive(alive) && !pid_alive(dead));
    }
}
