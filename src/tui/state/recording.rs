//! A run rebuilt from a recording: its events applied up to a point, as a live run's are.

use super::runs::{Recording, Run, RunStatus};
use crate::events::Event;

/// A run holding all of `events` (a recording), which it keeps for playing back.
pub fn recorded_run(number: usize, events: Recording) -> Run {
    let mut run = run_upto(number, &events, events.len());
    run.recording = Some(events);
    run
}

/// The run as it was after the first `end` events.
pub fn run_upto(number: usize, events: &[Event], end: usize) -> Run {
    let mut run = Run::new(number, "recorded", "events", 0, false);
    for event in &events[..end] {
        run.apply(event.clone());
    }
    // Not live: nothing runs, and a new run may start.
    if run.status == RunStatus::Running {
        run.status = RunStatus::Recorded;
    }
    run
}
