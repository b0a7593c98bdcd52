//! The pipeline file: `[[stage]]` tables read from TOML, checked, and put in topological
//! order (a stage's index is always greater than its dependencies').

use crate::workload::WorkloadError;
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};

/// The pipeline shipped with boundscope (`workloads/etl.toml`).
pub const BUILTIN_PIPELINE: &str = include_str!("../../../workloads/etl.toml");

/// What a stage does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageKind {
    FetchCompanies,
    FetchPrices,
    FetchFinancials,
    Load,
    Sql,
}

const KINDS: &str = "fetch-companies, fetch-prices, fetch-financials, load, sql";

impl StageKind {
    fn parse(text: &str) -> Option<StageKind> {
        Some(match text {
            "fetch-companies" => StageKind::FetchCompanies,
            "fetch-prices" => StageKind::FetchPrices,
            "fetch-financials" => StageKind::FetchFinancials,
            "load" => StageKind::Load,
            "sql" => StageKind::Sql,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StageKind::FetchCompanies => "fetch-companies",
            StageKind::FetchPrices => "fetch-prices",
            StageKind::FetchFinancials => "fetch-financials",
            StageKind::Load => "load",
            StageKind::Sql => "sql",
        }
    }

    pub fn is_fetch(self) -> bool {
        matches!(
            self,
            StageKind::FetchCompanies | StageKind::FetchPrices | StageKind::FetchFinancials
        )
    }

    /// The table a fetch stage's rows go into when none is named.
    fn default_table(self) -> Option<&'static str> {
        match self {
            StageKind::FetchCompanies => Some("companies"),
            StageKind::FetchPrices => Some("prices"),
            StageKind::FetchFinancials => Some("financials"),
            StageKind::Load | StageKind::Sql => None,
        }
    }
}

/// One checked stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub name: String,
    pub kind: StageKind,
    /// Indices (into `Pipeline::stages`) of the stages this one runs after; all smaller.
    pub after: Vec<usize>,
    /// Fetch: the table its rows are loaded into. Sql: the table its SQL creates.
    /// Load: empty.
    pub table: String,
    /// Sql: the statement(s) that create `table`.
    pub sql: Option<String>,
}

/// A checked pipeline, stages in topological order.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub stages: Vec<Stage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PipelineFile {
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    stage: Vec<RawStage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    name: String,
    kind: String,
    #[serde(default)]
    after: Vec<String>,
    table: Option<String>,
    sql: Option<String>,
}

fn input(message: String) -> WorkloadError {
    WorkloadError::Input(message)
}

impl Pipeline {
    /// Parses and checks a pipeline; `source` names it in errors (a file path).
    pub fn parse(text: &str, source: &str) -> Result<Pipeline, WorkloadError> {
        let file: PipelineFile = crate::toml_input::parse(text).map_err(|e| input(e.at(source)))?;
        if file.stage.is_empty() {
            return Err(input(format!(
                "the pipeline {source} has no stages; add [[stage]] tables with name and kind"
            )));
        }
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut kinds = Vec::with_capacity(file.stage.len());
        for (i, raw) in file.stage.iter().enumerate() {
            if raw.name.trim().is_empty() {
                return Err(input(format!(
                    "stage {} of the pipeline {source} has an empty name",
                    i + 1
                )));
            }
            if index.insert(raw.name.as_str(), i).is_some() {
                return Err(input(format!(
                    "the pipeline {source} has two stages named '{}'; stage names must be unique",
                    raw.name
                )));
            }
            let kind = StageKind::parse(&raw.kind).ok_or_else(|| {
                input(format!(
                    "stage '{}' has unknown kind '{}'; accepted: {KINDS}",
                    raw.name, raw.kind
                ))
            })?;
            kinds.push(kind);
        }
        let mut deps: Vec<Vec<usize>> = Vec::with_capacity(file.stage.len());
        for raw in &file.stage {
            let mut mine = Vec::new();
            for dep in &raw.after {
                let &d = index.get(dep.as_str()).ok_or_else(|| {
                    input(format!(
                        "stage '{}' runs after '{dep}', which is not a stage of the pipeline",
                        raw.name
                    ))
                })?;
                if dep == &raw.name {
                    return Err(input(format!(
                        "stage '{}' cannot run after itself",
                        raw.name
                    )));
                }
                if !mine.contains(&d) {
                    mine.push(d);
                }
            }
            deps.push(mine);
        }
        let order = topological_order(&deps).map_err(|cycle| {
            let names: Vec<&str> = cycle.iter().map(|&i| file.stage[i].name.as_str()).collect();
            input(format!(
                "the pipeline {source} has a cycle: stages {} depend on each other",
                names.join(", ")
            ))
        })?;
        let mut position = vec![0; order.len()];
        for (pos, &i) in order.iter().enumerate() {
            position[i] = pos;
        }
        let mut stages = Vec::with_capacity(order.len());
        for &i in &order {
            let raw = &file.stage[i];
            let mut after: Vec<usize> = deps[i].iter().map(|&d| position[d]).collect();
            after.sort_unstable();
            stages.push(check_stage(raw, kinds[i], after)?);
        }
        let pipeline = Pipeline { stages };
        pipeline.check_tables()?;
        Ok(pipeline)
    }

    /// Every stage this one depends on, directly or not (indices, ascending).
    pub fn ancestors(&self, stage: usize) -> Vec<usize> {
        let mut seen = BTreeSet::new();
        let mut todo = self.stages[stage].after.clone();
        while let Some(s) = todo.pop() {
            if seen.insert(s) {
                todo.extend(self.stages[s].after.iter().copied());
            }
        }
        seen.into_iter().collect()
    }

    /// The fetch stages a load stage loads: its fetch ancestors.
    pub fn loaded_by(&self, load: usize) -> Vec<usize> {
        self.ancestors(load)
            .into_iter()
            .filter(|&s| self.stages[s].kind.is_fetch())
            .collect()
    }

    /// Table names must not clash; every load stage must have something to load, and no
    /// fetched table may be loaded twice.
    fn check_tables(&self) -> Result<(), WorkloadError> {
        let mut owners: HashMap<String, &str> = HashMap::new();
        for stage in &self.stages {
            if stage.table.is_empty() {
                continue;
            }
            let key = stage.table.to_ascii_lowercase();
            if let Some(other) = owners.insert(key, &stage.name) {
                return Err(input(format!(
                    "stages '{other}' and '{}' both write table '{}'; give each its own table",
                    stage.name, stage.table
                )));
            }
        }
        let mut loaded: HashMap<usize, &str> = HashMap::new();
        for (i, stage) in self.stages.iter().enumerate() {
            if stage.kind != StageKind::Load {
                continue;
            }
            let fetches = self.loaded_by(i);
            if fetches.is_empty() {
                return Err(input(format!(
                    "load stage '{}' has nothing to load; list fetch stages in its `after`",
                    stage.name
                )));
            }
            for f in fetches {
                if let Some(other) = loaded.insert(f, &stage.name) {
                    return Err(input(format!(
                        "stage '{}' is loaded by both '{other}' and '{}'; load each fetch once",
                        self.stages[f].name, stage.name
                    )));
                }
            }
        }
        Ok(())
    }
}

fn check_stage(raw: &RawStage, kind: StageKind, after: Vec<usize>) -> Result<Stage, WorkloadError> {
    let name = &raw.name;
    let table = match (kind, &raw.table) {
        (StageKind::Load, Some(_)) => {
            return Err(input(format!(
                "load stage '{name}' takes no `table`: it loads the tables of the fetch stages it runs after"
            )))
        }
        (StageKind::Load, None) => String::new(),
        (StageKind::Sql, None) => {
            return Err(input(format!(
                "sql stage '{name}' needs `table`: the table its SQL creates (its rows make the stage's result)"
            )))
        }
        (_, Some(table)) => table.clone(),
        (_, None) => kind.default_table().unwrap_or_default().to_string(),
    };
    if !table.is_empty() && !valid_identifier(&table) {
        return Err(input(format!(
            "stage '{name}' has table '{table}'; use letters, digits and _ (not starting with a digit)"
        )));
    }
    let sql = match (kind, &raw.sql) {
        (StageKind::Sql, Some(sql)) if !sql.trim().is_empty() => Some(sql.clone()),
        (StageKind::Sql, _) => {
            return Err(input(format!(
                "sql stage '{name}' needs `sql`: e.g. sql = \"CREATE TABLE {table} AS SELECT ...\""
            )))
        }
        (_, Some(_)) => {
            return Err(input(format!(
                "stage '{name}' is a {} stage; only sql stages take `sql`",
                kind.as_str()
            )))
        }
        (_, None) => None,
    };
    Ok(Stage {
        name: name.clone(),
        kind,
        after,
        table,
        sql,
    })
}

fn valid_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Kahn's algorithm, taking the earliest-declared ready stage first (so a file already in
/// order keeps its order). `Err` holds the stages left on a cycle.
fn topological_order(deps: &[Vec<usize>]) -> Result<Vec<usize>, Vec<usize>> {
    let n = deps.len();
    let mut missing: Vec<usize> = deps.iter().map(Vec::len).collect();
    let mut dependents = vec![Vec::new(); n];
    for (i, mine) in deps.iter().enumerate() {
        for &d in mine {
            dependents[d].push(i);
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| missing[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &j in &dependents[i] {
            missing[j] -= 1;
            if missing[j] == 0 {
                ready.insert(j);
            }
        }
    }
    if order.len() == n {
        Ok(order)
    } else {
        Err((0..n).filter(|&i| missing[i] > 0).collect())
    }
}
