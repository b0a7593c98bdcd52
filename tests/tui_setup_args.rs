//! The setup form's command line against the real CLI: every workload's args (each knob off
//! its default, async mode) are accepted, and the form starts at the CLI's defaults.
//! `--help` after the args makes clap check every flag name and value without running.

use boundscope::model::Mode;
use boundscope::tui::setup::{Field, SetupForm, WORKLOADS};
use std::process::{Command, Output};

fn boundscope(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_boundscope"))
        .args(args)
        .output()
        .expect("the binary starts")
}

fn form(workload: usize, mode: Mode) -> SetupForm {
    let mut form = SetupForm::new(2);
    (form.workload, form.mode) = (workload, mode);
    form
}

#[test]
fn the_cli_accepts_every_workloads_args() {
    for (i, name) in WORKLOADS.iter().enumerate() {
        let mut form = form(i, Mode::Async);
        form.pg = Some("postgres://bench@localhost/bench".into());
        (form.in_flight, form.requests, form.batch, form.gil) = (3, 7, 9, true);
        (form.db, form.insert, form.writer, form.dataset) = (2, 2, 1, 1);
        form.pipeline = "workloads/etl.toml".into();
        let mut args = form.child_args();
        args.push("--help".into());
        let out = boundscope(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {args:?}: {err}");
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
    for (i, name) in WORKLOADS.iter().enumerate() {
        let form = form(i, Mode::Threads);
        let help = boundscope(&["run".into(), (*name).into(), "--help".into()]);
        let help = String::from_utf8_lossy(&help.stdout).to_string();
        // The mode is the question the form asks, not a knob: it starts at threads (the
        // CLI's default, sequential, would hide the workers field on first sight); workers
        // are the machine's cores in both, given to the form by its caller.
        let knobs = form.fields().into_iter();
        for field in knobs.filter(|f| !matches!(f, Field::Mode | Field::Workers)) {
            let Some(default) = cli_default(&help, &format!("--{}", field.label())) else {
                continue;
            };
            let shown = form.value_text(field);
            if shown == "default" {
                continue; // the flag is left out: the CLI decides
            }
            // A default per workload reads `json-parse 20000, csv-import 50000`.
            let default = match default.split_once(&format!("{name} ")) {
                Some((_, rest)) => rest.split(',').next().unwrap_or(rest).to_string(),
                None => default,
            };
            let same = match field {
                Field::Latency => default == "0" && shown == "0 ms",
                // The built-in pipeline, which the CLI names by its file.
                Field::Pipeline => shown == "built-in" && default.ends_with("built in"),
                _ => shown == default,
            };
            assert!(
                same,
                "{name} --{}: form {shown:?}, CLI {default:?}",
                field.label()
            );
            checked += 1;
        }
    }
    // parser, output, files, db (csv, etl), insert, writer, dataset, latency (api, etl),
    // pipeline at least.
    assert!(checked >= 10, "only {checked} defaults found in the help");
}
