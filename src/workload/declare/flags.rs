//! Clap flags built from option declarations: one flag per option name, however many
//! owners (workloads) declare it, its help saying what it does and its default per owner;
//! and one workload's flags alone, for the help of that workload.

use super::options::{OptionDecl, OptionKind};
use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches};

/// One owner's declaration of a flag: the owner's name (a workload's; empty for a lone
/// owner, like `serve-api`), the declaration and the owner's defaults.
pub struct Declared<'a, O> {
    pub owner: &'static str,
    pub decl: &'a OptionDecl<O>,
    pub defaults: O,
}

/// The owners of each option name, in the order of first declaration.
pub fn group<'a, O>(declared: Vec<Declared<'a, O>>) -> Vec<Vec<Declared<'a, O>>> {
    let mut groups: Vec<Vec<Declared<'a, O>>> = Vec::new();
    for d in declared {
        match groups.iter_mut().find(|g| g[0].decl.name == d.decl.name) {
            Some(group) => group.push(d),
            None => groups.push(vec![d]),
        }
    }
    groups
}

/// The help of a flag: each owner's text (once when they agree), then its default(s).
fn help_text<O: 'static>(owners: &[Declared<'_, O>]) -> String {
    let first = owners[0].decl;
    // Owners that say the same thing share one sentence: `api-fetch, etl-pipeline: ...`.
    let mut texts: Vec<(Vec<&str>, &str)> = Vec::new();
    for o in owners {
        match texts.iter_mut().find(|(_, help)| *help == o.decl.help) {
            Some((names, _)) => names.push(o.owner),
            None => texts.push((vec![o.owner], o.decl.help)),
        }
    }
    let parts: Vec<String> = texts
        .iter()
        .map(|(names, help)| match names.join(", ") {
            named if named.is_empty() => help.to_string(),
            named => format!("{named}: {help}"),
        })
        .collect();
    let mut help = parts.join(" ");
    if !first.modes.is_empty() {
        let modes: Vec<&str> = first.modes.iter().map(|m| m.as_str()).collect();
        help.push_str(&format!(" (modes: {})", modes.join(", ")));
    }
    if first.kind == OptionKind::Switch {
        return help;
    }
    let defaults: Vec<(&str, Option<String>)> = owners
        .iter()
        .map(|o| (o.owner, o.decl.get(&o.defaults)))
        .collect();
    if defaults.iter().all(|d| d.1 == defaults[0].1) {
        if let Some(value) = &defaults[0].1 {
            help.push_str(&format!(" [default: {value}]"));
        }
    } else {
        let each: Vec<String> = defaults
            .iter()
            .filter_map(|(owner, value)| value.as_ref().map(|v| format!("{owner} {v}")))
            .collect();
        help.push_str(&format!(" [default: {}]", each.join(", ")));
    }
    help
}

/// The clap flag of one option name; a bad value is refused by the first owner's setter
/// (owners of one name take the same kind of value), in clap's own words
/// (`invalid value 'x' for '--flag <N>': MESSAGE`).
pub fn flag<O>(owners: &[Declared<'_, O>], heading: &'static str) -> Arg
where
    O: Clone + Send + Sync + 'static,
{
    let first = owners[0].decl;
    let arg = Arg::new(first.name)
        .long(first.name)
        .help(help_text(owners))
        .help_heading(heading);
    match first.kind {
        OptionKind::Switch => arg.action(ArgAction::SetTrue),
        OptionKind::Choice {
            values,
            strict: true,
        } => arg
            .value_name(first.value_name)
            .value_parser(PossibleValuesParser::new(values)),
        _ => {
            let (decl, defaults) = (first.clone(), owners[0].defaults.clone());
            arg.value_name(first.value_name)
                .value_parser(move |text: &str| {
                    let mut scratch = defaults.clone();
                    decl.set(&mut scratch, text).map(|()| text.to_string())
                })
        }
    }
}

/// The flags of `names` given on the command line, as (name, value) pairs; a switch given
/// reads `true`.
pub fn given<'a>(
    matches: &ArgMatches,
    names: impl IntoIterator<Item = (&'a str, OptionKind)>,
) -> Vec<(&'a str, String)> {
    let mut given = Vec::new();
    for (name, kind) in names {
        if kind == OptionKind::Switch {
            if matches.get_flag(name) {
                given.push((name, "true".to_string()));
            }
        } else if let Some(value) = matches.get_one::<String>(name) {
            given.push((name, value.clone()));
        }
    }
    given
}

/// The flags of every workload in `table`: an option several workloads declare is one flag
/// under "Workload options"; one of a single workload goes under "<workload> options".
pub fn workload_flags(table: &[super::table::WorkloadDecl]) -> Vec<Arg> {
    let declared = table
        .iter()
        .flat_map(|w| {
            w.options.iter().map(move |decl| Declared {
                owner: w.name,
                decl,
                defaults: (w.defaults)(),
            })
        })
        .collect();
    group(declared)
        .iter()
        .map(|owners| {
            let heading = match owners.len() {
                1 => own_heading(owners[0].owner),
                _ => "Workload options",
            };
            flag(owners, heading)
        })
        .collect()
}

/// The heading of the flags only `workload` takes: "<workload> options".
fn own_heading(workload: &str) -> &'static str {
    // clap keeps headings as `&'static str`; a few short strings per process.
    Box::leak(format!("{workload} options").into_boxed_str())
}

/// The flags of `workload` alone, as its own help shows them: under "<workload> options",
/// each with this workload's help and default only. They parse as [`workload_flags`] do.
pub fn own_flags(workload: &super::table::WorkloadDecl) -> Vec<Arg> {
    let heading = own_heading(workload.name);
    workload
        .options
        .iter()
        .map(|decl| {
            // No owner's name: the help is this workload's, so it needs no `name:` prefix.
            let lone = Declared {
                owner: "",
                decl,
                defaults: (workload.defaults)(),
            };
            flag(&[lone], heading)
        })
        .collect()
}

/// The workload flags given on the command line (see [`workload_flags`]).
pub fn given_workload_flags(
    matches: &ArgMatches,
    table: &'static [super::table::WorkloadDecl],
) -> Vec<(&'static str, String)> {
    let mut names: Vec<(&'static str, OptionKind)> = Vec::new();
    for option in table.iter().flat_map(|w| &w.options) {
        if !names.iter().any(|(n, _)| *n == option.name) {
            names.push((option.name, option.kind));
        }
    }
    given(matches, names)
}
