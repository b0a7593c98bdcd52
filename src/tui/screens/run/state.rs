//! The run screen's state: the run shown, its flamegraph view, the time cursor and range, a
//! worker's ledger, a recording played back, the search being typed, the screen's layout.

use super::layout::{carve, RunAreas, ScreenLayout};
use crate::flame::{FoldedStacks, FrameTree};
use crate::report::window::Window;
use crate::tui::state::profiles::Profile;
use crate::tui::state::replay::Replay;
use crate::tui::state::Run;
use crate::tui::widgets::flame::view::FlameView;
use crate::tui::widgets::text_input::TextInput;
use std::sync::Arc;

/// The run screen's state.
#[derive(Debug, Clone)]
pub struct RunScreen {
    /// The run shown (an index into the run list).
    pub current: Option<usize>,
    pub flame: FlameView,
    /// The lane whose ledger shows over the flamegraph, if any.
    pub ledger: Option<usize>,
    /// The time cursor and the selected window of the run shown.
    pub time: TimeSelection,
    /// The recording being played back, if any.
    pub replay: Option<Replay>,
    /// The user hid the stage timeline of etl-pipeline runs.
    pub stages_hidden: bool,
    /// The status note `T` wrote last: it is about the run shown then, and goes when
    /// another run is shown.
    pub stage_note: Option<String>,
    /// The search pattern being typed, while typing.
    pub search: Option<TextInput>,
    /// The screen's layout for the terminal's size (see [`RunScreen::resize`]).
    pub layout: ScreenLayout,
    /// When set, live stack events only mark the flamegraph stale and the event loop rebuilds it
    /// once before drawing, so a burst of events costs one rebuild per frame.
    pub defer_flame: bool,
    /// The current run's stacks changed since the flamegraph was last rebuilt.
    pub flame_stale: bool,
    /// Set while the code of a phase shows, entered with Enter from the phase view: that
    /// view's zoom then, and the phase's path, to come back to with Esc.
    pub phase_entry: Option<PhaseEntry>,
}

/// Where Enter on a phase came from (see [`RunScreen::phase_entry`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseEntry {
    pub phases_zoom: Vec<Vec<String>>,
    pub phase: Vec<String>,
}

impl Default for RunScreen {
    fn default() -> RunScreen {
        RunScreen {
            current: None,
            flame: FlameView::default(),
            ledger: None,
            time: TimeSelection::default(),
            replay: None,
            stages_hidden: false,
            stage_note: None,
            search: None,
            layout: ScreenLayout::new((80, 24)),
            defer_flame: false,
            flame_stale: false,
            phase_entry: None,
        }
    }
}

impl RunScreen {
    /// Shows run `index` of `runs` (a recording played back elsewhere is finished first).
    pub fn show(&mut self, index: usize, runs: &mut [Run]) {
        if self.replay.as_ref().is_some_and(|r| r.run != index) {
            self.finish_replay(runs);
        }
        if self.current != Some(index) {
            self.time = TimeSelection::default();
        }
        self.current = Some(index);
        self.flame.zoom.clear();
        self.flame.collapsed.clear();
        self.flame.frozen = None;
        self.flame.chosen = None;
        self.phase_entry = None;
        self.refresh_flame(runs);
    }

    /// The run being shown, if any.
    pub fn current_run<'a>(&self, runs: &'a [Run]) -> Option<&'a Run> {
        self.current.and_then(|i| runs.get(i))
    }

    /// Rebuilds the flame view from the current run's profile (the one chosen, else wall time
    /// once the run has some, else CPU samples). A frozen view that changes profile is frozen
    /// again at the new profile's current tree.
    pub fn refresh_flame(&mut self, runs: &[Run]) {
        self.flame_stale = false;
        let Some(run) = self.current_run(runs) else {
            self.flame.profile = Profile::Cpu;
            let empty = Arc::new(FrameTree::from_stacks(&FoldedStacks::new()));
            return self.flame.rebuild(empty);
        };
        let profile = Profile::shown(self.flame.chosen, run.profiles());
        let switched = profile != self.flame.profile;
        if let Some(window) = self.time.range {
            self.flame.profile = profile;
            self.flame.wall_total = run.window_wall_total(window);
            return self.flame.rebuild(run.window_tree(profile, window));
        }
        if switched || self.flame.frozen.is_none() {
            self.flame.wall_total = run.wall_total();
        }
        if switched && self.flame.frozen.is_some() {
            self.flame.frozen = Some(run.profile_tree(profile));
        }
        self.flame.profile = profile;
        self.flame.rebuild(run.profile_tree(profile));
    }

    /// Run `index`'s stacks changed: the flamegraph follows, unless it is frozen or shows
    /// another run (deferred to the next frame when the event loop asked for that).
    pub fn stacks_changed(&mut self, index: usize, runs: &[Run]) {
        if self.current != Some(index) || self.flame.frozen.is_some() {
            return;
        }
        if self.defer_flame {
            self.flame_stale = true;
        } else {
            self.refresh_flame(runs);
        }
    }

    /// Whether a recording is playing back (the event loop then sends the time passing).
    pub fn replay_playing(&self) -> bool {
        self.replay.as_ref().is_some_and(|r| r.playing)
    }

    /// Moves the replay to stop `stop`; the run shown follows.
    pub fn seek_replay(&mut self, stop: usize, runs: &mut [Run]) {
        let Some(index) = self.replay.as_mut().and_then(|r| r.seek(stop, runs)) else {
            return;
        };
        if self.current == Some(index) {
            self.ledger = self.ledger.filter(|&i| i < runs[index].lanes.len());
            self.refresh_flame(runs);
        }
    }

    /// Ends the replay, leaving its run whole.
    pub fn finish_replay(&mut self, runs: &mut [Run]) {
        if let Some(last) = self.replay.as_ref().map(Replay::last_stop) {
            self.seek_replay(last, runs);
            self.replay = None;
        }
    }

    /// The run screen's layout for the run shown: a profile read from a file has no time
    /// data, so its flamegraph takes the chart's and the lanes' room too; an etl-pipeline
    /// run's stage panel takes room from the lanes.
    pub fn areas(&self, runs: &[Run]) -> RunAreas {
        let run = self.current_run(runs);
        if run.is_some_and(Run::is_profile_file) {
            return self.layout.file;
        }
        let mut areas = self.layout.run;
        carve(self.stages_hidden, run, &mut areas);
        areas
    }

    /// Takes the terminal's new size and lays the screen out for it.
    pub fn resize(&mut self, size: (u16, u16)) {
        self.layout = ScreenLayout::new(size);
    }
}

/// The time cursor and the selected window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimeSelection {
    /// The cursor's moment (the middle of its column), when shown.
    pub cursor: Option<f64>,
    /// Where the range being marked (or dragged) began.
    pub anchor: Option<f64>,
    /// The window the flamegraph, top table and ledgers show; `None`: the whole run.
    pub range: Option<Window>,
}
