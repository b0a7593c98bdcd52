//! The kinds of option most workloads declare (a number, a switch, a duration, a choice, a
//! path), each parsed, spelled and reported the one way.

use super::options::{OptionDecl, OptionKind, OptionValueError};
use serde_json::json;
use std::time::Duration;

/// A whole-number option (`N`).
pub fn number<O: 'static, T>(
    name: &'static str,
    help: &'static str,
    get: fn(&O) -> T,
    set: fn(&mut O, T),
) -> OptionDecl<O>
where
    T: std::str::FromStr<Err = std::num::ParseIntError> + ToString + serde::Serialize + 'static,
{
    OptionDecl::new(
        name,
        "N",
        OptionKind::Number { step: 1 },
        help,
        move |o| Some(get(o).to_string()),
        move |o, text| {
            set(o, text.parse()?);
            Ok(())
        },
    )
    .reporting(move |o| json!(get(o)))
}

/// A whole-number option that may be unset (`--requests`).
pub fn optional_number<O: 'static>(
    name: &'static str,
    help: &'static str,
    get: fn(&O) -> Option<usize>,
    set: fn(&mut O, Option<usize>),
) -> OptionDecl<O> {
    OptionDecl::new(
        name,
        "N",
        OptionKind::Number { step: 1 },
        help,
        move |o| get(o).map(|n| n.to_string()),
        move |o, text| {
            set(o, Some(text.parse()?));
            Ok(())
        },
    )
    .clearable(move |o| set(o, None))
    .reporting(move |o| json!(get(o)))
}

/// A flag without a value.
pub fn switch<O: 'static>(
    name: &'static str,
    help: &'static str,
    get: fn(&O) -> bool,
    set: fn(&mut O, bool),
) -> OptionDecl<O> {
    OptionDecl::new(
        name,
        "",
        OptionKind::Switch,
        help,
        move |o| Some(get(o).to_string()),
        move |o, text| {
            set(o, text != "false");
            Ok(())
        },
    )
    .reporting(move |o| json!(get(o)))
}

/// A free-text option that may be unset (a path, a URL): empty text in the form unsets it.
pub fn optional_text<O: 'static, T: From<String> + 'static>(
    name: &'static str,
    value_name: &'static str,
    help: &'static str,
    get: fn(&O) -> Option<String>,
    set: fn(&mut O, Option<T>),
) -> OptionDecl<O> {
    OptionDecl::new(
        name,
        value_name,
        OptionKind::Text,
        help,
        get,
        move |o, text| {
            set(o, Some(T::from(text.to_string())));
            Ok(())
        },
    )
    .clearable(move |o| set(o, None))
}

/// A duration (`50ms`, `5s`, `0`), reported in milliseconds as `<name>_ms`.
pub fn duration<O: 'static>(
    name: &'static str,
    value_name: &'static str,
    help: &'static str,
    get: fn(&O) -> Duration,
    set: fn(&mut O, Duration),
) -> OptionDecl<O> {
    OptionDecl::new(
        name,
        value_name,
        OptionKind::Text,
        help,
        move |o| Some(format_duration(get(o))),
        move |o, text| {
            set(o, crate::server::parse_duration(text)?);
            Ok(())
        },
    )
    .reported_as(format!("{}_ms", name.replace('-', "_")))
    .reporting(move |o| json!(get(o).as_secs_f64() * 1e3))
}

/// A choice among an enum's values, parsed by its `FromStr` (whose error names what is
/// accepted) and spelled by its serde name.
pub fn named<O: 'static, T>(
    name: &'static str,
    value_name: &'static str,
    values: &'static [&'static str],
    help: &'static str,
    get: fn(&O) -> T,
    set: fn(&mut O, T),
) -> OptionDecl<O>
where
    T: std::str::FromStr + serde::Serialize + 'static,
    OptionValueError: From<T::Err>,
{
    let kind = OptionKind::Choice {
        values,
        strict: false,
    };
    OptionDecl::new(
        name,
        value_name,
        kind,
        help,
        move |o| Some(serde_name(&get(o))),
        move |o, text| {
            set(o, text.parse()?);
            Ok(())
        },
    )
}

/// A strict choice: the CLI takes exactly one of `values` (and lists them when not).
pub fn choice<O: 'static, T: serde::de::DeserializeOwned + serde::Serialize + 'static>(
    name: &'static str,
    value_name: &'static str,
    values: &'static [&'static str],
    help: &'static str,
    get: fn(&O) -> T,
    set: fn(&mut O, T),
) -> OptionDecl<O> {
    let kind = OptionKind::Choice {
        values,
        strict: true,
    };
    OptionDecl::new(
        name,
        value_name,
        kind,
        help,
        move |o| Some(serde_name(&get(o))),
        move |o, text| {
            let value = serde_json::from_value(serde_json::Value::String(text.to_string()))
                .map_err(|_| OptionValueError::Choice {
                    text: text.to_string(),
                    accepted: values.join(", "),
                })?;
            set(o, value);
            Ok(())
        },
    )
}

/// A unit-like enum's serialized name (`typed`, `batch`), the name the CLI takes.
pub fn serde_name(value: &impl serde::Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => "?".into(),
    }
}

/// A duration in the largest unit that keeps it whole (`5s`, `50ms`, `250us`, `0`), which
/// `parse_duration` reads back to the same microsecond.
pub fn format_duration(d: Duration) -> String {
    let us = d.as_micros();
    match us {
        0 => "0".into(),
        _ if us % 1_000_000 == 0 => format!("{}s", us / 1_000_000),
        _ if us % 1_000 == 0 => format!("{}ms", us / 1_000),
        _ => format!("{us}us"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Knobs {
        n: usize,
        maybe: Option<usize>,
        on: bool,
        wait: Duration,
    }

    fn decls() -> Vec<OptionDecl<Knobs>> {
        vec![
            number("n", "", |k: &Knobs| k.n, |k, v| k.n = v),
            optional_number("maybe", "", |k: &Knobs| k.maybe, |k, v| k.maybe = v),
            switch("on", "", |k: &Knobs| k.on, |k, v| k.on = v),
            duration("wait", "D", "", |k: &Knobs| k.wait, |k, v| k.wait = v),
        ]
    }

    #[test]
    fn values_round_trip_and_bad_text_keeps_its_reason() {
        let mut knobs = Knobs::default();
        for (decl, text) in decls().iter().zip(["12", "7", "true", "250us"]) {
            decl.set(&mut knobs, text).expect("parses");
            assert_eq!(decl.get(&knobs).as_deref(), Some(text), "{}", decl.name);
        }
        let err = decls()[0]
            .set(&mut knobs, "many")
            .expect_err("not a number");
        assert_eq!(err.to_string(), "invalid digit found in string");
        assert!(decls()[1].clear(&mut knobs) && knobs.maybe.is_none());
        assert!(!decls()[0].clear(&mut knobs));
    }

    #[test]
    fn durations_print_in_a_unit_parse_duration_reads_back() {
        for ms in [0, 1, 50, 1000, 5000, 1500] {
            let d = Duration::from_millis(ms);
            let text = format_duration(d);
            assert_eq!(crate::server::parse_duration(&text).ok(), Some(d), "{text}");
        }
        assert_eq!(format_duration(Duration::from_secs(5)), "5s");
    }
    #[test]
    fn a_lifted_option_reads_and_writes_the_inner_struct() {
        struct Outer(Option<Knobs>);
        let lifted = decls()
            .remove(0)
            .lift(|o: &Outer| o.0.as_ref(), |o| o.0.as_mut());
        let mut outer = Outer(Some(Knobs::default()));
        lifted.set(&mut outer, "3").expect("parses");
        assert_eq!(lifted.get(&outer).as_deref(), Some("3"));
        let mut other = Outer(None);
        lifted.set(&mut other, "3").expect("nothing to set");
        assert_eq!(lifted.get(&other), None);
    }

    #[test]
    fn values_are_reported_typed_under_snake_case_keys() {
        let knobs = Knobs {
            n: 4,
            maybe: None,
            on: true,
            wait: Duration::from_micros(1500),
        };
        let reported: Vec<(String, serde_json::Value)> = decls()
            .iter()
            .map(|d| (d.report_key.to_string(), d.report_value(&knobs)))
            .collect();
        let expected = [
            ("n", json!(4)),
            ("maybe", serde_json::Value::Null),
            ("on", json!(true)),
            ("wait_ms", json!(1.5)),
        ];
        let expected: Vec<(String, serde_json::Value)> = expected
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(reported, expected);
        let renamed = decls().remove(0).reported_as("n_allowed");
        assert_eq!(renamed.report_key, "n_allowed");
        let text = crate::workload::declare::options::OptionDecl::new(
            "some-path",
            "P",
            OptionKind::Text,
            "",
            |_: &Knobs| Some("a b".to_string()),
            |_, _| Ok(()),
        );
        assert_eq!(
            (text.report_key.as_ref(), text.report_value(&knobs)),
            ("some_path", json!("a b"))
        );
    }

    #[test]
    fn a_knob_shows_unless_its_mark_leaves_the_value_out() {
        let mut knobs = Knobs::default();
        let [n, maybe, on, wait]: [OptionDecl<Knobs>; 4] =
            decls().try_into().expect("four declarations");
        let n = n
            .knob(2)
            .knob_with(|m| m.spell = Some(|t| format!("<{t}>")));
        let maybe = maybe.knob(0);
        let on = on.knob(1).knob_with(|m| m.unless = Some("off"));
        assert_eq!(wait.knob_of(&knobs), None, "not marked");
        assert_eq!(maybe.knob_of(&knobs), None, "unset");
        assert_eq!(on.knob_of(&knobs), None, "left out when off");
        knobs.on = true;
        knobs.maybe = Some(7);
        let shown: Vec<String> = [&n, &maybe, &on]
            .iter()
            .filter_map(|d| d.knob_of(&knobs))
            .map(|(rank, knob)| format!("{rank}:{knob}"))
            .collect();
        assert_eq!(shown, ["2:n <0>", "0:maybe 7", "1:on on"]);
    }
}
