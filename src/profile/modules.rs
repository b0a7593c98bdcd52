//! The files of code loaded in this process (from `/proc/self/maps`) and their GNU build ids.

use crate::flame::code::CodeModule;
use crate::symbolize::files::{file_symbols, is_current_exe};
use crate::symbolize::{read_maps, Mapping};
use object::{Object, ObjectKind};
use std::collections::HashMap;

/// The executable mappings of this process holding at least one of `addresses`, the main
/// binary first. Empty where `/proc/self/maps` cannot be read (not Linux).
pub(crate) fn loaded_modules(addresses: impl Iterator<Item = u64>) -> Vec<CodeModule> {
    let all = executable_maps();
    let mut used = vec![false; all.len()];
    for address in addresses {
        if let Some(i) = all
            .iter()
            .position(|m| (m.start..m.limit).contains(&address))
        {
            used[i] = true;
        }
    }
    let is_exe = |m: &CodeModule| is_current_exe(&m.path);
    let mut modules: Vec<CodeModule> = all
        .into_iter()
        .zip(used)
        .filter_map(|(m, used)| used.then_some(m))
        .collect();
    modules.sort_by_key(|m| !is_exe(m));
    let mut ids: HashMap<String, String> = HashMap::new();
    for m in &mut modules {
        m.build_id = ids
            .entry(m.path.clone())
            .or_insert_with(|| build_id(&m.path).unwrap_or_default())
            .clone();
    }
    modules
}

/// The executable, file-backed mappings of this process (without build ids). Empty where
/// `/proc/self/maps` cannot be read (not Linux).
pub(crate) fn executable_maps() -> Vec<CodeModule> {
    let maps = read_maps("self").unwrap_or_default();
    maps.into_iter().filter_map(code_module).collect()
}

/// A mapping of code from a file, as a module (without its build id).
fn code_module(m: Mapping) -> Option<CodeModule> {
    if !m.executable || !m.path.starts_with('/') {
        return None;
    }
    Some(CodeModule {
        start: m.start,
        limit: m.limit,
        file_offset: m.file_offset,
        path: m.path,
        build_id: String::new(),
    })
}

/// The GNU build id (`.note.gnu.build-id`) of the ELF file at `path`, in lower-case hex
/// (read from the file as the symbolizer maps it: only the note's page is read).
fn build_id(path: &str) -> Option<String> {
    let file = object::File::parse(file_symbols(path)?.elf.data()).ok()?;
    if !matches!(file.kind(), ObjectKind::Executable | ObjectKind::Dynamic) {
        return None;
    }
    let id = file.build_id().ok()??;
    Some(id.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_are_executable_file_mappings() {
        let maps = crate::symbolize::parse_maps(
            "5581a000-5581c000 r-xp 00002000 08:01 1234 /usr/bin/tool\n\
             5581c000-5581d000 rw-p 00004000 08:01 1234 /usr/bin/tool\n\
             7ffd000-7ffe000 r-xp 00000000 00:00 0 [vdso]\n",
        );
        let modules: Vec<CodeModule> = maps.into_iter().filter_map(code_module).collect();
        assert_eq!(modules.len(), 1, "{modules:?}");
        let m = &modules[0];
        assert_eq!(
            (m.start, m.limit, m.file_offset, m.path.as_str()),
            (0x5581a000, 0x5581c000, 0x2000, "/usr/bin/tool")
        );
    }

    #[test]
    fn this_test_binary_is_found_first_with_its_build_id() {
        let here = modules_are_executable_file_mappings as *const () as usize as u64;
        let in_libc = libc::getpid as *const () as usize as u64;
        let modules = loaded_modules([in_libc, here].into_iter());
        assert_eq!(modules.len(), 2, "{modules:?}");
        let exe = std::env::current_exe().unwrap();
        assert_eq!(std::path::Path::new(&modules[0].path), exe);
        assert!((modules[0].start..modules[0].limit).contains(&here));
        assert!(modules[1].path.contains("libc"), "{modules:?}");
        // Linkers on Linux distributions write a build id by default; it is hex.
        let id = &modules[0].build_id;
        assert!(
            id.len() >= 16 && id.chars().all(|c| c.is_ascii_hexdigit()),
            "{id:?}"
        );
    }
}
