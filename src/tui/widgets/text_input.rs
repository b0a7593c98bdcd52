//! One line of typed text (a search, a scenario's path, worker counts, a form's path or
//! duration): the text being typed and what each typing action does to it. Every screen that
//! takes typed text holds an `Option<TextInput>` (`Some` while typing) and hands it the
//! typing actions; what the confirmed text means is the screen's business.

use crate::tui::state::Action;

/// Text being typed, until it is confirmed or cancelled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
}

/// What a typing action did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// The text changed (or stayed): typing goes on.
    Editing,
    /// Enter: the text is kept; typing is over.
    Confirmed(String),
    /// Esc: the text is dropped; typing is over.
    Cancelled,
    /// Not a typing action: the screen may handle it.
    Other,
}

impl TextInput {
    /// Starts typing with `text` already there (a field's current value).
    pub fn new(text: impl Into<String>) -> TextInput {
        TextInput { text: text.into() }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Applies a typing action: a character, Backspace, Enter or Esc.
    pub fn handle(&mut self, action: &Action) -> Typed {
        match action {
            Action::SearchChar(c) => self.text.push(*c),
            Action::SearchBackspace => {
                self.text.pop();
            }
            Action::SearchConfirm => return Typed::Confirmed(std::mem::take(&mut self.text)),
            Action::SearchCancel => return Typed::Cancelled,
            _ => return Typed::Other,
        }
        Typed::Editing
    }
}

/// Hands `action` to the input in `slot` while there is one; a confirmed or cancelled input
/// is taken out of the slot. `None` when nothing was being typed.
pub fn type_into(slot: &mut Option<TextInput>, action: &Action) -> Option<Typed> {
    let typed = slot.as_mut()?.handle(action);
    if matches!(typed, Typed::Confirmed(_) | Typed::Cancelled) {
        *slot = None;
    }
    Some(typed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_add_backspace_erases_and_enter_gives_the_text() {
        let mut input = TextInput::new("ab");
        assert_eq!(input.handle(&Action::SearchChar('c')), Typed::Editing);
        assert_eq!(input.handle(&Action::SearchBackspace), Typed::Editing);
        assert_eq!(input.handle(&Action::SearchBackspace), Typed::Editing);
        assert_eq!(input.text(), "a");
        assert_eq!(
            input.handle(&Action::SearchConfirm),
            Typed::Confirmed("a".into())
        );
    }

    #[test]
    fn backspace_on_nothing_stays_empty() {
        let mut input = TextInput::default();
        assert_eq!(input.handle(&Action::SearchBackspace), Typed::Editing);
        assert_eq!(input.text(), "");
    }

    #[test]
    fn the_slot_empties_on_enter_and_esc_but_not_while_typing() {
        let mut slot = Some(TextInput::new("x"));
        assert_eq!(
            type_into(&mut slot, &Action::SearchChar('y')),
            Some(Typed::Editing)
        );
        assert_eq!(type_into(&mut slot, &Action::Up), Some(Typed::Other));
        assert!(slot.is_some());
        assert_eq!(
            type_into(&mut slot, &Action::SearchCancel),
            Some(Typed::Cancelled)
        );
        assert!(slot.is_none());
        assert_eq!(type_into(&mut slot, &Action::SearchChar('z')), None);
        let mut slot = Some(TextInput::new("xy"));
        assert_eq!(
            type_into(&mut slot, &Action::SearchConfirm),
            Some(Typed::Confirmed("xy".into()))
        );
        assert!(slot.is_none());
    }
}
