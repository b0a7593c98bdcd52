//! The setup form's fields: the run-level ones (workload, mode, workers, in-flight, GIL), then
//! the chosen workload's declared options that the form offers, with their help.

use crate::model::Mode;
use crate::workload::declare::options::OptionKind;
use crate::workload::WorkloadDecl;

/// The environment variable naming a PostgreSQL server the form may offer as `--db`.
pub const PG_ENV: &str = crate::db::target::SERVER_ENV;

/// A field of the form: a run-level setting, or a workload option by its flag name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Workload,
    Mode,
    Workers,
    InFlight,
    Gil,
    /// A declared option of the chosen workload (the flag's name without dashes).
    Option(&'static str),
}

/// The fields that apply to `workload` in `mode`, top to bottom.
pub fn visible_fields(workload: &WorkloadDecl, mode: Mode) -> Vec<Field> {
    // A program runs with its own concurrency: no mode, workers or simulated lock.
    if workload.name == crate::workload::program::NAME {
        let offered = workload.options.iter().filter(|o| o.form);
        let options = offered.map(|o| Field::Option(o.name));
        return std::iter::once(Field::Workload).chain(options).collect();
    }
    let mut fields = vec![Field::Workload, Field::Mode];
    // A sequential run has one worker whatever --workers says.
    if mode != Mode::Sequential {
        fields.push(Field::Workers);
    }
    if mode == Mode::Async {
        fields.push(Field::InFlight);
    }
    fields.push(Field::Gil);
    let options = workload.options.iter();
    let offered = options.filter(|o| o.form && o.applies_in(mode));
    fields.extend(offered.map(|o| Field::Option(o.name)));
    fields
}

impl Field {
    /// The CLI's flag name, without the dashes (the workload is the positional argument).
    pub fn label(self) -> &'static str {
        match self {
            Field::Workload => "workload",
            Field::Mode => "mode",
            Field::Workers => "workers",
            Field::InFlight => "in-flight",
            Field::Gil => "gil",
            Field::Option(name) => name,
        }
    }

    /// What the field does and what it accepts: the run-level fields' own words, a
    /// workload option's declared help.
    pub fn help(self, table: &[WorkloadDecl], workload: &WorkloadDecl) -> String {
        match self {
            Field::Workload => {
                let n = table.len();
                let at = table
                    .iter()
                    .position(|w| w.name == workload.name)
                    .map_or(0, |i| i + 1);
                format!("{} ({at} of {n}): {}", workload.name, workload.about)
            }
            Field::Mode => Mode::ALL.map(Mode::as_str).join(" "),
            Field::Workers => "threads, tasks' threads or processes; default: cores".into(),
            Field::InFlight => "tasks in flight at once; default: --workers".into(),
            Field::Gil => "simulate CPython's interpreter lock".into(),
            Field::Option(name) => match workload.option(name) {
                Some(option) => {
                    let hint = match option.kind {
                        OptionKind::Text if !option.presets.is_empty() => {
                            " (←→ steps; Enter types any value)"
                        }
                        OptionKind::Text => " (Enter types it; empty = default)",
                        OptionKind::Choice { .. } if name == "db" => {
                            " (the form offers ${PG_ENV} too, when set)"
                        }
                        _ => "",
                    };
                    format!("{}{hint}", option.help)
                }
                None => String::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::workload;

    #[test]
    fn in_flight_only_in_async_and_workers_not_in_sequential() {
        let api = workload("api-fetch").expect("declared");
        let fields = |mode| visible_fields(api, mode);
        assert!(fields(Mode::Async).contains(&Field::InFlight));
        assert!(!fields(Mode::Threads).contains(&Field::InFlight));
        assert!(!fields(Mode::Sequential).contains(&Field::Workers));
        assert!(fields(Mode::Processes).contains(&Field::Workers));
    }

    #[test]
    fn a_workloads_fields_are_its_declared_form_options_in_order() {
        for w in crate::workload::workloads() {
            let fields = visible_fields(w, Mode::Threads);
            let options: Vec<&str> = fields[4..].iter().map(|f| f.label()).collect();
            let declared: Vec<&str> = w
                .options
                .iter()
                .filter(|o| o.form)
                .map(|o| o.name)
                .collect();
            assert_eq!(options, declared, "{}", w.name);
            assert!(!options.is_empty(), "{} offers no knob", w.name);
        }
    }
}
