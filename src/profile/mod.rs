//! CPU sampling with pprof: start/stop, symbol resolution outside the profiler lock, deltas.

mod symbols;

use crate::flame::FoldedStacks;
use pprof::{ProfilerGuard, ProfilerGuardBuilder};
use std::collections::HashMap;
use symbols::SymbolCache;

/// Sampling rates accepted: the kernel tick caps the real rate at about 250 Hz here.
pub const HZ_RANGE: std::ops::RangeInclusive<u32> = 1..=250;
pub const DEFAULT_HZ: u32 = 99;

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("sampling rate {0} Hz is out of range: use 1 to 250 (the kernel tick caps it)")]
    BadRate(u32),
    #[error("could not start the CPU profiler: {0}")]
    Start(String),
    #[error("could not read the CPU profile: {0}")]
    Read(String),
}

/// A stack as the profiler saw it: thread name and raw instruction addresses (leaf first).
type RawKey = (Vec<u8>, Vec<usize>);

/// A running sampler. Only one can exist per process (pprof keeps a global profiler).
pub struct Sampler {
    guard: Option<ProfilerGuard<'static>>,
    hz: u32,
    seen: HashMap<RawKey, u64>,
    symbols: SymbolCache,
    cumulative: FoldedStacks,
}

impl Sampler {
    pub fn start(hz: u32) -> Result<Sampler, ProfileError> {
        if !HZ_RANGE.contains(&hz) {
            return Err(ProfileError::BadRate(hz));
        }
        let guard = ProfilerGuardBuilder::default()
            .frequency(hz as i32)
            .build()
            .map_err(|e| ProfileError::Start(e.to_string()))?;
        Ok(Sampler {
            guard: Some(guard),
            hz,
            seen: HashMap::new(),
            symbols: SymbolCache::default(),
            cumulative: FoldedStacks::new(),
        })
    }

    pub fn hz(&self) -> u32 {
        self.hz
    }

    /// Stacks sampled since the previous call, symbolized and rooted at the thread name.
    pub fn take_delta(&mut self) -> Result<FoldedStacks, ProfileError> {
        let Some(guard) = self.guard.as_ref() else {
            return Ok(FoldedStacks::new());
        };
        let report = guard
            .report()
            .build_unresolved()
            .map_err(|e| ProfileError::Read(e.to_string()))?;
        let mut now: HashMap<RawKey, u64> = HashMap::new();
        for (frames, count) in &report.data {
            let name = frames.thread_name[..frames.thread_name_length].to_vec();
            let ips = frames.frames.iter().map(|f| f.ip).collect();
            *now.entry((name, ips)).or_default() += (*count).max(0) as u64;
        }
        let mut delta = FoldedStacks::new();
        for (key, count) in &now {
            let before = self.seen.get(key).copied().unwrap_or(0);
            if *count > before {
                let stack = self.symbols.fold(&key.0, &key.1);
                delta.add(&stack, count - before);
            }
        }
        self.seen = now;
        self.cumulative.merge(&delta);
        Ok(delta)
    }

    /// Every stack sampled so far.
    pub fn cumulative(&self) -> &FoldedStacks {
        &self.cumulative
    }

    /// Stops sampling (after a last delta) and returns that delta.
    pub fn stop(&mut self) -> Result<FoldedStacks, ProfileError> {
        let delta = self.take_delta();
        self.guard = None;
        delta
    }
}
