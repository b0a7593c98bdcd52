//! The engine's side of a code view without plumbing: which threads are whose workers, and
//! where a worker's stack enters the workload's own code (`flame::Engines`).

use super::tokio_mode::BLOCKING_LANE;
use crate::flame::Engines;
use crate::model::Mode;
use crate::workload::DynWorkload;
use std::borrow::Cow;
use std::sync::OnceLock;

/// The engines of this crate and its workloads' code, as profiles name them.
#[derive(Debug, Clone, Copy, Default)]
pub struct EngineFrames;

impl Engines for EngineFrames {
    fn engine_frame(&self, thread: &str) -> Option<&'static str> {
        let (lane, index) = thread.rsplit_once('-')?;
        if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if lane == BLOCKING_LANE {
            return Some(engine_name(Mode::Async));
        }
        Mode::ALL
            .into_iter()
            .find(|m| m.lane_prefix() == lane)
            .map(engine_name)
    }

    fn workload_entry<'f>(&self, frame: &'f str) -> Option<Cow<'f, str>> {
        let names = names();
        let own = frame.trim_start_matches('<').starts_with(&names.module);
        if !own || frame.contains(&names.erased) {
            return None;
        }
        Some(match frame.find(&names.run_unit_async) {
            Some(at) => Cow::Owned(format!("{}{}", &frame[..at], names.run_unit)),
            None => Cow::Borrowed(frame),
        })
    }
}

/// The frame a mode's engine folds into. A `processes` child runs its shard with the
/// sequential engine, so that is what its stacks hold.
fn engine_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Sequential | Mode::Processes => "[sequential engine]",
        Mode::Threads => "[threads engine]",
        Mode::Rayon => "[rayon pool]",
        Mode::Async => "[tokio runtime]",
        Mode::Exec => "[program]",
    }
}

/// Pieces of the workloads' frame names, from the type names of the traits (so they follow
/// the crate's and the module's names).
struct Names {
    /// `boundscope::workload::`: frames of the workloads' code start so.
    module: String,
    /// `<impl boundscope::workload::DynWorkload for `: the engine's erased view of a
    /// workload, which lives among the workloads but is the engine's plumbing.
    erased: String,
    /// ` as boundscope::workload::Workload>::run_unit_async`: an async unit's future.
    run_unit_async: String,
    /// ` as boundscope::workload::Workload>::run_unit`: what an async unit reads as, so that
    /// both modes share the path from the unit down.
    run_unit: String,
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let erased = std::any::type_name::<dyn DynWorkload>().trim_start_matches("dyn ");
        let module = erased.rsplit_once("::").map_or("", |(m, _)| m);
        let run_unit = format!(" as {module}::Workload>::run_unit");
        Names {
            module: format!("{module}::"),
            erased: format!("<impl {erased} for "),
            run_unit_async: format!("{run_unit}_async"),
            run_unit,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flame::{EngineFold, FoldedStacks};
    use crate::workload::api::ApiFetch;
    use crate::workload::json::JsonParse;
    use crate::workload::Workload;
    use std::any::type_name_of_val;

    #[test]
    fn the_engine_frame_is_named_from_the_worker_thread() {
        let expected = [
            (Mode::Sequential, "[sequential engine]"),
            (Mode::Threads, "[threads engine]"),
            (Mode::Rayon, "[rayon pool]"),
            (Mode::Async, "[tokio runtime]"),
            (Mode::Processes, "[sequential engine]"),
        ];
        for (mode, name) in expected {
            let thread = super::super::lane_name(mode, 12);
            assert_eq!(EngineFrames.engine_frame(&thread), Some(name), "{thread}");
        }
        let blocking = format!("{BLOCKING_LANE}-3");
        assert_eq!(
            EngineFrames.engine_frame(&blocking),
            Some("[tokio runtime]")
        );
        for other in ["main", "bs-threads", "bs-threads-", "bs-api-srv", "workers"] {
            assert_eq!(EngineFrames.engine_frame(other), None, "{other}");
        }
    }

    #[test]
    fn the_workloads_code_is_the_entry_and_an_async_unit_reads_as_a_blocking_one() {
        let run_unit = type_name_of_val(&<JsonParse as Workload>::run_unit);
        assert_eq!(
            EngineFrames.workload_entry(run_unit).as_deref(),
            Some(run_unit)
        );
        let api = type_name_of_val(&<ApiFetch as Workload>::run_unit);
        let future = format!(
            "{}::{{{{closure}}}}",
            type_name_of_val(&<ApiFetch as Workload>::run_unit_async)
        );
        assert_eq!(EngineFrames.workload_entry(&future).as_deref(), Some(api));
        let inner = "boundscope::workload::api::ApiFetch::unit_async::{{closure}}";
        assert!(EngineFrames.workload_entry(inner).is_some());
        for plumbing in [
            "boundscope::workload::declare::erased::<impl boundscope::workload::DynWorkload for W>::run_unit",
            "boundscope::exec::run_unit",
            "<core::pin::Pin<P> as core::future::future::Future>::poll",
            "tokio::runtime::task::harness::Harness<T,S>::poll",
        ] {
            assert_eq!(EngineFrames.workload_entry(plumbing), None, "{plumbing}");
        }
    }

    #[test]
    fn a_threads_stack_keeps_one_engine_frame_above_the_workload() {
        let run_unit = type_name_of_val(&<JsonParse as Workload>::run_unit);
        let stack = format!(
            "bs-threads-1;boundscope::exec::local::threads::{{{{closure}}}}::{{{{closure}}}};\
             boundscope::exec::local::worker_loop;boundscope::exec::run_unit;\
             std::panic::catch_unwind;__rust_try;\
             boundscope::workload::declare::erased::<impl boundscope::workload::DynWorkload for W>::run_unit;\
             {run_unit};boundscope::workload::json::table::read_table"
        );
        let stacks: FoldedStacks = [(stack.as_str(), 5)].into_iter().collect();
        let folded = stacks.fold_engines(&EngineFrames, EngineFold::Fold);
        let expected = format!(
            "bs-threads-1;[threads engine];{run_unit};boundscope::workload::json::table::read_table"
        );
        assert_eq!(folded.get(&expected), 5, "{folded:?}");
    }
}
