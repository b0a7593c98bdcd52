//! Sampling real children: small C programs compiled here with frame pointers and symbols.

use super::{NativeError, NativeSample, NativeSampler, Symbolizer};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// What every program below starts with: its headers and the function that burns the CPU.
const PRELUDE: &str = r#"
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
__attribute__((noinline)) double burn_cycles(long n) {
    volatile double x = 0;
    for (long i = 0; i < n; i++) x += i * 0.5;
    return x;
}
"#;

/// One thread burning the CPU in a function of its own, under `main`.
const ONE_THREAD: &str = r#"
int main(void) {
    double t = 0;
    for (;;) t += burn_cycles(1000000);
    return (int)t;
}
"#;

/// Two threads burning the CPU; the second starts a moment after the program, so that it
/// is usually created after sampling started (and inherits its events).
const TWO_THREADS: &str = r#"
__attribute__((noinline)) void *second_thread(void *arg) {
    double t = 0;
    for (;;) t += burn_cycles(1000000);
    return arg;
}
int main(void) {
    pthread_t thread;
    usleep(200000);
    pthread_create(&thread, 0, second_thread, 0);
    double t = 0;
    for (;;) t += burn_cycles(1000000);
    return (int)t;
}
"#;

/// A process that forks a worker process after a moment; both burn the CPU. The worker dies
/// with its parent, so that killing the test's child ends both however the test ends.
const FORKING: &str = r#"
__attribute__((noinline)) void forked_worker(void) {
    double t = 0;
    for (;;) t += burn_cycles(1000000);
}
int main(void) {
    usleep(200000);
    pid_t parent = getpid();
    if (fork() == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) return 0;
        forked_worker();
    }
    double t = 0;
    for (;;) t += burn_cycles(1000000);
    return (int)t;
}
"#;

/// A child that is killed and reaped however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Compiles the prelude and `program` with frame pointers and symbols into `dir`.
fn compile(dir: &Path, program: &str) -> PathBuf {
    let c = dir.join("target.c");
    let exe = dir.join("target");
    std::fs::write(&c, format!("{PRELUDE}{program}")).expect("write the C source");
    let status = Command::new("cc")
        .args(["-O1", "-g", "-fno-omit-frame-pointer", "-pthread", "-o"])
        .arg(&exe)
        .arg(&c)
        .status()
        .expect("a C compiler (cc), which Rust's own linking needs too");
    assert!(status.success(), "cc failed: {status}");
    exe
}

/// Samples `exe` until `enough` says the samples so far suffice (or 10 s pass); the child
/// still runs (its map is read to name its stacks).
fn sample(exe: &Path, enough: impl Fn(&[NativeSample]) -> bool) -> (Running, Vec<NativeSample>) {
    let child = Running(Command::new(exe).spawn().expect("start the target"));
    let pid = child.0.id();
    let mut sampler = NativeSampler::start(pid, 200).expect("sampling one's own child");
    let mut samples = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !enough(&samples) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        samples.extend(sampler.drain());
    }
    (child, samples)
}

#[test]
fn a_cpu_bound_child_is_sampled_and_named_root_first_under_main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let exe = compile(dir.path(), ONE_THREAD);
    let (child, samples) = sample(&exe, |s| s.len() >= 40);
    let pid = child.0.id();
    assert!(samples.len() >= 40, "{} samples", samples.len());
    assert!(samples.iter().all(|s| s.pid == pid && s.tid == pid));
    let mut symbolizer = Symbolizer::new();
    let stacks: Vec<Vec<String>> = samples
        .iter()
        .map(|s| symbolizer.symbolize(pid, &s.ips))
        .collect();
    let under_main = stacks.iter().filter(|frames| {
        let main = frames.iter().position(|f| f == "main");
        let burn = frames.iter().position(|f| f == "burn_cycles");
        matches!((main, burn), (Some(m), Some(b)) if m + 1 == b && b + 1 == frames.len())
    });
    // The loop in main between calls is a few instructions: nearly every sample is inside.
    assert!(
        under_main.count() * 10 >= stacks.len() * 9,
        "{:?}",
        &stacks[..stacks.len().min(5)]
    );
}

#[test]
fn both_threads_of_a_two_thread_child_give_samples() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let exe = compile(dir.path(), TWO_THREADS);
    let tids = |s: &[NativeSample]| s.iter().map(|s| s.tid).collect::<BTreeSet<u32>>();
    let (child, samples) = sample(&exe, |s| tids(s).len() >= 2 && s.len() >= 40);
    let pid = child.0.id();
    let seen = tids(&samples);
    assert_eq!(seen.len(), 2, "threads sampled: {seen:?}");
    assert!(seen.contains(&pid));
    let mut symbolizer = Symbolizer::new();
    let second: Vec<Vec<String>> = samples
        .iter()
        .filter(|s| s.tid != pid)
        .map(|s| symbolizer.symbolize(pid, &s.ips))
        .collect();
    assert!(
        second
            .iter()
            .any(|f| f.ends_with(&["second_thread".into(), "burn_cycles".into()])),
        "{:?}",
        &second[..second.len().min(5)]
    );
}

#[test]
fn a_process_forked_after_start_is_sampled_under_its_own_pid() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let exe = compile(dir.path(), FORKING);
    let pids = |s: &[NativeSample]| s.iter().map(|s| s.pid).collect::<BTreeSet<u32>>();
    let (child, samples) = sample(&exe, |s| pids(s).len() >= 2);
    let parent = child.0.id();
    let worker = pids(&samples).into_iter().find(|&p| p != parent);
    let Some(worker) = worker else {
        panic!("no samples from a forked process: {:?}", pids(&samples));
    };
    let mut symbolizer = Symbolizer::new();
    let names: Vec<Vec<String>> = samples
        .iter()
        .filter(|s| s.pid == worker)
        .map(|s| symbolizer.symbolize(worker, &s.ips))
        .collect();
    assert!(
        names
            .iter()
            .any(|f| f.ends_with(&["forked_worker".into(), "burn_cycles".into()])),
        "{:?}",
        &names[..names.len().min(5)]
    );
}

#[test]
fn a_process_that_does_not_exist_is_a_typed_error() {
    // A child that ended and was reaped: its pid names no process (until reused, which
    // takes the whole pid space to wrap around).
    let mut child = Command::new("true").spawn().expect("start true");
    let pid = child.id();
    child.wait().expect("reap true");
    assert!(matches!(
        NativeSampler::start(pid, 100),
        Err(NativeError::NoSuchProcess(p)) if p == pid
    ));
}

#[test]
fn addresses_without_a_mapping_or_symbol_say_where_they_are() {
    let mut symbolizer = Symbolizer::new();
    let me = std::process::id();
    // Address 0x10 is mapped in no process; a leaf frame is named as is.
    assert_eq!(symbolizer.symbolize(me, &[0x10]), vec!["0x10".to_string()]);
    // A process that does not exist has no map.
    assert_eq!(
        symbolizer.symbolize(u32::MAX - 1, &[0x1000, 0x2001]),
        vec!["0x2000".to_string(), "0x1000".to_string()]
    );
    let here = addresses_without_a_mapping_or_symbol_say_where_they_are as *const () as u64;
    let names = symbolizer.symbolize(me, &[here]);
    assert!(
        names
            .iter()
            .any(|n| n.contains("addresses_without_a_mapping")),
        "{names:?}"
    );
}
