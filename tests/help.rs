//! The help of the commands that take a workload (`run`, `compare`, `sweep`), read from the
//! real binary against the declarations: with a workload it shows each of that workload's
//! flags with that workload's default and no flag that only other workloads take; without
//! one it lists every workload.

mod common;

use boundscope::workload::declare::options::OptionKind;
use boundscope::workload::{workloads, WorkloadDecl};

const COMMANDS: [&str; 3] = ["run", "compare", "sweep"];

fn help(args: &[&str]) -> String {
    let out = common::bin()
        .args(args)
        .output()
        .expect("the binary starts");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {err}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether `text` names `--name` itself, not a longer flag that begins with it (`--cache`
/// in `--cache-profiles`).
fn names_flag(text: &str, name: &str) -> bool {
    let flag = format!("--{name}");
    text.match_indices(&flag).any(|(at, _)| {
        let next = text[at + flag.len()..].chars().next();
        !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

/// A line that introduces a flag (`  -w, --workers <N>`, `      --fresh`); its description
/// lines are indented further.
fn is_flag_line(line: &str) -> bool {
    let text = line.trim_start();
    line.len() - text.len() < 8 && text.starts_with('-')
}

/// The help of `--name`: its own line and its description, up to the next flag or heading.
fn entry(help: &str, name: &str) -> Option<String> {
    let mut lines = help.lines().skip_while(|line| {
        !(is_flag_line(line) && line.split_whitespace().any(|w| w == format!("--{name}")))
    });
    let first = lines.next()?;
    let rest =
        lines.take_while(|line| !is_flag_line(line) && (line.is_empty() || line.starts_with(' ')));
    Some(
        std::iter::once(first)
            .chain(rest)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// The flags that other workloads declare and `w` does not.
fn foreign_flags(w: &WorkloadDecl) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = workloads()
        .iter()
        .flat_map(|other| other.options.iter().map(|o| o.name))
        .filter(|name| w.option(name).is_none())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[test]
fn a_workloads_help_shows_its_own_flags_with_its_defaults_and_no_others() {
    for w in workloads() {
        let defaults = (w.defaults)();
        let foreign = foreign_flags(w);
        assert!(
            !foreign.is_empty(),
            "{}: every workload lacks some flag",
            w.name
        );
        for command in COMMANDS {
            for flag in ["--help", "-h"] {
                let args = [command, w.name, flag];
                let text = help(&args);
                for option in &w.options {
                    let entry = entry(&text, option.name)
                        .unwrap_or_else(|| panic!("{args:?}: no --{}\n{text}", option.name));
                    let default = match option.kind {
                        OptionKind::Switch => None,
                        _ => option.get(&defaults),
                    };
                    if let Some(value) = default {
                        let shown = format!("[default: {value}]");
                        assert!(entry.contains(&shown), "{args:?}: {shown} in\n{entry}");
                    }
                }
                for name in &foreign {
                    assert!(!names_flag(&text, name), "{args:?} names --{name}\n{text}");
                }
            }
        }
    }
}

#[test]
fn help_without_a_workload_lists_every_workload_and_no_workload_flag() {
    for command in COMMANDS {
        let text = help(&[command, "--help"]);
        for w in workloads() {
            let line = text
                .lines()
                .find(|line| line.trim_start().starts_with(&format!("- {}:", w.name)))
                .unwrap_or_else(|| panic!("{command}: no line for {}\n{text}", w.name));
            assert!(line.contains(w.about), "{command}: {line}");
        }
        // Each workload's flags are for its own help.
        let (_, listing) = text.split_once("\nOptions:").expect("an options section");
        let (flags, _) = listing.split_once("\nExamples:").unwrap_or((listing, ""));
        for option in workloads().iter().flat_map(|w| &w.options) {
            assert!(
                entry(flags, option.name).is_none(),
                "{command} --help lists --{}",
                option.name
            );
        }
    }
}

#[test]
fn the_help_subcommand_gives_the_same_help() {
    assert_eq!(help(&["help", "run"]), help(&["run", "--help"]));
    assert_eq!(
        help(&["help", "sweep", "csv-import"]),
        help(&["sweep", "csv-import", "--help"])
    );
}
