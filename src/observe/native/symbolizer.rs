//! Names of another process's code addresses: the file each lies in (from its memory map),
//! and that file's symbols (DWARF where present, with inlined frames; else its symbol
//! table). Each file is opened once, and each (file, offset) named once.

use crate::symbolize::files::{file_address, release_pages};
use crate::symbolize::{clean_name, read_maps, Mapping};
use std::collections::HashMap;

/// Names stacks of other processes, caching their maps and every name found.
#[derive(Default)]
pub struct Symbolizer {
    maps: HashMap<u32, Vec<Mapping>>,
    /// Frame names by (file path, offset in the file).
    names: HashMap<(String, u64), Vec<String>>,
}

impl Symbolizer {
    pub fn new() -> Symbolizer {
        Symbolizer::default()
    }

    /// The function names of a stack of process `pid` (`ips` leaf first, as sampled: the
    /// leaf's exact address, then return addresses), root first, inlined calls included.
    /// An address without a name says where it lies: `[unknown] (libfoo.so)` when the file
    /// has no symbol for it, `0x… (file)` when the file cannot be read (deleted, replaced,
    /// not ELF) or it is not a file's code, `0x…` when it lies in no mapping.
    pub fn symbolize(&mut self, pid: u32, ips: &[u64]) -> Vec<String> {
        let mut frames = Vec::with_capacity(ips.len());
        for (depth, &ip) in ips.iter().enumerate().rev() {
            // A return address points past its call: the call is the byte before.
            let address = match depth {
                0 => ip,
                _ => ip.saturating_sub(1),
            };
            frames.extend(self.names_at(pid, address));
        }
        frames
    }

    /// Gives back the pages of files read for names (kept in the system's page cache); call
    /// after a batch of stacks.
    pub fn release_pages(&self) {
        release_pages();
    }

    /// Forgets a process that ended (its names stay cached by file).
    pub fn forget(&mut self, pid: u32) {
        self.maps.remove(&pid);
    }

    fn names_at(&mut self, pid: u32, address: u64) -> Vec<String> {
        let Some(mapping) = mapping_at(&mut self.maps, pid, address) else {
            return vec![format!("{address:#x}")];
        };
        if !mapping.is_file() {
            let place = match mapping.path.is_empty() {
                true => "[anon]",
                false => mapping.path.as_str(),
            };
            return vec![format!("{address:#x} ({place})")];
        }
        let offset = address - mapping.start + mapping.file_offset;
        let key = (mapping.path.clone(), offset);
        if let Some(names) = self.names.get(&key) {
            return names.clone();
        }
        let names = file_names(mapping, address);
        self.names.insert(key, names.clone());
        names
    }
}

/// The mapping of `pid` holding `address`, reading the map again when the one cached has
/// none (a library loaded since); a process gone keeps its last map.
fn mapping_at(maps: &mut HashMap<u32, Vec<Mapping>>, pid: u32, address: u64) -> Option<&Mapping> {
    let cached = maps.get(&pid);
    if cached.is_none_or(|m| !m.iter().any(|m| m.holds(address))) {
        if let Some(fresh) = read_maps(&pid.to_string()) {
            maps.insert(pid, fresh);
        }
    }
    maps.get(&pid)?.iter().find(|m| m.holds(address))
}

/// The names at `address` in the file `mapping` maps, or what is known of where it lies.
fn file_names(mapping: &Mapping, address: u64) -> Vec<String> {
    let file = mapping.file_name();
    let opened = file_address(&mapping.path, mapping.start, mapping.file_offset, address);
    // A file replaced on disk since it was mapped has another inode: its symbols would name
    // the wrong code.
    let Some((symbols, at)) = opened.filter(|(s, _)| s.elf.inode() == mapping.inode) else {
        return vec![format!("{address:#x} ({file})")];
    };
    let names: Vec<String> = symbols.names(at).iter().map(|n| clean_name(n)).collect();
    match names.is_empty() {
        true => vec![format!("[unknown] ({file})")],
        false => names,
    }
}
