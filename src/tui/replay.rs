//! Playing a recording back in time. The run shown is the recording's events up to the replay's
//! moment, applied as a live run's are, so the chart, lanes and flamegraph show the state then.
//! Time is the recording's own (its ticks' `elapsed_s`), scaled by the chosen speed.

use super::app::{Action, App};
use super::runs::{Run, RunStatus};
use crate::events::Event;
use std::sync::Arc;

/// The speeds offered, slowest first.
pub const SPEEDS: [f64; 8] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0];
/// The index of 1× in [`SPEEDS`].
const NORMAL: usize = 2;

/// Where a replay is and how it moves.
#[derive(Debug, Clone)]
pub struct Replay {
    /// The run (index in `App::runs`) being played back.
    pub run: usize,
    events: Arc<[Event]>,
    /// The moments a replay can stop at: (time, events shown). Stop 0 is before the first
    /// tick; stop k shows tick k and what followed it up to the next tick.
    stops: Vec<(f64, usize)>,
    pub stop: usize,
    /// The replay's clock (seconds of the recording), between stops while playing.
    pub at_s: f64,
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
}

impl Replay {
    /// A replay of `events` for run `run`, at its end; `None` when the recording has no ticks.
    pub fn new(run: usize, events: Arc<[Event]>) -> Option<Replay> {
        let ticks: Vec<(usize, f64)> = events
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Event::Tick(t) => Some((i, t.elapsed_s)),
                _ => None,
            })
            .collect();
        let first = ticks.first()?.0;
        let mut stops = vec![(0.0, first)];
        for (k, &(_, t)) in ticks.iter().enumerate() {
            let end = ticks.get(k + 1).map_or(events.len(), |next| next.0);
            stops.push((t, end));
        }
        let stop = stops.len() - 1;
        let at_s = stops[stop].0;
        Some(Replay {
            run,
            events,
            stops,
            stop,
            at_s,
            playing: false,
            speed: NORMAL,
        })
    }

    /// The recording's length in seconds.
    pub fn end_s(&self) -> f64 {
        self.stops.last().map_or(0.0, |s| s.0)
    }

    pub fn at_end(&self) -> bool {
        self.stop + 1 == self.stops.len()
    }

    /// The latest stop at or before `t`.
    fn stop_at(&self, t: f64) -> usize {
        self.stops.partition_point(|s| s.0 <= t).saturating_sub(1)
    }

    /// How the header tells where the replay is: `replay ▶ 2× 3.2 / 9.1 s`.
    pub fn label(&self) -> String {
        let state = if self.playing { "▶" } else { "paused" };
        format!(
            "replay {state} {}× {:.1} / {:.1} s",
            SPEEDS[self.speed],
            self.stops[self.stop].0,
            self.end_s()
        )
    }
}

/// A run holding all of `events` (a recording), which it keeps for playing back.
pub fn recorded_run(number: usize, events: Arc<[Event]>) -> Run {
    let mut run = run_upto(number, &events, events.len());
    run.recording = Some(events);
    run
}

/// The run as it was after the first `end` events.
fn run_upto(number: usize, events: &[Event], end: usize) -> Run {
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

/// Moves the replay to stop `stop`: applies the events in between going forward, rebuilds the
/// run from the start going back.
fn seek(app: &mut App, stop: usize) {
    let Some(replay) = app.replay.as_mut() else {
        return;
    };
    let stop = stop.min(replay.stops.len() - 1);
    let (from, to) = (replay.stops[replay.stop].1, replay.stops[stop].1);
    replay.stop = stop;
    replay.at_s = replay.stops[stop].0;
    let (index, events) = (replay.run, replay.events.clone());
    let Some(run) = app.runs.get_mut(index) else {
        return;
    };
    if to >= from {
        for event in &events[from..to] {
            run.apply(event.clone());
        }
        if run.status == RunStatus::Running {
            run.status = RunStatus::Recorded;
        }
    } else {
        let mut fresh = run_upto(run.number, &events, to);
        fresh.recording = Some(events.clone());
        *run = fresh;
    }
    if app.current == Some(index) {
        app.ledger = app.ledger.filter(|&i| i < app.runs[index].lanes.len());
        app.refresh_flame();
    }
}

/// The replay of the run shown, started (at its end) if it has a recording.
fn replay_of_current(app: &mut App) -> bool {
    let Some(index) = app.current else {
        return false;
    };
    if app.replay.as_ref().is_some_and(|r| r.run == index) {
        return true;
    }
    finish(app);
    let events = app.runs.get(index).and_then(|r| r.recording.clone());
    app.replay = events.and_then(|e| Replay::new(index, e));
    if app.replay.is_none() {
        app.status = "only a recording plays back: boundscope open FILE (run --events FILE)".into();
    }
    app.replay.is_some()
}

/// Ends the replay, leaving its run whole.
pub fn finish(app: &mut App) {
    if let Some(last) = app.replay.as_ref().map(|r| r.stops.len() - 1) {
        seek(app, last);
        app.replay = None;
    }
}

/// Starts playing the run shown from its beginning (how `open` shows a recording).
pub fn play_from_start(app: &mut App) {
    if replay_of_current(app) {
        seek(app, 0);
        if let Some(r) = app.replay.as_mut() {
            r.playing = true;
        }
        app.status =
            "replaying the recording: Space pauses · [ ] step · - + speed · Home End".into();
    }
}

/// Handles the replay keys and the clock; false for other actions.
pub fn replay_action(app: &mut App, action: &Action) -> bool {
    let key = matches!(
        action,
        Action::PlayPause
            | Action::StepBack
            | Action::StepForward
            | Action::Slower
            | Action::Faster
            | Action::SeekStart
            | Action::SeekEnd
    );
    if let Action::Advance(seconds) = *action {
        advance(app, seconds);
        return true;
    }
    if !key || !replay_of_current(app) {
        return key;
    }
    let Some(r) = app.replay.as_mut() else {
        return true;
    };
    let (stop, last) = (r.stop, r.stops.len() - 1);
    match action {
        Action::PlayPause if r.playing => r.playing = false,
        Action::PlayPause => {
            r.playing = true;
            if r.at_end() {
                seek(app, 0);
            }
        }
        Action::Slower => r.speed = r.speed.saturating_sub(1),
        Action::Faster => r.speed = (r.speed + 1).min(SPEEDS.len() - 1),
        Action::StepBack | Action::StepForward | Action::SeekStart | Action::SeekEnd => {
            r.playing = false;
            let to = match action {
                Action::StepBack => stop.saturating_sub(1),
                Action::StepForward => stop + 1,
                Action::SeekStart => 0,
                _ => last,
            };
            seek(app, to);
        }
        _ => {}
    }
    if let Some(r) = &app.replay {
        app.status = r.label();
    }
    true
}

/// Moves a playing replay on by `seconds` of real time (times its speed).
fn advance(app: &mut App, seconds: f64) {
    let Some(r) = app.replay.as_mut().filter(|r| r.playing) else {
        return;
    };
    r.at_s += seconds.max(0.0) * SPEEDS[r.speed];
    let target = r.stop_at(r.at_s);
    if target + 1 == r.stops.len() {
        r.playing = false;
    }
    if target != r.stop {
        let at_s = r.at_s;
        seek(app, target);
        // Keep the clock between stops, or a slow speed would never reach the next one.
        if let Some(r) = app.replay.as_mut() {
            r.at_s = at_s;
        }
    }
}

impl App {
    /// True while a replay plays (the event loop then sends the clock's `Advance`).
    pub fn replay_playing(&self) -> bool {
        self.replay.as_ref().is_some_and(|r| r.playing)
    }
}
