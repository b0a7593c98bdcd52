//! CPU sampling with pprof: start/stop, symbol resolution outside the profiler lock, deltas.

pub mod headroom;
mod modules;
pub mod phases;
mod symbols;
pub mod wall;

use crate::flame::code::CodeMap;
use crate::flame::FoldedStacks;
use crate::measure::WaitEntry;
use crate::model::WorkerSnapshot;
use pprof::{ProfilerGuard, ProfilerGuardBuilder};
use std::collections::HashMap;
use symbols::SymbolCache;
use wall::{WaitAtPlace, WallAccount};

pub use crate::spec::{DEFAULT_HZ, HZ_RANGE};

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

/// Makes sure the profiler's stack unwinder has set itself up before any worker runs.
///
/// The unwinder reads every loaded module's unwind tables on its first sample, inside the
/// SIGPROF handler, and that allocates. Taken while a worker is inside the allocator, that
/// first sample could deadlock. So the first sample is taken here, on this thread, in a loop
/// that holds no lock and allocates nothing: sample at the highest rate and spin until one
/// sample arrived (a few milliseconds of CPU), once per process.
fn warm_up_unwinder() -> Result<(), ProfileError> {
    static WARM: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let warm = WARM.get_or_init(|| {
        let Ok(guard) = ProfilerGuardBuilder::default()
            .frequency(*HZ_RANGE.end() as i32)
            .build()
        else {
            return false;
        };
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(2) {
            let spin_until = std::time::Instant::now() + std::time::Duration::from_millis(5);
            let mut x = 0u64;
            while std::time::Instant::now() < spin_until {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
            let sampled = guard
                .report()
                .build_unresolved()
                .is_ok_and(|r| !r.data.is_empty());
            if sampled {
                return true;
            }
        }
        false
    });
    match warm {
        true => Ok(()),
        false => Err(ProfileError::Start(
            "the stack unwinder took no first sample within 2 s of CPU time".into(),
        )),
    }
}

/// A running sampler. Only one can exist per process (pprof keeps a global profiler).
pub struct Sampler {
    guard: Option<ProfilerGuard<'static>>,
    hz: u32,
    seen: HashMap<RawKey, u64>,
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
        warm_up_unwinder()?;
        let guard = ProfilerGuardBuilder::default()
            .frequency(hz as i32)
            .build()
            .map_err(|e| ProfileError::Start(e.to_string()))?;
        Ok(Sampler {
            guard: Some(guard),
            hz,
            seen: HashMap::new(),
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
            if *count > before && keep(&key.0) {
                let stack = self.symbols.fold(&key.0, &key.1);
                delta.add(&stack, count - before);
            }
        }
        self.seen = now;
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
        self.guard = None;
    }
}
