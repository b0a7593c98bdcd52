//! One declaration per workload option: its flag name, value name, help, kind, the modes it
//! applies to, how to read and write it on the workload's options struct, its key in the
//! report and whether it is one of a run's knobs. The CLI flags, the TUI's setup form,
//! scenario validation, the report's `options` and the run list's knobs all derive from it.

use crate::model::Mode;
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;

/// Reads an option's value as the CLI spells it; `None`: unset (the flag is absent).
pub type Getter<O> = Arc<dyn Fn(&O) -> Option<String> + Send + Sync>;
/// Sets an option from the text the CLI takes.
pub type Setter<O> = Arc<dyn Fn(&mut O, &str) -> Result<(), OptionValueError> + Send + Sync>;
/// Sets an optional option back to unset.
pub type Clearer<O> = Arc<dyn Fn(&mut O) + Send + Sync>;
/// The option's value as the report's `options` carry it (a number, a bool, a string, null).
pub type Reporter<O> = Arc<dyn Fn(&O) -> Value + Send + Sync>;

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
    #[error(transparent)]
    Program(#[from] crate::workload::program::ProgramOptionError),
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
    /// Values the form steps through with ←→ for a text option (a latency ladder); any text
    /// the option takes can still be typed.
    pub presets: &'static [&'static str],
    /// Its key in the report's `options`: the flag's name in snake_case unless declared
    /// otherwise (`timeout_ms`, `retries_allowed`: the keys reports have always used).
    pub report_key: Cow<'static, str>,
    /// Whether, and how, the run list shows it among a run's knobs.
    pub knob: Option<KnobMark>,
    get: Getter<O>,
    set: Setter<O>,
    clear: Option<Clearer<O>>,
    report: Reporter<O>,
}

/// How the run list shows an option among a run's knobs (`parser typed · files 30`): the
/// few that tell two runs of a workload apart.
#[derive(Debug, Clone, Copy)]
pub struct KnobMark {
    /// Its place among the workload's knobs: what changes the work itself first (parser,
    /// database, latency), sizes last. Equal ranks keep the declaration order; knobs set
    /// otherwise than by default go before those that are not.
    pub rank: u8,
    /// The knob's short name (the flag's unless a shorter one reads as well).
    pub label: &'static str,
    /// Shown only when its value is not this one (`reuse off` matters, `reuse on` does not).
    pub unless: Option<&'static str>,
    /// How the run list spells a value the CLI spells otherwise: a database's kind, never
    /// its URL (which may hold a password).
    pub spell: Option<fn(&str) -> String>,
}

/// A knob as the run list shows it: `parser typed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Knob {
    pub name: &'static str,
    pub value: String,
}

impl std::fmt::Display for Knob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.name, self.value)
    }
}

impl<O> Clone for OptionDecl<O> {
    fn clone(&self) -> Self {
        OptionDecl {
            report_key: self.report_key.clone(),
            get: self.get.clone(),
            set: self.set.clone(),
            clear: self.clear.clone(),
            report: self.report.clone(),
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
        let get: Getter<O> = Arc::new(get);
        let text = get.clone();
        OptionDecl {
            name,
            value_name,
            help,
            kind,
            modes: &[],
            form: false,
            presets: &[],
            report_key: Cow::Owned(name.replace('-', "_")),
            knob: None,
            get,
            set: Arc::new(set),
            clear: None,
            report: Arc::new(move |o| text(o).map_or(Value::Null, Value::String)),
        }
    }

    /// Reports the value under `key` instead of the flag's name.
    pub fn reported_as(mut self, key: impl Into<Cow<'static, str>>) -> Self {
        self.report_key = key.into();
        self
    }

    /// Reports the value as `value` gives it (a number, a bool) instead of the CLI's text.
    pub fn reporting(mut self, value: impl Fn(&O) -> Value + Send + Sync + 'static) -> Self {
        self.report = Arc::new(value);
        self
    }

    /// One of the run's knobs in the run list, at `rank` (see [`KnobMark::rank`]).
    pub fn knob(mut self, rank: u8) -> Self {
        self.knob = Some(KnobMark {
            rank,
            label: self.name,
            unless: None,
            spell: None,
        });
        self
    }

    /// Changes the knob mark (set by [`OptionDecl::knob`] first).
    pub fn knob_with(mut self, change: impl FnOnce(&mut KnobMark)) -> Self {
        if let Some(mark) = self.knob.as_mut() {
            change(mark);
        }
        self
    }

    /// Values the form steps through (see [`OptionDecl::presets`]), lowest first.
    pub fn with_presets(mut self, presets: &'static [&'static str]) -> Self {
        self.presets = presets;
        self
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

    /// The value as the report's `options` carry it.
    pub fn report_value(&self, options: &O) -> Value {
        (self.report)(options)
    }

    /// The option as a knob of a run with `options`, with its rank; `None` when it is not a
    /// knob, is unset or has the value its mark leaves out. A switch reads `on` or `off`.
    pub fn knob_of(&self, options: &O) -> Option<(u8, Knob)> {
        let mark = self.knob?;
        let mut text = self.get(options)?;
        if self.kind == OptionKind::Switch {
            text = if text == "true" { "on" } else { "off" }.into();
        }
        if mark.unless == Some(text.as_str()) {
            return None;
        }
        let value = mark.spell.map_or(text.clone(), |spell| spell(&text));
        Some((
            mark.rank,
            Knob {
                name: mark.label,
                value,
            },
        ))
    }

    /// The same option on a struct `P` that holds an `O` (a workload spec holding its
    /// options, the API options holding the server's): `view`/`edit` give `None` when `P`
    /// holds no `O` (another workload), and the option then reads unset and sets nothing.
    pub fn lift<P: 'static>(
        self,
        view: fn(&P) -> Option<&O>,
        edit: fn(&mut P) -> Option<&mut O>,
    ) -> OptionDecl<P> {
        let (get, set, clear, report) = (self.get, self.set, self.clear, self.report);
        OptionDecl {
            name: self.name,
            value_name: self.value_name,
            help: self.help,
            kind: self.kind,
            modes: self.modes,
            form: self.form,
            presets: self.presets,
            report_key: self.report_key,
            knob: self.knob,
            report: Arc::new(move |p: &P| view(p).map_or(Value::Null, |o| report(o))),
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
