//! Where each worker's wall time went: thread CPU time, categorised wait spans, idle time.

mod clock;
mod ctx;
mod gil;
mod meter;
mod pending;
pub mod phase;
mod phase_clock;
pub mod phase_mark;
mod raw_stack;
pub mod stackwalk;
mod task_wait;
pub mod wall;

pub use clock::{process_cpu_seconds, thread_cpu_ns, RunDelay, SchedStat};
pub use ctx::{RunCounters, WorkerCtx};
pub use gil::Gil;
pub use meter::{MeterRegistry, WorkerMeter};
pub use pending::TaskWaits;
pub use phase::{
    in_phase, in_phase_async, in_phase_beside, in_phase_beside_async, PhaseId, NO_PHASE,
};
pub use task_wait::{set_thread_task_waits, wait_async, TaskWait};
pub use wall::{split_proportionally, WaitEntry};
