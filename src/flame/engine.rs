//! Code views without plumbing: the engine's frames between a worker's thread and the
//! workload's first frame folded into one frame naming the engine (`[threads engine]`,
//! `[tokio runtime]`), or dropped for a diff across modes.
//!
//! Which frames are the engine's is decided by where they are, not by their names: in a stack
//! that reaches the workload's code, everything between the thread (the root) and the
//! workload's first frame (its entry) is the engine's, whatever runtime version put it there.
//! A stack that never reaches the workload (the engine's own work and waits) folds the frames
//! at its top that are engine frames in the profile's other stacks, and keeps the rest, its
//! leaf always. Every stack keeps its weight, so totals never change.
//!
//! The rules that tell an engine's thread and a workload's entry come from the caller (the
//! engine knows its thread names and the workloads' code), through [`Engines`].

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::tree::{FrameTree, TreeBuilder};
use super::FoldedStacks;

/// What the fold needs to know about the profiled program.
pub trait Engines {
    /// The frame that stands for the engine running worker thread `thread`
    /// (`bs-threads-3` → `[threads engine]`); `None` for a thread that is no engine's worker,
    /// whose stacks are left alone.
    fn engine_frame(&self, thread: &str) -> Option<&'static str>;

    /// When `frame` is the workload's own code, the name it shows as where a stack enters the
    /// workload (an async unit's future may read as its blocking twin, so both modes share the
    /// path from there down).
    fn workload_entry<'f>(&self, frame: &'f str) -> Option<Cow<'f, str>>;
}

/// What becomes of the engine's frames above the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngineFold {
    /// Every frame is kept (`--full-stacks`).
    Keep,
    /// They fold into one frame naming the engine.
    #[default]
    Fold,
    /// They go, engine frame and all: the stacks of two modes line up at the workload, as a
    /// diff across modes needs (their worker roots merge too).
    Drop,
}

/// The engine frames learnt from a profile: per engine, every frame seen between a worker's
/// thread and the workload's entry.
struct Fold<'a, 'e> {
    engines: &'e dyn Engines,
    how: EngineFold,
    learnt: HashMap<&'static str, HashSet<&'a str>>,
}

impl<'a, 'e> Fold<'a, 'e> {
    /// Learns which frames are the engine's from the stacks (`paths`, thread first) that reach
    /// the workload.
    fn learn<'p>(
        engines: &'e dyn Engines,
        how: EngineFold,
        paths: impl Iterator<Item = &'p [&'a str]>,
    ) -> Self
    where
        'a: 'p,
    {
        let mut learnt: HashMap<&'static str, HashSet<&'a str>> = HashMap::new();
        for path in paths {
            let Some(engine) = path.first().and_then(|t| engines.engine_frame(t)) else {
                continue;
            };
            if let Some((entry, _)) = entry_at(engines, path) {
                learnt.entry(engine).or_default().extend(&path[1..entry]);
            }
        }
        Fold {
            engines,
            how,
            learnt,
        }
    }

    /// The folded path, or `None` when it stays as it is.
    fn apply(&self, path: &[&'a str]) -> Option<Vec<Cow<'a, str>>> {
        let (&thread, below) = path.split_first()?;
        let engine = self.engines.engine_frame(thread)?;
        let (engine_len, rest): (usize, Vec<Cow<'a, str>>) = match entry_at(self.engines, path) {
            Some((entry, name)) => {
                let below_entry = path[entry + 1..].iter().map(|&f| Cow::Borrowed(f));
                (
                    entry - 1,
                    std::iter::once(name).chain(below_entry).collect(),
                )
            }
            None => {
                let known = self.learnt.get(engine)?;
                let top = below.iter().take_while(|f| known.contains(*f)).count();
                (
                    top,
                    below[top..].iter().map(|&f| Cow::Borrowed(f)).collect(),
                )
            }
        };
        let mut out = vec![Cow::Borrowed(thread)];
        if engine_len > 0 && self.how == EngineFold::Fold {
            out.push(Cow::Borrowed(engine));
        }
        out.extend(rest);
        Some(out)
    }
}

/// Where in `path` (thread first) the workload's code begins, and the name it shows as there.
fn entry_at<'a>(engines: &dyn Engines, path: &[&'a str]) -> Option<(usize, Cow<'a, str>)> {
    (1..path.len()).find_map(|i| engines.workload_entry(path[i]).map(|name| (i, name)))
}

impl FoldedStacks {
    /// The stacks with the engine's frames above the workload treated as `how` says.
    pub fn fold_engines(&self, engines: &dyn Engines, how: EngineFold) -> FoldedStacks {
        if how == EngineFold::Keep {
            return self.clone();
        }
        let paths: Vec<Vec<&str>> = self.iter().map(|(s, _)| s.split(';').collect()).collect();
        let fold = Fold::learn(engines, how, paths.iter().map(Vec::as_slice));
        let mut out = FoldedStacks::new();
        for (path, (stack, count)) in paths.iter().zip(self.iter()) {
            match fold.apply(path) {
                Some(folded) => out.add(&folded.join(";"), count),
                None => out.add(stack, count),
            }
        }
        out
    }
}

impl FrameTree {
    /// The tree with the engine's frames above the workload treated as `how` says (the first
    /// frame below the root is the thread).
    pub fn fold_engines(&self, engines: &dyn Engines, how: EngineFold) -> FrameTree {
        if how == EngineFold::Keep {
            return self.clone();
        }
        let weighted = self.weighted_paths();
        let fold = Fold::learn(engines, how, weighted.iter().map(|(p, _)| p.as_slice()));
        let mut builder = TreeBuilder::new(&self.root_node().name);
        for (path, count) in &weighted {
            match fold.apply(path) {
                Some(folded) => builder.insert(&folded, *count),
                None => builder.insert(path, *count),
            }
        }
        builder.finish(self.context().to_vec(), self.has_synthetic_root())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tree::tests::check_invariants;
    use super::*;
    use crate::flame::merge_worker_roots;

    /// Threads `threads-N` and `tokio-N`; the workload's code is `app::`, and its async
    /// `…::run_async` reads as `…::run`.
    struct Fake;

    impl Engines for Fake {
        fn engine_frame(&self, thread: &str) -> Option<&'static str> {
            match thread.rsplit_once('-')?.0 {
                "threads" => Some("[threads engine]"),
                "tokio" => Some("[tokio runtime]"),
                _ => None,
            }
        }

        fn workload_entry<'f>(&self, frame: &'f str) -> Option<Cow<'f, str>> {
            if let Some(base) = frame.strip_suffix("::run_async") {
                return Some(Cow::Owned(format!("{base}::run")));
            }
            frame.starts_with("app::").then_some(Cow::Borrowed(frame))
        }
    }

    const THREADS: &str = "threads-0;spawn;loop;catch;app::Job::run;app::fetch;[net wait] 30\n\
                           threads-0;spawn;loop;catch;app::Job::run;app::parse 5\n\
                           threads-1;spawn;loop;[idle] 2\n\
                           threads-1;spawn;loop 1\n\
                           threads-0;[run queue] 4\n";
    const TOKIO: &str = "tokio-0;rt;budget;poll;app::Job::run_async;app::fetch;[net wait] 70\n\
                         tokio-1;rt;budget;park;epoll_wait 6\n\
                         tokio-1;[idle] 9\n";

    fn stacks(text: &str) -> FoldedStacks {
        FoldedStacks::parse(text).unwrap()
    }

    #[test]
    fn the_engine_frames_fold_into_one_named_from_the_thread_and_totals_stay() {
        let s = stacks(THREADS);
        let folded = s.fold_engines(&Fake, EngineFold::Fold);
        assert_eq!(folded.total(), s.total());
        assert_eq!(
            folded.to_text(),
            "threads-0;[run queue] 4\n\
             threads-0;[threads engine];app::Job::run;app::fetch;[net wait] 30\n\
             threads-0;[threads engine];app::Job::run;app::parse 5\n\
             threads-1;[threads engine] 1\n\
             threads-1;[threads engine];[idle] 2\n"
        );
        let tokio = stacks(TOKIO).fold_engines(&Fake, EngineFold::Fold);
        assert_eq!(tokio.get("tokio-1;[tokio runtime];park;epoll_wait"), 6);
        assert_eq!(tokio.total(), stacks(TOKIO).total());
    }

    #[test]
    fn threads_and_async_stacks_share_the_path_from_the_entry_down() {
        let both = stacks(&format!("{THREADS}{TOKIO}"));
        let folded = both.fold_engines(&Fake, EngineFold::Fold);
        let below = "app::Job::run;app::fetch;[net wait]";
        assert_eq!(
            folded.get(&format!("threads-0;[threads engine];{below}")),
            30
        );
        assert_eq!(folded.get(&format!("tokio-0;[tokio runtime];{below}")), 70);
        let lined_up = merge_worker_roots(&both.fold_engines(&Fake, EngineFold::Drop));
        assert_eq!(lined_up.get(&format!("workers;{below}")), 100);
        assert_eq!(lined_up.get("workers;[idle]"), 11);
        assert_eq!(lined_up.get("workers;park;epoll_wait"), 6);
        assert_eq!(lined_up.total(), both.total());
    }

    #[test]
    fn stacks_without_workload_code_or_of_other_threads_are_untouched() {
        let plain = stacks("threads-0;spawn;loop;work 3\nthreads-0;[idle] 2\nmain;x 1\n");
        for how in [EngineFold::Fold, EngineFold::Drop, EngineFold::Keep] {
            assert_eq!(plain.fold_engines(&Fake, how), plain);
        }
        let foreign = stacks("main;spawn;app::Job::run 4\nthreads-0;app::Job::run_async 1\n");
        let folded = foreign.fold_engines(&Fake, EngineFold::Fold);
        assert_eq!(
            folded.to_text(),
            "main;spawn;app::Job::run 4\nthreads-0;app::Job::run 1\n",
            "no engine frame stands for no frames"
        );
    }

    #[test]
    fn full_stacks_keep_every_frame() {
        let s = stacks(THREADS);
        assert_eq!(s.fold_engines(&Fake, EngineFold::Keep), s);
    }

    #[test]
    fn a_tree_folds_like_its_stacks() {
        let s = stacks(&format!("{THREADS}{TOKIO}"));
        let tree = FrameTree::from_stacks(&s);
        for how in [EngineFold::Fold, EngineFold::Drop] {
            let folded = tree.fold_engines(&Fake, how);
            check_invariants(&folded);
            assert_eq!(folded.total(), tree.total());
            assert_eq!(folded.to_folded(), s.fold_engines(&Fake, how));
        }
        let thread = tree.find(&["threads-0"]).unwrap();
        let zoomed = tree
            .zoom(thread)
            .unwrap()
            .fold_engines(&Fake, EngineFold::Fold);
        check_invariants(&zoomed);
        assert_eq!(zoomed.total(), 39, "a zoomed tree keeps its weight");
    }
}
