//! Tests of the workload declarations: every option reads back what it is set to, choices
//! parse, the serde names are the declared names, and a new option reaches the CLI's flags.

use super::*;
use crate::model::Mode;
use crate::workload::declare::flags;
use crate::workload::declare::options::OptionKind;

/// The spec as JSON without the per-run id (new on every `defaults()`).
fn json_of(spec: &WorkloadSpec) -> serde_json::Value {
    let mut value = serde_json::to_value(spec).expect("serializes");
    if let Some(fields) = value.as_object_mut() {
        fields.remove("run_id");
    }
    value
}

#[test]
fn every_declared_option_reads_back_what_it_is_set_to() {
    for w in workloads() {
        for option in &w.options {
            let mut spec = (w.defaults)();
            let before = json_of(&spec);
            // Setting the default's own text changes nothing (but etl-pipeline's
            // --symbols, which sizes the server too, as it always has).
            let sizes_server = (w.name, option.name) == ("etl-pipeline", "symbols");
            if let Some(text) = option.get(&spec).filter(|_| !sizes_server) {
                option
                    .set(&mut spec, &text)
                    .expect("the default's text parses");
                assert_eq!(json_of(&spec), before, "{} --{}", w.name, option.name);
            }
            let samples: Vec<String> = match option.kind {
                OptionKind::Number { .. } => vec!["7".into(), "1".into()],
                OptionKind::Choice { values, .. } => values.iter().map(|v| v.to_string()).collect(),
                OptionKind::Switch => vec!["true".into(), "false".into()],
                OptionKind::Text => match option.value_name {
                    "LATENCY" | "JITTER" | "HANDSHAKE" | "DURATION" => {
                        vec!["250us".into(), "20ms".into(), "3s".into()]
                    }
                    "ERROR_RATE" | "TIMEOUT_RATE" | "RATE" => vec!["0.25".into()],
                    _ => vec!["some/path.toml".into()],
                },
            };
            for text in samples {
                option.set(&mut spec, &text).expect("a sample parses");
                assert_eq!(
                    option.get(&spec).as_deref(),
                    Some(text.as_str()),
                    "{} --{}",
                    w.name,
                    option.name
                );
            }
            if option.clear(&mut spec) {
                assert_eq!(option.get(&spec), None, "{} --{}", w.name, option.name);
            }
        }
    }
}

#[test]
fn bad_values_are_refused_with_a_reason() {
    let csv = workload("csv-import").expect("declared");
    let mut spec = (csv.defaults)();
    let cases = [("records", "many"), ("insert", "bulk"), ("writer", "two")];
    for (name, bad) in cases {
        let option = csv.option(name).expect("declared");
        let err = option.set(&mut spec, bad).expect_err("refused");
        assert!(!err.to_string().is_empty(), "{name}");
    }
    let api = workload("api-fetch").expect("declared");
    let latency = api.option("latency").expect("declared");
    let err = latency
        .set(&mut (api.defaults)(), "fast")
        .expect_err("no unit");
    assert!(err.to_string().contains("fast"), "{err}");
}

#[test]
fn each_spec_variant_is_declared_under_its_serde_name() {
    for w in workloads() {
        let spec = (w.defaults)();
        assert_eq!(spec.name(), w.name);
        assert_eq!(json_of(&spec)["name"], w.name);
        assert!(w.is(&spec));
        assert!(!w.about.is_empty());
    }
    let names: std::collections::BTreeSet<&str> = workloads().iter().map(|w| w.name).collect();
    assert_eq!(names.len(), workloads().len(), "names differ");
}

#[test]
fn shared_options_take_the_same_kind_of_value_everywhere() {
    // One flag serves every workload that declares the name: same kind, same value name.
    for a in workloads().iter().flat_map(|w| &w.options) {
        for b in workloads().iter().flat_map(|w| &w.options) {
            if a.name == b.name {
                assert_eq!(a.kind, b.kind, "--{}", a.name);
                assert_eq!(a.value_name, b.value_name, "--{}", a.name);
            }
        }
    }
}

#[test]
fn given_flags_apply_to_the_defaults_and_others_are_ignored() {
    let etl = workload("etl-pipeline").expect("declared");
    let spec = etl
        .spec([("symbols", "12"), ("batch", "4"), ("parser", "fast")])
        .expect("valid");
    let WorkloadSpec::EtlPipeline(options) = spec else {
        panic!("an etl spec");
    };
    // --symbols sizes the fetches and the server alike; --batch is symbols per request.
    assert_eq!((options.symbols, options.api.server.symbols), (12, 12));
    assert_eq!(options.api.batch, 4);
    let defaults = etl.spec([]).expect("valid");
    assert_eq!(json_of(&defaults), json_of(&(etl.defaults)()));
}

#[test]
fn a_bad_value_is_a_clap_error_naming_flag_and_reason() {
    let cmd = clap::Command::new("run").args(flags::workload_flags(workloads()));
    let err = cmd
        .try_get_matches_from(["run", "--records", "many"])
        .expect_err("refused");
    assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
    let text = err.to_string();
    assert!(
        text.contains("invalid value 'many' for '--records <N>': invalid digit found in string"),
        "{text}"
    );
}

#[test]
fn report_keys_are_unique_and_every_option_is_reported() {
    for w in workloads() {
        let mut keys: Vec<&str> = w.options.iter().map(|o| o.report_key.as_ref()).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(
            keys.len(),
            before,
            "{}: two options share a report key",
            w.name
        );
        let spec = (w.defaults)();
        let reported = w.report_options(&spec, Mode::Threads);
        assert_eq!(reported.len(), w.options.len(), "{}", w.name);
        for option in &w.options {
            let value = &reported[option.report_key.as_ref()];
            match (option.kind, option.get(&spec)) {
                (_, None) => assert!(value.is_null(), "{} --{}", w.name, option.name),
                (OptionKind::Number { .. }, Some(_)) => {
                    assert!(value.is_u64(), "{} --{}: {value}", w.name, option.name)
                }
                (OptionKind::Switch, Some(text)) => {
                    assert_eq!(value.as_bool().map(|b| b.to_string()), Some(text))
                }
                _ => assert!(!value.is_null(), "{} --{}", w.name, option.name),
            }
        }
    }
}

#[test]
fn a_database_password_never_reaches_the_report() {
    let csv = workload("csv-import").expect("declared");
    let mut spec = (csv.defaults)();
    csv.option("db")
        .expect("--db")
        .set(&mut spec, "postgres://me:secret@localhost/db")
        .expect("a URL");
    let reported = serde_json::Value::Object(csv.report_options(&spec, Mode::Threads));
    assert!(!reported.to_string().contains("secret"), "{reported}");
    assert_eq!(reported["db"], "postgres://me:***@localhost/db");
}
