//! The setup panel: which workload, mode, workers and options the next run gets. The
//! options are the workloads' declarations (`workload::workloads()`), kept as a typed spec
//! per workload from the CLI's defaults; the form gives a typed [`RunSpec`].

use super::fields::visible_fields;
pub use super::fields::{Field, PG_ENV};
use crate::db::mask_password;
use crate::model::Mode;
use crate::session::RunSpec;
use crate::tui::widgets::text_input::TextInput;
use crate::workload::declare::options::{OptionDecl, OptionKind};
use crate::workload::{WorkloadDecl, WorkloadError, WorkloadSpec};

/// Upper bounds that keep generated data to a sane size.
pub const MAX_FILES: usize = 1000;
pub const MAX_RECORDS: usize = 5_000_000;
/// The largest number typed into a field.
const MAX_TYPED: usize = 99_999_999;

/// Why the form cannot start a run.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("workers must be at least 1")]
    Workers,
    #[error("--{0} must be at least 1")]
    Zero(&'static str),
    #[error(
        "at most {MAX_FILES} files of {MAX_RECORDS} records each (the data is generated on disk)"
    )]
    TooBig,
    #[error(transparent)]
    Pipeline(#[from] WorkloadError),
    #[error("type the command to run: Enter on the command field")]
    NoCommand,
}

/// The workloads a form offers (a table of declarations; tests give their own).
#[derive(Clone, Copy)]
pub struct Workloads(pub &'static [WorkloadDecl]);

impl std::fmt::Debug for Workloads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|w| w.name).collect();
        write!(f, "{names:?}")
    }
}

/// The form's values and cursor.
#[derive(Debug, Clone)]
pub struct SetupForm {
    pub table: Workloads,
    /// Index into the table.
    pub workload: usize,
    pub mode: Mode,
    pub workers: usize,
    /// async: tasks in flight; 0 = the CLI's default (--workers).
    pub in_flight: usize,
    pub gil: bool,
    /// Each workload's options as set in the form, from the CLI's defaults (one per entry
    /// of the table, so switching workloads keeps what was set).
    pub specs: Vec<WorkloadSpec>,
    /// A PostgreSQL URL from the environment, offered as a `--db` choice.
    pub pg: Option<String>,
    /// The text being typed into a text field, while typing.
    pub typing: Option<TextInput>,
    /// Index into [`SetupForm::fields`].
    pub field: usize,
    /// True while digits typed into a number field replace its value.
    pub editing: bool,
}

impl SetupForm {
    pub fn new(cores: usize) -> SetupForm {
        SetupForm::with_workloads(cores, crate::workload::workloads_and_program())
    }

    /// A form offering the workloads of `table`.
    pub fn with_workloads(cores: usize, table: &'static [WorkloadDecl]) -> SetupForm {
        SetupForm {
            table: Workloads(table),
            workload: 0,
            mode: Mode::Threads,
            workers: cores.max(1),
            in_flight: 0,
            gil: false,
            specs: table.iter().map(|w| (w.defaults)()).collect(),
            pg: std::env::var(PG_ENV).ok().filter(|url| !url.is_empty()),
            typing: None,
            field: 0,
            editing: false,
        }
    }

    /// The chosen workload's declaration.
    pub fn declaration(&self) -> &'static WorkloadDecl {
        &self.table.0[self.workload]
    }

    pub fn workload_name(&self) -> &'static str {
        self.declaration().name
    }

    /// Chooses the workload called `name`; false when the form does not offer it.
    pub fn choose(&mut self, name: &str) -> bool {
        match self.table.0.iter().position(|w| w.name == name) {
            Some(i) => {
                self.workload = i;
                true
            }
            None => false,
        }
    }

    /// The chosen workload's options as the form has them.
    pub fn spec(&self) -> &WorkloadSpec {
        &self.specs[self.workload]
    }

    /// The declared option a field stands for, if it is one.
    pub fn option(&self, field: Field) -> Option<&'static OptionDecl<WorkloadSpec>> {
        match field {
            Field::Option(name) => self.declaration().option(name),
            _ => None,
        }
    }

    /// Sets a declared option of the chosen workload from the CLI's text.
    pub fn set_option(
        &mut self,
        name: &str,
        text: &str,
    ) -> Result<(), crate::workload::declare::options::OptionValueError> {
        match self.declaration().option(name) {
            Some(option) => option.set(&mut self.specs[self.workload], text),
            None => Ok(()),
        }
    }

    /// The fields shown for the chosen workload and mode, top to bottom.
    pub fn fields(&self) -> Vec<Field> {
        visible_fields(self.declaration(), self.mode)
    }

    /// The mode the run gets: `exec` for a program, the form's mode otherwise.
    pub fn run_mode(&self) -> Mode {
        match self.spec().program() {
            Some(_) => Mode::Exec,
            None => self.mode,
        }
    }

    pub fn current(&self) -> Field {
        let fields = self.fields();
        fields[self.field.min(fields.len() - 1)]
    }

    /// The current field's help.
    pub fn help(&self, field: Field) -> String {
        field.help(self.table.0, self.declaration())
    }

    pub fn move_field(&mut self, step: isize) {
        self.editing = false;
        self.field = cycle(self.field, self.fields().len(), step);
    }

    /// The values a choice offers: the declared ones, and for `--db` the server from the
    /// environment.
    pub fn choices(&self, option: &OptionDecl<WorkloadSpec>) -> Vec<String> {
        let OptionKind::Choice { values, .. } = option.kind else {
            return Vec::new();
        };
        let pg = self.pg.iter().filter(|_| option.name == "db").cloned();
        values.iter().map(|v| v.to_string()).chain(pg).collect()
    }

    /// Changes the current field's value one step left (`-1`) or right (`+1`).
    pub fn change(&mut self, step: isize) {
        self.editing = false;
        match self.current() {
            Field::Workload => self.workload = cycle(self.workload, self.table.0.len(), step),
            Field::Mode => self.mode = pick(&Mode::ALL, self.mode, step),
            Field::Gil => self.gil = !self.gil,
            Field::Workers => self.workers = bump(self.workers, step, 1, 1),
            Field::InFlight => self.in_flight = bump(self.in_flight, step, 1, 0),
            field => self.change_option(field, step),
        }
        // The list of fields may have changed; the cursor stays on a shown field.
        self.field = self.field.min(self.fields().len() - 1);
    }

    fn change_option(&mut self, field: Field, step: isize) {
        let Some(option) = self.option(field) else {
            return;
        };
        let spec = &mut self.specs[self.workload];
        let now = option.get(spec);
        let next = match option.kind {
            OptionKind::Switch => Some((now.as_deref() != Some("true")).to_string()),
            OptionKind::Choice { .. } => {
                let choices = self.choices(option);
                let at = choices.iter().position(|c| Some(c) == now.as_ref());
                // A value typed elsewhere (not offered) steps to the first choice.
                let i = at.map_or(0, |i| cycle(i, choices.len(), step));
                choices.get(i).cloned()
            }
            OptionKind::Number { .. } => {
                let n = now.and_then(|t| t.parse::<usize>().ok()).unwrap_or(0);
                let unit = number_step(option);
                let floor = usize::from(!option.is_clearable());
                Some(bump(n, step, unit, floor).to_string())
            }
            OptionKind::Text => preset_step(option.presets, now.as_deref(), step),
        };
        let spec = &mut self.specs[self.workload];
        match next.as_deref() {
            // 0 in an optional number: unset (the CLI's default).
            Some("0") if option.is_clearable() => {
                option.clear(spec);
            }
            Some(text) => {
                // The text comes from the option's own values: it parses.
                let _ = option.set(spec, text);
            }
            None => {}
        }
    }

    /// The number a number field holds (0 for an unset optional one).
    fn number(&self, option: &OptionDecl<WorkloadSpec>) -> usize {
        let text = option.get(self.spec());
        text.and_then(|t| t.parse().ok()).unwrap_or(0)
    }

    /// Writes a number field (0 unsets an optional one).
    fn set_number(&mut self, option: &OptionDecl<WorkloadSpec>, n: usize) {
        let spec = &mut self.specs[self.workload];
        if n == 0 && option.clear(spec) {
            return;
        }
        let _ = option.set(spec, &n.to_string());
    }

    /// Types a digit into a number field (the first digit replaces the value).
    pub fn digit(&mut self, d: u8) {
        let type_into = |value: usize, editing: bool| {
            let base = if editing { value } else { 0 };
            base.saturating_mul(10)
                .saturating_add(usize::from(d))
                .min(MAX_TYPED)
        };
        match self.current() {
            Field::Workers => self.workers = type_into(self.workers, self.editing),
            Field::InFlight => self.in_flight = type_into(self.in_flight, self.editing),
            field => match self.option(field) {
                Some(option) if matches!(option.kind, OptionKind::Number { .. }) => {
                    let n = type_into(self.number(option), self.editing);
                    self.set_number(option, n);
                }
                _ => return,
            },
        }
        self.editing = true;
    }

    pub fn backspace(&mut self) {
        match self.current() {
            Field::Workers => self.workers /= 10,
            Field::InFlight => self.in_flight /= 10,
            field => match self.option(field) {
                Some(option) if matches!(option.kind, OptionKind::Number { .. }) => {
                    let n = self.number(option) / 10;
                    self.set_number(option, n);
                }
                _ => return,
            },
        }
        self.editing = true;
    }

    /// What stops the run from starting, if anything.
    pub fn check(&self) -> Result<(), SetupError> {
        if self.mode != Mode::Sequential && self.workers == 0 {
            return Err(SetupError::Workers);
        }
        for field in self.fields() {
            let Some(option) = self.option(field) else {
                continue;
            };
            if matches!(option.kind, OptionKind::Number { .. })
                && !option.is_clearable()
                && self.number(option) == 0
            {
                return Err(SetupError::Zero(option.name));
            }
        }
        let size = |name: &str| {
            let option = self.declaration().option(name);
            option.map(|o| self.number(o))
        };
        if size("files").unwrap_or(1) > MAX_FILES || size("records").unwrap_or(1) > MAX_RECORDS {
            return Err(SetupError::TooBig);
        }
        if let WorkloadSpec::EtlPipeline(etl) = self.spec() {
            etl.load_pipeline()?;
        }
        if self.spec().program().is_some_and(|p| p.command.is_empty()) {
            return Err(SetupError::NoCommand);
        }
        Ok(())
    }

    /// A problem that stops the run from starting, if any, in words.
    pub fn problem(&self) -> Option<String> {
        self.check().err().map(|e| e.to_string())
    }

    pub fn workers_for_run(&self) -> usize {
        if matches!(self.run_mode(), Mode::Sequential | Mode::Exec) {
            1
        } else {
            self.workers
        }
    }

    /// The run this form describes, checked.
    pub fn run_spec(&self) -> Result<RunSpec, SetupError> {
        self.check()?;
        let mut workload = self.spec().clone();
        if let WorkloadSpec::CsvImport(csv) = &mut workload {
            // Each run is its own: only its first process may drop the tables.
            csv.run_id = crate::workload::csv::new_run_id();
        }
        let mode = self.run_mode();
        let mut spec = RunSpec::new(workload, mode, self.workers_for_run());
        spec.in_flight = (mode == Mode::Async && self.in_flight > 0).then_some(self.in_flight);
        spec.gil = self.gil && mode != Mode::Exec;
        Ok(spec)
    }

    /// Display text of a field's value.
    pub fn value_text(&self, field: Field) -> String {
        let or_default = |n: usize| match n {
            0 => "default".to_string(),
            n => n.to_string(),
        };
        match field {
            Field::Workload => self.workload_name().to_string(),
            Field::Mode => self.mode.as_str().to_string(),
            Field::Workers => self.workers.to_string(),
            Field::InFlight => or_default(self.in_flight),
            Field::Gil => on_off(self.gil),
            Field::Option(_) => self.option_text(field),
        }
    }

    fn option_text(&self, field: Field) -> String {
        let Some(option) = self.option(field) else {
            return String::new();
        };
        if self.typing.is_some() && field == self.current() {
            return self.typing_text();
        }
        match (option.kind, option.get(self.spec())) {
            (OptionKind::Switch, value) => on_off(value.as_deref() == Some("true")),
            // A server URL may carry a password: never on screen.
            (_, Some(value)) if option.name == "db" => mask_password(&value),
            (OptionKind::Text, Some(value)) => crate::tui::widgets::fmt::shown_tail(&value),
            (_, Some(value)) => value,
            (_, None) => "default".into(),
        }
    }

    /// The arguments of `boundscope run ...` for this form's run, streaming events to
    /// stdout (see [`RunSpec::run_args`]).
    pub fn child_args(&self) -> Vec<String> {
        let spec = match self.run_spec() {
            Ok(spec) => spec,
            // Unchecked (a caller that checked already); the values are what they are.
            Err(_) => {
                let mut spec = RunSpec::new(self.spec().clone(), self.mode, self.workers_for_run());
                spec.gil = self.gil;
                spec
            }
        };
        let mut args = spec.run_args(self.declaration());
        args.extend(["--events", "-", "--quiet"].map(String::from));
        args
    }
}

fn on_off(on: bool) -> String {
    if on { "on" } else { "off" }.to_string()
}

/// The preset one `step` from `now`, stopping at either end. A value typed by hand steps to
/// the nearest preset past it when both read as durations, to the first preset otherwise.
fn preset_step(presets: &[&str], now: Option<&str>, step: isize) -> Option<String> {
    let last = presets.len().checked_sub(1)?;
    let at = now.and_then(|now| presets.iter().position(|p| *p == now));
    let i = match (at, now.and_then(seconds)) {
        (Some(i), _) => i.saturating_add_signed(step).min(last),
        (None, Some(now)) if step > 0 => presets.iter().position(|p| seconds(p) > Some(now))?,
        (None, Some(now)) => presets.iter().rposition(|p| seconds(p) < Some(now))?,
        (None, None) => 0,
    };
    Some(presets[i].to_string())
}

fn seconds(text: &str) -> Option<f64> {
    crate::server::parse_duration(text)
        .ok()
        .map(|d| d.as_secs_f64())
}

fn number_step(option: &OptionDecl<WorkloadSpec>) -> usize {
    match option.kind {
        OptionKind::Number { step } => step.max(1),
        _ => 1,
    }
}

fn cycle(i: usize, n: usize, step: isize) -> usize {
    (i as isize + step).rem_euclid(n.max(1) as isize) as usize
}

fn pick<T: Copy + PartialEq>(all: &[T], now: T, step: isize) -> T {
    let i = all.iter().position(|&x| x == now).unwrap_or(0);
    all[cycle(i, all.len(), step)]
}

fn bump(value: usize, step: isize, unit: usize, floor: usize) -> usize {
    if step < 0 {
        value.saturating_sub(unit).max(floor)
    } else {
        value.saturating_add(unit)
    }
}

#[cfg(test)]
#[path = "form_tests.rs"]
mod tests;
