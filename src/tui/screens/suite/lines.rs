//! A suite: the lines of a scenario or of a sweep, run one after another from the UI, which
//! line is next, what became of each, and the scenario's expectations checked with the
//! library's [`Expect::check`]. Plain state, no terminal.

use crate::model::Mode;
use crate::model::RunReport;
use crate::report::sweep::{self, SweepPoint};
use crate::scenario::{Check, Expect, Scenario, ScenarioError};
use crate::tui::state::{Run, RunStatus};
use std::collections::BTreeMap;

/// What a sweep is made of (the setup form's run): its workload, mode and `--gil`, and the
/// run's words at any worker count.
pub trait SweepSource {
    fn workload_name(&self) -> &str;
    fn mode(&self) -> Mode;
    fn gil(&self) -> bool;
    /// The PostgreSQL server the form names, which a scenario's database lines use.
    fn pg(&self) -> Option<&str>;
    /// The child's words (`run WORKLOAD … --events - --quiet`) at `workers` workers.
    fn child_args(&self, workers: usize) -> Vec<String>;
}

/// The most lines a sweep takes (each is a whole run).
pub const MAX_COUNTS: usize = 12;
/// The most workers one sweep line asks for.
pub const MAX_WORKERS: usize = 256;

/// Why a suite could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    #[error("worker counts {text:?}: {why} (give counts like 1,2,4,8)")]
    Counts { text: String, why: String },
    #[error(
        "sequential mode has one worker, so there is nothing to sweep: choose threads, rayon, \
         async or processes in the setup form"
    )]
    Sequential,
    #[error(transparent)]
    Read(#[from] crate::toml_input::ReadError),
    #[error("{name}: {source}")]
    Scenario {
        name: String,
        #[source]
        source: ScenarioError,
    },
    #[error("no scenario file {0:?} (type a path to a .toml file)")]
    NoFile(String),
    #[error("{0} needs a PostgreSQL server: start boundscope with {env} set", env = crate::db::target::SERVER_ENV)]
    NeedsPostgres(String),
}

/// Where a line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineState {
    Waiting,
    Running,
    Done,
    /// Stopped by the user: a partial report, and the suite starts no more lines.
    Stopped,
    /// The child failed; the message says why. The suite goes on with the next line.
    Failed(String),
}

/// One line: its label, the child's arguments, and the run it became.
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteLine {
    pub label: String,
    pub args: Vec<String>,
    /// Index into the app's runs, once started.
    pub run: Option<usize>,
    pub state: LineState,
}

/// What the suite is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuiteKind {
    Scenario,
    Sweep,
}

/// A scenario or sweep being run, or run, from the UI.
#[derive(Debug, Clone)]
pub struct Suite {
    pub kind: SuiteKind,
    pub title: String,
    pub lesson: String,
    /// Where the lines come from and at which sizes.
    pub source: String,
    pub sizes: String,
    pub lines: Vec<SuiteLine>,
    pub expects: Vec<Expect>,
    /// The scenario's runs do the same work, so their checksums must agree.
    pub same_result: bool,
    /// No more lines start (the user stopped a line).
    pub stopping: bool,
    /// The highlighted line of the table.
    pub cursor: usize,
    /// Cores of the machine, for the sweep's reading.
    pub cores: usize,
}

/// An expectation as the suite shows it: the library's check, and whether its lines have
/// all been measured yet.
#[derive(Debug, Clone)]
pub struct SuiteCheck {
    pub check: Check,
    pub measured: bool,
}

/// The child's arguments for `boundscope run <words>`, streaming its events.
fn run_args(words: impl IntoIterator<Item = String>) -> Vec<String> {
    std::iter::once("run".to_string())
        .chain(words)
        .chain(["--events", "-", "--quiet"].map(String::from))
        .collect()
}

impl Suite {
    /// The lines of `scenario` (quick or full sizes); `pg` is the server for scenarios that
    /// need one.
    pub fn scenario(
        scenario: &Scenario,
        source: &str,
        quick: bool,
        pg: Option<&str>,
    ) -> Result<Suite, SuiteError> {
        let mut scenario = scenario.clone();
        if scenario.postgres {
            let url = pg.ok_or_else(|| SuiteError::NeedsPostgres(source.to_string()))?;
            scenario.common = format!("{} --db {url}", scenario.common);
        }
        let lines = (0..scenario.runs.len())
            .map(|i| SuiteLine {
                label: scenario.runs[i].label.clone(),
                args: run_args(scenario.argv(i, quick)),
                run: None,
                state: LineState::Waiting,
            })
            .collect();
        let sizes = match (quick, scenario.quick.trim()) {
            (true, "") => "quick sizes (the scenario has no quick arguments)".to_string(),
            (true, q) => format!("quick sizes ({q})"),
            (false, _) => "full sizes (as the scenario file says)".to_string(),
        };
        Ok(Suite {
            kind: SuiteKind::Scenario,
            title: scenario.title.clone(),
            lesson: scenario.lesson(),
            source: source.to_string(),
            sizes,
            lines,
            expects: scenario.expects.clone(),
            same_result: scenario.same_result,
            stopping: false,
            cursor: 0,
            cores: crate::events::available_cores(),
        })
    }

    /// The setup form's workload and mode at each worker count in `counts`.
    pub fn sweep(form: &dyn SweepSource, counts: &[usize]) -> Result<Suite, SuiteError> {
        if form.mode() == Mode::Sequential {
            return Err(SuiteError::Sequential);
        }
        let mode = form.mode().as_str();
        let lines = counts
            .iter()
            .map(|&n| {
                let mut args = form.child_args(n);
                args.truncate(args.len().saturating_sub(3));
                SuiteLine {
                    label: format!("{mode} ×{n}"),
                    args: run_args(args.into_iter().skip(1)),
                    run: None,
                    state: LineState::Waiting,
                }
            })
            .collect();
        let gil = if form.gil() { " --gil" } else { "" };
        let list: Vec<String> = counts.iter().map(ToString::to_string).collect();
        Ok(Suite {
            kind: SuiteKind::Sweep,
            title: format!(
                "sweep · {} {mode}{gil} over {} workers",
                form.workload_name(),
                list.join(",")
            ),
            lesson: String::new(),
            source: String::new(),
            sizes: "sizes from the setup form".into(),
            lines,
            expects: Vec::new(),
            same_result: true,
            stopping: false,
            cursor: 0,
            cores: crate::events::available_cores(),
        })
    }

    /// The next line to start, unless the suite is stopping or a line is still running.
    pub fn next_line(&self) -> Option<usize> {
        if self.stopping || self.running().is_some() {
            return None;
        }
        self.lines
            .iter()
            .position(|l| l.state == LineState::Waiting)
    }

    /// The line running now, if any.
    pub fn running(&self) -> Option<usize> {
        self.lines
            .iter()
            .position(|l| l.state == LineState::Running)
    }

    /// Line `line` was started as run `run`.
    pub fn started(&mut self, line: usize, run: usize) {
        if let Some(l) = self.lines.get_mut(line) {
            l.run = Some(run);
            l.state = LineState::Running;
        }
    }

    /// The running line of run `run`, if that is one.
    pub fn line_of(&self, run: usize) -> Option<usize> {
        self.running().filter(|&i| self.lines[i].run == Some(run))
    }

    /// Ends the running line with `state`; a stopped line stops the suite.
    pub fn finish(&mut self, line: usize, state: LineState) {
        self.stopping |= state == LineState::Stopped;
        if let Some(l) = self.lines.get_mut(line) {
            l.state = state;
        }
    }

    /// True once no line runs and none will start.
    pub fn is_over(&self) -> bool {
        self.running().is_none() && self.next_line().is_none()
    }

    /// (lines finished or running, lines in all).
    pub fn progress(&self) -> (usize, usize) {
        let begun = self
            .lines
            .iter()
            .filter(|l| l.state != LineState::Waiting)
            .count();
        (begun, self.lines.len())
    }

    /// The report of each line that finished with one (not stopped), by label.
    pub fn reports(&self, runs: &[Run]) -> BTreeMap<String, Vec<RunReport>> {
        self.lines
            .iter()
            .filter(|l| l.state == LineState::Done)
            .filter_map(|l| {
                let run = runs.get(l.run?)?;
                let report = run
                    .report
                    .as_ref()
                    .filter(|_| run.status == RunStatus::Done)?;
                Some((l.label.clone(), vec![report.clone()]))
            })
            .collect()
    }

    /// Each expectation, checked once all the lines it names have a report.
    pub fn checks(&self, runs: &[Run]) -> Vec<SuiteCheck> {
        let reports = self.reports(runs);
        self.expects
            .iter()
            .map(|e| SuiteCheck {
                check: e.check(&reports),
                measured: e.labels().iter().all(|l| reports.contains_key(*l)),
            })
            .collect()
    }

    /// The speedup of line `line` over the first: the first line's wall time over this one's.
    pub fn speedup(&self, runs: &[Run], line: usize) -> Option<f64> {
        let wall = |i: usize| {
            let l = self.lines.get(i)?;
            let report = runs.get(l.run?)?.report.as_ref()?;
            (l.state == LineState::Done && report.wall_s > 0.0).then_some(report.wall_s)
        };
        Some(wall(0)? / wall(line)?)
    }

    /// The sweep's curve read in a sentence once no line runs, over the lines with a report.
    pub fn sweep_reading(&self, runs: &[Run]) -> Option<String> {
        if self.kind != SuiteKind::Sweep || !self.is_over() {
            return None;
        }
        let reports = self.reports(runs);
        let mut workers = Vec::new();
        let mut series = Vec::new();
        for line in &self.lines {
            let (Some(run), Some(report)) =
                (line.run.and_then(|r| runs.get(r)), reports.get(&line.label))
            else {
                continue;
            };
            workers.push(run.workers);
            series.push(report.clone());
        }
        if series.is_empty() {
            return None;
        }
        let points: Vec<SweepPoint> = sweep::summarize(&workers, series);
        Some(sweep::reading(&points, self.cores))
    }

    /// Whether the finished lines' checksums agree (None until two lines have reports, or
    /// when the lines do different work).
    pub fn checksums_agree(&self, runs: &[Run]) -> Option<bool> {
        let reports = self.reports(runs);
        let sums: Vec<&str> = reports
            .values()
            .flatten()
            .map(|r| r.checksum.as_str())
            .collect();
        (self.same_result && sums.len() >= 2).then(|| sums.windows(2).all(|w| w[0] == w[1]))
    }
}

/// Worker counts typed as `1,2,4,8`.
pub fn parse_counts(text: &str) -> Result<Vec<usize>, SuiteError> {
    let bad = |why: String| SuiteError::Counts {
        text: text.to_string(),
        why,
    };
    let mut counts = Vec::new();
    for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        let n: usize = word
            .parse()
            .map_err(|_| bad(format!("{word:?} is not a whole number")))?;
        if n == 0 || n > MAX_WORKERS {
            return Err(bad(format!("{n} is not between 1 and {MAX_WORKERS}")));
        }
        counts.push(n);
    }
    match counts.len() {
        0 => Err(bad("no worker count".into())),
        n if n > MAX_COUNTS => Err(bad(format!("{n} counts, at most {MAX_COUNTS}"))),
        _ => Ok(counts),
    }
}

/// A placeholder run for a line until its start event names the real mode and workers.
pub fn line_run(number: usize, line: &SuiteLine) -> Run {
    let flag = |name: &str| {
        let at = line.args.iter().position(|a| a == name)?;
        line.args.get(at + 1).cloned()
    };
    let workload = line.args.get(1).cloned().unwrap_or_default();
    let mode = flag("--mode").unwrap_or_else(|| "threads".into());
    let workers = flag("--workers").and_then(|w| w.parse().ok()).unwrap_or(1);
    let gil = line.args.iter().any(|a| a == "--gil");
    let mut run = Run::new(number, &workload, &mode, workers, gil);
    run.line = Some(line.label.clone());
    run.label = format!("{}: {}", line.label, run.label);
    run
}
