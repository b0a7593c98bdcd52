//! CPU sampling: start/stop, symbol resolution on the ticking thread, deltas.

pub mod headroom;
mod modules;
pub mod phases;
mod resolver;
mod sigprof;
mod symbols;
pub mod wall;

pub use resolver::fill_lines;

use crate::flame::code::CodeMap;
use crate::flame::FoldedStacks;
use crate::measure::WaitEntry;
use crate::model::WorkerSnapshot;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use symbols::SymbolCache;
use wall::{WaitAtPlace, WallAccount};

pub use crate::spec::{DEFAULT_HZ, HZ_RANGE};

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("sampling rate {0} Hz is out of range: use 1 to 250 (the kernel tick caps it)")]
    BadRate(u32),
    #[error("could not start the CPU profiler: {0}")]
    Start(String),
}

/// A stack as the sampler saw it: thread name and instruction addresses (leaf first).
type RawKey = (Vec<u8>, Vec<usize>);

/// Whether a sampler runs in this process (there is one SIGPROF timer per process).
static RUNNING: AtomicBool = AtomicBool::new(false);

/// A running sampler. Only one can exist per process.
pub struct Sampler {
    running: bool,
    hz: u32,
    symbols: SymbolCache,
    wall: WallAccount,
}

/// The workers' profiles since the previous reading.
#[derive(Debug, Default)]
pub struct ProfileDelta {
    /// CPU samples of the workers (counts).
    pub cpu: FoldedStacks,
    /// The workers' wall time on stacks (nanoseconds).
    pub wall: FoldedStacks,
}

impl Sampler {
    pub fn start(hz: u32) -> Result<Sampler, ProfileError> {
        if !HZ_RANGE.contains(&hz) {
            return Err(ProfileError::BadRate(hz));
        }
        if RUNNING.swap(true, Ordering::AcqRel) {
            return Err(ProfileError::Start(
                "another run in this process is being sampled".into(),
            ));
        }
        // Samples left from an earlier run in this process are not this run's.
        sigprof::drain(|_| {});
        if let Err(e) = sigprof::set_rate(hz, binary_code()) {
            RUNNING.store(false, Ordering::Release);
            return Err(ProfileError::Start(e.to_string()));
        }
        Ok(Sampler {
            running: true,
            hz,
            symbols: SymbolCache::default(),
            wall: WallAccount::default(),
        })
    }

    pub fn hz(&self) -> u32 {
        self.hz
    }

    /// Stacks of the threads `keep` accepts (by raw thread name) sampled since the previous
    /// call, symbolized and rooted at the thread name. Other threads' stacks are not
    /// symbolized at all: resolving the profiler's own frames would be its costliest work.
    fn take_delta(&mut self, keep: impl Fn(&[u8]) -> bool) -> Result<FoldedStacks, ProfileError> {
        if !self.running {
            return Ok(FoldedStacks::new());
        }
        let mut now: HashMap<RawKey, u64> = HashMap::new();
        sigprof::drain(|sample| {
            let name = sample.name.split(|&b| b == 0).next().unwrap_or(&[]);
            if keep(name) {
                let ips = sample.frames[..sample.depth].to_vec();
                *now.entry((name.to_vec(), ips)).or_default() += 1;
            }
        });
        let mut delta = FoldedStacks::new();
        for ((thread, ips), count) in &now {
            delta.add(&self.symbols.fold(thread, ips), *count);
        }
        resolver::release_pages();
        Ok(delta)
    }

    /// The workers' CPU samples and wall time since the previous call. `workers` are readings
    /// of every worker now, `waits` their wait time by place since the previous call.
    pub fn take_worker_delta(
        &mut self,
        workers: &[WorkerSnapshot],
        waits: &[(String, WaitEntry)],
    ) -> Result<ProfileDelta, ProfileError> {
        let names: std::collections::HashSet<&[u8]> =
            workers.iter().map(|w| w.name.as_bytes()).collect();
        let mut delta = ProfileDelta {
            cpu: self.take_delta(|thread| names.contains(thread))?,
            ..ProfileDelta::default()
        };
        let places: Vec<WaitAtPlace> = waits
            .iter()
            .map(|(thread, entry)| WaitAtPlace {
                thread: thread.clone(),
                category: entry.category,
                frames: self.symbols.wait_frames(&entry.stack),
                ns: entry.ns,
            })
            .collect();
        resolver::release_pages();
        delta.wall = self.wall.delta(workers, &delta.cpu, &places);
        Ok(delta)
    }

    /// Where the frames symbolized so far lie: their addresses, source lines and modules.
    pub fn code_map(&self) -> CodeMap {
        let sites = self.symbols.sites().clone();
        let modules = modules::loaded_modules(sites.values().map(|s| s.address));
        CodeMap { sites, modules }
    }

    /// Stops sampling (take the last delta first).
    pub fn stop(&mut self) {
        if std::mem::take(&mut self.running) {
            // Stopping a timer that runs cannot fail; if it did, the handler records into
            // the ring, which the next sampler drains before it starts.
            let _ = sigprof::set_rate(0, binary_code());
            RUNNING.store(false, Ordering::Release);
        }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The address range of this binary's code (where the handler checks return addresses).
fn binary_code() -> (usize, usize) {
    let code: Vec<_> = modules::executable_maps()
        .into_iter()
        .filter(|m| resolver::is_current_exe(&m.path))
        .collect();
    let start = code.iter().map(|m| m.start).min().unwrap_or(0);
    let end = code.iter().map(|m| m.limit).max().unwrap_or(0);
    (start as usize, end as usize)
}

#[cfg(test)]
mod sampler_tests;
