//! Stacks of an observed program's threads, per process: a reader is attached to each
//! process as it is first seen (a language's runtime may need a moment to start, so
//! attaching is retried for a while), and what could not be read is said, once.

use super::book::SampledThread;
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
}

/// How long attaching to a starting process is retried, and how often.
const ATTACH_FOR: Duration = Duration::from_secs(3);
const ATTACH_EVERY: Duration = Duration::from_millis(100);

enum State {
    Attached(Box<dyn StackReader>),
    Trying { first: Instant, last: Instant },
    GaveUp(String),
}

/// The readers of a program's processes.
pub struct StackReaders {
    attach: fn(u32) -> Attach,
    processes: BTreeMap<u32, State>,
}

impl StackReaders {
    pub fn new(attach: fn(u32) -> Attach) -> StackReaders {
        StackReaders {
            attach,
            processes: BTreeMap::new(),
        }
    }

    /// The stacks of the threads of `pids` now, by thread id.
    pub fn sample(&mut self, pids: impl Iterator<Item = u32>) -> HashMap<u32, SampledThread> {
        let mut stacks = HashMap::new();
        let mut seen: Vec<u32> = pids.collect();
        seen.dedup();
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
                        Attach::NotYet(why) if now.duration_since(first) >= ATTACH_FOR => {
                            State::GaveUp(why)
                        }
                        Attach::NotYet(_) => State::Trying { first, last: now },
                    };
                }
            }
            if let State::Attached(reader) = state {
                for thread in reader.sample().unwrap_or_default() {
                    stacks.insert(thread.tid, thread);
                }
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
        reasons
            .into_iter()
            .map(|(why, n)| format!("no stacks for {n} of {of} process(es): {why}"))
            .collect()
    }
}

/// A reader of CPython's stacks for `pid`.
pub fn python_reader(_pid: u32) -> Attach {
    Attach::Never("reading Python stacks is not part of this build".into())
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
        let mut readers = StackReaders::new(|pid| match pid {
            1 => Attach::Reader(Box::new(Fixed)),
            _ => Attach::Never("not a Python program".into()),
        });
        let stacks = readers.sample([1, 2, 3].into_iter());
        assert_eq!(stacks[&7].frames, ["main (job.py)"]);
        assert_eq!(
            readers.notes(),
            ["no stacks for 2 of 3 process(es): not a Python program"]
        );
    }
}
