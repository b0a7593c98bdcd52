//! The help of the commands that take a workload (`run`, `compare`, `sweep`). Given one
//! (`run csv-import --help`), it shows the command's own flags and that workload's only, with
//! that workload's defaults; given none (`run --help`), the command's own flags and the list
//! of workloads. The parser keeps every workload's flags, so that a flag of another workload
//! is still refused by name (`ForeignOption`): only what help shows changes.

use super::args::WorkloadName;
use super::Cli;
use boundscope::workload::declare::flags;
use boundscope::workload::{workload, workloads, WorkloadDecl};
use clap::{Arg, ArgAction, Command, CommandFactory};
use std::ffi::OsString;

/// The commands whose positional argument is a workload.
const WITH_WORKLOAD: [&str; 3] = ["run", "compare", "sweep"];

/// The ids of the probe's help switches (ids, not flag names: no command has them).
const SHORT: &str = "probe-help-short";
const LONG: &str = "probe-help-long";

/// A help request for one of [`WITH_WORKLOAD`].
struct Asked {
    command: &'static str,
    workload: Option<&'static WorkloadDecl>,
    /// `--help` (or `help COMMAND`), not `-h`.
    long: bool,
}

/// When `args` (the whole command line) ask for the help of `run`, `compare` or `sweep`:
/// that help, tailored to the workload named, as clap's help "error" (printed to stdout,
/// exit code 0). `None` for every other command line, which is then parsed as usual.
pub fn tailored(args: &[OsString]) -> Option<clap::Error> {
    let asked = help_subcommand(args).or_else(|| help_flag(args))?;
    let flag = if asked.long { "--help" } else { "-h" };
    let bin = args.first().cloned().unwrap_or_else(|| "boundscope".into());
    Cli::command()
        .mut_subcommand(asked.command, |sub| {
            tailor(sub, asked.command, asked.workload)
        })
        .try_get_matches_from([bin, asked.command.into(), flag.into()])
        .err()
}

/// `boundscope help COMMAND [WORKLOAD]`, clap's other way to ask for a command's help.
fn help_subcommand(args: &[OsString]) -> Option<Asked> {
    let words: Vec<&str> = args
        .iter()
        .skip(1)
        .map(|a| a.to_str())
        .collect::<Option<_>>()?;
    let (command, workload) = match words.as_slice() {
        ["help", command] => (*command, None),
        ["help", command, name] => (*command, Some(workload(name)?)),
        _ => return None,
    };
    Some(Asked {
        command: WITH_WORKLOAD.into_iter().find(|c| *c == command)?,
        workload,
        long: true,
    })
}

/// `COMMAND ... --help` or `-h`, found by clap itself: the command line is parsed once more
/// with the help flags as plain switches and errors ignored, which also finds the workload
/// wherever it stands among the flags.
fn help_flag(args: &[OsString]) -> Option<Asked> {
    // Most command lines ask for no help at all: they need no second parse.
    let hinted =
        args.iter().skip(1).filter_map(|a| a.to_str()).any(|a| {
            a == "--help" || (a.starts_with('-') && !a.starts_with("--") && a.contains('h'))
        });
    if !hinted {
        return None;
    }
    let mut probe = Cli::command().ignore_errors(true);
    for command in WITH_WORKLOAD {
        probe = probe.mut_subcommand(command, |sub| {
            sub.disable_help_flag(true)
                .arg(Arg::new(SHORT).short('h').action(ArgAction::SetTrue))
                .arg(Arg::new(LONG).long("help").action(ArgAction::SetTrue))
        });
    }
    let matches = probe.try_get_matches_from(args).ok()?;
    let (name, sub) = matches.subcommand()?;
    let set = |id: &str| matches!(sub.try_get_one::<bool>(id), Ok(Some(true)));
    let long = set(LONG);
    if !long && !set(SHORT) {
        return None;
    }
    Some(Asked {
        command: WITH_WORKLOAD.into_iter().find(|c| *c == name)?,
        workload: sub
            .try_get_one::<WorkloadName>("workload")
            .ok()
            .flatten()
            .map(|w| w.0),
        long,
    })
}

/// `sub` as its help shows it for `workload`: the flags of every other workload hidden (still
/// parsed), its own with its own help and default, and only its own examples and notes.
/// Without a workload every workload's flags are hidden and the workloads are listed.
fn tailor(sub: Command, command: &str, workload: Option<&'static WorkloadDecl>) -> Command {
    let mut own: Vec<Arg> = workload.map(flags::own_flags).unwrap_or_default();
    let declared: Vec<&str> = workloads()
        .iter()
        .flat_map(|w| w.options.iter().map(|o| o.name))
        .collect();
    let after = sub.get_after_help().map(|h| h.to_string());
    let sub = sub.mut_args(|arg| {
        let id = arg.get_id().as_str().to_string();
        if arg.is_positional() && id == "workload" {
            return workload_arg(arg, command, workload);
        }
        match own.iter().position(|o| o.get_id() == id.as_str()) {
            // The replacement keeps the place the flag had in the help.
            Some(at) => own.remove(at).display_order(arg.get_display_order()),
            None if declared.contains(&id.as_str()) => arg.hide(true),
            None => arg,
        }
    });
    match (after, workload) {
        (Some(after), Some(w)) => sub.after_help(after_help_for(&after, command, w.name)),
        _ => sub,
    }
}

/// The WORKLOAD argument: the one named, or a pointer to each workload's own help (the
/// workloads follow, one a line, as clap lists the possible values).
fn workload_arg(arg: Arg, command: &str, workload: Option<&WorkloadDecl>) -> Arg {
    let what = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
    match workload {
        Some(w) => arg.hide_possible_values(true).help(format!(
            "{what}: {}. {} (Every workload: `boundscope {command} --help`.)",
            w.name, w.about
        )),
        None => arg.help(format!(
            "{what}; its own options: `boundscope {command} WORKLOAD --help`"
        )),
    }
}

/// An after-help for workload `keep` alone: without other workloads' examples and notes. A
/// line about one workload begins with its name, as an example (`boundscope run NAME ..`) or
/// a note (`NAME runs ..`) does; a paragraph whose first line is one goes with it, and a
/// heading left with nothing under it (`Examples:`) goes too.
fn after_help_for(text: &str, command: &str, keep: &str) -> String {
    let other = |line: &str| about_workload(line, command).is_some_and(|name| name != keep);
    text.split("\n\n")
        .filter(|block| !block.lines().next().is_some_and(other))
        .map(|block| {
            let lines: Vec<&str> = block.lines().filter(|line| !other(line)).collect();
            lines.join("\n")
        })
        .filter(|block| !block.is_empty() && (block.contains('\n') || !block.ends_with(':')))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The workload a line of help is about, when it begins with its name (after `boundscope
/// COMMAND ` in an example).
fn about_workload(line: &str, command: &str) -> Option<&'static str> {
    let line = line.trim_start();
    let example = format!("boundscope {command} ");
    let rest = line.strip_prefix(example.as_str()).unwrap_or(line);
    let name = rest.split(' ').next()?;
    workload(name).map(|w| w.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_workloads_examples_and_notes_leave_the_after_help() {
        let text = "Examples:
  boundscope compare json-parse --modes threads
  boundscope compare csv-import --modes threads --db sqlite

csv-import runs of a comparison each drop and recreate their tables (as with --fresh).

The first mode is the baseline.";
        let json = after_help_for(text, "compare", "json-parse");
        assert_eq!(
            json,
            "Examples:\n  boundscope compare json-parse --modes threads\n\nThe first mode is the baseline."
        );
        let api = after_help_for(text, "compare", "api-fetch");
        assert_eq!(api, "The first mode is the baseline.");
        let csv = after_help_for(text, "compare", "csv-import");
        assert!(
            csv.contains("--db sqlite") && csv.contains("--fresh"),
            "{csv}"
        );
    }

    #[test]
    fn only_help_requests_are_tailored() {
        let args = |line: &str| -> Vec<OsString> { line.split(' ').map(Into::into).collect() };
        assert!(tailored(&args("boundscope run csv-import --latency 5ms")).is_none());
        assert!(tailored(&args("boundscope gen json-parse --help")).is_none());
        assert!(tailored(&args("boundscope --help")).is_none());
        for line in [
            "boundscope run csv-import --help",
            "boundscope compare -h",
            "boundscope run -qh api-fetch",
            "boundscope help sweep",
            "boundscope help run etl-pipeline",
        ] {
            let help = tailored(&args(line)).expect(line);
            assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp, "{line}");
        }
    }
}
