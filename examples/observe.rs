//! Runs a command and prints where each of its threads' wall time went, as `/proc` shows it:
//! `cargo run --release --example observe -- python3 job.py`.

use boundscope::observe::Observer;
use std::process::{Command, ExitCode};
use std::time::Duration;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((program, rest)) = args.split_first() else {
        eprintln!("usage: observe CMD [ARGS…]");
        return ExitCode::from(2);
    };
    let mut child = match Command::new(program).args(rest).spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("could not start {program}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut observer = Observer::new(child.id());
    while let Ok(None) = child.try_wait() {
        observer.read();
        std::thread::sleep(Duration::from_millis(10));
    }
    for (id, t) in observer.threads() {
        let s = |ns: u64| ns as f64 / 1e9;
        let waits: Vec<String> = t
            .off_cpu
            .iter()
            .map(|(cause, ns)| format!("{} {cause:?} {:.2}s", cause.leaf(), s(*ns)))
            .collect();
        println!(
            "{:>7}/{:<7} {:<15} {:<15} wall {:.2}s cpu {:.2}s run queue {:.2}s {}",
            id.pid,
            id.tid,
            t.process,
            t.name,
            s(t.wall_ns),
            s(t.cpu_ns),
            s(t.runqueue_ns),
            waits.join(" ")
        );
    }
    ExitCode::SUCCESS
}
