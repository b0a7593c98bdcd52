//! The files a run can write: flamegraph SVG, folded stacks, JSON report, event stream.

use super::CliError;
use boundscope::events::{EventFailure, EventSink};
use boundscope::exec::EngineFrames;
use boundscope::flame::code::CodeMap;
use boundscope::flame::speedscope::{encode_speedscope, SpeedscopeInput, Unit};
use boundscope::flame::{
    encode_pprof_profile, write_svg_file, EngineFold, FlameError, FoldedStacks, PprofInput,
    SvgOptions, Weight,
};
use boundscope::model::RunReport;
use boundscope::outfile::{self, Claims, OutfileError};
use boundscope::session::{RunOutcome, RunSpec};
use boundscope::workload::WorkloadSpec;
use clap::Args;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Which profile `--svg` and `--folded` hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProfileView {
    /// CPU samples (counts): where the workers ran.
    Cpu,
    /// Wall time (nanoseconds): where the workers ran and where they waited, with leaves such
    /// as `[net wait]`, `[gil wait]`, `[idle]`, `[run queue]`.
    Wall,
    /// Wall time (nanoseconds) on the job's own phases (`request`, `parse`, `insert`…), each
    /// ending in its cause: `[cpu]`, `[run queue]`, `[net wait]`, `[idle]`…
    Phases,
}

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Exports")]
pub struct ExportArgs {
    /// Write the flamegraph (of --view) as an SVG (open it in a browser).
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Write the profile (of --view) in folded format (`thread;caller;callee weight`).
    #[arg(long, value_name = "FILE")]
    pub folded: Option<PathBuf>,
    /// What --svg and --folded hold (and the profile --speedscope opens on): CPU samples,
    /// every worker's wall time on code, or on the job's phases (nanoseconds).
    #[arg(long, value_enum, default_value_t = ProfileView::Cpu)]
    pub view: ProfileView,
    /// Write the profile as pprof protobuf (gzipped; `go tool pprof`, speedscope): sample
    /// types samples, cpu and wall (ns; `-sample_index=wall`), labels thread, phase
    /// (`-tagfocus=phase=parse`) and wait (`-tagfocus=wait=net`).
    #[arg(long, value_name = "FILE")]
    pub pprof: Option<PathBuf>,
    /// Write the profile as speedscope JSON (speedscope.app): per worker thread, a profile of
    /// CPU samples (`NAME (cpu)`) and, when recorded, its wall time in ns (`NAME (wall)`) and
    /// its phases (`NAME (phases)`); the one of --view comes first.
    #[arg(long, value_name = "FILE")]
    pub speedscope: Option<PathBuf>,
    /// Write the run's report as JSON (to a file; `-` is refused, the summary owns stdout).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write the live event stream (NDJSON) to FILE, or to stdout with `-`; gzip-compressed
    /// when FILE ends in `.gz` (`open` reads both).
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    #[command(flatten)]
    pub stacks: StackArgs,
}

/// How much of each stack the exported profiles keep (run's exports, compare's diff).
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct StackArgs {
    /// Keep every frame of the stacks. Without it, the engine's frames between a worker's
    /// thread and the workload's first frame fold into one frame naming the engine
    /// (`[threads engine]`, `[rayon pool]`, `[tokio runtime]`); in a diff they go.
    #[arg(long)]
    pub full_stacks: bool,
}

impl StackArgs {
    /// `stacks` with the engine's frames folded as `fold` says, or all of them kept.
    pub fn apply(self, stacks: &FoldedStacks, fold: EngineFold) -> FoldedStacks {
        let fold = if self.full_stacks {
            EngineFold::Keep
        } else {
            fold
        };
        stacks.fold_engines(&EngineFrames, fold)
    }
}

impl ExportArgs {
    /// Whether any export was asked for.
    pub fn any(&self) -> bool {
        self.svg.is_some()
            || self.folded.is_some()
            || self.pprof.is_some()
            || self.speedscope.is_some()
            || self.report.is_some()
            || self.events.is_some()
    }

    /// The exports of a request from the terminal UI, with the events on stdout.
    pub fn streaming(request: &boundscope::session::RunExports) -> ExportArgs {
        ExportArgs {
            svg: request.svg.clone(),
            folded: request.folded.clone(),
            view: if request.wall_view {
                ProfileView::Wall
            } else {
                ProfileView::Cpu
            },
            pprof: request.pprof.clone(),
            speedscope: request.speedscope.clone(),
            report: request.report.clone(),
            events: Some(PathBuf::from("-")),
            stacks: StackArgs::default(),
        }
    }

    /// The exports as a run in the terminal UI writes them (all but the event stream, which
    /// the UI reads).
    pub fn for_request(&self) -> Result<boundscope::session::RunExports, CliError> {
        if self.view == ProfileView::Phases {
            return Err(CliError::Usage(
                "--view phases is not kept by a run on the live screen: add --headless".into(),
            ));
        }
        Ok(boundscope::session::RunExports {
            svg: self.svg.clone(),
            folded: self.folded.clone(),
            wall_view: self.view == ProfileView::Wall,
            pprof: self.pprof.clone(),
            speedscope: self.speedscope.clone(),
            report: self.report.clone(),
        })
    }

    pub fn events_to_stdout(&self) -> bool {
        self.events.as_deref() == Some(Path::new("-"))
    }
}

pub struct Exports {
    args: ExportArgs,
    sink: Option<EventSink>,
    events_failure: Option<EventFailure>,
    written: Vec<String>,
}

/// An output that may not be written is bad usage; one that failed to write is a failure.
pub(super) fn outfile_error(e: OutfileError) -> CliError {
    if e.is_usage() {
        CliError::Usage(e.to_string())
    } else {
        CliError::Failed(e.to_string())
    }
}

/// The error of an SVG export to `path`: its file's, or the rendering's.
pub(super) fn svg_error(path: &Path) -> impl Fn(FlameError) -> CliError + '_ {
    move |e| match e {
        FlameError::Output(e) => outfile_error(e),
        e => CliError::Failed(format!("cannot write {}: {e}", path.display())),
    }
}

/// Claims each output of a command on top of `claims` (its inputs), before any work: an
/// output that is an input, the database, another output, a directory or in a missing
/// directory is refused (see `outfile::Claims`).
pub(super) fn claim_outputs<'a>(
    claims: &mut Claims,
    outputs: impl IntoIterator<Item = (&'a str, &'a Option<PathBuf>)>,
) -> Result<(), CliError> {
    for (flag, path) in outputs {
        if let Some(path) = path {
            claims.output(flag, path).map_err(outfile_error)?;
        }
    }
    Ok(())
}

/// The claims of a command that runs `workload`: its inputs and database.
pub(super) fn workload_claims(workload: &WorkloadSpec) -> Claims {
    let mut claims = Claims::new();
    workload.claim_files(&mut claims);
    claims
}

/// Where `--events` goes: nowhere, stdout (`-`), or a file recording. A recording is written
/// in place, not renamed at the end: it is read while it grows (followed live, or by a script
/// waiting for a tick), and a killed run keeps what it recorded. `output_in_place` refuses
/// what writing in place would destroy (a symlink, a hard link to an input).
fn event_sink(
    events: Option<&Path>,
    claims: &mut Claims,
) -> Result<(EventSink, Option<EventFailure>), CliError> {
    match events {
        None => Ok((EventSink::none(), None)),
        Some(p) if p.as_os_str() == "-" => {
            Ok((EventSink::to_writer(Box::new(std::io::stdout())), None))
        }
        Some(p) => {
            claims
                .output_in_place("--events", p)
                .map_err(outfile_error)?;
            let file = outfile::create_in_place("--events", p).map_err(outfile_error)?;
            let out: Box<dyn std::io::Write + Send> = match p.extension() {
                // Each event is flushed (a sync flush: a killed run's file still reads up to
                // its last event); repeated frame names compress across events.
                Some(ext) if ext == "gz" => Box::new(flate2::write::GzEncoder::new(
                    BufWriter::new(file),
                    flate2::Compression::default(),
                )),
                _ => Box::new(BufWriter::new(file)),
            };
            let (sink, failure) = EventSink::to_file(out);
            Ok((sink, Some(failure)))
        }
    }
}

/// The run as pprof sees it. The run's start is not recorded, so it is taken as the run's
/// wall time before now (exports are written as the run ends).
fn pprof_input<'a>(
    spec: &RunSpec,
    outcome: &RunOutcome,
    profiles: &'a Profiles,
    code: &'a CodeMap,
) -> PprofInput<'a> {
    let duration = Duration::try_from_secs_f64(outcome.report.wall_s).unwrap_or_default();
    let now = SystemTime::now();
    PprofInput {
        cpu: &profiles.cpu,
        wall: &profiles.wall,
        hz: spec.hz,
        start: now.checked_sub(duration).unwrap_or(now),
        duration,
        code: Some(code),
    }
}

/// The run's profiles as the exports hold them: the engine's frames folded, unless
/// `--full-stacks`.
struct Profiles {
    cpu: FoldedStacks,
    wall: FoldedStacks,
}

impl Profiles {
    fn of(outcome: &RunOutcome, stacks: StackArgs) -> Profiles {
        Profiles {
            cpu: stacks.apply(&outcome.stacks, EngineFold::Fold),
            wall: stacks.apply(&outcome.wall, EngineFold::Fold),
        }
    }
}

/// The run's CPU samples, its wall-time profile and its phases (the last two when recorded),
/// as speedscope profiles; the one `--view` names comes first, so speedscope opens on it.
fn speedscope_inputs<'a>(
    profiles: &'a Profiles,
    phases: &'a FoldedStacks,
    view: ProfileView,
) -> Vec<SpeedscopeInput<'a>> {
    let all = [
        (ProfileView::Cpu, &profiles.cpu, Unit::None, "cpu"),
        (ProfileView::Wall, &profiles.wall, Unit::Nanoseconds, "wall"),
        (ProfileView::Phases, phases, Unit::Nanoseconds, "phases"),
    ];
    let (first, rest): (Vec<_>, Vec<_>) = all.into_iter().partition(|(v, ..)| *v == view);
    first
        .into_iter()
        .chain(rest)
        .filter(|(v, stacks, ..)| *v == ProfileView::Cpu || !stacks.is_empty())
        .map(|(_, stacks, unit, suffix)| SpeedscopeInput {
            stacks,
            unit,
            suffix: Some(suffix),
        })
        .collect()
}

impl Exports {
    /// Refuses, before the run, an export that would destroy something (see `Claims`), and
    /// opens the event stream now (it is written during the run); the rest come after.
    pub fn open(args: &ExportArgs, workload: &WorkloadSpec) -> Result<Exports, CliError> {
        let files = [
            ("--svg", &args.svg),
            ("--folded", &args.folded),
            ("--pprof", &args.pprof),
            ("--speedscope", &args.speedscope),
            ("--report", &args.report),
        ];
        if let Some((flag, _)) = files
            .iter()
            .find(|(_, p)| p.as_deref() == Some(Path::new("-")))
        {
            return Err(CliError::Usage(format!(
                "{flag} - is not accepted: give a file name (only --events writes to stdout with `-`)"
            )));
        }
        let mut claims = workload_claims(workload);
        claim_outputs(&mut claims, files)?;
        let (sink, events_failure) = event_sink(args.events.as_deref(), &mut claims)?;
        Ok(Exports {
            args: args.clone(),
            sink: Some(sink),
            events_failure,
            written: Vec::new(),
        })
    }

    pub fn take_event_sink(&mut self) -> EventSink {
        self.sink.take().unwrap_or_else(EventSink::none)
    }

    pub fn write(&mut self, spec: &RunSpec, outcome: &RunOutcome) -> Result<(), CliError> {
        let profiles = Profiles::of(outcome, self.args.stacks);
        let view = match self.args.view {
            ProfileView::Cpu => &profiles.cpu,
            ProfileView::Wall => &profiles.wall,
            // Phases have no engine frames to fold.
            ProfileView::Phases => &outcome.phases,
        };
        if let Some(path) = self.args.svg.clone() {
            let options = SvgOptions {
                title: spec.title(),
                subtitle: Some(svg_subtitle(self.args.view, &outcome.report)),
                weight: match self.args.view {
                    ProfileView::Cpu => Weight::Samples,
                    ProfileView::Wall | ProfileView::Phases => Weight::Nanoseconds,
                },
                ..SvgOptions::default()
            };
            write_svg_file(view, &options, &path).map_err(svg_error(&path))?;
            self.note("flamegraph", &path);
        }
        if let Some(path) = self.args.folded.clone() {
            outfile::write(&path, view.to_text()).map_err(outfile_error)?;
            self.note("folded stacks", &path);
        }
        if let Some(path) = self.args.pprof.clone() {
            // Only pprof shows source lines: read them now, for the frames it holds.
            let mut code = outcome.code.clone();
            boundscope::profile::fill_lines(&mut code);
            let bytes = encode_pprof_profile(&pprof_input(spec, outcome, &profiles, &code))
                .map_err(|e| CliError::Failed(format!("cannot encode the profile: {e}")))?;
            outfile::write(&path, bytes).map_err(outfile_error)?;
            self.note("pprof profile", &path);
        }
        if let Some(path) = self.args.speedscope.clone() {
            let json = encode_speedscope(
                &speedscope_inputs(&profiles, &outcome.phases, self.args.view),
                &spec.title(),
            )
            .map_err(|e| CliError::Failed(format!("cannot encode the profile: {e}")))?;
            outfile::write(&path, json).map_err(outfile_error)?;
            self.note("speedscope profile", &path);
        }
        self.write_report(&outcome.report)?;
        if let Some(path) = self.args.events.clone().filter(|p| p.as_os_str() != "-") {
            self.events_written(&path)?;
            self.note("events", &path);
        }
        Ok(())
    }

    /// Writes `report` to `--report`'s file, if one was given.
    pub fn write_report(&mut self, report: &RunReport) -> Result<(), CliError> {
        let Some(path) = self.args.report.clone() else {
            return Ok(());
        };
        let json =
            serde_json::to_string_pretty(report).map_err(|e| CliError::Failed(e.to_string()))?;
        outfile::write(&path, json + "\n").map_err(outfile_error)?;
        self.note("report", &path);
        Ok(())
    }

    /// The event stream was written during the run; its first write error ends the run now.
    fn events_written(&self, path: &Path) -> Result<(), CliError> {
        let Some(failure) = &self.events_failure else {
            return Ok(());
        };
        let slot = failure.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            None => Ok(()),
            Some(e) => Err(CliError::Failed(format!(
                "cannot write the event stream to {}: {e}",
                path.display()
            ))),
        }
    }

    fn note(&mut self, what: &str, path: &Path) {
        self.written
            .push(format!("  wrote     {what} → {}", path.display()));
    }

    pub fn written_lines(&self) -> String {
        self.written.iter().map(|l| format!("{l}\n")).collect()
    }
}

/// What the SVG shows, in one line under its title.
fn svg_subtitle(view: ProfileView, r: &RunReport) -> String {
    match view {
        ProfileView::Cpu => format!(
            "{} CPU samples at {} Hz; they cover {:.0}% of worker wall time (the rest: waits, or runnable without a free core)",
            r.samples,
            r.sample_hz,
            r.cpu_sample_coverage * 100.0
        ),
        ProfileView::Wall => {
            let worker_s: f64 = r.worker_stats.iter().map(|w| w.wall_s).sum();
            format!(
                "wall time: {worker_s:.2} worker-seconds, on CPU and off it ([net wait], [gil wait], [idle], [run queue] …); widths in µs"
            )
        }
        ProfileView::Phases => {
            let worker_s: f64 = r.worker_stats.iter().map(|w| w.wall_s).sum();
            format!(
                "the job's phases: {worker_s:.2} worker-seconds by phase and cause ([cpu], [net wait], [run queue], [idle] …); width in nanoseconds"
            )
        }
    }
}
