//! Phase marks: the phase a sampled stack was in, read from the stack itself.
//!
//! The CPU sampler records return addresses and nothing else, so a sample cannot say which
//! phase its thread was in. A phase is therefore entered through a mark: one tiny function
//! per phase id that calls the phase's code. The mark's return address lies on every stack
//! sampled inside the phase, and [`marked_phase`] turns it back into the phase: exactly, for
//! CPU samples and wait stacks alike, in every mode, with no clock to line up.
//!
//! Phase ids from [`MARKS`] on run unmarked (their time is still booked by the phase clock;
//! only their code frames are not tied to them).

use super::phase::PhaseId;
use super::stackwalk::{walk, StackBounds};
use std::collections::HashMap;
use std::sync::OnceLock;

/// How many phase ids get a mark of their own.
pub const MARKS: usize = 256;

type Mark = fn(&mut dyn FnMut());

/// Calls `f`; the instance for phase `K` is a distinct function at a distinct address.
#[inline(never)]
fn mark<const K: usize>(f: &mut dyn FnMut()) {
    f();
    // Work after the call keeps it from being a tail jump (which would leave no return
    // address in the mark), and `K` makes each instance's code differ, so no two are merged.
    std::hint::black_box(K);
}

macro_rules! marks_from {
    ($base:literal) => {
        [
            mark::<{ $base }>,
            mark::<{ $base + 1 }>,
            mark::<{ $base + 2 }>,
            mark::<{ $base + 3 }>,
            mark::<{ $base + 4 }>,
            mark::<{ $base + 5 }>,
            mark::<{ $base + 6 }>,
            mark::<{ $base + 7 }>,
            mark::<{ $base + 8 }>,
            mark::<{ $base + 9 }>,
            mark::<{ $base + 10 }>,
            mark::<{ $base + 11 }>,
            mark::<{ $base + 12 }>,
            mark::<{ $base + 13 }>,
            mark::<{ $base + 14 }>,
            mark::<{ $base + 15 }>,
        ]
    };
}

const ROWS: [[Mark; 16]; MARKS / 16] = [
    marks_from!(0),
    marks_from!(16),
    marks_from!(32),
    marks_from!(48),
    marks_from!(64),
    marks_from!(80),
    marks_from!(96),
    marks_from!(112),
    marks_from!(128),
    marks_from!(144),
    marks_from!(160),
    marks_from!(176),
    marks_from!(192),
    marks_from!(208),
    marks_from!(224),
    marks_from!(240),
];

fn mark_of(id: PhaseId) -> Option<Mark> {
    let id = usize::try_from(id).ok()?;
    ROWS.get(id / 16).map(|row| row[id % 16])
}

/// Runs `f` inside phase `id`'s mark (or plainly, for an id without one).
pub fn run_marked<T>(id: PhaseId, f: impl FnOnce() -> T) -> T {
    let Some(mark) = mark_of(id) else {
        return f();
    };
    let mut f = Some(f);
    let mut out = None;
    mark(&mut || {
        if let Some(f) = f.take() {
            out = Some(f());
        }
    });
    match out {
        Some(out) => out,
        // A mark calls its closure exactly once, so this cannot happen.
        None => unreachable!("a phase mark did not run its code"),
    }
}

/// Each mark's return address: where a stack inside phase `id` returns to in its mark.
///
/// Learned by walking the stack from inside every mark: the walks are alike but for one
/// entry, the return address into the mark. (Reading "the first frame up" instead would
/// depend on how the optimizer calls the walk: a tail call skips a frame.) If the marks do
/// not show as distinct frames, none is used: no tags rather than wrong ones.
fn return_addresses() -> &'static HashMap<usize, PhaseId> {
    static RETURNS: OnceLock<HashMap<usize, PhaseId>> = OnceLock::new();
    RETURNS.get_or_init(|| {
        let Some(bounds) = StackBounds::current() else {
            return HashMap::new();
        };
        let walks: Vec<Vec<usize>> = (0..MARKS as PhaseId)
            .filter_map(mark_of)
            .map(|mark| {
                let mut walked = Vec::new();
                mark(&mut || {
                    walk(&bounds, &mut walked);
                    // Not a tail call: the walk must start in this closure, under the mark.
                    std::hint::black_box(&mut walked);
                });
                walked
            })
            .collect();
        let (Some(first), Some(second)) = (walks.first(), walks.get(1)) else {
            return HashMap::new();
        };
        let Some(at) = (0..first.len()).find(|&i| first.get(i) != second.get(i)) else {
            return HashMap::new();
        };
        let found: HashMap<usize, PhaseId> = walks
            .iter()
            .zip(0..)
            .filter_map(|(walked, id)| walked.get(at).map(|&ret| (ret, id)))
            .collect();
        match found.len() == MARKS {
            true => found,
            false => HashMap::new(),
        }
    })
}

/// The phase whose mark a stack frame's return address `ret` lies in, if any. Unwinders
/// differ on whether they report a return address or the byte before it: both are matched.
pub fn marked_phase(ret: usize) -> Option<PhaseId> {
    let returns = return_addresses();
    returns
        .get(&ret)
        .or_else(|| returns.get(&ret.wrapping_add(1)))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[inline(never)]
    fn stack_here() -> Vec<usize> {
        let bounds = StackBounds::current().expect("stack bounds");
        let mut out = Vec::new();
        walk(&bounds, &mut out);
        out
    }

    #[test]
    fn every_mark_is_its_own_function_and_is_found_on_the_stack() {
        assert_eq!(
            return_addresses().len(),
            MARKS,
            "one return address per mark"
        );
        for id in [1, 2, 17, 255] {
            let stack = run_marked(id, stack_here);
            let found: Vec<PhaseId> = stack.iter().filter_map(|&r| marked_phase(r)).collect();
            assert_eq!(found, vec![id], "phase {id}");
        }
        assert!(stack_here().iter().all(|&r| marked_phase(r).is_none()));
    }

    #[test]
    fn nested_marks_are_all_on_the_stack_innermost_first() {
        let stack = run_marked(3, || run_marked(9, stack_here));
        let found: Vec<PhaseId> = stack.iter().filter_map(|&r| marked_phase(r)).collect();
        assert_eq!(found, vec![9, 3]);
    }

    #[test]
    fn ids_without_a_mark_run_plainly() {
        assert_eq!(run_marked(MARKS as PhaseId + 5, || 7), 7);
    }
}
