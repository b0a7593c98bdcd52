//! The `?` help, generated from the key map so the two cannot drift.

use super::map::{Key, Scope, KEY_MAP, SCREENS};
use crate::tui::state::{Action, Screen};

/// The help's rows for `screen`: the keys that work everywhere, then this screen's, then the
/// other screens' (a heading, empty keys, where each screen's rows start).
pub fn help_rows(screen: Screen) -> Vec<(String, &'static str)> {
    let mut scopes = vec![Scope::Everywhere];
    scopes.extend(SCREENS.into_iter().filter(|s| s.applies(screen)));
    scopes.extend(SCREENS.into_iter().filter(|s| !s.applies(screen)));
    let mut rows = Vec::new();
    for scope in scopes {
        if let Some(heading) = scope.heading() {
            rows.push((String::new(), heading));
        }
        for binding in KEY_MAP.iter().filter(|b| b.scope == scope) {
            rows.push((keys_label(binding.keys), binding.help));
        }
    }
    rows
}

/// How many help rows fit a terminal `height` rows tall (inside the popup's borders).
pub fn help_visible_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(2))
}

/// The furthest the help can scroll on `screen` in a terminal `height` rows tall.
pub fn help_max_scroll(screen: Screen, height: u16) -> usize {
    help_rows(screen)
        .len()
        .saturating_sub(help_visible_rows(height))
}

/// `↑↓ j k`: labels separated by spaces, arrows run together.
fn keys_label(keys: &[(Key, Action)]) -> String {
    let mut out = String::new();
    let mut after_arrow = false;
    for (key, _) in keys {
        let run_together = after_arrow && key.is_arrow();
        if !out.is_empty() && !run_together {
            out.push(' ');
        }
        out.push_str(&key.label());
        after_arrow = key.is_arrow();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_where_it_applies() {
        for scope in SCREENS {
            let keys: Vec<Key> = KEY_MAP
                .iter()
                .filter(|b| b.scope == scope || b.scope == Scope::Everywhere)
                .flat_map(|b| b.keys.iter().map(|k| k.0))
                .collect();
            for (i, key) in keys.iter().enumerate() {
                assert!(!keys[..i].contains(key), "{key:?} twice on {scope:?}");
            }
        }
    }

    #[test]
    fn help_lists_every_binding_under_its_screen() {
        let rows = help_rows(Screen::Setup);
        let bindings = KEY_MAP.len();
        assert_eq!(
            rows.len(),
            bindings + SCREENS.len(),
            "one heading per screen"
        );
        assert_eq!(rows[0].0, "? q Ctrl-C");
        let run = rows.iter().position(|r| r.1 == "— run screen —").unwrap();
        assert_eq!(rows[run + 1].0, "↑↓←→ h j k l");
        assert!(rows.iter().any(|r| r.0 == "s w"));
        let view = rows
            .iter()
            .find(|r| r.0 == "v")
            .expect("the view key is listed");
        assert!(view.1.contains("wall time"), "{view:?}");
    }

    #[test]
    fn help_starts_with_the_screen_in_use() {
        for (screen, heading) in [
            (Screen::Setup, "— setup screen —"),
            (Screen::Run, "— run screen —"),
            (Screen::Compare, "— compare screen —"),
            (Screen::Suite, "— scenario / sweep screen —"),
        ] {
            let rows = help_rows(screen);
            let first_heading = rows.iter().find(|r| r.0.is_empty()).map(|r| r.1);
            assert_eq!(first_heading, Some(heading));
            assert_eq!(rows.len(), help_rows(Screen::Setup).len());
        }
        assert_eq!(help_max_scroll(Screen::Run, 200), 0);
        assert_eq!(
            help_max_scroll(Screen::Run, 24),
            help_rows(Screen::Run).len() - 22
        );
    }
}
