//! A scenario's real lines (`real = true`, run with `scenario --real`): programs beside the
//! simulated runs, usually the CPython twins of the workload. Their command lines may name
//! `{python}` (`$BOUNDSCOPE_PYTHON`, or `python3`), `{twins}` (a directory holding the twin
//! scripts, which ship inside boundscope) and `{input}` (a directory holding the input the
//! scenario's first line reads, generated for the twins).

use super::CliError;
use boundscope::session::RunSpec;
use boundscope::workload::WorkloadSpec;
use std::path::{Path, PathBuf};

/// The twin scripts, as the `twins/` folder has them.
const TWINS: [(&str, &str); 5] = [
    ("twinlib.py", include_str!("../../twins/twinlib.py")),
    ("json_parse.py", include_str!("../../twins/json_parse.py")),
    ("api_fetch.py", include_str!("../../twins/api_fetch.py")),
    ("csv_sqlite.py", include_str!("../../twins/csv_sqlite.py")),
    ("pg_asyncio.py", include_str!("../../twins/pg_asyncio.py")),
];

/// What the placeholders stand for, made when a line first names them.
pub struct RealInputs {
    dir: tempfile::TempDir,
    twins: Option<PathBuf>,
    input: Option<PathBuf>,
}

impl RealInputs {
    pub fn new() -> Result<RealInputs, CliError> {
        let dir = tempfile::Builder::new()
            .prefix("boundscope-real-")
            .tempdir()
            .map_err(|e| CliError::Failed(format!("cannot make a directory for the twins: {e}")))?;
        Ok(RealInputs {
            dir,
            twins: None,
            input: None,
        })
    }

    /// The directory holding what was made, to keep while the lines run.
    pub fn into_dir(self) -> tempfile::TempDir {
        self.dir
    }

    /// `words` with their placeholders replaced; `first` is the scenario's first built-in
    /// line (whose input `{input}` is).
    pub fn expand(
        &mut self,
        words: Vec<String>,
        first: Option<&RunSpec>,
    ) -> Result<Vec<String>, CliError> {
        let mut expanded = Vec::with_capacity(words.len());
        for word in words {
            let mut word = word.replace("{python}", &python());
            if word.contains("{twins}") {
                word = word.replace("{twins}", &self.twins()?.display().to_string());
            }
            if word.contains("{input}") {
                word = word.replace("{input}", &self.input(first)?.display().to_string());
            }
            expanded.push(word);
        }
        Ok(expanded)
    }

    fn twins(&mut self) -> Result<PathBuf, CliError> {
        if let Some(dir) = &self.twins {
            return Ok(dir.clone());
        }
        let dir = self.dir.path().join("twins");
        let written = std::fs::create_dir_all(&dir).and_then(|()| {
            TWINS
                .iter()
                .try_for_each(|(name, text)| std::fs::write(dir.join(name), text))
        });
        written.map_err(|e| CliError::Failed(format!("cannot write the twin scripts: {e}")))?;
        self.twins = Some(dir.clone());
        Ok(dir)
    }

    fn input(&mut self, first: Option<&RunSpec>) -> Result<PathBuf, CliError> {
        if let Some(dir) = &self.input {
            return Ok(dir.clone());
        }
        let dir = self.dir.path().join("input");
        generate(&dir, first.map(|s| &s.workload))?;
        self.input = Some(dir.clone());
        Ok(dir)
    }
}

/// The Python the twins run on.
fn python() -> String {
    std::env::var("BOUNDSCOPE_PYTHON")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "python3".into())
}

/// Writes the input `workload` reads into `dir` (its generated data, as `gen` writes it).
fn generate(dir: &Path, workload: Option<&WorkloadSpec>) -> Result<(), CliError> {
    let failed =
        |e: &dyn std::fmt::Display| CliError::Failed(format!("cannot write {{input}}: {e}"));
    std::fs::create_dir_all(dir).map_err(|e| failed(&e))?;
    match workload {
        Some(WorkloadSpec::JsonParse(json)) => boundscope::workload::json::generate_observed(
            dir,
            json.files,
            json.records,
            &mut |_: &boundscope::model::GenProgress| {},
        )
        .map(|_| ())
        .map_err(|e| failed(&e)),
        Some(WorkloadSpec::CsvImport(csv)) => boundscope::workload::csv::generate_observed(
            dir,
            csv.dataset,
            csv.records,
            &mut |_: &boundscope::model::GenProgress| {},
        )
        .map(|_| ())
        .map_err(|e| failed(&e)),
        _ => Err(CliError::Usage(
            "{input} stands for the input of the scenario's first line, which must be a \
             json-parse or csv-import run"
                .into(),
        )),
    }
}
