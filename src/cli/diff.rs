//! compare's differential flamegraph: the first two modes' profiles, lined up at the units of
//! work and summed over the repeats while they run, normalized, and written as differential
//! folded text and SVG.

use super::exports::StackArgs;
use super::CliError;
use boundscope::flame::{
    diff_folded_text, write_diff_svg_file, EngineFold, FoldedStacks, Normalize, ProfileSum,
    SvgOptions, Weight,
};
use boundscope::session::RunOutcome;
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

/// The options of compare's differential flamegraph.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Differential flamegraph (second mode against the first)")]
pub struct DiffArgs {
    /// Write the differential flamegraph of the second mode against the first as SVG.
    #[arg(long, value_name = "FILE.svg")]
    pub diff: Option<PathBuf>,
    /// Write it as differential folded stacks: `stack BEFORE AFTER` lines (nanoseconds for
    /// wall, samples for cpu), every stack under one `workers` root.
    #[arg(long, value_name = "FILE")]
    pub diff_folded: Option<PathBuf>,
    /// total: worker time summed over the workers (shows what concurrency added: gil,
    /// db-lock, run queue); elapsed: worker time ÷ workers (elapsed-equivalent).
    #[arg(long, value_enum, default_value_t = NormalizeArg::Total, value_name = "HOW")]
    pub diff_normalize: NormalizeArg,
    /// phases: the job's phases by cause (the same names in every mode, so the modes line
    /// up); wall: the wall-clock profile on code (CPU and off-CPU time); cpu: the CPU
    /// samples. A view a run lacks falls back to wall, then cpu.
    #[arg(long, value_enum, default_value_t = ViewArg::Phases, value_name = "VIEW")]
    pub diff_view: ViewArg,
    #[command(flatten)]
    pub stacks: StackArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NormalizeArg {
    Total,
    Elapsed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ViewArg {
    Phases,
    Wall,
    Cpu,
}

impl DiffArgs {
    fn wanted(&self) -> bool {
        self.diff.is_some() || self.diff_folded.is_some()
    }

    /// Refuses, before any run, a diff of fewer than two modes (compare claims its files).
    pub fn check(&self, modes: usize) -> Result<(), CliError> {
        if self.wanted() && modes < 2 {
            return Err(CliError::Usage(
                "--diff and --diff-folded compare the first two modes: give at least two".into(),
            ));
        }
        Ok(())
    }

    fn normalize(&self) -> Normalize {
        match self.diff_normalize {
            NormalizeArg::Total => Normalize::Total,
            NormalizeArg::Elapsed => Normalize::Elapsed,
        }
    }
}

/// The two modes' summed profiles, gathered run by run (nothing when no diff was asked for).
#[derive(Debug, Default)]
pub struct DiffCollector {
    wanted: bool,
    view: Option<ViewArg>,
    stacks: StackArgs,
    cpu: [ProfileSum; 2],
    wall: [ProfileSum; 2],
    phases: [ProfileSum; 2],
    /// Some run of the two modes had no wall profile, or no phases.
    wall_missing: bool,
    phases_missing: bool,
}

impl DiffCollector {
    pub fn new(args: &DiffArgs) -> DiffCollector {
        DiffCollector {
            wanted: args.wanted(),
            view: Some(args.diff_view),
            stacks: args.stacks,
            ..DiffCollector::default()
        }
    }

    /// Adds the profiles of a timed run of variant `index` (only the first two are kept).
    pub fn add(&mut self, index: usize, outcome: &RunOutcome) {
        if !self.wanted || index > 1 {
            return;
        }
        // The modes' engines differ: without their frames the stacks line up at the workload.
        self.cpu[index].add(&self.stacks.apply(&outcome.stacks, EngineFold::Drop));
        if self.view != Some(ViewArg::Cpu) {
            self.wall_missing |= outcome.wall.is_empty();
            self.wall[index].add(&self.stacks.apply(&outcome.wall, EngineFold::Drop));
        }
        if self.view == Some(ViewArg::Phases) {
            // Phases need no lining up: they name the job's steps, not the mode's code.
            self.phases_missing |= outcome.phases.is_empty();
            self.phases[index].add(&outcome.phases);
        }
    }

    /// The view compared: the one asked for when every run had it, else wall, else cpu.
    fn shown(&self) -> ViewArg {
        match self.view.unwrap_or(ViewArg::Cpu) {
            ViewArg::Phases if !self.phases_missing => ViewArg::Phases,
            ViewArg::Phases | ViewArg::Wall if !self.wall_missing => ViewArg::Wall,
            _ => ViewArg::Cpu,
        }
    }

    /// The profiles to compare and their unit.
    fn profiles(&self, how: Normalize) -> ([FoldedStacks; 2], Weight) {
        let (sums, weight) = match self.shown() {
            ViewArg::Phases => (&self.phases, Weight::Nanoseconds),
            ViewArg::Wall => (&self.wall, Weight::Nanoseconds),
            ViewArg::Cpu => (&self.cpu, Weight::Samples),
        };
        ([sums[0].normalized(how), sums[1].normalized(how)], weight)
    }

    /// Writes the requested files; returns the `wrote …` lines. `modes` are the first two
    /// modes' names, `workload` the workload's.
    pub fn write(
        &self,
        args: &DiffArgs,
        workload: &str,
        modes: [&str; 2],
    ) -> Result<Vec<String>, CliError> {
        if !self.wanted {
            return Ok(Vec::new());
        }
        let (asked, shown) = (self.view.unwrap_or(ViewArg::Cpu), self.shown());
        if asked != shown {
            eprintln!(
                "note: a run of {} or {} has no {} profile; the differential flamegraph \
                 uses {} instead",
                modes[0],
                modes[1],
                view_name(asked),
                view_name(shown)
            );
        }
        let how = args.normalize();
        let ([before, after], weight) = self.profiles(how);
        let mut written = Vec::new();
        if let Some(path) = &args.diff_folded {
            super::rounds::write_file(path, diff_folded_text(&before, &after))?;
            written.push(wrote("differential folded stacks", path));
        }
        if let Some(path) = &args.diff {
            let view = match self.shown() {
                ViewArg::Phases => "the job's phases, wall-clock time",
                ViewArg::Wall => "wall-clock time",
                ViewArg::Cpu => "CPU samples",
            };
            let options = SvgOptions {
                title: format!("{workload}: {} against {}", modes[1], modes[0]),
                subtitle: Some(format!(
                    "{view}, {} per run; widths are {}'s, red grew, blue shrank \
                     (frames only in {} are not drawn)",
                    how.describe(),
                    modes[1],
                    modes[0]
                )),
                ..SvgOptions::default()
            };
            write_diff_svg_file(&before, &after, weight, &options, path)
                .map_err(super::exports::svg_error(path))?;
            written.push(wrote("differential flamegraph", path));
        }
        Ok(written)
    }
}

fn view_name(view: ViewArg) -> &'static str {
    match view {
        ViewArg::Phases => "phase",
        ViewArg::Wall => "wall-clock",
        ViewArg::Cpu => "CPU sample",
    }
}

fn wrote(what: &str, path: &Path) -> String {
    format!("  wrote     {what} → {}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;
    use boundscope::model::RunReport;

    fn outcome(stacks: &str, wall: &str) -> RunOutcome {
        let parse = |t: &str| FoldedStacks::parse(t).expect("folded");
        RunOutcome {
            report: RunReport::default(),
            stacks: parse(stacks),
            wall: parse(wall),
            phases: FoldedStacks::new(),
            records: Vec::new(),
            code: Default::default(),
        }
    }

    fn args(view: ViewArg) -> DiffArgs {
        DiffArgs {
            diff: None,
            diff_folded: Some(PathBuf::from("d.folded")),
            diff_normalize: NormalizeArg::Total,
            diff_view: view,
            stacks: StackArgs::default(),
        }
    }

    #[test]
    fn wall_is_used_when_every_run_has_one_else_cpu() {
        let mut c = DiffCollector::new(&args(ViewArg::Wall));
        c.add(0, &outcome("bs-seq-0;parse 4\n", "bs-seq-0;parse 40\n"));
        c.add(
            1,
            &outcome("bs-threads-0;parse 6\n", "bs-threads-0;parse 60\n"),
        );
        c.add(2, &outcome("bs-rayon-0;parse 1\n", "bs-rayon-0;parse 10\n"));
        let ([before, after], weight) = c.profiles(Normalize::Total);
        assert_eq!(weight, Weight::Nanoseconds);
        assert_eq!(
            (before.get("workers;parse"), after.get("workers;parse")),
            (40, 60)
        );
        c.add(1, &outcome("bs-threads-0;parse 2\n", ""));
        let ([before, after], weight) = c.profiles(Normalize::Total);
        assert_eq!(weight, Weight::Samples);
        assert_eq!(
            (before.get("workers;parse"), after.get("workers;parse")),
            (4, 4)
        );
        let cpu = DiffCollector::new(&args(ViewArg::Cpu));
        assert_eq!(cpu.shown(), ViewArg::Cpu);
    }

    #[test]
    fn phases_are_compared_by_default_and_fall_back_to_wall() {
        let phased = |phases: &str| RunOutcome {
            phases: FoldedStacks::parse(phases).expect("folded"),
            ..outcome("bs-seq-0;f 1\n", "bs-seq-0;f 10\n")
        };
        let mut c = DiffCollector::new(&args(ViewArg::Phases));
        c.add(0, &phased("bs-seq-0;answer;[net wait] 5\n"));
        c.add(
            1,
            &phased("bs-tokio-0;answer;[net wait] 3\nbs-tokio-1;answer;[net wait] 4\n"),
        );
        let ([before, after], weight) = c.profiles(Normalize::Total);
        assert_eq!(weight, Weight::Nanoseconds);
        assert_eq!(before.get("workers;answer;[net wait]"), 5);
        assert_eq!(after.get("workers;answer;[net wait]"), 7);
        c.add(1, &phased(""));
        assert_eq!(c.shown(), ViewArg::Wall);
    }

    #[test]
    fn the_modes_line_up_at_the_workload_unless_full_stacks_are_asked_for() {
        const UNIT: &str =
            "<boundscope::workload::json::JsonParse as boundscope::workload::Workload>::run_unit";
        let seq = format!("bs-seq-0;seq::{{{{closure}}}};worker_loop;{UNIT};parse 40\n");
        let threads = format!(
            "bs-threads-1;threads::{{{{closure}}}};worker_loop;catch_unwind;{UNIT};parse 60\n"
        );
        let compared = |full_stacks: bool| {
            let mut c = DiffCollector::new(&DiffArgs {
                stacks: StackArgs { full_stacks },
                ..args(ViewArg::Wall)
            });
            c.add(0, &outcome("", &seq));
            c.add(1, &outcome("", &threads));
            c.profiles(Normalize::Total).0
        };
        let [before, after] = compared(false);
        let lined_up = format!("workers;{UNIT};parse");
        assert_eq!((before.get(&lined_up), after.get(&lined_up)), (40, 60));
        let [before, after] = compared(true);
        assert_eq!((before.get(&lined_up), after.get(&lined_up)), (0, 0));
        assert_eq!((before.total(), after.total()), (40, 60));
        assert!(after.iter().all(|(s, _)| s.contains("catch_unwind")));
    }

    /// (Its files are claimed by compare with its other exports: tests/compare.rs.)
    #[test]
    fn a_diff_needs_two_modes() {
        let a = args(ViewArg::Wall);
        assert!(matches!(a.check(1), Err(CliError::Usage(_))));
        assert!(a.check(2).is_ok());
    }
}
