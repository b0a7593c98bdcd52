//! A file of code opened for symbolization: mapped read-only (its pages are read from the
//! page cache only where a lookup touches them), with its load segments and, on demand, its
//! symbol table.

use object::{Object, ObjectSegment, ObjectSymbol, SymbolKind};
use std::sync::OnceLock;

/// A function symbol: `[start, start + size)` in the file's own addresses, and its name.
struct Symbol {
    start: u64,
    size: u64,
    name: &'static str,
}

/// One ELF file of code, mapped for the life of the process.
pub(crate) struct ElfFile {
    data: &'static [u8],
    /// `(file offset, size, address)` of each load segment.
    segments: Vec<(u64, u64, u64)>,
    symbols: OnceLock<Vec<Symbol>>,
    /// The inode of the file opened (to tell whether a process mapped this very file).
    inode: u64,
}

impl ElfFile {
    /// Maps the file at `path`; `None` when it cannot be read or is not an object file.
    pub(crate) fn open(path: &str) -> Option<ElfFile> {
        let (data, inode) = map_file(path)?;
        let file = object::File::parse(data).ok()?;
        let segments = file
            .segments()
            .map(|s| {
                let (offset, size) = s.file_range();
                (offset, size, s.address())
            })
            .collect();
        Some(ElfFile {
            data,
            segments,
            symbols: OnceLock::new(),
            inode,
        })
    }

    pub(crate) fn inode(&self) -> u64 {
        self.inode
    }

    pub(crate) fn data(&self) -> &'static [u8] {
        self.data
    }

    /// The file's own address (as its debug information and symbols use) of the byte at
    /// `offset` in the file.
    pub(crate) fn address_of_offset(&self, offset: u64) -> Option<u64> {
        self.segments
            .iter()
            .find(|(start, size, _)| (*start..start + size).contains(&offset))
            .map(|(start, _, address)| address + (offset - start))
    }

    /// The symbol-table name of the function holding `address` (the file's own address).
    pub(crate) fn symbol_at(&self, address: u64) -> Option<&'static str> {
        let symbols = self.symbols.get_or_init(|| read_symbols(self.data));
        let i = symbols
            .partition_point(|s| s.start <= address)
            .checked_sub(1)?;
        let s = &symbols[i];
        // A symbol of unknown size covers up to the next one.
        (s.size == 0 || address < s.start + s.size).then_some(s.name)
    }

    /// Gives the pages read so far back to the page cache: they stay cached by the system,
    /// but no longer count in this process's resident memory.
    pub(crate) fn release_pages(&self) {
        // SAFETY: `data` is a whole private read-only file mapping made by `map_file`;
        // dropping its pages only means they are read again from the file when touched.
        unsafe {
            libc::madvise(
                self.data.as_ptr() as *mut libc::c_void,
                self.data.len(),
                libc::MADV_DONTNEED,
            );
        }
    }
}

/// Function symbols sorted by address: the full symbol table, else the dynamic one.
fn read_symbols(data: &'static [u8]) -> Vec<Symbol> {
    let Ok(file) = object::File::parse(data) else {
        return Vec::new();
    };
    let mut symbols: Vec<Symbol> = file
        .symbols()
        .chain(file.dynamic_symbols())
        .filter(|s| s.kind() == SymbolKind::Text && s.address() != 0)
        .filter_map(|s| {
            Some(Symbol {
                start: s.address(),
                size: s.size(),
                name: s.name().ok().filter(|n| !n.is_empty())?,
            })
        })
        .collect();
    symbols.sort_by_key(|s| (s.start, std::cmp::Reverse(s.size)));
    symbols.dedup_by_key(|s| s.start);
    symbols.shrink_to_fit();
    symbols
}

/// The whole file at `path`, mapped read-only and never unmapped (a file of code is
/// symbolized for as long as the process runs), and its inode.
fn map_file(path: &str) -> Option<(&'static [u8], u64)> {
    use std::os::unix::fs::MetadataExt;
    let file = std::fs::File::open(path).ok()?;
    let metadata = file.metadata().ok()?;
    let len = usize::try_from(metadata.len()).ok()?;
    if len == 0 {
        return None;
    }
    use std::os::fd::AsRawFd;
    // SAFETY: a fresh private read-only mapping of an open file; the file may close after.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_PRIVATE,
            file.as_raw_fd(),
            0,
        )
    };
    if ptr == libc::MAP_FAILED {
        return None;
    }
    // Lookups jump around the file: read only the page a lookup touches, not its
    // neighbours (which would count as this process's memory too).
    // SAFETY: advice on the mapping just made; it changes no contents.
    unsafe { libc::madvise(ptr, len, libc::MADV_RANDOM) };
    // SAFETY: the mapping of `len` readable bytes made above lives for the whole process.
    let data = unsafe { std::slice::from_raw_parts(ptr as *const u8, len) };
    Some((data, metadata.ino()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_binary_maps_and_names_a_function_by_its_symbol() {
        let here = this_binary_maps_and_names_a_function_by_its_symbol as *const () as u64;
        let maps = crate::symbolize::read_maps("self").expect("this process's map");
        let m = maps.iter().find(|m| m.holds(here)).expect("mapped");
        let (file, address) =
            crate::symbolize::files::file_address(&m.path, m.start, m.file_offset, here)
                .expect("a file of code");
        let name = file.elf.symbol_at(address).expect("a symbol");
        assert!(
            name.contains("this_binary_maps_and_names_a_function_by_its_symbol"),
            "{name}"
        );
        assert_eq!(file.elf.inode(), m.inode);
        assert!(file.elf.address_of_offset(u64::MAX).is_none());
        assert!(ElfFile::open("/definitely/not/a/file").is_none());
    }
}
