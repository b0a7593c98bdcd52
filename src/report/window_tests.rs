//! Window arithmetic: the whole run is one window, and windows side by side add up.

use super::*;
use crate::model::WaitCategory;

fn snapshot(name: &str, t: f64, cpu_share: f64) -> WorkerSnapshot {
    WorkerSnapshot {
        name: name.into(),
        wall_s: t,
        cpu_s: t * cpu_share,
        runqueue_s: 0.0,
        waits: [(WaitCategory::Net, t * (1.0 - cpu_share))]
            .into_iter()
            .collect(),
    }
}

/// Six seconds: ticks every 0.5 s, a stack delta every second whose frames name the second
/// (`t;s3` holds what happened in second 3), and a second worker that starts at 2 s.
fn history() -> History {
    let mut h = History::default();
    for i in 1..=12u32 {
        let t = f64::from(i) * 0.5;
        let mut workers = vec![snapshot("w0", t, 0.8)];
        if t > 2.0 {
            workers.push(snapshot("w1", t - 2.0, 0.25));
        }
        h.push_tick(t, u64::from(i) * 100, &workers);
        if i % 2 == 0 {
            let second = i / 2 - 1;
            let cpu = FoldedStacks::parse(&format!("t;s{second} {}\n", second + 1)).unwrap();
            let wall = FoldedStacks::parse(&format!("t;s{second};[net wait] 1000\n")).unwrap();
            h.push_stacks(cpu.total(), (&cpu, &wall, &FoldedStacks::new()));
        }
    }
    h
}

fn assert_close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 1e-9, "{what}: {a} vs {b}");
}

fn assert_workers_add_up(sum: &[WorkerSnapshot], parts: &[Vec<WorkerSnapshot>]) {
    for worker in sum {
        let part = |f: fn(&WorkerSnapshot) -> f64| -> f64 {
            parts
                .iter()
                .flatten()
                .filter(|w| w.name == worker.name)
                .map(f)
                .sum()
        };
        assert_close(part(|w| w.wall_s), worker.wall_s, &worker.name);
        assert_close(part(|w| w.cpu_s), worker.cpu_s, &worker.name);
        assert_close(part(|w| w.wait_total()), worker.wait_total(), &worker.name);
    }
}

#[test]
fn the_whole_window_is_the_whole_run() {
    let h = history();
    let whole = h.stacks(Window::WHOLE);
    let mut all = FoldedStacks::new();
    for s in 0..6 {
        all.add(&format!("t;s{s}"), s + 1);
    }
    assert_eq!(whole.cpu, all);
    assert_eq!(whole.samples, all.total());
    assert_eq!(whole.wall.total(), 6000);
    assert_eq!(whole.covered, Some((0.0, 6.0)));
    assert_eq!(h.items(Window::WHOLE), 1200);
    let workers = h.workers(Window::WHOLE);
    let names: Vec<&str> = workers.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["w0", "w1"]);
    assert_close(workers[0].wall_s, 6.0, "w0 wall");
    assert_close(workers[1].cpu_s, 1.0, "w1 cpu");
    // A window from 0 to the last tick is the same as the unbounded one.
    assert_eq!(h.stacks(Window::new(0.0, h.end_s())), whole);
    assert_eq!(h.workers(Window::new(0.0, h.end_s())), workers);
}

#[test]
fn windows_side_by_side_add_up_to_their_union() {
    let h = history();
    for cut in [0.5, 1.0, 2.25, 3.0, 4.75] {
        let (a, b) = (Window::new(0.0, cut), Window::new(cut, 6.0));
        let mut sum = h.stacks(a).cpu;
        sum.merge(&h.stacks(b).cpu);
        assert_eq!(sum, h.stacks(Window::WHOLE).cpu, "cut at {cut}");
        assert_eq!(h.items(a) + h.items(b), h.items(Window::WHOLE));
        let parts = [h.workers(a), h.workers(b)];
        assert_workers_add_up(&h.workers(Window::WHOLE), &parts);
    }
}

#[test]
fn a_window_holds_only_what_happened_in_it() {
    let h = history();
    let second = h.stacks(Window::new(3.0, 4.0));
    assert_eq!(second.cpu, FoldedStacks::parse("t;s3 4\n").unwrap());
    assert_eq!(second.covered, Some((3.0, 4.0)));
    assert_eq!(h.items(Window::new(3.0, 4.0)), 200);
    let workers = h.workers(Window::new(3.0, 4.0));
    assert_close(workers[0].wall_s, 1.0, "w0 over one second");
    assert_close(workers[0].cpu_s, 0.8, "w0 cpu");
    assert_close(workers[1].wait_total(), 0.75, "w1 waits");
    // Before w1 started, only w0 worked; a window between two deltas holds no stacks.
    let early = h.workers(Window::new(0.5, 1.5));
    assert_eq!(early.len(), 1);
    assert_eq!(h.stacks(Window::new(3.6, 3.9)).covered, None);
    assert_eq!(h.covered(Window::new(3.6, 3.9)), None);
    assert_eq!(h.covered(Window::new(0.9, 3.2)), Some((1.0, 3.0)));
    assert_eq!(Window::new(4.0, 3.0).label(), "3.0–4.0 s");
    assert_eq!(h.tick_span(Window::new(2.9, 4.1)), (2.5, 4.0));
    assert_eq!(h.tick_span(Window::WHOLE), (0.0, 6.0));
}

/// Ticks come every 0.5 s here: a window of 0.1 s holds no tick wholly, yet work went on in it
/// at its tick's pace (200 items/s; w0 busy 0.8, w1 from 2 s busy 0.25).
#[test]
fn a_window_narrower_than_a_tick_reads_its_ticks_rate() {
    let h = history();
    let cases = [
        ((3.1, 3.2), (200.0, 1.05), "mid-tick"),
        ((2.1, 2.2), (200.0, 1.05), "w1's first tick"),
        ((0.1, 0.2), (200.0, 0.8), "before the first tick"),
        ((5.9, 7.0), (200.0, 1.05), "cut at the last tick"),
        ((6.5, 7.0), (0.0, 0.0), "past the last tick"),
    ];
    for ((from, to), (rate, busy), what) in cases {
        let got = h.rates(Window::new(from, to));
        assert_close(got.0, rate, what);
        assert_close(got.1, busy, what);
    }
    let whole = h.rates(Window::WHOLE);
    assert_close(whole.0, 200.0, "the whole run's rate");
    assert_close(whole.1, 5.8 / 6.0, "the whole run's busy cores");
}
