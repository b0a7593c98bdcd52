//! Company profiles kept between runs (`--cache-profiles`): the write-up's "profiles rarely
//! change, cache them for 24 hours". A run answers the company stage from the cache where it
//! can, fetches the rest and saves what it fetched, so the next run skips those requests.
//!
//! The cache is one JSON file per API (keyed by its identity) in the system's temporary
//! directory; it holds each symbol's answer as the API sent it, so rows and checksums are
//! the same whether a profile came from the cache or the network.

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a cached profile is used.
pub const PROFILE_TTL: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cannot write the profile cache {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// One cached answer and when it was fetched (seconds since the epoch).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    fetched_unix: u64,
    body: String,
}

/// The profiles of one API, loaded at the start of the run.
pub struct ProfileCache {
    path: PathBuf,
    entries: Mutex<BTreeMap<String, Entry>>,
    hits: Mutex<u64>,
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl ProfileCache {
    /// The cache of the API named by `identity` (what makes its answers what they are);
    /// a missing or unreadable file is an empty cache.
    pub fn open(identity: &str) -> ProfileCache {
        let key = xxhash_rust::xxh3::xxh3_64(identity.as_bytes());
        let path = std::env::temp_dir()
            .join("boundscope-cache")
            .join(format!("profiles-{key:016x}.json"));
        let entries: BTreeMap<String, Entry> = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        let fresh_since = now_unix().saturating_sub(PROFILE_TTL.as_secs());
        let entries = entries
            .into_iter()
            .filter(|(_, e)| e.fetched_unix >= fresh_since)
            .collect();
        ProfileCache {
            path,
            entries: Mutex::new(entries),
            hits: Mutex::new(0),
        }
    }

    /// The cached answer for `symbol`, counted as a hit.
    pub fn get(&self, symbol: &str) -> Option<Vec<u8>> {
        let body = self.entries.lock().get(symbol)?.body.clone().into_bytes();
        *self.hits.lock() += 1;
        Some(body)
    }

    /// Keeps a fetched answer (saved by `save`).
    pub fn put(&self, symbol: &str, body: &[u8]) {
        let entry = Entry {
            fetched_unix: now_unix(),
            body: String::from_utf8_lossy(body).into_owned(),
        };
        self.entries.lock().insert(symbol.to_string(), entry);
    }

    /// Profiles answered from the cache in this run.
    pub fn hits(&self) -> u64 {
        *self.hits.lock()
    }

    /// Writes the cache (whole-file replace, so a concurrent reader never sees half of it).
    pub fn save(&self) -> Result<(), CacheError> {
        let error = |source| CacheError::Write {
            path: self.path.display().to_string(),
            source,
        };
        let dir = self.path.parent().unwrap_or(std::path::Path::new("."));
        std::fs::create_dir_all(dir).map_err(error)?;
        let json = serde_json::to_vec(&*self.entries.lock()).unwrap_or_default();
        crate::outfile::write(&self.path, json).map_err(|e| error(e.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_profile_is_answered_by_the_next_run() {
        let identity = format!("test-{}-{:?}", std::process::id(), SystemTime::now());
        let first = ProfileCache::open(&identity);
        assert_eq!(first.get("AAA"), None);
        first.put("AAA", b"{\"symbol\":\"AAA\"}");
        first.save().expect("save");
        let second = ProfileCache::open(&identity);
        assert_eq!(
            second.get("AAA").as_deref(),
            Some(&b"{\"symbol\":\"AAA\"}"[..])
        );
        assert_eq!(second.get("BBB"), None);
        assert_eq!(second.hits(), 1);
        let _ = std::fs::remove_file(&second.path);
    }
}
