//! Comparing two profiles across concurrency modes: worker roots merged into one `workers`
//! root, repeats summed and normalized (`total` or `elapsed`), and inferno's differential
//! folded format (`stack BEFORE AFTER`).

use std::fmt;
use std::str::FromStr;

use super::{FlameError, FoldedLineError, FoldedStacks};

/// The root every worker thread's stacks are merged into before diffing, so that
/// `bs-seq-0;parse` and `bs-threads-3;parse` are the same path.
pub const WORKERS_ROOT: &str = "workers";

/// How a profile is scaled before it is compared with another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Normalize {
    /// Worker time summed over all workers (the raw sums): what concurrency added in total,
    /// such as `[gil wait]`, `[db-lock wait]` or `[run queue]`.
    #[default]
    Total,
    /// Worker time divided by the number of workers: an elapsed-time equivalent.
    Elapsed,
}

impl Normalize {
    /// The name used on the command line and in titles.
    pub fn as_str(self) -> &'static str {
        match self {
            Normalize::Total => "total",
            Normalize::Elapsed => "elapsed",
        }
    }

    /// A few words on what the figures mean.
    pub fn describe(self) -> &'static str {
        match self {
            Normalize::Total => "total worker time",
            Normalize::Elapsed => "worker time ÷ workers (elapsed-equivalent)",
        }
    }
}

impl fmt::Display for Normalize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Normalize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "total" => Ok(Normalize::Total),
            "elapsed" => Ok(Normalize::Elapsed),
            other => Err(format!("{other:?} is not total or elapsed")),
        }
    }
}

/// What the counts of a profile are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Nanoseconds of wall-clock time (a wall profile).
    Nanoseconds,
    /// CPU samples.
    Samples,
}

impl Weight {
    /// `value` for people: seconds for nanoseconds, a sample count otherwise.
    pub fn format(self, value: f64) -> String {
        match self {
            Weight::Nanoseconds => format!("{:.3} s", value / 1e9),
            Weight::Samples => format!("{value:.0} samples"),
        }
    }

    /// A signed change in the same units (`+0.250 s`, `-12 samples`).
    pub fn format_delta(self, delta: f64) -> String {
        let sign = if delta < 0.0 { '-' } else { '+' };
        format!("{sign}{}", self.format(delta.abs()))
    }
}

/// Replaces the first frame (the worker thread) of every stack by [`WORKERS_ROOT`]; stacks that
/// become equal are summed.
pub fn merge_worker_roots(stacks: &FoldedStacks) -> FoldedStacks {
    let mut merged = stacks.clone();
    merged.map_roots(|_| WORKERS_ROOT.to_string());
    merged
}

/// The repeated runs of one variant, summed with their worker roots merged, ready to be
/// normalized for a comparison. Only the merged sum is kept, not each run's profile.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileSum {
    stacks: FoldedStacks,
    runs: usize,
    workers: usize,
}

impl ProfileSum {
    /// An empty sum.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one run's profile; its workers are its distinct root frames.
    pub fn add(&mut self, profile: &FoldedStacks) {
        self.workers += profile.root_count();
        self.runs += 1;
        self.stacks.merge(&merge_worker_roots(profile));
    }

    /// Runs added so far.
    pub fn runs(&self) -> usize {
        self.runs
    }

    /// The merged profile of one average run: the sum divided by the number of runs (`total`),
    /// or by the number of workers over all runs (`elapsed`). Counts are rounded.
    pub fn normalized(&self, how: Normalize) -> FoldedStacks {
        let divisor = match how {
            Normalize::Total => self.runs,
            Normalize::Elapsed => self.workers,
        };
        if divisor == 0 {
            return FoldedStacks::new();
        }
        self.stacks.scaled(1.0 / divisor as f64)
    }
}

/// inferno's differential folded text: one sorted `stack BEFORE AFTER` line per stack found in
/// either profile (0 where a profile lacks it).
pub fn diff_folded_text(before: &FoldedStacks, after: &FoldedStacks) -> String {
    let mut stacks: Vec<&str> = before.iter().chain(after.iter()).map(|(s, _)| s).collect();
    stacks.sort_unstable();
    stacks.dedup();
    let mut text = String::new();
    for stack in stacks {
        text.push_str(&format!(
            "{stack} {} {}\n",
            before.get(stack),
            after.get(stack)
        ));
    }
    text
}

/// Parses differential folded text back into its BEFORE and AFTER profiles.
pub fn parse_diff_folded(text: &str) -> Result<(FoldedStacks, FoldedStacks), FlameError> {
    let (mut before, mut after) = (FoldedStacks::new(), FoldedStacks::new());
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let error = |reason: FoldedLineError| FlameError::Parse {
            line: index + 1,
            reason,
        };
        let (rest, after_count) = split_count(line).map_err(error)?;
        let (stack, before_count) = split_count(rest)
            .map_err(|reason| error(FoldedLineError::NoBefore(Box::new(reason))))?;
        before.add(stack, before_count);
        after.add(stack, after_count);
    }
    Ok((before, after))
}

/// Splits `frames count` into the frames and the count, strictly: both must be there.
fn split_count(line: &str) -> Result<(&str, u64), FoldedLineError> {
    let Some((stack, count)) = line.rsplit_once(' ') else {
        return Err(FoldedLineError::NoCount(line.to_string()));
    };
    let stack = stack.trim_end();
    if stack.is_empty() {
        return Err(FoldedLineError::EmptyStack);
    }
    let count = count
        .parse::<u64>()
        .map_err(|e| FoldedLineError::bad_count(count, e))?;
    Ok((stack, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stacks(text: &str) -> FoldedStacks {
        FoldedStacks::parse(text).expect("valid folded text")
    }

    #[test]
    fn merged_roots_make_the_same_work_on_other_threads_diff_to_zero() {
        let seq = stacks("bs-seq-0;parse 40\nbs-seq-0;parse;[gil wait] 10\n");
        let threads = stacks(
            "bs-threads-0;parse 25\nbs-threads-1;parse 15\n\
             bs-threads-0;parse;[gil wait] 4\nbs-threads-1;parse;[gil wait] 6\n",
        );
        // Unmerged, no stack is in both: every line is all gain or all loss.
        let raw = diff_folded_text(&seq, &threads);
        assert_eq!(raw.lines().count(), 6);
        assert!(
            raw.lines().all(|l| l.ends_with(" 0") || l.contains(" 0 ")),
            "{raw}"
        );
        let (before, after) = (merge_worker_roots(&seq), merge_worker_roots(&threads));
        assert_eq!(before, after);
        assert_eq!(
            after.to_text(),
            "workers;parse 40\nworkers;parse;[gil wait] 10\n"
        );
        let text = diff_folded_text(&before, &after);
        assert_eq!(
            text,
            "workers;parse 40 40\nworkers;parse;[gil wait] 10 10\n"
        );
        let tree = crate::flame::FrameTree::from_stacks(&after);
        let diff = tree.diff_unscaled(&crate::flame::FrameTree::from_stacks(&before));
        assert!(diff.entries.iter().all(|e| e.delta_total == 0.0));
    }

    #[test]
    fn total_keeps_sums_and_elapsed_divides_by_workers() {
        let mut seq = ProfileSum::new();
        seq.add(&stacks("bs-seq-0;parse 400\n"));
        seq.add(&stacks("bs-seq-0;parse 200\n"));
        let mut threads = ProfileSum::new();
        threads.add(&stacks(
            "bs-threads-0;parse 200\nbs-threads-0;parse;[gil wait] 100\n\
             bs-threads-1;parse 200\nbs-threads-1;parse;[gil wait] 100\n",
        ));
        assert_eq!((seq.runs(), threads.runs()), (2, 1));
        let total = threads.normalized(Normalize::Total);
        assert_eq!(total.get("workers;parse"), 400);
        assert_eq!(total.get("workers;parse;[gil wait]"), 200);
        let elapsed = threads.normalized(Normalize::Elapsed);
        assert_eq!(elapsed.get("workers;parse"), 200);
        assert_eq!(elapsed.get("workers;parse;[gil wait]"), 100);
        // One worker: both are the mean over the repeats.
        assert_eq!(seq.normalized(Normalize::Total).get("workers;parse"), 300);
        assert_eq!(seq.normalized(Normalize::Elapsed).get("workers;parse"), 300);
        assert!(ProfileSum::new().normalized(Normalize::Elapsed).is_empty());
    }

    #[test]
    fn diff_folded_text_round_trips() {
        let before = stacks("workers;parse 300\nworkers;write 50\n");
        let after = stacks("workers;parse 280\nworkers;parse;[gil wait] 120\n");
        let text = diff_folded_text(&before, &after);
        assert_eq!(
            text,
            "workers;parse 300 280\nworkers;parse;[gil wait] 0 120\nworkers;write 50 0\n"
        );
        let (b, a) = parse_diff_folded(&text).expect("parses");
        assert_eq!((b.total(), a.total()), (before.total(), after.total()));
        assert_eq!((b, a), (before, after));
    }

    #[test]
    fn diff_folded_parse_errors_name_the_line() {
        let err = parse_diff_folded("workers;a 1 2\nworkers;b 3\n").expect_err("one count");
        assert!(matches!(err, FlameError::Parse { line: 2, .. }), "{err}");
        assert!(parse_diff_folded("workers;a 1 x\n").is_err());
    }

    #[test]
    fn normalize_and_weight_read_and_print() {
        assert_eq!("elapsed".parse(), Ok(Normalize::Elapsed));
        assert_eq!(Normalize::default().to_string(), "total");
        assert!("wall".parse::<Normalize>().is_err());
        assert_eq!(Weight::Nanoseconds.format(1.5e9), "1.500 s");
        assert_eq!(Weight::Nanoseconds.format_delta(-2.5e8), "-0.250 s");
        assert_eq!(Weight::Samples.format_delta(12.0), "+12 samples");
    }
}
