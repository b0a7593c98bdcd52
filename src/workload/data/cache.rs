//! Upkeep of the data cache: each file's size and digest recorded at generation and checked
//! before use, removal of what killed generators left behind, a size cap (the least recently
//! used set goes first) and clearing the cache (`boundscope gen --clean`).

use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Environment variable capping the cache's size in MB (default [`DEFAULT_CAP_MB`]).
pub const CAP_ENV: &str = "BOUNDSCOPE_CACHE_MAX_MB";
pub const DEFAULT_CAP_MB: u64 = 4096;

/// One file of a generated set as it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCheck {
    pub name: String,
    pub size: u64,
    /// xxh3-64 of the content, 16 hex digits.
    pub xxh3: String,
}

/// Size and digest of every regular file in `dir` except `skip`, by name.
pub fn record(dir: &Path, skip: &str) -> std::io::Result<Vec<FileCheck>> {
    let mut checks = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == skip || !entry.file_type()?.is_file() {
            continue;
        }
        let (size, xxh3) = digest(&entry.path())?;
        checks.push(FileCheck { name, size, xxh3 });
    }
    checks.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(checks)
}

/// True when every file in `checks` is in `dir` with its recorded size and digest. Sizes
/// are compared first, so a truncated file costs no reading.
pub fn verify(dir: &Path, checks: &[FileCheck]) -> bool {
    let sizes_match = checks
        .iter()
        .all(|c| fs::metadata(dir.join(&c.name)).is_ok_and(|m| m.is_file() && m.len() == c.size));
    sizes_match
        && checks.iter().all(|c| {
            digest(&dir.join(&c.name)).is_ok_and(|(size, xxh3)| size == c.size && xxh3 == c.xxh3)
        })
}

fn digest(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = fs::File::open(path)?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, format!("{:016x}", hasher.digest())))
}

/// The process id in the name of a generator's private directory, `.<set>.<tag>-<pid>-…`.
fn generator_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?;
    let (_, after) = rest
        .rsplit_once(".tmp-")
        .or_else(|| rest.rsplit_once(".stale-"))?;
    after.split('-').next()?.parse().ok()
}

/// Removes the private directories that generators which died (killed) left in `parent`.
pub fn remove_stale(parent: &Path) -> usize {
    crate::tmpdir::remove_dead(parent, generator_pid)
}

/// Marks a set as just used (its manifest's modification time), for the eviction order.
pub fn touch(manifest: &Path) {
    if let Ok(file) = fs::File::options().append(true).open(manifest) {
        let _ = file.set_modified(SystemTime::now());
    }
}

/// The cap from [`CAP_ENV`], in bytes.
pub fn cap_bytes() -> u64 {
    std::env::var(CAP_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_CAP_MB)
        .saturating_mul(1 << 20)
}

/// A generated set in the cache: its directory, size and last use.
struct CachedSet {
    dir: PathBuf,
    bytes: u64,
    used: SystemTime,
}

/// The sets (directories with a `manifest`) directly in `parent`.
fn cached_sets(parent: &Path, manifest: &str) -> Vec<CachedSet> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let dir = e.path();
            let used = fs::metadata(dir.join(manifest)).ok()?.modified().ok()?;
            Some(CachedSet {
                bytes: dir_bytes(&dir),
                dir,
                used,
            })
        })
        .collect()
}

fn dir_bytes(dir: &Path) -> u64 {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Removes the least recently used sets in `parent` until they add up to at most `cap`
/// bytes; `keep` (the set about to be used) is never removed. Returns what it removed.
pub fn evict(parent: &Path, manifest: &str, keep: &Path, cap: u64) -> Vec<PathBuf> {
    let mut sets = cached_sets(parent, manifest);
    let mut total: u64 = sets.iter().map(|s| s.bytes).sum();
    sets.sort_by_key(|s| s.used);
    let mut removed = Vec::new();
    for set in sets {
        if total <= cap {
            break;
        }
        if set.dir == keep || fs::remove_dir_all(&set.dir).is_err() {
            continue;
        }
        total = total.saturating_sub(set.bytes);
        removed.push(set.dir);
    }
    removed
}

/// What `clean` removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cleaned {
    pub entries: usize,
    pub bytes: u64,
}

/// Removes every generated set, generator leftover and default output directory from the
/// cache `dir`; anything else there (the directory may be one the user named) stays.
pub fn clean(dir: &Path, manifest: &str) -> std::io::Result<Cleaned> {
    let mut cleaned = Cleaned::default();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(cleaned),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = path.join(manifest).exists()
            || generator_pid(&name).is_some()
            || name
                .strip_prefix("out-")
                .is_some_and(|p| p.parse::<u32>().is_ok());
        if !ours || !entry.file_type()?.is_dir() {
            continue;
        }
        let bytes = dir_bytes(&path);
        fs::remove_dir_all(&path)?;
        cleaned.entries += 1;
        cleaned.bytes += bytes;
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(parent: &Path, name: &str, bytes: usize, age_s: u64) -> PathBuf {
        let dir = parent.join(name);
        fs::create_dir_all(&dir).expect("mkdir");
        fs::write(dir.join("data"), vec![b'x'; bytes]).expect("write");
        fs::write(dir.join("m.json"), b"{}").expect("write");
        let when = SystemTime::now() - std::time::Duration::from_secs(age_s);
        let file = fs::File::options().append(true).open(dir.join("m.json"));
        file.expect("open").set_modified(when).expect("set time");
        dir
    }

    #[test]
    fn a_truncated_or_changed_file_fails_the_check() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = set(root.path(), "s", 1000, 0);
        let checks = record(&dir, "m.json").expect("record");
        assert_eq!(checks.len(), 1);
        assert!(verify(&dir, &checks));
        fs::write(dir.join("data"), vec![b'y'; 1000]).expect("rewrite");
        assert!(!verify(&dir, &checks), "same size, other content");
        fs::write(dir.join("data"), vec![b'x'; 900]).expect("truncate");
        assert!(!verify(&dir, &checks), "truncated");
    }

    #[test]
    fn eviction_removes_the_least_recently_used_sets_first() {
        let root = tempfile::tempdir().expect("temp dir");
        let old = set(root.path(), "old", 1000, 300);
        let mid = set(root.path(), "mid", 1000, 200);
        let new = set(root.path(), "new", 1000, 100);
        let removed = evict(root.path(), "m.json", &new, 2100);
        assert_eq!(removed, vec![old.clone()]);
        assert!(!old.exists() && mid.exists() && new.exists());
        // The set in use stays even when it alone is over the cap.
        let removed = evict(root.path(), "m.json", &new, 10);
        assert_eq!(removed, vec![mid]);
        assert!(new.exists());
    }

    #[test]
    fn clean_removes_only_what_the_cache_made() {
        let root = tempfile::tempdir().expect("temp dir");
        set(root.path(), "json-ticks", 10, 0);
        fs::create_dir(root.path().join(".json-ticks.tmp-1-2-3")).expect("mkdir");
        fs::create_dir(root.path().join("out-12")).expect("mkdir");
        fs::create_dir(root.path().join("mine")).expect("mkdir");
        let cleaned = clean(root.path(), "m.json").expect("clean");
        assert_eq!(cleaned.entries, 3);
        let left: Vec<_> = fs::read_dir(root.path()).expect("list").flatten().collect();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].file_name(), "mine");
        assert_eq!(
            generator_pid(".json-ticks-v1-6x20.tmp-4242-77-0"),
            Some(4242)
        );
        assert_eq!(generator_pid(".set.stale-17-1-2"), Some(17));
        assert_eq!(generator_pid("json-ticks"), None);
    }
}
