//! `perf script` text, collapsed into folded stacks by inferno's perf collapser.

use super::{FlameError, FoldedStacks};
use inferno::collapse::perf::{Folder, Options};
use inferno::collapse::Collapse;

/// The collapser, one thread (the input is in memory and small next to a run).
fn folder() -> Folder {
    let mut options = Options::default();
    options.nthreads = 1;
    Folder::from(options)
}

/// True when `head` (the start of a text) has a `perf script` event line followed by a stack
/// line.
pub fn looks_like_perf(head: &str) -> bool {
    folder().is_applicable(head) == Some(true)
}

/// A `perf script` profile: the stacks with each sample counted once, and the samples' event
/// periods summed under their own name (they are nanoseconds for `cpu-clock`, events for
/// `cycles`: no sample count).
#[derive(Debug, Clone, PartialEq)]
pub struct PerfProfile {
    pub stacks: FoldedStacks,
    /// The kept samples' periods summed (as many as samples when the script prints none).
    pub period_sum: u64,
    /// The event the samples are of (`cpu-clock`), from the first event line.
    pub event: Option<String>,
}

/// Reads `perf script` output: stacks rooted at the command name. inferno's collapser weights
/// each sample by its period; the flame views count samples, so the periods are set to 1 for
/// the stacks and summed apart.
pub fn read_perf(text: &str) -> Result<PerfProfile, FlameError> {
    let by_period = collapse(text)?;
    let mut event = None;
    let mut counted = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        match event_parts(line) {
            Some((period, name)) => {
                event.get_or_insert_with(|| name.split(':').next().unwrap_or(name).to_string());
                counted.push_str(&line[..period.start]);
                counted.push('1');
                counted.push_str(&line[period.end..]);
            }
            None => counted.push_str(line),
        }
    }
    Ok(PerfProfile {
        stacks: collapse(&counted)?,
        period_sum: by_period.total(),
        event,
    })
}

/// inferno's collapse of `text`, each sample weighted by its period.
fn collapse(text: &str) -> Result<FoldedStacks, FlameError> {
    let mut folded = Vec::new();
    folder()
        .collapse(text.as_bytes(), &mut folded)
        .map_err(|e| FlameError::Perf(e.to_string()))?;
    let folded = String::from_utf8(folded).map_err(|e| FlameError::Perf(e.to_string()))?;
    FoldedStacks::parse(&folded)
}

/// On an event line (`comm pid [cpu] 12.345:   10101 cpu-clock:`), where its period is and the
/// event's name: the two words after the timestamp. `None` for stack lines (indented),
/// comments and event lines without a period.
fn event_parts(line: &str) -> Option<(std::ops::Range<usize>, &str)> {
    if line.starts_with(char::is_whitespace) || line.starts_with('#') {
        return None;
    }
    let mut words = line.split_whitespace();
    let is_timestamp = |w: &str| {
        w.strip_suffix(':')
            .is_some_and(|t| t.contains('.') && t.parse::<f64>().is_ok())
    };
    words.find(|w| is_timestamp(w))?;
    let (period, name) = (words.next()?, words.next()?);
    let digits = !period.is_empty() && period.bytes().all(|b| b.is_ascii_digit());
    // Both words are slices of `line`: their distance from its start is their offset.
    let start = period.as_ptr() as usize - line.as_ptr() as usize;
    (digits && name.ends_with(':')).then_some((start..start + period.len(), name))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str = "\
worker 4242 [001] 1000.000001:   10101010 cpu-clock:
\t    55d0c0a01234 parse_row+0x14 (/usr/bin/etl)
\t    55d0c0a05678 run_batch+0x40 (/usr/bin/etl)
\t    55d0c0a09abc main+0x22 (/usr/bin/etl)

worker 4242 [001] 1000.010001:   10101010 cpu-clock:
\t    55d0c0a01234 parse_row+0x18 (/usr/bin/etl)
\t    55d0c0a05678 run_batch+0x40 (/usr/bin/etl)
\t    55d0c0a09abc main+0x22 (/usr/bin/etl)

loader 4243 [000] 1000.020001:   10101010 cpu-clock:
\t    55d0c0a0def0 read_block+0x8 (/usr/bin/etl)
\t    55d0c0a09abc main+0x22 (/usr/bin/etl)

";

    #[test]
    fn perf_script_reads_as_samples_rooted_at_the_command() {
        assert!(looks_like_perf(SCRIPT));
        let perf = read_perf(SCRIPT).unwrap();
        assert_eq!(
            perf.stacks.to_text(),
            "loader;main;read_block 1\nworker;main;run_batch;parse_row 2\n"
        );
        assert_eq!(perf.period_sum, 30303030);
        assert_eq!(perf.event.as_deref(), Some("cpu-clock"));
    }

    /// The forms inferno documents: with and without a CPU, a TID, a single-frame stack on the
    /// event line; a command with a colon in its name.
    #[test]
    fn each_sample_counts_once_whatever_the_event_line() {
        let script = "\
kworker/0:1 12688/12764 [002] 6544038.708352:     257597 cycles:uppp:
\t    55d0c0a01234 parse_row+0x14 (/usr/bin/etl)

false 64414 20110.539270:      34467 cycles:u:  ffffffff9aa3c8de [unknown] ([unknown])

java 25607 4794564.109216: cycles:
\t    55d0c0a01234 parse_row+0x14 (/usr/bin/etl)

";
        let perf = read_perf(script).unwrap();
        assert_eq!(perf.stacks.total(), 3, "{}", perf.stacks.to_text());
        assert_eq!(perf.period_sum, 257597 + 34467 + 1);
        assert_eq!(perf.event.as_deref(), Some("cycles"));
    }

    #[test]
    fn other_text_is_not_perf_script() {
        assert!(!looks_like_perf("main;a;b 3\nmain;a 2\n"));
        assert!(!looks_like_perf("hello world\n"));
        assert!(read_perf("").unwrap().stacks.is_empty());
    }
}
