//! The leaves of a wall-clock profile: how off-CPU time is named in folded stacks.
//!
//! A wall-clock profile weighs stacks in nanoseconds. CPU time sits on the sampled stacks as
//! usual; time a worker spent off the CPU ends in one bracketed leaf naming why: a wait
//! (`[net wait]`, `[db wait]`, `[db-lock wait]`, `[gil wait]`, `[disk wait]`), no work
//! (`[idle]`), runnable without a free core (`[run queue]`), CPU time with no sample to give
//! it a shape (`[cpu, not sampled]`) or time nothing accounts for (`[untracked]`). This
//! module only knows the names; `measure` decides what is what.
use crate::model::WallPlace;

/// The leaf for time with no work to do (a worker waiting for its queue).
pub const IDLE_LEAF: &str = "[idle]";
/// The leaf for time runnable but waiting for a free core.
pub const RUN_QUEUE_LEAF: &str = "[run queue]";
/// The leaf for CPU time when no sample showed where it was spent.
pub const UNSAMPLED_CPU_LEAF: &str = "[cpu, not sampled]";
/// The leaf for wall time that neither CPU, run queue nor a wait span explains.
pub const UNTRACKED_LEAF: &str = "[untracked]";

/// The leaf naming a wait of `category` (`net` → `[net wait]`).
pub fn wait_leaf(category: &str) -> String {
    format!("[{category} wait]")
}

/// What kind of time a frame stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind<'a> {
    /// Ordinary code, on a CPU.
    Code,
    /// A wait of the named category (`net`, `db`, ...).
    Wait(&'a str),
    /// No work.
    Idle,
    /// Runnable, waiting for a core.
    RunQueue,
    /// CPU time without a sampled stack.
    UnsampledCpu,
    /// Time nothing accounts for.
    Untracked,
}

impl FrameKind<'_> {
    /// Whether the frame is time spent off a CPU (waits, idle, run queue, untracked).
    pub fn is_off_cpu(self) -> bool {
        !matches!(self, FrameKind::Code | FrameKind::UnsampledCpu)
    }

    /// A short name for legends and labels (`net`, `idle`, `run queue`, `cpu`).
    pub fn label(self) -> &'static str {
        match self {
            FrameKind::Code | FrameKind::UnsampledCpu => "cpu",
            FrameKind::Wait(category) => match category {
                "net" => "net",
                "db" => "db",
                "db-lock" => "db-lock",
                "gil" => "gil",
                "disk" => "disk",
                _ => "wait",
            },
            FrameKind::Idle => "idle",
            FrameKind::RunQueue => "run queue",
            FrameKind::Untracked => "untracked",
        }
    }
}

/// Classifies one frame name.
pub fn frame_kind(frame: &str) -> FrameKind<'_> {
    match frame {
        IDLE_LEAF => FrameKind::Idle,
        RUN_QUEUE_LEAF => FrameKind::RunQueue,
        UNSAMPLED_CPU_LEAF => FrameKind::UnsampledCpu,
        UNTRACKED_LEAF => FrameKind::Untracked,
        _ => match frame
            .strip_prefix('[')
            .and_then(|f| f.strip_suffix(" wait]"))
        {
            Some(category) if !category.is_empty() && !category.contains([';', '[']) => {
                FrameKind::Wait(category)
            }
            _ => FrameKind::Code,
        },
    }
}

/// The kind of time a whole folded stack stands for: that of its leaf.
pub fn stack_kind(stack: &str) -> FrameKind<'_> {
    frame_kind(stack.rsplit(';').next().unwrap_or(stack))
}

/// The `n` largest (kind of time, place) parts of a wall profile (weights in nanoseconds).
pub fn top_places(wall: &super::FoldedStacks, n: usize) -> Vec<WallPlace> {
    let mut parts: std::collections::HashMap<(String, String), u64> = Default::default();
    for (stack, ns) in wall.iter() {
        let below_thread: Vec<&str> = stack.split(';').skip(1).collect();
        let mut frames = below_thread.iter().rev().copied();
        let leaf = frames.next().unwrap_or_default();
        let (what, place) = match frame_kind(leaf) {
            FrameKind::Code => ("cpu", leaf),
            FrameKind::UnsampledCpu => ("cpu", ""),
            _ => (leaf, frames.next().unwrap_or_default()),
        };
        *parts
            .entry((what.to_string(), place.to_string()))
            .or_default() += ns;
    }
    let total = wall.total().max(1) as f64;
    let mut places: Vec<WallPlace> = parts
        .into_iter()
        .map(|((what, place), ns)| WallPlace {
            what,
            place,
            ns,
            share: ns as f64 / total,
        })
        .collect();
    places.sort_by(|a, b| b.ns.cmp(&a.ns).then_with(|| a.place.cmp(&b.place)));
    places.truncate(n);
    places
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_are_recognised_by_name() {
        for category in ["net", "db", "db-lock", "gil", "disk"] {
            let leaf = wait_leaf(category);
            assert_eq!(frame_kind(&leaf), FrameKind::Wait(category));
            assert_eq!(frame_kind(&leaf).label(), category);
            assert!(frame_kind(&leaf).is_off_cpu());
        }
        assert_eq!(frame_kind(IDLE_LEAF), FrameKind::Idle);
        assert_eq!(frame_kind(RUN_QUEUE_LEAF), FrameKind::RunQueue);
        assert_eq!(frame_kind(UNSAMPLED_CPU_LEAF), FrameKind::UnsampledCpu);
        assert!(!frame_kind(UNSAMPLED_CPU_LEAF).is_off_cpu());
        assert_eq!(frame_kind("[unknown]"), FrameKind::Code);
        assert_eq!(frame_kind("serde_json::de::from_str"), FrameKind::Code);
        assert_eq!(frame_kind("[ wait]"), FrameKind::Code);
    }

    #[test]
    fn the_top_places_merge_threads_and_name_the_waiting_function() {
        let wall = crate::flame::FoldedStacks::parse(
            "w0;main;fetch;[net wait] 60\nw1;main;fetch;[net wait] 30\nw0;main;parse 8\nw1;[run queue] 2\n",
        )
        .unwrap();
        let top = top_places(&wall, 2);
        assert_eq!(top.len(), 2);
        assert_eq!(
            (top[0].what.as_str(), top[0].place.as_str(), top[0].ns),
            ("[net wait]", "fetch", 90)
        );
        assert!((top[0].share - 0.9).abs() < 1e-9);
        assert_eq!(
            (top[1].what.as_str(), top[1].place.as_str()),
            ("cpu", "parse")
        );
    }

    #[test]
    fn a_stack_is_what_its_leaf_is() {
        assert_eq!(
            stack_kind("bs-threads-0;fetch;[net wait]"),
            FrameKind::Wait("net")
        );
        assert_eq!(stack_kind("bs-threads-0;parse"), FrameKind::Code);
        assert_eq!(stack_kind("[idle]"), FrameKind::Idle);
    }
}
