//! An observed program's time, booked from each reading of its threads: a lane per thread
//! (CPU, run queue, each wait) and the wall-clock and CPU profiles, each thread's time on the
//! stack read at that moment (when a reader of the program's language gave one) with its
//! cause as the leaf. The same model as a built-in run's.

use crate::flame::wall::{wait_leaf, RUN_QUEUE_LEAF};
use crate::flame::FoldedStacks;
use crate::model::{WaitCategory, WorkerSnapshot};
use crate::observe::{OffCpuCause, ThreadId, ThreadReading};
use std::collections::BTreeMap;

/// One thread's stack at a reading, root first (from a Python reader, say).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SampledThread {
    pub tid: u32,
    /// The language's own name of the thread (Python's `threading` name).
    pub name: Option<String>,
    pub frames: Vec<String>,
    /// Holds the interpreter lock at this moment.
    pub holds_gil: bool,
}

/// Everything booked so far.
#[derive(Debug, Default)]
pub struct Book {
    /// The program's own process: its threads' lanes need no process id.
    root: u32,
    lanes: BTreeMap<ThreadId, WorkerSnapshot>,
    pub cpu: FoldedStacks,
    pub wall: FoldedStacks,
    /// Readings that found a thread on a CPU (the CPU profile's samples).
    pub samples: u64,
    /// Every process seen.
    pub processes: std::collections::BTreeSet<u32>,
    /// Per process, the futex words of its interpreter lock, as learned from its threads'
    /// timed waits for it (see [`category`]).
    gil_words: BTreeMap<u32, Vec<u64>>,
}

/// What is known of a thread when its time is booked.
pub struct Seen<'a> {
    pub reading: &'a ThreadReading,
    /// The thread's name, as the kernel has it.
    pub thread: &'a str,
    pub stack: Option<&'a SampledThread>,
}

impl Book {
    /// Nothing booked yet, for a program whose own process is `root`.
    pub fn new(root: u32) -> Book {
        Book {
            root,
            ..Book::default()
        }
    }

    /// Books one thread's time since its previous reading.
    pub fn add(&mut self, seen: Seen) {
        let id = seen.reading.id;
        self.processes.insert(id.pid);
        let lane = self.lanes.entry(id).or_insert_with(|| WorkerSnapshot {
            name: lane_name(
                id,
                self.root,
                seen.stack.and_then(|s| s.name.as_deref()),
                seen.thread,
            ),
            ..WorkerSnapshot::default()
        });
        let booked = seen.reading.booked;
        let s = |ns: u64| ns as f64 / 1e9;
        lane.cpu_s += s(booked.cpu_ns);
        lane.runqueue_s += s(booked.runqueue_ns);
        lane.wall_s += s(booked.cpu_ns + booked.runqueue_ns + booked.off_ns);
        let words = self.gil_words.entry(id.pid).or_default();
        let category = booked
            .cause
            .map(|c| category(c, seen.stack, seen.reading.futex, words));
        if let Some(category) = category {
            *lane.waits.entry(category).or_default() += s(booked.off_ns);
        }
        let stack = folded_stack(&lane.name, seen.stack);
        self.wall.add(&stack, booked.cpu_ns);
        self.wall
            .add(&format!("{stack};{RUN_QUEUE_LEAF}"), booked.runqueue_ns);
        if let Some(category) = category {
            let leaf = wait_leaf(category.as_str());
            self.wall.add(&format!("{stack};{leaf}"), booked.off_ns);
        }
        if seen.reading.running {
            self.cpu.add(&stack, 1);
            self.samples += 1;
        }
    }

    /// Every thread's lane so far, in the order of process and thread ids.
    pub fn lanes(&self) -> Vec<WorkerSnapshot> {
        self.lanes.values().cloned().collect()
    }
}

/// A lane's name: the thread's (the language's, where a reader gave one), then its thread
/// id, after its process id when it is not the program's own process (`python3 812/815`).
/// The id comes last, where a narrow lane keeps it. Fixed when the thread is first seen, so
/// a lane keeps its name.
fn lane_name(id: ThreadId, root: u32, language_name: Option<&str>, kernel_name: &str) -> String {
    let name = language_name.unwrap_or(kernel_name).replace(';', ":");
    match id.pid == root {
        true => format!("{name} {}", id.tid),
        false => format!("{name} {}/{}", id.pid, id.tid),
    }
}

/// The folded stack of a lane: its name, then the sampled frames (root first).
fn folded_stack(lane: &str, stack: Option<&SampledThread>) -> String {
    let mut folded = lane.to_string();
    for frame in stack.map(|s| s.frames.as_slice()).unwrap_or_default() {
        folded.push(';');
        folded.push_str(&frame.replace(';', ":"));
    }
    folded
}

/// How near (in bytes) a futex word must lie to a known word of the interpreter lock to be
/// one of its words too: the lock's mutex and condition sit side by side in one structure.
const GIL_SPAN: u64 = 256;

/// The wait category of an off-CPU cause. A Python thread asleep on a futex with a timeout
/// outside the `threading` and `queue` modules' waits is waiting for the interpreter lock:
/// CPython takes its GIL with a timed wait (to ask the holder to drop it after the switch
/// interval), while a Python-level lock, condition or queue waits untimed or inside those
/// modules' frames. The futex word of such a wait is learned (`words`), and an untimed wait
/// on a word beside it (the lock's own mutex, taken around that wait) is the lock's too.
pub fn category(
    cause: OffCpuCause,
    stack: Option<&SampledThread>,
    futex: Option<u64>,
    words: &mut Vec<u64>,
) -> WaitCategory {
    match cause {
        OffCpuCause::Net => WaitCategory::Net,
        OffCpuCause::Disk => WaitCategory::Disk,
        OffCpuCause::Lock { timed } => match (stack, futex) {
            (Some(stack), futex) if timed && !in_python_lock_wait(stack) => {
                if let Some(word) = futex.filter(|w| !words.contains(w)) {
                    words.push(word);
                }
                WaitCategory::Gil
            }
            (Some(_), Some(word)) if words.iter().any(|w| w.abs_diff(word) <= GIL_SPAN) => {
                WaitCategory::Gil
            }
            _ => WaitCategory::Lock,
        },
        OffCpuCause::Sleep => WaitCategory::Sleep,
        OffCpuCause::Pipe => WaitCategory::Pipe,
        OffCpuCause::Child => WaitCategory::Child,
        OffCpuCause::Unknown(_) => WaitCategory::Unknown,
    }
}

/// Whether a Python stack's innermost frame is a wait of the standard library's locks,
/// conditions, events and queues (or empty: no Python code runs there).
fn in_python_lock_wait(stack: &SampledThread) -> bool {
    const WAITS: [&str; 4] = ["threading.py", "queue.py", "_base.py", "synchronize.py"];
    match stack.frames.last() {
        Some(leaf) => WAITS.iter().any(|file| leaf.contains(file)),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::Booked;

    fn reading(tid: u32, running: bool, booked: Booked) -> ThreadReading {
        ThreadReading {
            id: ThreadId { pid: 10, tid },
            running,
            booked,
            futex: None,
        }
    }

    fn python(frames: &[&str]) -> SampledThread {
        SampledThread {
            tid: 11,
            name: Some("Thread-1".into()),
            frames: frames.iter().map(|f| f.to_string()).collect(),
            holds_gil: false,
        }
    }

    #[test]
    fn a_timed_futex_in_python_code_is_a_gil_wait_and_a_lock_wait_is_not() {
        let mut words = Vec::new();
        let timed = OffCpuCause::Lock { timed: true };
        let untimed = OffCpuCause::Lock { timed: false };
        let crunch = python(&["<module> (job.py)", "crunch (job.py)"]);
        // A user's own lock, before any wait for the interpreter lock was seen.
        assert_eq!(
            category(untimed, Some(&crunch), Some(0x9000), &mut words),
            WaitCategory::Lock
        );
        assert_eq!(
            category(timed, Some(&crunch), Some(0x1040), &mut words),
            WaitCategory::Gil
        );
        assert_eq!(words, [0x1040]);
        // The lock's mutex beside its condition; a user's lock elsewhere.
        assert_eq!(
            category(untimed, Some(&crunch), Some(0x1010), &mut words),
            WaitCategory::Gil
        );
        assert_eq!(
            category(untimed, Some(&crunch), Some(0x9000), &mut words),
            WaitCategory::Lock
        );
        let waiting = python(&["join (/usr/lib/python3.11/threading.py)"]);
        assert_eq!(
            category(timed, Some(&waiting), Some(0x5000), &mut words),
            WaitCategory::Lock
        );
        assert_eq!(
            category(timed, None, Some(0x1040), &mut words),
            WaitCategory::Lock
        );
    }

    #[test]
    fn every_nanosecond_goes_on_the_lane_and_the_stack_it_was_read_on() {
        let mut book = Book::new(10);
        let stack = python(&["main (job.py)", "fetch (job.py)"]);
        let booked = Booked {
            cpu_ns: 2_000_000,
            runqueue_ns: 1_000_000,
            off_ns: 7_000_000,
            cause: Some(OffCpuCause::Net),
        };
        book.add(Seen {
            reading: &reading(11, false, booked),
            thread: "python3",
            stack: Some(&stack),
        });
        let lanes = book.lanes();
        assert_eq!(lanes[0].name, "Thread-1 11");
        assert!((lanes[0].wall_s - 0.010).abs() < 1e-12);
        assert!((lanes[0].waits[&WaitCategory::Net] - 0.007).abs() < 1e-12);
        let root = "Thread-1 11;main (job.py);fetch (job.py)";
        assert_eq!(book.wall.get(root), 2_000_000);
        assert_eq!(book.wall.get(&format!("{root};[run queue]")), 1_000_000);
        assert_eq!(book.wall.get(&format!("{root};[net wait]")), 7_000_000);
        assert_eq!(book.wall.total(), 10_000_000);
        assert_eq!(book.samples, 0);
    }
}
