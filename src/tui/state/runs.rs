//! One run as the UI knows it: live totals, throughput history, worker lanes, merged stacks,
//! the final report or the error. Fed event by event, from a child or a recording.

use super::profiles::{off_cpu, GrowingTree, Has, Profile};
use crate::events::Event;
use crate::flame::phase_tag::phase_of_stack;
use crate::flame::{FoldedStacks, FrameTree};
use crate::model::GenProgress;
use crate::model::RunReport;
use crate::model::Tick;
use crate::model::WorkerSnapshot;
use crate::report::window::History;
use std::sync::Arc;

use super::lanes::lane_cell;
pub use super::lanes::{LaneCell, LaneState, WorkerLane};

/// Where a run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    Done,
    Interrupted,
    Failed,
    /// Opened from a file that has only stacks, or a recording without a `done`.
    Recorded,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Done => "done",
            RunStatus::Interrupted => "stopped",
            RunStatus::Failed => "failed",
            RunStatus::Recorded => "recorded",
        }
    }
}

/// A recording's events, shared by its run and its replay. A `Vec` rather than a slice, so
/// that the events read from a file become the recording without being copied (a long
/// recording's events are most of the memory `open` takes).
pub type Recording = Arc<Vec<Event>>;

/// A run in the session's run list.
#[derive(Debug, Clone)]
pub struct Run {
    /// 1-based number in the session (used in export names).
    pub number: usize,
    pub workload: String,
    pub mode: String,
    pub workers: usize,
    pub gil: bool,
    pub hz: u32,
    pub label: String,
    /// The options that set this run apart from others of its workload (`parser typed ·
    /// files 30`); empty until the run's start event arrives.
    pub knobs: String,
    /// The workload's settings as the start event gave them (empty before it): runs with
    /// equal ones did the same work, whatever their mode, workers or GIL.
    pub work: Vec<String>,
    pub status: RunStatus,
    /// (elapsed seconds, items per second over the interval ending there; busy cores for a
    /// program that counts no items, see [`Run::charts_busy_cores`]).
    pub throughput: Vec<(f64, f64)>,
    /// A program (`exec`) with no `--progress` pattern: the chart shows busy cores.
    pub charts_busy_cores: bool,
    /// Where the interval of the latest throughput point began: (elapsed seconds, items).
    rate_base: (f64, u64),
    /// The (start, end) seconds of each tick interval: the lanes' cells, in order.
    pub spans: Vec<(f64, f64)>,
    pub last_tick: Tick,
    /// CPU cores busy over the latest interval.
    pub busy_now: f64,
    pub lanes: Vec<WorkerLane>,
    pub stacks: FoldedStacks,
    /// `stacks` as a tree that grows with the deltas (or, for a folded file, the tree built
    /// straight from the file while `stacks` stays empty).
    cpu_tree: GrowingTree,
    pub samples: u64,
    /// The workers' wall-clock profile (nanoseconds), as the run streamed it; empty for
    /// runs and files that have none.
    pub wall: FoldedStacks,
    /// `wall` as a growing tree.
    wall_tree: GrowingTree,
    /// The off-CPU stacks of `wall` as a growing tree.
    off_cpu_tree: GrowingTree,
    /// The workers' wall time on the job's phases, as a growing tree.
    phases_tree: GrowingTree,
    /// The code of each phase (see [`Profile::PhaseCode`]), as a growing tree.
    phase_code_tree: GrowingTree,
    /// Whether any wall-clock stack so far carries a phase tag.
    phase_tagged: bool,
    pub report: Option<RunReport>,
    pub error: Option<String>,
    /// For a profile read from a file: what the file says about itself (format, sample
    /// types, rate, duration), shown instead of the live figures it does not have.
    pub source: Option<String>,
    /// Something the reader of a file dropped or doubted (a recording's torn last line),
    /// shown on the status line when the file opens.
    pub warning: Option<String>,
    /// PostgreSQL runs: the connections' states as sampled, in time order.
    pub pg: Vec<crate::model::pg_activity::PgSample>,
    /// Each tick's snapshots and each stack delta, for the figures of a stretch of time.
    pub history: History,
    /// For a recording: all its events, so it can be played back (see `replay`).
    pub recording: Option<Recording>,
    /// The latest progress of input data being generated before the run starts; `None`
    /// once it started (or ended), and for runs whose data was cached.
    pub preparing: Option<GenProgress>,
    /// The label of the scenario or sweep line this run is, kept in front of its label.
    pub line: Option<String>,
}

impl Run {
    pub fn new(number: usize, workload: &str, mode: &str, workers: usize, gil: bool) -> Run {
        let label = format!(
            "{workload} {mode} ×{workers}{}",
            if gil { " gil" } else { "" }
        );
        Run {
            number,
            workload: workload.to_string(),
            mode: mode.to_string(),
            workers,
            gil,
            hz: crate::profile::DEFAULT_HZ,
            label,
            knobs: String::new(),
            work: Vec::new(),
            status: RunStatus::Running,
            throughput: Vec::new(),
            charts_busy_cores: false,
            rate_base: (0.0, 0),
            spans: Vec::new(),
            last_tick: Tick::default(),
            busy_now: 0.0,
            lanes: Vec::new(),
            stacks: FoldedStacks::new(),
            cpu_tree: GrowingTree::default(),
            samples: 0,
            wall: FoldedStacks::new(),
            wall_tree: GrowingTree::default(),
            off_cpu_tree: GrowingTree::default(),
            phases_tree: GrowingTree::default(),
            phase_code_tree: GrowingTree::default(),
            phase_tagged: false,
            source: None,
            warning: None,
            report: None,
            error: None,
            pg: Vec::new(),
            history: History::default(),
            recording: None,
            preparing: None,
            line: None,
        }
    }

    /// Applies one event. Returns true when the stacks (CPU or wall) changed.
    pub fn apply(&mut self, event: Event) -> bool {
        if !matches!(event, Event::Prepare(_)) {
            self.preparing = None;
        }
        match event {
            Event::Prepare(progress) => self.preparing = Some(progress),
            Event::Start { spec, .. } => self.apply_start(&spec),
            Event::Tick(tick) => self.apply_tick(tick),
            Event::Stacks {
                samples,
                stacks,
                wall,
                phases,
            } => {
                self.samples += samples;
                self.history.push_stacks(samples, (&stacks, &wall, &phases));
                self.stacks.merge(&stacks);
                let cpu_changed = self.cpu_tree.add(&stacks);
                self.wall.merge(&wall);
                let wall_changed = self.wall_tree.add(&wall);
                self.off_cpu_tree.add(&off_cpu(&wall));
                self.add_phase_code(&wall);
                let phases_changed = self.phases_tree.add(&phases);
                return cpu_changed || wall_changed || phases_changed;
            }
            Event::Done { report, .. } => {
                self.status = if report.interrupted {
                    RunStatus::Interrupted
                } else {
                    RunStatus::Done
                };
                self.samples = self.samples.max(report.samples);
                self.report = Some(*report);
            }
            Event::Error { message } => {
                self.status = RunStatus::Failed;
                self.error = Some(message);
            }
            // Only `processes` children send these, to their parent; the report has them all.
            Event::Units { .. } => {}
            Event::PgActivity { sample } => self.pg.push(sample),
        }
        false
    }

    fn apply_start(&mut self, spec: &crate::spec::RunSpec) {
        let knobs: Vec<String> = spec.knobs().iter().map(ToString::to_string).collect();
        self.knobs = knobs.join(" · ");
        self.work = spec.workload.settings();
        self.workload = spec.workload.name().to_string();
        self.mode = spec.mode.as_str().to_string();
        self.workers = spec.workers;
        self.gil = spec.gil;
        self.hz = spec.hz;
        let gil = if self.gil { " gil" } else { "" };
        self.charts_busy_cores = spec
            .workload
            .program()
            .is_some_and(|p| p.progress.is_none());
        self.label = match spec.workload.program() {
            Some(program) => format!("exec {}", program.command_line()),
            None => format!("{} {} ×{}{gil}", self.workload, self.mode, self.workers),
        };
        if let Some(line) = &self.line {
            self.label = format!("{line}: {}", self.label);
        }
    }

    fn apply_tick(&mut self, tick: Tick) {
        self.history
            .push_tick(tick.elapsed_s, tick.items, &tick.workers);
        let prev = std::mem::take(&mut self.last_tick);
        let dt = tick.elapsed_s - prev.elapsed_s;
        if dt > 1e-9 {
            let cpu_now: f64 = tick.workers.iter().map(|w| w.cpu_s).sum();
            let cpu_before: f64 = prev.workers.iter().map(|w| w.cpu_s).sum();
            self.busy_now = ((cpu_now - cpu_before) / dt).max(0.0);
            match self.charts_busy_cores {
                true => self.throughput.push((tick.elapsed_s, self.busy_now)),
                false => self.push_rate(&prev, &tick, dt),
            }
            self.spans.push((prev.elapsed_s, tick.elapsed_s));
            self.push_lane_cells(&tick.workers);
        }
        self.last_tick = tick;
    }

    /// One throughput point per tick; a tick much shorter than the one before (the last one,
    /// sent as the run ends) extends the previous point instead, so no rate is taken over a
    /// few milliseconds (a spike, then a drop to 0).
    fn push_rate(&mut self, prev: &Tick, tick: &Tick, dt: f64) {
        let last_dt = prev.elapsed_s - self.rate_base.0;
        if let (Some(last), true) = (self.throughput.last_mut(), dt < 0.5 * last_dt) {
            let (since_s, since_items) = self.rate_base;
            let items = tick.items.saturating_sub(since_items) as f64;
            *last = (tick.elapsed_s, items / (tick.elapsed_s - since_s));
            return;
        }
        let items = tick.items.saturating_sub(prev.items) as f64;
        self.throughput.push((tick.elapsed_s, items / dt));
        self.rate_base = (prev.elapsed_s, prev.items);
    }

    fn push_lane_cells(&mut self, workers: &[WorkerSnapshot]) {
        let len = self.lanes.first().map_or(0, |l| l.cells.len());
        for lane in &mut self.lanes {
            lane.cells.push(None);
        }
        for snap in workers {
            let index = match self.lanes.iter().position(|l| l.name == snap.name) {
                Some(i) => i,
                None => {
                    self.lanes.push(WorkerLane {
                        name: snap.name.clone(),
                        cells: vec![None; len + 1],
                        last: WorkerSnapshot::default(),
                    });
                    self.lanes.len() - 1
                }
            };
            let lane = &mut self.lanes[index];
            *lane.cells.last_mut().expect("pushed") = lane_cell(&lane.last, snap);
            lane.last = snap.clone();
        }
    }

    /// The frame tree of the run's CPU samples (shared, cached until the stacks change).
    pub fn tree(&self) -> Arc<FrameTree> {
        self.cpu_tree.tree()
    }

    /// The frame tree of one of the run's profiles (shared, cached until it changes).
    pub fn profile_tree(&self, profile: Profile) -> Arc<FrameTree> {
        match profile {
            Profile::Phases => self.phases_tree.tree(),
            Profile::PhaseCode => self.phase_code_tree.tree(),
            Profile::Wall => self.wall_tree.tree(),
            Profile::Cpu => self.cpu_tree.tree(),
            Profile::OffCpu => self.off_cpu_tree.tree(),
        }
    }

    /// True once the run has streamed any wall-clock time.
    pub fn has_wall(&self) -> bool {
        self.wall_tree.total() > 0
    }

    /// True once the run has streamed any time on its phases.
    pub fn has_phases(&self) -> bool {
        self.phases_tree.total() > 0
    }

    /// Which time profiles the run has.
    pub fn profiles(&self) -> Has {
        Has {
            phases: self.has_phases(),
            wall: self.has_wall(),
            phase_code: self.phase_tagged,
        }
    }

    /// Hangs a wall-clock delta's code under its phases (stacks of old recordings carry no
    /// phase tags, and then the run has no code by phase).
    fn add_phase_code(&mut self, wall: &FoldedStacks) {
        self.phase_tagged |= wall
            .iter()
            .any(|(stack, _)| phase_of_stack(stack).is_some());
        self.phase_code_tree.add(&wall.code_by_phase());
    }

    /// The workers' wall time in the profile so far (nanoseconds).
    pub fn wall_total(&self) -> u64 {
        self.wall_tree.total()
    }

    /// Replaces the stacks (a test or a caller that builds a run by hand).
    pub fn set_stacks(&mut self, stacks: FoldedStacks) {
        self.cpu_tree = GrowingTree::from_stacks(&stacks);
        self.stacks = stacks;
    }

    /// Replaces the wall-clock profile (a test or a caller that builds a run by hand).
    pub fn set_wall(&mut self, wall: FoldedStacks) {
        self.wall_tree = GrowingTree::from_stacks(&wall);
        self.phase_code_tree = GrowingTree::default();
        self.add_phase_code(&wall);
        self.off_cpu_tree = GrowingTree::from_stacks(&off_cpu(&wall));
        self.wall = wall;
    }

    /// Makes `tree` the run's profile without keeping folded stacks (an opened folded file).
    pub fn set_tree(&mut self, tree: FrameTree) {
        self.samples = tree.total();
        self.stacks = FoldedStacks::new();
        self.cpu_tree = GrowingTree::from_tree(tree);
    }

    pub fn elapsed(&self) -> f64 {
        self.report
            .as_ref()
            .map_or(self.last_tick.elapsed_s, |r| r.wall_s)
    }

    pub fn items_per_s(&self) -> f64 {
        match &self.report {
            Some(r) => r.items_per_s,
            None if self.last_tick.elapsed_s > 0.0 => {
                self.last_tick.items as f64 / self.last_tick.elapsed_s
            }
            None => 0.0,
        }
    }

    /// Average busy cores (from the report when done, else the latest interval).
    pub fn busy_cores(&self) -> f64 {
        self.report.as_ref().map_or(self.busy_now, |r| r.busy_cores)
    }

    /// Samples per CPU-second actually taken.
    pub fn effective_hz(&self) -> f64 {
        let cpu: f64 = self.lanes.iter().map(|l| l.last.cpu_s).sum();
        match &self.report {
            Some(r) => r.sample_hz_effective,
            None if cpu > 0.0 => self.samples as f64 / cpu,
            None => 0.0,
        }
    }

    /// Share of the workers' wall time that the CPU samples explain (0..=1).
    pub fn coverage(&self) -> f64 {
        if let Some(r) = &self.report {
            return r.cpu_sample_coverage;
        }
        let wall: f64 = self.lanes.iter().map(|l| l.last.wall_s).sum();
        if wall <= 0.0 {
            return 0.0;
        }
        (self.samples as f64 / f64::from(self.hz.max(1)) / wall).min(1.0)
    }

    pub fn verdict(&self) -> &str {
        self.report.as_ref().map_or("", |r| r.verdict_word())
    }

    pub fn is_live(&self) -> bool {
        self.status == RunStatus::Running
    }
}
