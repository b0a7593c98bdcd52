//! The files of code loaded in this process (from `/proc/self/maps`) and their GNU build ids.

use super::resolver::{file_symbols, is_current_exe};
use crate::flame::code::CodeModule;
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
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
        return Vec::new();
    };
    maps.lines().filter_map(parse_map_line).collect()
}

/// An executable, file-backed line of `/proc/self/maps`:
/// `start-limit perms offset dev inode path`.
fn parse_map_line(line: &str) -> Option<CodeModule> {
    let mut fields = line.split_whitespace();
    let (start, limit) = fields.next()?.split_once('-')?;
    let perms = fields.next()?;
    let offset = fields.next()?;
    let path = fields.nth(2)?;
    if !perms.contains('x') || !path.starts_with('/') {
        return None;
    }
    Some(CodeModule {
        start: u64::from_str_radix(start, 16).ok()?,
        limit: u64::from_str_radix(limit, 16).ok()?,
        file_offset: u64::from_str_radix(offset, 16).ok()?,
        path: path.to_string(),
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
    fn map_lines_keep_only_executable_files() {
        let code = "5581a000-5581c000 r-xp 00002000 08:01 1234 /usr/bin/tool";
        let m = parse_map_line(code).unwrap();
        assert_eq!(
            (m.start, m.limit, m.file_offset),
            (0x5581a000, 0x5581c000, 0x2000)
        );
        assert_eq!(m.path, "/usr/bin/tool");
        assert!(
            parse_map_line("5581a000-5581c000 rw-p 00002000 08:01 1234 /usr/bin/tool").is_none()
        );
        assert!(parse_map_line("7ffd000-7ffe000 r-xp 00000000 00:00 0 [vdso]").is_none());
        assert!(parse_map_line("7ffd000-7ffe000 r-xp 00000000 00:00 0").is_none());
        assert!(parse_map_line("garbage").is_none());
    }

    #[test]
    fn this_test_binary_is_found_first_with_its_build_id() {
        let here = map_lines_keep_only_executable_files as *const () as usize as u64;
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
