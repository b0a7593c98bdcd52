//! Deterministic test data: a tiny PRNG, the data cache directory and "generate once, reuse".
//!
//! A generated data set lives in its own directory with a `manifest.json` (generator name,
//! version, parameters). The set is written into a private temporary directory, the
//! manifest is written last, and the directory is then renamed into place. A directory at
//! the final path therefore always holds a complete set, and two processes generating the
//! same set at once never write into the same files: the loser of the rename race simply
//! throws its copy away and uses the winner's. The manifest records every file's size and
//! digest; a set whose files no longer match (truncated, changed) is generated again. The
//! cache's upkeep (leftovers, size cap, clearing) is in [`super::cache`].

use super::cache::{self, FileCheck};
use crate::workload::WorkloadError;
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Name of the manifest file inside a generated data set directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The splitmix64 generator: small, fast, and deterministic for a given seed.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `lo..=hi` (inclusive). The tiny modulo bias is irrelevant for test data.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        debug_assert!(lo <= hi);
        let span = hi - lo;
        if span == u64::MAX {
            return self.next_u64();
        }
        lo + self.next_u64() % (span + 1)
    }

    /// A signed value in `lo..=hi` (inclusive).
    pub fn range_i64(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi);
        let span = hi.abs_diff(lo);
        lo.wrapping_add(self.range(0, span) as i64)
    }
}

/// Where generated data sets (and default outputs) live.
///
/// `$BOUNDSCOPE_DATA` if set, else `$XDG_CACHE_HOME/boundscope`, else
/// `$HOME/.cache/boundscope`, else `<system temp dir>/boundscope`.
pub fn cache_dir() -> PathBuf {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = non_empty("BOUNDSCOPE_DATA") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = non_empty("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("boundscope");
    }
    if let Some(home) = non_empty("HOME") {
        return PathBuf::from(home).join(".cache").join("boundscope");
    }
    std::env::temp_dir().join("boundscope")
}

/// What a generated data set is: compared field by field to decide whether to reuse it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The generator's name (`json-ticks`, ...).
    pub generator: String,
    /// Bumped whenever the generator's output changes.
    pub version: u32,
    /// The generator's parameters.
    pub params: serde_json::Value,
}

/// The manifest as stored: what the set is, and each of its files as it was written.
#[derive(Debug, Serialize, Deserialize)]
struct StoredManifest {
    #[serde(flatten)]
    manifest: Manifest,
    #[serde(default)]
    files: Vec<FileCheck>,
}

impl StoredManifest {
    fn read(dir: &Path) -> Option<StoredManifest> {
        let text = fs::read(dir.join(MANIFEST_FILE)).ok()?;
        serde_json::from_slice(&text).ok()
    }
}

impl Manifest {
    /// Reads the manifest of data set `dir`, if it has a readable one.
    pub fn read(dir: &Path) -> Option<Manifest> {
        StoredManifest::read(dir).map(|s| s.manifest)
    }

    /// Writes the manifest of the finished set `dir`, with its files' sizes and digests.
    fn write(&self, dir: &Path) -> Result<(), WorkloadError> {
        let files =
            cache::record(dir, MANIFEST_FILE).map_err(|e| WorkloadError::io(display(dir), e))?;
        let stored = StoredManifest {
            manifest: self.clone(),
            files,
        };
        let path = dir.join(MANIFEST_FILE);
        let text = serde_json::to_vec_pretty(&stored)
            .map_err(|e| WorkloadError::Other(format!("cannot encode manifest: {e}")))?;
        crate::outfile::write(&path, text).map_err(|e| WorkloadError::output(&path, e))
    }
}

/// Does `dir` hold a complete data set described by `manifest`, every file as written?
pub fn is_complete(dir: &Path, manifest: &Manifest) -> bool {
    StoredManifest::read(dir).is_some_and(|stored| {
        stored.manifest == *manifest
            && !stored.files.is_empty()
            && cache::verify(dir, &stored.files)
    })
}

/// Makes sure `dir` holds the data set described by `manifest`, calling `generate` to write
/// its files into a fresh directory when it does not. Returns `true` if it generated the set
/// and `false` if it reused an existing one.
pub fn ensure_generated(
    dir: &Path,
    manifest: &Manifest,
    generate: impl FnOnce(&Path) -> Result<(), WorkloadError>,
) -> Result<bool, WorkloadError> {
    if is_complete(dir, manifest) {
        cache::touch(&dir.join(MANIFEST_FILE));
        return Ok(false);
    }
    if let Some(parent) = dir.parent() {
        cache::remove_stale(parent);
    }
    let tmp = create_private_dir(dir)?;
    let written = generate(&tmp).and_then(|()| manifest.write(&tmp));
    if let Err(e) = written {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    install(&tmp, dir, manifest)?;
    if let Some(parent) = dir.parent() {
        cache::evict(parent, MANIFEST_FILE, dir, cache::cap_bytes());
    }
    Ok(true)
}

/// Moves the finished set `tmp` to `dir`, replacing a stale set there and accepting a
/// complete one that a concurrent generator installed first.
fn install(tmp: &Path, dir: &Path, manifest: &Manifest) -> Result<(), WorkloadError> {
    if dir.exists() && !is_complete(dir, manifest) {
        // A set from another version, or not ours at all: move it aside, then delete it.
        let stale = sibling(dir, "stale");
        if fs::rename(dir, &stale).is_ok() {
            let _ = fs::remove_dir_all(&stale);
        }
    }
    match fs::rename(tmp, dir) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = fs::remove_dir_all(tmp);
            if is_complete(dir, manifest) {
                Ok(())
            } else {
                Err(WorkloadError::io(
                    format!("cannot move generated data into {}", display(dir)),
                    e,
                ))
            }
        }
    }
}

/// Creates an empty directory next to `dir` that no other process or thread uses.
fn create_private_dir(dir: &Path) -> Result<PathBuf, WorkloadError> {
    if let Some(parent) = dir.parent() {
        fs::create_dir_all(parent).map_err(|e| WorkloadError::io(display(parent), e))?;
    }
    let tmp = sibling(dir, "tmp");
    fs::create_dir(&tmp).map_err(|e| WorkloadError::io(display(&tmp), e))?;
    Ok(tmp)
}

/// A unique hidden path next to `dir`: `.<name>.<tag>-<pid>-<nanos>-<n>`.
fn sibling(dir: &Path, tag: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".to_string());
    let hidden = format!(".{name}.{tag}-{}-{nanos}-{n}", std::process::id());
    dir.with_file_name(hidden)
}

/// A path for messages.
pub fn display(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(version: u32) -> Manifest {
        Manifest {
            generator: "test".into(),
            version,
            params: serde_json::json!({ "n": 3 }),
        }
    }

    fn write_one(dir: &Path, text: &str) -> Result<(), WorkloadError> {
        fs::write(dir.join("a.txt"), text).map_err(|e| WorkloadError::io("a.txt", e))
    }

    #[test]
    fn splitmix_is_deterministic_and_in_range() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        for _ in 0..1000 {
            assert_eq!(a.next_u64(), b.next_u64());
            let v = a.range_i64(-5, 5);
            b.range_i64(-5, 5);
            assert!((-5..=5).contains(&v));
        }
        assert_ne!(SplitMix64::new(1).next_u64(), SplitMix64::new(2).next_u64());
    }

    #[test]
    fn generates_once_then_reuses() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("set");
        assert!(ensure_generated(&dir, &manifest(1), |d| write_one(d, "one")).unwrap());
        let reused = ensure_generated(&dir, &manifest(1), |_| panic!("must not regenerate"));
        assert!(!reused.unwrap());
        assert_eq!(fs::read_to_string(dir.join("a.txt")).unwrap(), "one");
        // A new version replaces the stale set.
        assert!(ensure_generated(&dir, &manifest(2), |d| write_one(d, "two")).unwrap());
        assert_eq!(fs::read_to_string(dir.join("a.txt")).unwrap(), "two");
        assert_eq!(Manifest::read(&dir), Some(manifest(2)));
        // No temporary directories are left behind.
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn failed_generation_leaves_nothing() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("set");
        let result = ensure_generated(&dir, &manifest(1), |_| {
            Err(WorkloadError::Other("boom".into()))
        });
        assert!(result.is_err());
        assert!(!dir.exists());
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 0);
    }

    #[test]
    fn concurrent_generators_agree() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("set");
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| ensure_generated(&dir, &manifest(1), |d| write_one(d, "x")).unwrap());
            }
        });
        assert!(is_complete(&dir, &manifest(1)));
        assert_eq!(fs::read_to_string(dir.join("a.txt")).unwrap(), "x");
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }
}
