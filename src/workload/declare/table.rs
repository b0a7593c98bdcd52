//! The table of workloads: each one's name, one-line help, the options it runs with when no
//! flag is given, and its option declarations. The only list of workload names.

use super::options::{Knob, OptionDecl};
use super::spec::WorkloadSpec;
use crate::model::Mode;
use crate::workload::api::{self, ApiOptions};
use crate::workload::csv::{self, CsvOptions};
use crate::workload::etl::{self, EtlOptions};
use crate::workload::json::{self, JsonOptions};
use std::sync::OnceLock;

/// One workload as the CLI, the setup form and scenario checks know it.
#[derive(Debug)]
pub struct WorkloadDecl {
    pub name: &'static str,
    /// One line on what it does.
    pub about: &'static str,
    /// The options it runs with when no flag is given (the CLI's defaults).
    pub defaults: fn() -> WorkloadSpec,
    /// Its options, in the order the form and the help show them.
    pub options: Vec<OptionDecl<WorkloadSpec>>,
}

/// A flag another workload declares, given to one that does not take it (`run json-parse
/// --latency 5ms`): refused, since the run would silently go without it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--{flag} is not an option of {workload}; it takes {takes}")]
pub struct ForeignOption {
    pub flag: String,
    pub workload: &'static str,
    /// `--files, --records, ...`.
    pub takes: String,
}

impl WorkloadDecl {
    /// `Err` when `name` is an option of another workload and not of this one.
    pub fn check_takes(&self, name: &str) -> Result<(), ForeignOption> {
        let anyones = workloads().iter().any(|w| w.option(name).is_some());
        if !anyones || self.option(name).is_some() {
            return Ok(());
        }
        let takes: Vec<String> = self
            .options
            .iter()
            .map(|o| format!("--{}", o.name))
            .collect();
        Err(ForeignOption {
            flag: name.to_string(),
            workload: self.name,
            takes: takes.join(", "),
        })
    }

    /// The declared option called `name` (a flag without its dashes).
    pub fn option(&self, name: &str) -> Option<&OptionDecl<WorkloadSpec>> {
        self.options.iter().find(|o| o.name == name)
    }

    /// Whether `spec` is this workload's.
    pub fn is(&self, spec: &WorkloadSpec) -> bool {
        std::mem::discriminant(&(self.defaults)()) == std::mem::discriminant(spec)
    }

    /// The spec with the flags `given` (name without dashes, value as typed) applied to the
    /// defaults; flags this workload does not declare are left to the caller.
    pub fn spec<'a>(
        &self,
        given: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<WorkloadSpec, super::options::OptionValueError> {
        let mut spec = (self.defaults)();
        for (name, value) in given {
            if let Some(option) = self.option(name) {
                option.set(&mut spec, value)?;
            }
        }
        Ok(spec)
    }

    /// The report's `options` as declared: every option that applies in `mode`, under its
    /// report key, as `spec` sets it. The workload adds what its run found
    /// ([`crate::workload::Workload::describe`]).
    pub fn report_options(
        &self,
        spec: &WorkloadSpec,
        mode: Mode,
    ) -> crate::workload::ReportOptions {
        self.options
            .iter()
            .filter(|o| o.applies_in(mode))
            .map(|o| (o.report_key.to_string(), o.report_value(spec)))
            .collect()
    }

    /// The knobs of a run with `spec`: those set otherwise than by default first, as they
    /// are what sets the run apart and a narrow run list cuts the end; each part by rank
    /// (equal ranks in declaration order).
    pub fn knobs(&self, spec: &WorkloadSpec) -> Vec<Knob> {
        let defaults = (self.defaults)();
        let mut knobs: Vec<(bool, u8, Knob)> = self
            .options
            .iter()
            .filter_map(|o| {
                let (rank, knob) = o.knob_of(spec)?;
                Some((o.get(spec) == o.get(&defaults), rank, knob))
            })
            .collect();
        knobs.sort_by_key(|(default, rank, _)| (*default, *rank));
        knobs.into_iter().map(|(_, _, knob)| knob).collect()
    }
}

macro_rules! lift_into {
    ($variant:ident, $options:ty, $decls:expr) => {
        $decls
            .into_iter()
            .map(|d: OptionDecl<$options>| {
                d.lift(
                    |s: &WorkloadSpec| match s {
                        WorkloadSpec::$variant(o) => Some(o),
                        _ => None,
                    },
                    |s: &mut WorkloadSpec| match s {
                        WorkloadSpec::$variant(o) => Some(o),
                        _ => None,
                    },
                )
            })
            .collect()
    };
}

fn table() -> Vec<WorkloadDecl> {
    vec![
        WorkloadDecl {
            name: json::options::NAME,
            about: json::options::ABOUT,
            defaults: || WorkloadSpec::JsonParse(json::options::cli_defaults()),
            options: lift_into!(JsonParse, JsonOptions, json::options::options()),
        },
        WorkloadDecl {
            name: api::options::NAME,
            about: api::options::ABOUT,
            defaults: || WorkloadSpec::ApiFetch(api::options::cli_defaults()),
            options: lift_into!(ApiFetch, ApiOptions, api::options::options()),
        },
        WorkloadDecl {
            name: etl::NAME,
            about: etl::options::ABOUT,
            defaults: || WorkloadSpec::EtlPipeline(etl::options::cli_defaults()),
            options: lift_into!(EtlPipeline, EtlOptions, etl::options::options()),
        },
        WorkloadDecl {
            name: csv::options::NAME,
            about: csv::options::ABOUT,
            defaults: || WorkloadSpec::CsvImport(csv::options::cli_defaults()),
            options: lift_into!(CsvImport, CsvOptions, csv::options::options()),
        },
    ]
}

/// The built-in workloads, in the order the CLI's help and the form list them.
pub fn workloads() -> &'static [WorkloadDecl] {
    static TABLE: OnceLock<Vec<WorkloadDecl>> = OnceLock::new();
    TABLE.get_or_init(table)
}

/// `exec`'s declaration: a program observed from outside. Not among [`workloads`], which
/// are the built-in ones every mode runs.
pub fn program() -> &'static WorkloadDecl {
    static PROGRAM: OnceLock<WorkloadDecl> = OnceLock::new();
    PROGRAM.get_or_init(program_decl)
}

/// The built-in workloads, then `exec`'s program: what the setup form offers.
pub fn workloads_and_program() -> &'static [WorkloadDecl] {
    static TABLE: OnceLock<Vec<WorkloadDecl>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut all = table();
        all.push(program_decl());
        all
    })
}

fn program_decl() -> WorkloadDecl {
    WorkloadDecl {
        name: crate::workload::program::NAME,
        about: crate::workload::program::ABOUT,
        defaults: || WorkloadSpec::Exec(crate::workload::program::ProgramOptions::default()),
        options: lift_into!(
            Exec,
            crate::workload::program::ProgramOptions,
            crate::workload::program::options()
        ),
    }
}

/// The built-in workload called `name`.
pub fn workload(name: &str) -> Option<&'static WorkloadDecl> {
    workloads().iter().find(|w| w.name == name)
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
