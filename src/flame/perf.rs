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

/// Collapses `perf script` output into folded stacks rooted at the command name, each sample
/// weighted by its event period (as inferno's collapser does).
pub fn collapse_perf(text: &str) -> Result<FoldedStacks, FlameError> {
    let mut folded = Vec::new();
    folder()
        .collapse(text.as_bytes(), &mut folded)
        .map_err(|e| FlameError::Perf(e.to_string()))?;
    let folded = String::from_utf8(folded).map_err(|e| FlameError::Perf(e.to_string()))?;
    FoldedStacks::parse(&folded)
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
    fn perf_script_collapses_to_stacks_rooted_at_the_command() {
        assert!(looks_like_perf(SCRIPT));
        let stacks = collapse_perf(SCRIPT).unwrap();
        assert_eq!(
            stacks.to_text(),
            "loader;main;read_block 10101010\nworker;main;run_batch;parse_row 20202020\n"
        );
    }

    #[test]
    fn other_text_is_not_perf_script() {
        assert!(!looks_like_perf("main;a;b 3\nmain;a 2\n"));
        assert!(!looks_like_perf("hello world\n"));
        assert!(collapse_perf("").unwrap().is_empty());
    }
}
