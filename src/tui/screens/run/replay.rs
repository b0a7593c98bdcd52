//! `update` of a recording played back on the run screen: play and pause, step, seek, speed,
//! and the clock's advance. The run shown is the recording's events up to the replay's
//! moment, applied as a live run's are, so the chart, lanes and flamegraph show the state then.

use super::state::RunScreen;
use crate::tui::state::replay::{Replay, SPEEDS};
use crate::tui::state::{Action, Shared};

/// The replay of the run shown, started (at its end) if it has a recording.
fn replay_of_current(screen: &mut RunScreen, shared: &mut Shared) -> bool {
    let Some(index) = screen.current else {
        return false;
    };
    if screen.replay.as_ref().is_some_and(|r| r.run == index) {
        return true;
    }
    screen.finish_replay(&mut shared.runs);
    let events = shared.runs.get(index).and_then(|r| r.recording.clone());
    screen.replay = events.and_then(|e| Replay::new(index, e));
    if screen.replay.is_none() {
        shared.status =
            "only a recording plays back: boundscope open FILE (run --events FILE)".into();
    }
    screen.replay.is_some()
}

/// Starts playing the run shown from its beginning (how `open` shows a recording).
pub fn play_from_start(screen: &mut RunScreen, shared: &mut Shared) {
    if replay_of_current(screen, shared) {
        screen.seek_replay(0, &mut shared.runs);
        if let Some(r) = screen.replay.as_mut() {
            r.playing = true;
        }
        shared.status =
            "replaying the recording: Space pauses · [ ] step · - + speed · Home End".into();
    }
}

/// Handles the replay keys and the clock; false for other actions.
pub fn replay_action(screen: &mut RunScreen, shared: &mut Shared, action: &Action) -> bool {
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
        advance(screen, shared, seconds);
        return true;
    }
    if !key || !replay_of_current(screen, shared) {
        return key;
    }
    let Some(r) = screen.replay.as_mut() else {
        return true;
    };
    let (stop, last) = (r.stop, r.last_stop());
    match action {
        Action::PlayPause if r.playing => r.playing = false,
        Action::PlayPause => {
            r.playing = true;
            if r.at_end() {
                screen.seek_replay(0, &mut shared.runs);
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
            screen.seek_replay(to, &mut shared.runs);
        }
        _ => {}
    }
    if let Some(r) = &screen.replay {
        shared.status = r.label();
    }
    true
}

/// Moves a playing replay on by `seconds` of real time (times its speed).
fn advance(screen: &mut RunScreen, shared: &mut Shared, seconds: f64) {
    let Some(r) = screen.replay.as_mut().filter(|r| r.playing) else {
        return;
    };
    r.at_s += seconds.max(0.0) * SPEEDS[r.speed];
    let target = r.stop_at(r.at_s);
    if target == r.last_stop() {
        r.playing = false;
    }
    if target != r.stop {
        let at_s = r.at_s;
        screen.seek_replay(target, &mut shared.runs);
        // Keep the clock between stops, or a slow speed would never reach the next one.
        if let Some(r) = screen.replay.as_mut() {
            r.at_s = at_s;
        }
    }
}
