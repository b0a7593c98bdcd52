//! The setup form's text field, etl-pipeline's `--pipeline` path: typing it, showing it, and
//! checking that it names a pipeline before a run starts (a wrong path is a message, never a
//! failed child).

use super::setup::{Field, SetupForm};
use crate::workload::etl::EtlOptions;
use crate::workload::WorkloadError;
use std::path::PathBuf;

/// Columns a path takes in the form; a longer one shows its end (the file's name).
const SHOWN: usize = 15;

impl SetupForm {
    /// True while a text field takes the keys.
    pub fn is_typing(&self) -> bool {
        self.typing.is_some()
    }

    /// Starts typing into the current field; false (nothing changes) unless it takes text.
    pub fn begin_typing(&mut self) -> bool {
        if self.current() != Field::Pipeline {
            return false;
        }
        self.typing = Some(self.pipeline.clone());
        self.editing = true;
        true
    }

    pub fn type_char(&mut self, c: char) {
        if let Some(text) = &mut self.typing {
            text.push(c);
        }
    }

    pub fn type_backspace(&mut self) {
        if let Some(text) = &mut self.typing {
            text.pop();
        }
    }

    /// Drops the typed text; the field keeps its value from before.
    pub fn cancel_typing(&mut self) {
        self.typing = None;
        self.editing = false;
    }

    /// Keeps the typed text and says what it names: the pipeline and its stages, or what is
    /// wrong with it (the value stays, to be corrected; a run will not start with it).
    pub fn finish_typing(&mut self) -> String {
        let Some(text) = self.typing.take() else {
            return String::new();
        };
        self.editing = false;
        self.pipeline = text.trim().to_string();
        match self.check_pipeline() {
            Ok((stages, source)) => format!("pipeline {source}: {stages} stages"),
            Err(e) => e.to_string(),
        }
    }

    /// Reads and checks the pipeline the form names, as the run will: its number of stages
    /// and where it came from.
    pub fn check_pipeline(&self) -> Result<(usize, String), WorkloadError> {
        let path = (!self.pipeline.is_empty()).then(|| PathBuf::from(&self.pipeline));
        let options = EtlOptions {
            pipeline: path,
            ..EtlOptions::default()
        };
        let (pipeline, source) = options.load_pipeline()?;
        Ok((pipeline.stages.len(), source))
    }

    /// The field's value on screen: `built-in`, the path, or its end after `…`.
    pub(super) fn pipeline_text(&self) -> String {
        let text = self.typing.as_deref().unwrap_or(&self.pipeline);
        if text.is_empty() && self.typing.is_none() {
            return "built-in".into();
        }
        let n = text.chars().count();
        if n <= SHOWN {
            return text.to_string();
        }
        let tail: String = text.chars().skip(n + 1 - SHOWN).collect();
        format!("…{tail}")
    }
}
