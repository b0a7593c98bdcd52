//! The setup form's command line against the real CLI: every workload's args (each knob off
//! its default, async mode) are accepted, and the form starts at the CLI's defaults.
//! `--help` after the args makes clap check every flag name and value without running.

use boundscope::model::Mode;
use boundscope::tui::screens::setup::form::{Field, SetupForm};
use boundscope::workload::workloads;
use std::process::{Command, Output};

fn boundscope(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_boundscope"))
        .args(args)
        .output()
        .expect("the binary starts")
}

fn form(workload: &str, mode: Mode) -> SetupForm {
    let mut form = SetupForm::new(2);
    assert!(form.choose(workload));
    form.mode = mode;
    form
}

#[test]
fn the_cli_accepts_every_workloads_args() {
    for w in workloads() {
        let mut form = form(w.name, Mode::Async);
        form.pg = Some("postgres://bench@localhost/bench".into());
        (form.in_flight, form.gil) = (3, true);
        for i in 0..form.fields().len() {
            form.field = i;
            if form.begin_typing() {
                // A path, or else a duration (a text field refuses what does not parse).
                for text in ["workloads/etl.toml", "20ms"] {
                    let before = form.value_text(form.current());
                    form.finish_typing(text);
                    if form.value_text(form.current()) != before || !form.begin_typing() {
                        break;
                    }
                }
                form.cancel_typing();
            } else if matches!(form.current(), Field::Option(_)) {
                form.change(1);
                form.change(1);
            }
        }
        let mut args = form.child_args();
        assert!(args.len() > 8, "{args:?}");
        args.push("--help".into());
        let out = boundscope(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{}: {args:?}: {err}", w.name);
    }
}

/// The `[default: X]` the CLI's help gives for `--flag`, if any.
fn cli_default(help: &str, flag: &str) -> Option<String> {
    let start = help.find(&format!("{flag} <"))?;
    let rest = &help[start + flag.len()..];
    let end = rest.find("\n  -").unwrap_or(rest.len());
    let text = &rest[..end];
    let at = text.find("[default: ")? + "[default: ".len();
    Some(text[at..].split(']').next()?.to_string())
}

#[test]
fn the_form_starts_at_the_cli_defaults() {
    let mut checked = 0;
    for w in workloads() {
        let form = form(w.name, Mode::Threads);
        let help = boundscope(&["run".into(), w.name.into(), "--help".into()]);
        let help = String::from_utf8_lossy(&help.stdout).to_string();
        for field in form.fields() {
            let Field::Option(name) = field else {
                continue;
            };
            let Some(default) = cli_default(&help, &format!("--{name}")) else {
                continue;
            };
            // A default per workload reads `json-parse 20000, csv-import 50000`.
            let default = match default.split_once(&format!("{} ", w.name)) {
                Some((_, rest)) => rest.split(',').next().unwrap_or(rest).to_string(),
                None => default,
            };
            let shown = form.value_text(field);
            if shown == "default" {
                continue; // unset: the CLI decides (its help says how, in words)
            }
            assert_eq!(shown, default, "{} --{name}", w.name);
            checked += 1;
        }
    }
    // records, files, parser, output, latency, batch, db, insert, writer, dataset at least.
    assert!(checked >= 10, "only {checked} defaults found in the help");
}
