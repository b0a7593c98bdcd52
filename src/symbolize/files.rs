//! Files of code opened for symbolization: every file is opened once per process (mapped, its
//! debug information indexed) and read only where an address asks.

use super::dwarf::DebugInfo;
use super::elf::ElfFile;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A file of code and its debug information, opened once.
pub(crate) struct FileSymbols {
    pub(crate) elf: ElfFile,
    debug: Option<DebugInfo>,
}

type Files = Mutex<HashMap<String, Option<&'static FileSymbols>>>;

fn files() -> &'static Files {
    static FILES: OnceLock<Files> = OnceLock::new();
    FILES.get_or_init(Mutex::default)
}

/// Drops the pages of every file of code read so far from this process's resident memory
/// (they stay in the system's page cache): what was learned from them is kept, and a
/// profile that keeps them would weigh as much as the debug information it touched.
pub(crate) fn release_pages() {
    for file in files().lock().values().flatten() {
        file.elf.release_pages();
    }
}

/// The file at `path`, opened on first use and kept for the life of the process.
pub(crate) fn file_symbols(path: &str) -> Option<&'static FileSymbols> {
    let mut files = files().lock();
    *files.entry(path.to_string()).or_insert_with(|| {
        // The running binary may have been replaced on disk since it started: read the
        // image the kernel holds.
        let source = match is_current_exe(path) {
            true => "/proc/self/exe",
            false => path,
        };
        let elf = ElfFile::open(source)?;
        let debug = DebugInfo::parse(elf.data());
        Some(&*Box::leak(Box::new(FileSymbols { elf, debug })))
    })
}

pub(crate) fn is_current_exe(path: &str) -> bool {
    static EXE: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();
    EXE.get_or_init(|| std::env::current_exe().ok()).as_deref() == Some(std::path::Path::new(path))
}

/// The file mapped at `start` from `file_offset` on, and the file's own address for
/// `address` there; `None` when the file cannot be read or does not cover it.
pub(crate) fn file_address(
    path: &str,
    start: u64,
    file_offset: u64,
    address: u64,
) -> Option<(&'static FileSymbols, u64)> {
    let file = file_symbols(path)?;
    let offset = address.checked_sub(start)?.checked_add(file_offset)?;
    Some((file, file.elf.address_of_offset(offset)?))
}

impl FileSymbols {
    /// Mangled names at the file address `address`, outermost inlined function first: from
    /// the debug information, else the symbol table; empty when neither knows it.
    pub(crate) fn names(&self, address: u64) -> Vec<String> {
        let names = self
            .debug
            .as_ref()
            .map(|d| d.frames(address))
            .unwrap_or_default();
        if !names.is_empty() {
            return names;
        }
        self.elf
            .symbol_at(address)
            .map(|name| vec![name.to_string()])
            .unwrap_or_default()
    }

    /// The source line of the function `name` (as `clean` names it) at `address`: the
    /// line there if it is the innermost function, else where it called the next one.
    pub(crate) fn line_of(
        &self,
        address: u64,
        name: &str,
        clean: impl Fn(&str) -> String,
    ) -> Option<(String, u32)> {
        let locations = self.debug.as_ref()?.locations(address);
        locations
            .into_iter()
            .find(|(raw, _)| clean(raw) == name)
            .and_then(|(_, place)| place)
    }
}
