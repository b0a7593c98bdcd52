//! `exec`'s options: the program to run and how to count its progress, declared once (the
//! CLI, the setup form and the report read them from here). The program is not a built-in
//! workload: the session observes it from outside (see `session::program`).

use crate::workload::declare::options::{OptionDecl, OptionKind, OptionValueError};
use serde::{Deserialize, Serialize};

/// The name reports and recordings give such a run.
pub const NAME: &str = "exec";
/// One line on what it does.
pub const ABOUT: &str =
    "Any command, observed from outside: its threads' CPU, run queue and waits, its stacks.";

/// The program and how to read its progress.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProgramOptions {
    /// The command and its arguments.
    pub command: Vec<String>,
    /// A regular expression over the program's output lines: each match is one item done,
    /// or, with a capture group, the number it captures.
    #[serde(default)]
    pub progress: Option<String>,
    /// Pass the program's output on to standard error (the command line does; a viewer's
    /// run keeps it off the screen). Not an option of the run: not recorded.
    #[serde(skip)]
    pub echo: bool,
}

/// A command line or a progress pattern that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ProgramOptionError {
    #[error("the command line cannot be read: {0}")]
    Quote(#[from] crate::shell_words::OpenQuote),
    #[error("--progress is not a regular expression: {0}")]
    Pattern(#[from] regex::Error),
}

impl ProgramOptions {
    /// The command as one line a shell would read back (for titles, forms and reports).
    pub fn command_line(&self) -> String {
        crate::shell_words::join(&self.command)
    }

    /// The progress pattern, compiled; `Ok(None)` without one.
    pub fn progress_pattern(&self) -> Result<Option<regex::Regex>, ProgramOptionError> {
        Ok(self
            .progress
            .as_deref()
            .map(regex::Regex::new)
            .transpose()?)
    }
}

pub fn options() -> Vec<OptionDecl<ProgramOptions>> {
    vec![
        OptionDecl::new(
            "command",
            "LINE",
            OptionKind::Text,
            "The command to run, as a shell would split it (nothing is expanded).",
            |o: &ProgramOptions| Some(o.command_line()),
            |o, text| {
                o.command = crate::shell_words::split(text)
                    .map_err(|e| OptionValueError::Program(e.into()))?;
                Ok(())
            },
        )
        .in_form()
        .knob(0),
        OptionDecl::new(
            "progress",
            "REGEX",
            OptionKind::Text,
            "Count items from the program's output: each line matching REGEX is one item, or \
             the number its first group captures.",
            |o: &ProgramOptions| o.progress.clone(),
            |o, text| {
                regex::Regex::new(text).map_err(|e| OptionValueError::Program(e.into()))?;
                o.progress = Some(text.to_string());
                Ok(())
            },
        )
        .clearable(|o| o.progress = None)
        .in_form(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_option_reads_back_what_it_wrote() {
        let decls = options();
        let mut options = ProgramOptions::default();
        decls[0]
            .set(&mut options, "python3 'my job.py' --n 3")
            .expect("set");
        assert_eq!(options.command, ["python3", "my job.py", "--n", "3"]);
        assert_eq!(
            decls[0].get(&options).as_deref(),
            Some("python3 'my job.py' --n 3")
        );
        assert!(decls[0].set(&mut options, "python3 'open").is_err());
        assert!(decls[1].set(&mut options, "done (\\d+").is_err());
        decls[1].set(&mut options, "done (\\d+)").expect("set");
        assert!(options.progress_pattern().expect("compiles").is_some());
    }
}
