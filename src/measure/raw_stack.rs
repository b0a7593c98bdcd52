//! Raw stacks (return addresses, innermost first) and their interning: one allocation per
//! distinct stack, however often a wait starts there.

use std::collections::HashSet;
use std::sync::Arc;

/// Return addresses of one stack, innermost first (empty: the place is not known).
pub type RawStack = Arc<[usize]>;

/// Interned stacks, looked up by slice.
#[derive(Default)]
pub(super) struct Interner(HashSet<RawStack>);

impl Interner {
    pub(super) fn get(&mut self, frames: &[usize]) -> RawStack {
        if let Some(stack) = self.0.get(frames) {
            return stack.clone();
        }
        let stack: RawStack = frames.into();
        self.0.insert(stack.clone());
        stack
    }
}
