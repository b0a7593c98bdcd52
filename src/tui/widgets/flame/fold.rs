//! The code views' engine fold: the engine's frames between a worker's thread and the
//! workload's code shown as one frame naming the engine, unless the view shows full stacks.

use crate::exec::EngineFrames;
use crate::flame::{EngineFold, FrameTree};
use std::sync::Arc;

/// The last tree folded and its fold: a live run hands over a new tree when its stacks
/// change, while key presses rebuild the view from the same one, which is then folded once.
#[derive(Debug, Clone, Default)]
pub struct FoldCache {
    last: Option<(Arc<FrameTree>, Arc<FrameTree>)>,
}

impl FoldCache {
    /// `tree` with the engine's frames folded.
    pub fn folded(&mut self, tree: &Arc<FrameTree>) -> Arc<FrameTree> {
        if let Some((from, folded)) = &self.last {
            if Arc::ptr_eq(from, tree) {
                return folded.clone();
            }
        }
        let folded = Arc::new(tree.fold_engines(&EngineFrames, EngineFold::Fold));
        self.last = Some((tree.clone(), folded.clone()));
        folded
    }
}
