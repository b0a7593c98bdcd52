//! Wall-clock profile deltas: every worker's wall time, nanosecond for nanosecond, on stacks.
//!
//! Between two readings a worker's wall time is its thread CPU time, its run-queue delay and
//! its waits (see `measure`). CPU time goes on the worker's sampled stacks, in proportion to
//! their samples (the samples give the shape, the thread clock the size: SIGPROF lands
//! unevenly across threads); each wait goes on the stack where it began, under a leaf naming
//! it; the rest goes on leaves under the thread: `[run queue]`, `[idle]`, waits whose place
//! is unknown, and `[untracked]` for what nothing explains.

use crate::flame::wall::{
    wait_leaf, IDLE_LEAF, RUN_QUEUE_LEAF, UNSAMPLED_CPU_LEAF, UNTRACKED_LEAF,
};
use crate::flame::FoldedStacks;
use crate::measure::split_proportionally;
use crate::model::{WaitCategory, WorkerSnapshot, WAIT_CATEGORIES};
use std::collections::{BTreeMap, HashMap};

/// Wait time of one worker at one place (frames outermost first, without the thread).
#[derive(Debug, Clone, PartialEq)]
pub struct WaitAtPlace {
    pub thread: String,
    pub category: WaitCategory,
    pub frames: Vec<String>,
    pub ns: u64,
}

/// The leaf of a wait of `category`.
pub fn leaf_of(category: WaitCategory) -> String {
    match category {
        WaitCategory::Queue => IDLE_LEAF.to_string(),
        other => wait_leaf(other.as_str()),
    }
}

/// Turns successive worker readings into wall-profile deltas.
#[derive(Debug, Default)]
pub struct WallAccount {
    previous: HashMap<String, WorkerSnapshot>,
}

fn ns(seconds: f64) -> u64 {
    (seconds.max(0.0) * 1e9).round() as u64
}

impl WallAccount {
    /// The wall profile of the time since the previous call. `workers` are readings of every
    /// worker now; `cpu` holds the CPU samples taken since the previous call (stacks rooted at
    /// other threads are ignored); `waits` the wait time booked by place meanwhile.
    pub fn delta(
        &mut self,
        workers: &[WorkerSnapshot],
        cpu: &FoldedStacks,
        waits: &[WaitAtPlace],
    ) -> FoldedStacks {
        let samples = samples_by_thread(cpu);
        let mut out = FoldedStacks::new();
        for now in workers {
            let before = self.previous.get(&now.name).cloned().unwrap_or_default();
            let mine: Vec<&WaitAtPlace> = waits.iter().filter(|w| w.thread == now.name).collect();
            let stacks = samples.get(now.name.as_str()).map(Vec::as_slice);
            worker_delta(&before, now, stacks.unwrap_or(&[]), &mine, &mut out);
            self.previous.insert(now.name.clone(), now.clone());
        }
        out
    }
}

/// CPU sample stacks grouped by their thread (the first frame).
fn samples_by_thread(cpu: &FoldedStacks) -> HashMap<&str, Vec<(&str, u64)>> {
    let mut by_thread: HashMap<&str, Vec<(&str, u64)>> = HashMap::new();
    for (stack, count) in cpu.iter() {
        let thread = stack.split(';').next().unwrap_or(stack);
        by_thread.entry(thread).or_default().push((stack, count));
    }
    by_thread
}

fn worker_delta(
    before: &WorkerSnapshot,
    now: &WorkerSnapshot,
    samples: &[(&str, u64)],
    waits: &[&WaitAtPlace],
    out: &mut FoldedStacks,
) {
    let thread = now.name.as_str();
    let cpu = ns(now.cpu_s - before.cpu_s);
    let run_queue = ns(now.runqueue_s - before.runqueue_s);
    add_cpu(thread, cpu, samples, out);
    out.add(&format!("{thread};{RUN_QUEUE_LEAF}"), run_queue);
    let mut placed: BTreeMap<WaitCategory, Vec<(String, u64)>> = BTreeMap::new();
    for wait in waits {
        let mut stack = String::from(thread);
        for frame in &wait.frames {
            stack.push(';');
            stack.push_str(frame);
        }
        stack.push(';');
        stack.push_str(&leaf_of(wait.category));
        placed
            .entry(wait.category)
            .or_default()
            .push((stack, wait.ns));
    }
    let mut accounted = cpu + run_queue;
    for category in WAIT_CATEGORIES {
        let waited = ns(wait_s(now, category) - wait_s(before, category));
        let places = placed.remove(&category).unwrap_or_default();
        accounted += add_waits(thread, category, waited, &places, out);
    }
    let wall = ns(now.wall_s - before.wall_s);
    out.add(
        &format!("{thread};{UNTRACKED_LEAF}"),
        wall.saturating_sub(accounted),
    );
}

/// Puts a worker's waits of one category on their places and returns the time they cover:
/// the meter's total of the interval, shared over this interval's places by the time booked
/// at each (a wait still open is read at two slightly different moments, so the places' sum
/// can differ a little, and booking it would let a worker's frames outgrow its wall time);
/// with no place, the total stays under the thread (waits whose place is not known, such as
/// idle time between units).
fn add_waits(
    thread: &str,
    category: WaitCategory,
    waited: u64,
    places: &[(String, u64)],
    out: &mut FoldedStacks,
) -> u64 {
    let placed: u64 = places.iter().map(|(_, ns)| ns).sum();
    if placed == 0 {
        out.add(&format!("{thread};{}", leaf_of(category)), waited);
        return waited;
    }
    let weights: Vec<u64> = places.iter().map(|(_, ns)| *ns).collect();
    for ((stack, _), part) in places.iter().zip(split_proportionally(waited, &weights)) {
        out.add(stack, part);
    }
    waited
}

fn wait_s(worker: &WorkerSnapshot, category: WaitCategory) -> f64 {
    worker.waits.get(&category).copied().unwrap_or(0.0)
}

/// Puts `cpu_ns` on the thread's sampled stacks in proportion to their samples, or on
/// `[cpu, not sampled]` when none was taken.
fn add_cpu(thread: &str, cpu_ns: u64, samples: &[(&str, u64)], out: &mut FoldedStacks) {
    if samples.is_empty() {
        out.add(&format!("{thread};{UNSAMPLED_CPU_LEAF}"), cpu_ns);
        return;
    }
    let weights: Vec<u64> = samples.iter().map(|(_, count)| *count).collect();
    for ((stack, _), part) in samples.iter().zip(split_proportionally(cpu_ns, &weights)) {
        out.add(stack, part);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(
        name: &str,
        wall: f64,
        cpu: f64,
        rq: f64,
        waits: &[(WaitCategory, f64)],
    ) -> WorkerSnapshot {
        WorkerSnapshot {
            name: name.into(),
            wall_s: wall,
            cpu_s: cpu,
            runqueue_s: rq,
            waits: waits.iter().copied().collect(),
        }
    }

    fn thread_total(stacks: &FoldedStacks, thread: &str) -> u64 {
        stacks
            .iter()
            .filter(|(s, _)| s.split(';').next() == Some(thread))
            .map(|(_, n)| n)
            .sum()
    }

    #[test]
    fn a_workers_frames_add_up_to_its_wall_time() {
        let mut account = WallAccount::default();
        let cpu = FoldedStacks::parse("w0;main;parse 3\nw0;main;write 1\nprofiler;symbolize 50\n")
            .unwrap();
        let waits = vec![WaitAtPlace {
            thread: "w0".into(),
            category: WaitCategory::Net,
            frames: vec!["main".into(), "fetch".into()],
            ns: 500_000_000,
        }];
        let now = worker(
            "w0",
            1.0,
            0.4,
            0.05,
            &[(WaitCategory::Net, 0.5), (WaitCategory::Queue, 0.03)],
        );
        let wall = account.delta(&[now], &cpu, &waits);
        assert_eq!(thread_total(&wall, "w0"), 1_000_000_000);
        assert_eq!(wall.get("w0;main;parse"), 300_000_000);
        assert_eq!(wall.get("w0;main;write"), 100_000_000);
        assert_eq!(wall.get("w0;main;fetch;[net wait]"), 500_000_000);
        assert_eq!(wall.get("w0;[run queue]"), 50_000_000);
        assert_eq!(wall.get("w0;[idle]"), 30_000_000);
        assert_eq!(wall.get("w0;[untracked]"), 20_000_000);
        assert_eq!(thread_total(&wall, "profiler"), 0, "not a worker");
    }

    #[test]
    fn each_delta_covers_only_the_time_since_the_last() {
        let mut account = WallAccount::default();
        let empty = FoldedStacks::new();
        account.delta(&[worker("w", 1.0, 1.0, 0.0, &[])], &empty, &[]);
        let second = account.delta(
            &[worker("w", 1.5, 1.2, 0.0, &[(WaitCategory::Gil, 0.3)])],
            &empty,
            &[],
        );
        assert_eq!(second.get("w;[cpu, not sampled]"), 200_000_000);
        assert_eq!(second.get("w;[gil wait]"), 300_000_000);
        assert_eq!(second.total(), 500_000_000);
    }
}
