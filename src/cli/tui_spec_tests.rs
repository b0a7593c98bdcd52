//! The terminal UI starts runs from a typed spec (`__run`), where it used to pass `boundscope
//! run` its form's flags: for every workload and a spread of form values, the spec it sends
//! is the one the CLI builds from those flags, so a run from the UI is the same run.

use super::{Cli, Command};
use boundscope::model::Mode;
use boundscope::session::RunSpec;
use boundscope::tui::screens::setup::form::{Field, SetupForm};
use clap::Parser;

/// The spec `boundscope run` builds from the form's flags (before any scratch directory).
fn cli_spec(form: &SetupForm) -> RunSpec {
    let mut words = vec!["boundscope".to_string()];
    words.extend(form.child_args());
    let cli = Cli::try_parse_from(&words).unwrap_or_else(|e| panic!("{words:?}: {e}"));
    let Some(Command::Run(args)) = cli.command else {
        panic!("not a run: {words:?}");
    };
    let workload = args
        .workload_args
        .spec(args.workload)
        .unwrap_or_else(|e| panic!("{words:?}: {e}"));
    args.exec.spec(workload, args.mode)
}

/// A spec as the child reads it; csv-import's run id is new with every spec built.
fn wire(spec: &RunSpec) -> serde_json::Value {
    let mut value = serde_json::to_value(spec).expect("a spec serialises");
    if let Some(id) = value["workload"].get_mut("run_id") {
        *id = serde_json::Value::Null;
    }
    value
}

fn forms() -> Vec<SetupForm> {
    let mut forms = Vec::new();
    for workload in 0..boundscope::workload::workloads().len() {
        for mode in Mode::ALL {
            let mut form = SetupForm::new(3);
            (form.workload, form.mode) = (workload, mode);
            forms.push(form.clone());
            // Every field the form shows one step off its default (an offered database
            // server among the choices).
            form.pg = Some("postgres://bench:pw@localhost/bench".into());
            for (index, field) in form.fields().into_iter().enumerate() {
                if matches!(field, Field::Workload | Field::Mode) {
                    continue;
                }
                form.field = index;
                form.change(1);
            }
            forms.push(form);
        }
    }
    forms
}

#[test]
fn the_forms_typed_spec_is_the_run_its_flags_give() {
    let mut compared = 0;
    for form in forms() {
        if form.problem().is_some() {
            continue;
        }
        let typed = form
            .run_spec()
            .expect("a form without a problem gives a spec");
        assert_eq!(
            wire(&typed),
            wire(&cli_spec(&form)),
            "{:?}",
            form.child_args()
        );
        compared += 1;
    }
    assert!(compared >= 30, "only {compared} forms compared");
}

#[test]
fn a_form_with_a_problem_gives_no_spec() {
    let mut form = SetupForm::new(2);
    form.workers = 0;
    let err = form.run_spec().expect_err("no workers");
    assert_eq!(Some(err.to_string()), form.problem());
}
