//! The reader on real CPython processes: two CPU-bound threads share the GIL and are told
//! apart by OS thread id, a sleeping thread shows where it sleeps, a program that is not
//! Python and one that is gone are said plainly, and each installed CPython 3.8–3.13 is read.

use super::fixture::{exists, have, Script, CPU_THREADS, SLEEPER};
use super::*;
use std::collections::HashSet;
use std::io::Write;
use std::process::Command;
use std::thread;
use std::time::Duration;

const PYTHON: &str = "python3";

/// How many samples a test takes at most while it waits for what it looks for.
const MAX_SAMPLES: usize = 500;

fn attach(script: &Script) -> PythonReader {
    PythonReader::attach(script.pid()).expect("attach to the running script")
}

/// What a series of samples of the two-thread script showed.
#[derive(Default)]
struct CpuSeen {
    a_on: HashSet<u32>,
    b_on: HashSet<u32>,
    names: HashSet<(u32, Option<String>)>,
    holders: HashSet<u32>,
    most_holders_at_once: usize,
    roots: HashSet<String>,
}

impl CpuSeen {
    fn add(&mut self, pid: u32, stacks: &[PyThreadStack]) {
        let os_tids = threads_of(pid);
        let holders: Vec<u32> = stacks
            .iter()
            .filter(|s| s.holds_gil)
            .map(|s| s.tid)
            .collect();
        self.most_holders_at_once = self.most_holders_at_once.max(holders.len());
        self.holders.extend(holders);
        for stack in stacks {
            assert!(
                os_tids.contains(&stack.tid),
                "tid {} not in /proc",
                stack.tid
            );
            assert_eq!(stack.frames.len(), stack.lines.len());
            let leaf = stack.frames.last().map(String::as_str).unwrap_or("");
            if leaf == "crunch_a (cpu_threads.py)" {
                self.a_on.insert(stack.tid);
            }
            if leaf == "crunch_b (cpu_threads.py)" {
                self.b_on.insert(stack.tid);
            }
            self.names.insert((stack.tid, stack.name.clone()));
            self.roots.extend(stack.frames.first().cloned());
        }
    }

    fn complete(&self) -> bool {
        !self.a_on.is_empty() && !self.b_on.is_empty() && self.holders.len() >= 2
    }
}

/// Samples the two-thread script until both functions and two GIL holders were seen.
fn sample_cpu_threads(python: &str) -> (Script, String, CpuSeen) {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = Script::start(python, dir.path(), "cpu_threads.py", CPU_THREADS);
    let mut reader = attach(&script);
    let mut seen = CpuSeen::default();
    let mut failed = 0;
    for _ in 0..MAX_SAMPLES {
        match reader.sample() {
            Ok(stacks) => seen.add(script.pid(), &stacks),
            Err(_) => failed += 1,
        }
        if seen.complete() {
            break;
        }
        thread::sleep(Duration::from_millis(3));
    }
    assert!(failed < MAX_SAMPLES / 2, "{failed} samples failed");
    (script, reader.version(), seen)
}

fn check_cpu_threads(script: &Script, seen: &CpuSeen) {
    let [a, b] = script.numbers()[..] else {
        panic!("two thread ids in {:?}", script.ready)
    };
    assert_eq!(
        seen.a_on,
        HashSet::from([a]),
        "crunch_a only on its own thread"
    );
    assert_eq!(
        seen.b_on,
        HashSet::from([b]),
        "crunch_b only on its own thread"
    );
    assert!(seen.names.contains(&(a, Some("worker-a".into()))));
    assert!(seen.names.contains(&(b, Some("worker-b".into()))));
    assert!(seen.most_holders_at_once <= 1, "one GIL, one holder");
    assert!(
        seen.holders.len() >= 2,
        "the GIL changed hands: {:?}",
        seen.holders
    );
    // 3.11 on names a method by its qualified name (`Thread._bootstrap`).
    let bootstrap = |root: &String| root.ends_with("_bootstrap (threading.py)");
    assert!(seen.roots.iter().any(bootstrap), "{:?}", seen.roots);
}

#[test]
fn two_cpu_bound_threads_are_told_apart_and_share_the_gil() {
    if !have(
        PYTHON,
        "two_cpu_bound_threads_are_told_apart_and_share_the_gil",
    ) {
        return;
    }
    let (script, version, seen) = sample_cpu_threads(PYTHON);
    assert!(version.starts_with("3."), "version {version}");
    check_cpu_threads(&script, &seen);
}

#[test]
fn a_sleeping_thread_shows_where_it_sleeps_without_the_gil() {
    if !have(
        PYTHON,
        "a_sleeping_thread_shows_where_it_sleeps_without_the_gil",
    ) {
        return;
    }
    check_sleeper(PYTHON);
}

/// The sleeper script read by `python`: the sleeping thread asleep in `snooze_here`, without
/// the GIL, and the main thread (its OS thread id is the process id) waiting for it.
fn check_sleeper(python: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = Script::start(python, dir.path(), "sleeper.py", SLEEPER);
    let sleeper_tid = script.numbers()[0];
    let mut reader = attach(&script);
    // Both threads take a moment to reach their waits after the ready line.
    let settled = |stacks: &[PyThreadStack]| {
        let main_waits =
            |s: &PyThreadStack| s.frames.iter().any(|f| f == "main_waits (sleeper.py)");
        stacks.iter().any(|s| s.tid == sleeper_tid && s.idle)
            && stacks
                .iter()
                .any(|s| s.tid == script.pid() && main_waits(s))
    };
    let mut found = None;
    for _ in 0..MAX_SAMPLES {
        let stacks = reader.sample().unwrap_or_default();
        if settled(&stacks) {
            found = Some(stacks);
            break;
        }
        thread::sleep(Duration::from_millis(3));
    }
    let all = found.expect("the sleeper asleep and the main thread in main_waits");
    let sleeper = all
        .iter()
        .find(|s| s.tid == sleeper_tid)
        .expect("the sleeper");
    assert_eq!(
        sleeper.frames.last().map(String::as_str),
        Some("snooze_here (sleeper.py)")
    );
    assert_eq!(sleeper.name.as_deref(), Some("sleeper"));
    assert!(!sleeper.holds_gil);
    let main = all
        .iter()
        .find(|s| s.tid == script.pid())
        .expect("the main thread");
    assert_eq!(main.name.as_deref(), Some("MainThread"));
    assert_eq!(all.len(), 2, "every Python thread, no more: {all:?}");
}

#[test]
fn a_program_that_is_not_python_is_said_plainly() {
    let mut sleep = Command::new("sleep").arg("5").spawn().expect("start sleep");
    let result = PythonReader::attach(sleep.id());
    let _ = sleep.kill();
    let _ = sleep.wait();
    let err = result.err().expect("sleep is no Python");
    assert!(
        matches!(err, PythonError::NotPython { pid } if pid == sleep.id()),
        "{err:?}"
    );
    assert!(err.to_string().contains("is not a Python program"), "{err}");
}

#[test]
fn a_process_that_ended_is_gone() {
    if !have(PYTHON, "a_process_that_ended_is_gone") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut script = Script::start(PYTHON, dir.path(), "sleeper.py", SLEEPER);
    let pid = script.pid();
    let mut reader = attach(&script);
    script.stop();
    let sampled = reader.sample();
    assert!(
        matches!(sampled, Err(PythonError::Gone { pid: p }) if p == pid),
        "{sampled:?}"
    );
    let attached = PythonReader::attach(pid).err();
    assert!(
        matches!(attached, Some(PythonError::Gone { .. })),
        "{attached:?}"
    );
}

#[test]
fn a_script_is_killed_and_reaped_even_when_its_test_panics() {
    if !have(
        PYTHON,
        "a_script_is_killed_and_reaped_even_when_its_test_panics",
    ) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let (tx, rx) = std::sync::mpsc::channel();
    let outcome = std::panic::catch_unwind(|| {
        let script = Script::start(PYTHON, dir.path(), "sleeper.py", SLEEPER);
        tx.send(script.pid()).expect("send the pid");
        panic!("a failing test");
    });
    assert!(outcome.is_err());
    let pid = rx.recv().expect("the script's pid");
    assert!(!exists(pid), "process {pid} was left behind");
}

/// Each CPython 3.8–3.13 installed here as `python3.N` is read; older ones are refused by
/// name. Which were found is said on the real standard error.
#[test]
fn each_installed_cpython_is_read_and_older_ones_refused() {
    let mut report = Vec::new();
    for minor in SUPPORTED {
        let python = format!("python3.{minor}");
        if !have(
            &python,
            "each_installed_cpython_is_read_and_older_ones_refused",
        ) {
            continue;
        }
        let (script, version, seen) = sample_cpu_threads(&python);
        assert!(
            version.starts_with(&format!("3.{minor}.")),
            "{python} said {version}"
        );
        check_cpu_threads(&script, &seen);
        check_sleeper(&python);
        report.push(version);
    }
    if have(
        "python3.7",
        "each_installed_cpython_is_read_and_older_ones_refused (3.7)",
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        // 3.7 has no `threading.get_native_id`: a plain script.
        let source = "import time\nprint(0, flush=True)\ntime.sleep(600)\n";
        let script = Script::start("python3.7", dir.path(), "old.py", source);
        let err = PythonReader::attach(script.pid()).err();
        let refused = matches!(&err, Some(PythonError::UnsupportedVersion { version, .. })
            if version.starts_with("3.7."));
        assert!(refused, "{err:?}");
        report.push("3.7 refused".into());
    }
    let said = match report.is_empty() {
        true => "SKIPPED each_installed_cpython_is_read_and_older_ones_refused: no python3.N",
        false => "CPython versions checked",
    };
    let _ = writeln!(std::io::stderr(), "{said}: {report:?}");
}
