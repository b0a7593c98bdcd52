//! Phases: the job's own steps (`request`, `parse`, `insert`…), named by the workloads, the
//! same names in every mode. A worker thread is in one phase path at a time (nested phases
//! make a path: `load/insert`); entering and leaving one costs a thread-local lookup and a
//! tick reading, so the hot path stays cheap. The worker's meter books its wall time on
//! the path it was in (see `phase_clock`), and each wait carries the path it began in (see
//! `wall`).
//!
//! Code run in a phase runs inside the phase's mark (see `phase_mark`), so a sampled stack
//! says which phase it was in.
//!
//! Async tasks carry their phase across `.await`: [`in_phase_async`] sets the task's path on
//! the runtime thread for every poll and restores the thread's own afterwards.

use super::meter::WorkerMeter;
use super::phase_mark::run_marked;
use parking_lot::Mutex;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

/// A phase path, interned: `0` is no phase (engine work, idle time).
pub type PhaseId = u32;

/// Outside every phase.
pub const NO_PHASE: PhaseId = 0;

/// Every phase path seen in this process, by id, and the child of a path by name.
#[derive(Default)]
struct PhaseTable {
    paths: Vec<Arc<[&'static str]>>,
    parents: Vec<PhaseId>,
    children: HashMap<(PhaseId, &'static str), PhaseId>,
    names: HashSet<&'static str>,
}

fn table() -> &'static Mutex<PhaseTable> {
    static TABLE: OnceLock<Mutex<PhaseTable>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = PhaseTable::default();
        table.paths.push(Arc::from([]));
        table.parents.push(NO_PHASE);
        Mutex::new(table)
    })
}

thread_local! {
    static CURRENT: Cell<PhaseId> = const { Cell::new(NO_PHASE) };
    static CHILDREN: RefCell<HashMap<(PhaseId, &'static str), PhaseId>> =
        RefCell::new(HashMap::new());
    static PARENTS: RefCell<HashMap<PhaseId, PhaseId>> = RefCell::new(HashMap::new());
    static METER: RefCell<Option<Arc<WorkerMeter>>> = const { RefCell::new(None) };
}

/// A name from data (an etl-pipeline stage) as a phase name: interned once per process.
pub fn phase_name(name: &str) -> &'static str {
    let mut table = table().lock();
    if let Some(known) = table.names.get(name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    table.names.insert(leaked);
    leaked
}

/// The path `parent` then `name`.
fn child(parent: PhaseId, name: &'static str) -> PhaseId {
    let cached = CHILDREN.with(|c| c.borrow().get(&(parent, name)).copied());
    if let Some(id) = cached {
        return id;
    }
    let id = {
        let mut table = table().lock();
        match table.children.get(&(parent, name)) {
            Some(&id) => id,
            None => {
                let mut path: Vec<&'static str> = table.paths[parent as usize].to_vec();
                path.push(name);
                let id = table.paths.len() as PhaseId;
                table.paths.push(path.into());
                table.parents.push(parent);
                table.children.insert((parent, name), id);
                id
            }
        }
    };
    CHILDREN.with(|c| c.borrow_mut().insert((parent, name), id));
    id
}

/// The path `id` is nested in ([`NO_PHASE`] for a top-level phase).
fn parent(id: PhaseId) -> PhaseId {
    let cached = PARENTS.with(|p| p.borrow().get(&id).copied());
    if let Some(parent) = cached {
        return parent;
    }
    let parent = table()
        .lock()
        .parents
        .get(id as usize)
        .copied()
        .unwrap_or(NO_PHASE);
    PARENTS.with(|p| p.borrow_mut().insert(id, parent));
    parent
}

/// The names of path `id`, outermost first (empty for [`NO_PHASE`] or an unknown id).
pub fn phase_path(id: PhaseId) -> Arc<[&'static str]> {
    let table = table().lock();
    table
        .paths
        .get(id as usize)
        .cloned()
        .unwrap_or_else(|| Arc::from([]))
}

/// The calling thread's phase path now.
pub fn current_phase() -> PhaseId {
    CURRENT.with(Cell::get)
}

/// Makes `meter` the one the calling thread's phase changes are booked on.
pub(crate) fn attach_meter(meter: Option<Arc<WorkerMeter>>) {
    CURRENT.with(|c| c.set(NO_PHASE));
    METER.with(|m| *m.borrow_mut() = meter);
}

/// Sets the calling thread's phase to `id`, booking the time so far on the one it leaves.
fn switch_to(id: PhaseId) -> PhaseId {
    let before = CURRENT.with(|c| c.replace(id));
    if before != id {
        METER.with(|m| {
            if let Some(meter) = m.borrow().as_ref() {
                meter.phase_switch(id);
            }
        });
    }
    before
}

/// Goes back to the phase it holds when dropped (also when the phase's code panics).
struct PhaseGuard {
    outer: PhaseId,
}

impl Drop for PhaseGuard {
    fn drop(&mut self) {
        switch_to(self.outer);
    }
}

/// Runs `f` in phase `name` (nested in the calling thread's current phase), inside the
/// phase's mark so that stacks sampled meanwhile show the phase (see `phase_mark`).
pub fn in_phase<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    let outer = current_phase();
    let id = child(outer, name);
    switch_to(id);
    let _back = PhaseGuard { outer };
    run_marked(id, f)
}

/// Runs `f` in phase `name` beside the current one (a step that interrupts another, as a
/// buffer refill interrupts parsing: `read` beside `parse`, not inside it).
pub fn in_phase_beside<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    let outer = current_phase();
    let id = child(parent(outer), name);
    switch_to(id);
    let _back = PhaseGuard { outer };
    run_marked(id, f)
}

/// `future` in phase `name`: nested in the phase the task is in when it is first polled,
/// and the task's phase on every poll after, whichever runtime thread polls it.
pub fn in_phase_async<F: Future>(name: &'static str, future: F) -> Phased<F> {
    Phased {
        name,
        beside: false,
        id: None,
        inner: Box::pin(future),
    }
}

/// `future` in phase `name` beside the task's current one (see [`in_phase_beside`]).
pub fn in_phase_beside_async<F: Future>(name: &'static str, future: F) -> Phased<F> {
    Phased {
        beside: true,
        ..in_phase_async(name, future)
    }
}

/// See [`in_phase_async`].
pub struct Phased<F> {
    name: &'static str,
    beside: bool,
    id: Option<PhaseId>,
    inner: Pin<Box<F>>,
}

impl<F: Future> Future for Phased<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let (name, beside) = (self.name, self.beside);
        let id = *self.id.get_or_insert_with(|| {
            let now = current_phase();
            child(if beside { parent(now) } else { now }, name)
        });
        let outer = switch_to(id);
        let inner = self.inner.as_mut();
        let polled = run_marked(id, || inner.poll(cx));
        switch_to(outer);
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_phases_make_paths_and_leaving_restores_the_outer_one() {
        assert_eq!(current_phase(), NO_PHASE);
        let (outer, inner) = in_phase("load", || {
            let outer = current_phase();
            let inner = in_phase("insert", current_phase);
            assert_eq!(current_phase(), outer);
            (outer, inner)
        });
        assert_eq!(current_phase(), NO_PHASE);
        assert_eq!(&*phase_path(outer), ["load"]);
        assert_eq!(&*phase_path(inner), ["load", "insert"]);
        assert_eq!(in_phase("load", current_phase), outer, "one id per path");
        assert!(phase_path(NO_PHASE).is_empty());
    }

    #[test]
    fn a_task_keeps_its_phase_across_awaits_and_the_thread_gets_its_own_back() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let seen = runtime.block_on(in_phase_async("fetch", async {
            let before = current_phase();
            tokio::task::yield_now().await;
            let inner = in_phase_async("decode", async { current_phase() }).await;
            (before, current_phase(), inner)
        }));
        assert_eq!(&*phase_path(seen.0), ["fetch"]);
        assert_eq!(seen.0, seen.1, "the same phase after an await");
        assert_eq!(&*phase_path(seen.2), ["fetch", "decode"]);
        assert_eq!(current_phase(), NO_PHASE);
    }

    #[test]
    fn a_step_beside_another_is_its_sibling_and_hands_back_to_it() {
        let (parse, read) = in_phase("unit", || {
            in_phase("parse", || {
                (current_phase(), in_phase_beside("read", current_phase))
            })
        });
        assert_eq!(&*phase_path(parse), ["unit", "parse"]);
        assert_eq!(&*phase_path(read), ["unit", "read"]);
        assert_eq!(
            in_phase_beside("top", current_phase),
            in_phase("top", current_phase)
        );
    }

    #[test]
    fn names_from_data_are_interned_once() {
        let a = phase_name(&String::from("fetch companies"));
        let b = phase_name("fetch companies");
        assert!(std::ptr::eq(a, b));
    }
}
