//! Which OS thread a Python thread runs on, for interpreters that do not record it (before
//! 3.11). Python names a thread by its `pthread_t`, which on Linux's C libraries is the
//! address of the thread's control block, and that block holds the kernel's thread id at a
//! fixed offset. The offset differs between C libraries and architectures, so it is found
//! once on the live threads: the one place where every Python thread's block holds a
//! distinct id of one of the process's threads.

use std::collections::{HashMap, HashSet};

/// How much of a thread control block is searched for the thread id.
const WINDOW: usize = 2048;

/// The offset of `tid` in glibc's `struct pthread` on x86-64, preferred when it fits (a
/// block may hold the same number elsewhere by chance).
#[cfg(target_arch = "x86_64")]
const PREFERRED: Option<usize> = Some(0x2d0);
#[cfg(not(target_arch = "x86_64"))]
const PREFERRED: Option<usize> = None;

/// Python thread idents to OS thread ids, for one process.
#[derive(Debug, Default)]
pub struct TidMap {
    offset: Option<usize>,
}

impl TidMap {
    /// The OS thread id of each of `idents` (Python's thread idents) that can be told, among
    /// `os_tids` (the process's threads now).
    pub fn resolve(&mut self, pid: u32, idents: &[u64], os_tids: &[u32]) -> HashMap<u64, u32> {
        let live: HashSet<u32> = os_tids.iter().copied().collect();
        if let Some(offset) = self.offset {
            let found = read_at(pid, idents, offset, &live);
            if found.len() == idents.len() {
                return found;
            }
        }
        if let Some(offset) = calibrate(pid, idents, &live) {
            self.offset = Some(offset);
        }
        match self.offset {
            Some(offset) => read_at(pid, idents, offset, &live),
            None => HashMap::new(),
        }
    }
}

/// The id at `offset` in each ident's control block, where it is one of `live`.
fn read_at(pid: u32, idents: &[u64], offset: usize, live: &HashSet<u32>) -> HashMap<u64, u32> {
    idents
        .iter()
        .filter_map(|&ident| {
            let mut word = [0u8; 4];
            let at = usize::try_from(ident).ok()?.checked_add(offset)?;
            super::diagnose::read_memory(pid, at, &mut word).ok()?;
            let tid = u32::from_ne_bytes(word);
            live.contains(&tid).then_some((ident, tid))
        })
        .collect()
}

/// The offset at which every readable control block holds a distinct live thread id.
fn calibrate(pid: u32, idents: &[u64], live: &HashSet<u32>) -> Option<usize> {
    let blocks: Vec<Vec<u8>> = idents
        .iter()
        .filter_map(|&ident| {
            let mut block = vec![0u8; WINDOW];
            let at = usize::try_from(ident).ok()?;
            super::diagnose::read_memory(pid, at, &mut block).ok()?;
            Some(block)
        })
        .collect();
    if blocks.is_empty() {
        return None;
    }
    let fits = |offset: usize| offset_fits(&blocks, offset, live);
    PREFERRED
        .filter(|&offset| fits(offset))
        .or_else(|| (0..WINDOW - 3).step_by(4).find(|&offset| fits(offset)))
}

/// Whether every block holds a live thread id at `offset`, no two the same.
pub(super) fn offset_fits(blocks: &[Vec<u8>], offset: usize, live: &HashSet<u32>) -> bool {
    let mut seen = HashSet::new();
    blocks.iter().all(|block| {
        let Some(bytes) = block.get(offset..offset + 4) else {
            return false;
        };
        let mut word = [0u8; 4];
        word.copy_from_slice(bytes);
        let tid = u32::from_ne_bytes(word);
        live.contains(&tid) && seen.insert(tid)
    })
}
