//! Runs a command and samples its native stacks (`perf_event_open`), printing the commonest
//! ones, root first: `cargo run --release --example native_sample -- [--hz N] [--off] CMD …`.
//! `--off` runs the command the same way without sampling (for side-by-side timing); the
//! last line on stderr gives the command's wall time either way.

use boundscope::observe::native::{NativeSampler, Symbolizer};
use std::collections::HashMap;
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut hz = 100;
    let mut sampling = true;
    while let Some(first) = args.first().cloned() {
        match first.as_str() {
            "--off" => sampling = false,
            "--hz" if args.len() > 1 => match args[1].parse() {
                Ok(n) => {
                    hz = n;
                    args.remove(0);
                }
                Err(_) => return usage(),
            },
            _ => break,
        }
        args.remove(0);
    }
    let Some((program, rest)) = args.split_first() else {
        return usage();
    };
    let started = Instant::now();
    let mut child = match Command::new(program).args(rest).spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("could not start {program}: {e}");
            return ExitCode::from(2);
        }
    };
    let sampler = match sampling {
        true => match NativeSampler::start(child.id(), hz) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("no stacks: {e}");
                None
            }
        },
        false => None,
    };
    // Drains and names a few times a second on a thread of its own, as a live screen would;
    // this thread waits for the command, so its wall time is exact.
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || read_stacks(sampler, &done))
    };
    let status = child.wait();
    let wall = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Release);
    let (top, lost) = reader.join().unwrap_or_default();
    for (frames, count) in top.iter().take(5) {
        println!("{count:6} {}", frames.join(";"));
    }
    let total: u64 = top.iter().map(|t| t.1).sum();
    eprintln!(
        "wall_s={wall:.4} cpu_s={:.4} samples={total} lost={lost} exit={}",
        children_cpu_s(),
        status.ok().and_then(|s| s.code()).unwrap_or(-1)
    );
    ExitCode::SUCCESS
}

type Stacks = Vec<(Vec<String>, u64)>;

/// Every stack sampled until `done`, commonest first, and the samples lost.
fn read_stacks(mut sampler: Option<NativeSampler>, done: &AtomicBool) -> (Stacks, u64) {
    let mut symbolizer = Symbolizer::new();
    let mut stacks: HashMap<Vec<String>, u64> = HashMap::new();
    while !done.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(250));
        if let Some(sampler) = sampler.as_mut() {
            for s in sampler.drain() {
                *stacks
                    .entry(symbolizer.symbolize(s.pid, &s.ips))
                    .or_default() += 1;
            }
            symbolizer.release_pages();
        }
    }
    let mut top: Stacks = stacks.into_iter().collect();
    top.sort_by_key(|t| std::cmp::Reverse(t.1));
    (top, sampler.map_or(0, |s| s.lost()))
}

/// User and system CPU seconds of the children waited for.
fn children_cpu_s() -> f64 {
    // SAFETY: getrusage fills the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    s(usage.ru_utime) + s(usage.ru_stime)
}

fn usage() -> ExitCode {
    eprintln!("usage: native_sample [--hz N] [--off] CMD [ARGS…]");
    ExitCode::from(2)
}
