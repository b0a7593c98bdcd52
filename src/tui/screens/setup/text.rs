//! The setup form's text fields (a pipeline file, an input path, a URL, a duration): typing
//! one, and saying what the typed text gives before a run starts (a wrong path or value is a
//! message, never a failed child).

use super::form::SetupForm;
use crate::tui::state::Action;
use crate::tui::widgets::fmt::shown_tail;
use crate::tui::widgets::text_input::{type_into, TextInput, Typed};
use crate::workload::declare::options::OptionKind;
use crate::workload::WorkloadSpec;

impl SetupForm {
    /// True while a text field takes the keys.
    pub fn is_typing(&self) -> bool {
        self.typing.is_some()
    }

    /// Whether the current field takes typed text (a path, a URL, a duration).
    pub fn takes_text(&self) -> bool {
        self.option(self.current())
            .is_some_and(|option| option.kind == OptionKind::Text)
    }

    /// Starts typing into the current field; false (nothing changes) unless it takes text.
    pub fn begin_typing(&mut self) -> bool {
        let Some(option) = self.option(self.current()) else {
            return false;
        };
        if option.kind != OptionKind::Text {
            return false;
        }
        self.typing = Some(TextInput::new(option.get(self.spec()).unwrap_or_default()));
        self.editing = true;
        true
    }

    /// Hands a typing action to the field being typed; `None` when none is. Esc drops the
    /// typed text and the field keeps its value from before; Enter gives the text to
    /// [`SetupForm::finish_typing`].
    pub fn type_action(&mut self, action: &Action) -> Option<Typed> {
        let typed = type_into(&mut self.typing, action)?;
        if matches!(typed, Typed::Confirmed(_) | Typed::Cancelled) {
            self.cancel_typing();
        }
        Some(typed)
    }

    /// Stops typing; the field keeps its value from before.
    pub fn cancel_typing(&mut self) {
        self.typing = None;
        self.editing = false;
    }

    /// Keeps the typed text (empty: the default) and says what it gives: a pipeline's
    /// stages, or what is wrong (a value that does not parse is not taken; a pipeline that
    /// does not load stays, to be corrected, and a run will not start with it).
    pub fn finish_typing(&mut self, text: &str) -> String {
        self.cancel_typing();
        let Some(option) = self.option(self.current()) else {
            return String::new();
        };
        let text = text.trim();
        let spec = &mut self.specs[self.workload];
        if text.is_empty() && option.clear(spec) {
            return format!("--{}: the default", option.name);
        }
        if let Err(e) = option.set(spec, text) {
            return format!("--{} {text}: {e}", option.name);
        }
        match self.spec() {
            WorkloadSpec::EtlPipeline(etl) if option.name == "pipeline" => {
                match etl.load_pipeline() {
                    Ok((pipeline, source)) => {
                        format!("pipeline {source}: {} stages", pipeline.stages.len())
                    }
                    Err(e) => e.to_string(),
                }
            }
            _ => format!("--{} {text}", option.name),
        }
    }

    /// The text being typed, its end when long.
    pub(super) fn typing_text(&self) -> String {
        shown_tail(self.typing.as_ref().map_or("", TextInput::text))
    }
}
