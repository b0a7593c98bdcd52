//! The keys: the key map, declared once ([`map`]), and what is derived from it: terminal
//! input turned into actions ([`input`]) and the `?` help ([`help`]).

pub mod help;
pub mod input;
pub mod map;

pub use help::{help_max_scroll, help_rows, help_visible_rows};
pub use input::input_action;
