//! One declaration per workload option: its flag name, value name, help, kind, the modes it
//! applies to, and how to read and write it on the workload's options struct. The CLI flags,
//! the TUI's setup form, scenario validation and the knobs of a run all derive from it.

use crate::model::Mode;
use std::sync::Arc;
use std::time::Duration;

/// Reads an option's value as the CLI spells it; `None`: unset (the flag is absent).
pub type Getter<O> = Arc<dyn Fn(&O) -> Option<String> + Send + Sync>;
/// Sets an option from the text the CLI takes.
pub type Setter<O> = Arc<dyn Fn(&mut O, &str) -> Result<(), OptionValueError> + Send + Sync>;
/// Sets an optional option back to unset.
pub type Clearer<O> = Arc<dyn Fn(&mut O) + Send + Sync>;

/// An option value that does not parse. Its message is the one clap shows after
/// `invalid value 'x' for '--flag':`, so each variant keeps its source's words.
#[derive(Debug, thiserror::Error)]
pub enum OptionValueError {
    #[error(transparent)]
    Integer(#[from] std::num::ParseIntError),
    #[error(transparent)]
    Float(#[from] std::num::ParseFloatError),
    #[error(transparent)]
    Server(#[from] crate::server::ValueError),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error(transparent)]
    Csv(#[from] crate::workload::csv::OptionError),
    #[error("`{text}` is not accepted; use one of: {accepted}")]
    Choice { text: String, accepted: String },
}

/// What kind of value an option takes: how the CLI parses it and the form edits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// A whole number; the form steps it by `step`.
    Number { step: usize },
    /// One of `values` (the form cycles through them). `strict`: the CLI takes exactly these
    /// and lists them; otherwise the setter decides (other spellings, any `--db` URL).
    Choice {
        values: &'static [&'static str],
        strict: bool,
    },
    /// A flag without a value: given means on.
    Switch,
    /// Free text: a path, a URL, a duration, a rate.
    Text,
}

/// One option of one options struct `O`.
pub struct OptionDecl<O> {
    /// The flag's name without dashes.
    pub name: &'static str,
    /// The value's placeholder in the help (`N`, `PATH`).
    pub value_name: &'static str,
    pub help: &'static str,
    pub kind: OptionKind,
    /// The modes the option applies to; empty: every mode.
    pub modes: &'static [Mode],
    /// Offered by the TUI's setup form, which fits 80×24 and so shows the main knobs only.
    pub form: bool,
    get: Getter<O>,
    set: Setter<O>,
    clear: Option<Clearer<O>>,
}

impl<O> Clone for OptionDecl<O> {
    fn clone(&self) -> Self {
        OptionDecl {
            get: self.get.clone(),
            set: self.set.clone(),
            clear: self.clear.clone(),
            ..*self
        }
    }
}

impl<O> std::fmt::Debug for OptionDecl<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OptionDecl")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl<O: 'static> OptionDecl<O> {
    pub fn new(
        name: &'static str,
        value_name: &'static str,
        kind: OptionKind,
        help: &'static str,
        get: impl Fn(&O) -> Option<String> + Send + Sync + 'static,
        set: impl Fn(&mut O, &str) -> Result<(), OptionValueError> + Send + Sync + 'static,
    ) -> Self {
        OptionDecl {
            name,
            value_name,
            help,
            kind,
            modes: &[],
            form: false,
            get: Arc::new(get),
            set: Arc::new(set),
            clear: None,
        }
    }

    /// Offered by the setup form.
    pub fn in_form(mut self) -> Self {
        self.form = true;
        self
    }

    /// A number field's step in the form.
    pub fn stepping(mut self, step: usize) -> Self {
        if let OptionKind::Number { .. } = self.kind {
            self.kind = OptionKind::Number { step };
        }
        self
    }

    /// The value's placeholder in the help, instead of the helper's (`N`).
    pub fn placeholder(mut self, value_name: &'static str) -> Self {
        self.value_name = value_name;
        self
    }

    /// Applies in `modes` only.
    pub fn for_modes(mut self, modes: &'static [Mode]) -> Self {
        self.modes = modes;
        self
    }

    /// An optional value that `clear` sets back to unset (the form's empty or 0).
    pub fn clearable(mut self, clear: impl Fn(&mut O) + Send + Sync + 'static) -> Self {
        self.clear = Some(Arc::new(clear));
        self
    }

    /// The value as the CLI spells it, `None` when unset.
    pub fn get(&self, options: &O) -> Option<String> {
        (self.get)(options)
    }

    /// Sets the value from the CLI's text.
    pub fn set(&self, options: &mut O, text: &str) -> Result<(), OptionValueError> {
        (self.set)(options, text)
    }

    /// Unsets an optional value; false (nothing changes) when the option always has one.
    pub fn clear(&self, options: &mut O) -> bool {
        match &self.clear {
            Some(clear) => {
                clear(options);
                true
            }
            None => false,
        }
    }

    pub fn is_clearable(&self) -> bool {
        self.clear.is_some()
    }

    /// Whether the option applies in `mode`.
    pub fn applies_in(&self, mode: Mode) -> bool {
        self.modes.is_empty() || self.modes.contains(&mode)
    }

    /// The same option on a struct `P` that holds an `O` (a workload spec holding its
    /// options, the API options holding the server's): `view`/`edit` give `None` when `P`
    /// holds no `O` (another workload), and the option then reads unset and sets nothing.
    pub fn lift<P: 'static>(
        self,
        view: fn(&P) -> Option<&O>,
        edit: fn(&mut P) -> Option<&mut O>,
    ) -> OptionDecl<P> {
        let (get, set, clear) = (self.get, self.set, self.clear);
        OptionDecl {
            name: self.name,
            value_name: self.value_name,
            help: self.help,
            kind: self.kind,
            modes: self.modes,
            form: self.form,
            get: Arc::new(move |p: &P| view(p).and_then(|o| get(o))),
            set: Arc::new(move |p: &mut P, text: &str| match edit(p) {
                Some(o) => set(o, text),
                None => Ok(()),
            }),
            clear: clear.map(|clear| {
                Arc::new(move |p: &mut P| {
                    if let Some(o) = edit(p) {
                        clear(o)
                    }
                }) as Clearer<P>
            }),
        }
    }
}

/// A whole-number option (`N`).
pub fn number<O: 'static, T>(
    name: &'static str,
    help: &'static str,
    get: fn(&O) -> T,
    set: fn(&mut O, T),
) -> OptionDecl<O>
where
    T: std::str::FromStr<Err = std::num::ParseIntError> + ToString + 'static,
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

/// A duration (`50ms`, `5s`, `0`).
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
}
