//! Runs a Python command, reads the Python stacks of it and of every process it starts (a
//! `multiprocessing` pool's workers each get a reader of their own) for a few seconds, and
//! prints each thread's most frequent stacks, how often it held the GIL and how often it slept:
//! `cargo run --release --example python_stacks -- python3 job.py`, or `-- --pid PID` for a
//! running program (one that is not this program's child needs ptrace rights over it).

use boundscope::observe::procfs::process_tree;
use boundscope::observe::python::{PythonError, PythonReader};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const SECONDS: u64 = 3;
const PERIOD: Duration = Duration::from_millis(10);
/// How many of a stack's innermost frames are printed.
const INNER: usize = 4;

/// What one thread showed over the samples.
#[derive(Default)]
struct Seen {
    name: Option<String>,
    samples: u32,
    gil: u32,
    idle: u32,
    stacks: HashMap<String, u32>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, pid] if flag == "--pid" => match pid.parse() {
            Ok(pid) => print(&sample_tree(pid)),
            Err(_) => return usage(),
        },
        [program, rest @ ..] => return run(program, rest),
        [] => return usage(),
    }
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!("usage: python_stacks CMD [ARGS…] | python_stacks --pid PID");
    ExitCode::from(2)
}

/// Starts the command, samples its tree, then ends the tree (a pool's workers outlive a
/// killed parent: children first).
fn run(program: &str, rest: &[String]) -> ExitCode {
    let mut child = match Command::new(program).args(rest).spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("could not start {program}: {e}");
            return ExitCode::from(2);
        }
    };
    let seen = sample_tree(child.id());
    for pid in process_tree(child.id()).into_iter().rev() {
        // SAFETY: kill has no memory preconditions; these are our own child's processes.
        unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
    }
    let _ = child.wait();
    print(&seen);
    ExitCode::SUCCESS
}

/// Samples every process under `root` for `SECONDS`, attaching to each as it appears (an
/// interpreter that is still starting is tried again on the next round).
fn sample_tree(root: u32) -> BTreeMap<(u32, u32), Seen> {
    let mut readers: HashMap<u32, PythonReader> = HashMap::new();
    let mut refused: HashMap<u32, String> = HashMap::new();
    let mut seen = BTreeMap::new();
    let (mut sampling, mut rounds) = (Duration::ZERO, 0u32);
    let end = Instant::now() + Duration::from_secs(SECONDS);
    while Instant::now() < end {
        for pid in process_tree(root) {
            if let Entry::Vacant(slot) = readers.entry(pid) {
                match PythonReader::attach(pid) {
                    Ok(reader) => {
                        eprintln!("process {pid}: Python {}", reader.version());
                        slot.insert(reader);
                    }
                    Err(e) => {
                        refused.insert(pid, e.to_string());
                    }
                }
            }
        }
        let started = Instant::now();
        readers.retain(|&pid, reader| sample_into(pid, reader, &mut seen));
        sampling += started.elapsed();
        rounds += 1;
        std::thread::sleep(PERIOD);
    }
    eprintln!(
        "{rounds} rounds, {:?} sampling per round",
        sampling / rounds.max(1)
    );
    for (pid, why) in refused.iter().filter(|(pid, _)| !readers.contains_key(pid)) {
        eprintln!("process {pid}: not read: {why}");
    }
    seen
}

/// Adds one sample of `pid`; false once the process is gone.
fn sample_into(pid: u32, reader: &mut PythonReader, seen: &mut BTreeMap<(u32, u32), Seen>) -> bool {
    match reader.sample() {
        Ok(stacks) => {
            for stack in stacks {
                let thread = seen.entry((pid, stack.tid)).or_default();
                thread.name = stack.name.clone();
                thread.samples += 1;
                thread.gil += u32::from(stack.holds_gil);
                thread.idle += u32::from(stack.idle);
                // The innermost frames are the telling ones.
                let inner = stack.frames.len().saturating_sub(INNER);
                *thread
                    .stacks
                    .entry(stack.frames[inner..].join(";"))
                    .or_default() += 1;
            }
            true
        }
        Err(PythonError::Gone { .. }) => false,
        Err(e) => {
            eprintln!("process {pid}: a sample failed: {e}");
            true
        }
    }
}

fn print(seen: &BTreeMap<(u32, u32), Seen>) {
    for ((pid, tid), thread) in seen {
        let share = |n: u32| 100.0 * f64::from(n) / f64::from(thread.samples.max(1));
        println!(
            "process {pid} thread {tid} {:?}: {} samples, GIL held {:.0}%, asleep {:.0}%",
            thread.name.as_deref().unwrap_or("?"),
            thread.samples,
            share(thread.gil),
            share(thread.idle),
        );
        let mut stacks: Vec<_> = thread.stacks.iter().collect();
        stacks.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (stack, n) in stacks.into_iter().take(3) {
            println!("    {n:>4}  {stack}");
        }
    }
}
