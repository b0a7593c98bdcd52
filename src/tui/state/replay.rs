//! A recording being played back: the moments it can stop at (one per tick), where it is, its
//! speed, and bringing its run to a moment. Time is the recording's own (its ticks'
//! `elapsed_s`), scaled by the chosen speed.

use super::recording::run_upto;
use super::runs::Recording;
use super::runs::{Run, RunStatus};
use crate::events::Event;

/// The speeds offered, slowest first.
pub const SPEEDS: [f64; 8] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0];
/// The index of 1× in [`SPEEDS`].
const NORMAL: usize = 2;

/// Where a replay is and how it moves.
#[derive(Debug, Clone)]
pub struct Replay {
    /// The run (index in the run list) being played back.
    pub run: usize,
    events: Recording,
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
    pub fn new(run: usize, events: Recording) -> Option<Replay> {
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
    pub fn stop_at(&self, t: f64) -> usize {
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

impl Replay {
    /// The last stop (the whole recording shown).
    pub fn last_stop(&self) -> usize {
        self.stops.len() - 1
    }

    /// Moves to stop `stop` (the last at most), bringing its run in `runs` to that moment:
    /// the events in between are applied going forward; going back, the run is rebuilt from
    /// the start. Returns the run's index when it was there to change.
    pub fn seek(&mut self, stop: usize, runs: &mut [Run]) -> Option<usize> {
        let stop = stop.min(self.last_stop());
        let (from, to) = (self.stops[self.stop].1, self.stops[stop].1);
        self.stop = stop;
        self.at_s = self.stops[stop].0;
        let run = runs.get_mut(self.run)?;
        if to >= from {
            for event in &self.events[from..to] {
                run.apply(event.clone());
            }
            if run.status == RunStatus::Running {
                run.status = RunStatus::Recorded;
            }
        } else {
            let mut fresh = run_upto(run.number, &self.events, to);
            fresh.recording = Some(self.events.clone());
            *run = fresh;
        }
        Some(self.run)
    }
}
