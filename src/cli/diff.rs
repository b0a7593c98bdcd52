//! compare's differential flamegraph: the first two modes' profiles, lined up at the units of
//! work and summed over the repeats while they run, normalized, and written as differential
//! folded text and SVG.

use super::CliError;
use boundscope::exec::is_unit_frame;
use boundscope::flame::{
    align_units, diff_folded_text, write_diff_svg_file, FoldedStacks, Normalize, ProfileSum,
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
    /// wall: the wall-clock profile (CPU and off-CPU time; cpu when a run has none); cpu:
    /// the CPU samples.
    #[arg(long, value_enum, default_value_t = ViewArg::Wall, value_name = "VIEW")]
    pub diff_view: ViewArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NormalizeArg {
    Total,
    Elapsed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ViewArg {
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
    keep_wall: bool,
    cpu: [ProfileSum; 2],
    wall: [ProfileSum; 2],
    /// Some run of the two modes had no wall profile.
    wall_missing: bool,
}

impl DiffCollector {
    pub fn new(args: &DiffArgs) -> DiffCollector {
        DiffCollector {
            wanted: args.wanted(),
            keep_wall: args.diff_view == ViewArg::Wall,
            ..DiffCollector::default()
        }
    }

    /// Adds the profiles of a timed run of variant `index` (only the first two are kept).
    pub fn add(&mut self, index: usize, outcome: &RunOutcome) {
        if !self.wanted || index > 1 {
            return;
        }
        self.cpu[index].add(&align_units(&outcome.stacks, is_unit_frame));
        if self.keep_wall {
            self.wall_missing |= outcome.wall.is_empty();
            self.wall[index].add(&align_units(&outcome.wall, is_unit_frame));
        }
    }

    /// The profiles to compare and their unit: wall if asked for and every run had one.
    fn profiles(&self, how: Normalize) -> ([FoldedStacks; 2], Weight) {
        let (sums, weight) = if self.keep_wall && !self.wall_missing {
            (&self.wall, Weight::Nanoseconds)
        } else {
            (&self.cpu, Weight::Samples)
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
        if self.keep_wall && self.wall_missing {
            eprintln!(
                "note: a run of {} or {} has no wall-clock profile; the differential \
                 flamegraph uses the CPU samples instead",
                modes[0], modes[1]
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
            let view = match weight {
                Weight::Nanoseconds => "wall-clock time",
                Weight::Samples => "CPU samples",
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
        assert!(!cpu.keep_wall);
    }

    /// (Its files are claimed by compare with its other exports: tests/compare.rs.)
    #[test]
    fn a_diff_needs_two_modes() {
        let a = args(ViewArg::Wall);
        assert!(matches!(a.check(1), Err(CliError::Usage(_))));
        assert!(a.check(2).is_ok());
    }
}
