//! Addresses of this process to the file of code each lies in, and source lines for the
//! sites of a profile.

use crate::flame::code::{CodeMap, CodeModule};
use crate::symbolize::clean_name;
use crate::symbolize::files::{file_address, FileSymbols};
pub(crate) use crate::symbolize::files::{is_current_exe, release_pages};

/// Where an address of a process lies: the file of code and the file's own address for it.
pub(crate) fn locate(modules: &[CodeModule], address: u64) -> Option<(&'static FileSymbols, u64)> {
    let module = modules
        .iter()
        .find(|m| (m.start..m.limit).contains(&address))?;
    file_address(&module.path, module.start, module.file_offset, address)
}

/// Fills in the source file and line of every site of `code` that has an address in one of
/// its modules: the line programs are read here, for the exports that show lines, and only
/// for the units holding those addresses.
pub fn fill_lines(code: &mut CodeMap) {
    let modules = code.modules.clone();
    for (name, site) in code.sites.iter_mut() {
        if site.file.is_some() || site.address == 0 {
            continue;
        }
        let Some((file, address)) = locate(&modules, site.address) else {
            continue;
        };
        if let Some((path, line)) = file.line_of(address, name, clean_name) {
            (site.file, site.line) = (Some(path), line);
        }
    }
    release_pages();
}
