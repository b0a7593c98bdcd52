//! Stacks of an observed program's threads. A Python reader is attached to each Python
//! process as it is first seen (its interpreter may need a moment to start, so attaching is
//! retried for a while); the other processes' threads get native stacks sampled by the kernel
//! (one sampler for the whole tree, started with the program). What could not be read is
//! said once, with why.

use super::book::SampledThread;
use crate::observe::native::{NativeSampler, Symbolizer};
use crate::observe::python::{PythonError, PythonReader};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// Reads the stacks of one process's threads.
pub trait StackReader: Send {
    /// Every thread's stack now; `None` when the process could not be read this time.
    fn sample(&mut self) -> Option<Vec<SampledThread>>;
}

/// What attaching to a process gave.
pub enum Attach {
    Reader(Box<dyn StackReader>),
    /// Not (yet) readable; worth another try while the process starts (the reason).
    NotYet(String),
    /// Never readable (the reason, said once in the run's warnings).
    Never(String),
    /// Not a process this reader reads (not Python): its native stacks stand instead.
    NotMine,
}

/// How long attaching to a starting process is retried, and how often.
const ATTACH_FOR: Duration = Duration::from_secs(3);
const ATTACH_EVERY: Duration = Duration::from_millis(25);

enum State {
    Attached(Box<dyn StackReader>),
    Trying { first: Instant, last: Instant },
    GaveUp(String),
    Native,
}

/// The readers of a program's processes.
pub struct StackReaders {
    attach: fn(u32) -> Attach,
    processes: BTreeMap<u32, State>,
    /// The program's native stacks, or why there are none.
    native: Result<NativeStacks, String>,
}

impl StackReaders {
    /// Readers attached by `attach`, and native stacks from `native` for the rest.
    pub fn new(attach: fn(u32) -> Attach, native: Result<NativeStacks, String>) -> StackReaders {
        StackReaders {
            attach,
            processes: BTreeMap::new(),
            native,
        }
    }

    /// The stacks of the threads of `pids` now, by thread id.
    pub fn sample(
        &mut self,
        threads: impl Iterator<Item = (u32, u32)>,
    ) -> HashMap<u32, SampledThread> {
        let mut stacks = HashMap::new();
        let threads: Vec<(u32, u32)> = threads.collect();
        let mut seen: Vec<u32> = threads.iter().map(|(pid, _)| *pid).collect();
        seen.dedup();
        if let Ok(native) = &mut self.native {
            native.update();
        }
        for pid in seen {
            let now = Instant::now();
            let state = self.processes.entry(pid).or_insert(State::Trying {
                first: now,
                last: now - ATTACH_EVERY,
            });
            if let State::Trying { first, last } = *state {
                if now.duration_since(last) >= ATTACH_EVERY {
                    *state = match (self.attach)(pid) {
                        Attach::Reader(reader) => State::Attached(reader),
                        Attach::Never(why) => State::GaveUp(why),
                        Attach::NotMine => State::Native,
                        Attach::NotYet(why) if now.duration_since(first) >= ATTACH_FOR => {
                            State::GaveUp(why)
                        }
                        Attach::NotYet(_) => State::Trying { first, last: now },
                    };
                }
            }
            match (state, &mut self.native) {
                (State::Attached(reader), _) => {
                    for thread in reader.sample().unwrap_or_default() {
                        stacks.insert(thread.tid, thread);
                    }
                }
                (_, Ok(native)) => {
                    let tids = threads.iter().filter(|(p, _)| *p == pid);
                    for &(_, tid) in tids {
                        stacks.extend(native.stack_of(pid, tid).map(|s| (tid, s)));
                    }
                }
                _ => {}
            }
        }
        stacks
    }

    /// Why stacks are missing, once per reason: nothing when every process was read.
    pub fn notes(&self) -> Vec<String> {
        let mut reasons: Vec<(&str, usize)> = Vec::new();
        for state in self.processes.values() {
            if let State::GaveUp(why) = state {
                match reasons.iter_mut().find(|(r, _)| *r == why) {
                    Some((_, n)) => *n += 1,
                    None => reasons.push((why, 1)),
                }
            }
        }
        let of = self.processes.len();
        let mut notes: Vec<String> = reasons
            .into_iter()
            .map(|(why, n)| format!("no stacks for {n} of {of} process(es): {why}"))
            .collect();
        let native = self.processes.values().any(|s| matches!(s, State::Native));
        if let (true, Err(why)) = (native, &self.native) {
            notes.push(format!("no native stacks: {why}; lanes and waits only"));
        }
        notes
    }
}

/// A reader of CPython's stacks for `pid`; [`Attach::NotMine`] for a program that is not a
/// Python interpreter (by the name of its executable).
pub fn python_reader(pid: u32) -> Attach {
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
    let name = exe.file_name().map(|n| n.to_string_lossy().into_owned());
    if !name.is_some_and(|n| n.starts_with("python")) {
        return Attach::NotMine;
    }
    match PythonReader::attach(pid) {
        Ok(reader) => Attach::Reader(Box::new(PythonStacks(reader))),
        // The interpreter is not set up yet, or was caught mid-change: try again.
        Err(e @ (PythonError::NotPython { .. } | PythonError::Unreadable { .. })) => {
            Attach::NotYet(e.to_string())
        }
        Err(e) => Attach::Never(e.to_string()),
    }
}

/// A CPython process's threads, as the Python reader gives them.
struct PythonStacks(PythonReader);

impl StackReader for PythonStacks {
    fn sample(&mut self) -> Option<Vec<SampledThread>> {
        let threads = self.0.sample().ok()?;
        let known = threads.into_iter().filter(|t| t.tid != 0);
        Some(
            known
                .map(|t| SampledThread {
                    tid: t.tid,
                    name: t.name,
                    frames: t.frames,
                    holds_gil: t.holds_gil,
                })
                .collect(),
        )
    }
}

/// How long a native sample stands for its thread: a thread that has not run since (asleep)
/// is given no stack rather than an old one.
const NATIVE_FRESH: Duration = Duration::from_millis(100);

/// The latest native stack of each thread of the program's tree.
pub struct NativeStacks {
    sampler: NativeSampler,
    symbolizer: Symbolizer,
    latest: HashMap<u32, (Instant, u32, Vec<u64>)>,
}

impl NativeStacks {
    /// Samples `pid` and what it starts, `hz` times per CPU-second; `Err` says why not.
    pub fn start(pid: u32, hz: u32) -> Result<NativeStacks, String> {
        let sampler = NativeSampler::start(pid, hz).map_err(|e| e.to_string())?;
        Ok(NativeStacks {
            sampler,
            symbolizer: Symbolizer::new(),
            latest: HashMap::new(),
        })
    }

    fn update(&mut self) {
        let now = Instant::now();
        for sample in self.sampler.drain() {
            self.latest
                .insert(sample.tid, (now, sample.pid, sample.ips));
        }
    }

    fn stack_of(&mut self, pid: u32, tid: u32) -> Option<SampledThread> {
        let (at, sampled_pid, ips) = self.latest.get(&tid)?;
        if at.elapsed() > NATIVE_FRESH || *sampled_pid != pid {
            return None;
        }
        Some(SampledThread {
            tid,
            frames: self.symbolizer.symbolize(pid, ips),
            ..SampledThread::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl StackReader for Fixed {
        fn sample(&mut self) -> Option<Vec<SampledThread>> {
            Some(vec![SampledThread {
                tid: 7,
                frames: vec!["main (job.py)".into()],
                ..SampledThread::default()
            }])
        }
    }

    #[test]
    fn readable_processes_give_stacks_and_the_others_one_note_each_reason() {
        let mut readers = StackReaders::new(
            |pid| match pid {
                1 => Attach::Reader(Box::new(Fixed)),
                _ => Attach::Never("not a Python program".into()),
            },
            Err("none here".into()),
        );
        let stacks = readers.sample([(1, 7), (2, 2), (3, 3)].into_iter());
        assert_eq!(stacks[&7].frames, ["main (job.py)"]);
        assert_eq!(
            readers.notes(),
            ["no stacks for 2 of 3 process(es): not a Python program"]
        );
    }
}
