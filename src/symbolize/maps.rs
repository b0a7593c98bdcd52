//! A process's memory map (`/proc/PID/maps`): where each file of code is mapped.

/// One line of a process's map: `start-limit perms offset dev inode path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// First address of the mapping.
    pub start: u64,
    /// One past its last address.
    pub limit: u64,
    /// Offset in the file of the byte mapped at `start`.
    pub file_offset: u64,
    /// The mapped file's inode (0 for memory that is not a file).
    pub inode: u64,
    /// Whether the mapping holds code (`x`).
    pub executable: bool,
    /// The file's path, `[vdso]`-like names, or empty for anonymous memory. A file deleted
    /// or replaced since it was mapped ends in ` (deleted)`.
    pub path: String,
}

impl Mapping {
    /// Whether `address` lies in this mapping.
    pub fn holds(&self, address: u64) -> bool {
        (self.start..self.limit).contains(&address)
    }

    /// Whether the mapping is of a file that still has its path (not anonymous memory, not
    /// a kernel-provided page, not a file deleted since).
    pub fn is_file(&self) -> bool {
        self.path.starts_with('/') && !self.path.ends_with(" (deleted)")
    }

    /// The file's name without its directories (the whole path where it has none).
    pub fn file_name(&self) -> &str {
        match self.path.rsplit('/').next() {
            Some(name) if !name.is_empty() => name,
            _ => &self.path,
        }
    }
}

/// Every well-formed line of a map's text (lines the kernel would not write are skipped).
pub fn parse_maps(text: &str) -> Vec<Mapping> {
    text.lines().filter_map(parse_line).collect()
}

/// The map of process `pid` (`"self"` for this one); `None` once it is gone or unreadable.
pub fn read_maps(pid: &str) -> Option<Vec<Mapping>> {
    std::fs::read_to_string(format!("/proc/{pid}/maps"))
        .ok()
        .map(|text| parse_maps(&text))
}

fn parse_line(line: &str) -> Option<Mapping> {
    // The path is the rest of the line, and may hold spaces.
    let mut fields = line.splitn(6, ' ');
    let (start, limit) = fields.next()?.split_once('-')?;
    let perms = fields.next()?;
    let offset = fields.next()?;
    let _device = fields.next()?;
    let inode = fields.next()?;
    let path = fields.next().unwrap_or("").trim_start();
    Some(Mapping {
        start: u64::from_str_radix(start, 16).ok()?,
        limit: u64::from_str_radix(limit, 16).ok()?,
        file_offset: u64::from_str_radix(offset, 16).ok()?,
        inode: inode.parse().ok()?,
        executable: perms.contains('x'),
        path: path.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_give_ranges_offsets_inodes_and_paths_with_spaces() {
        let text = "5581a000-5581c000 r-xp 00002000 08:01 1234       /opt/my tool/bin\n\
                    7ffd000-7ffe000 r-xp 00000000 00:00 0                  [vdso]\n\
                    7f00000-7f01000 rw-p 00000000 00:00 0 \n\
                    7f01000-7f02000 r-xp 00001000 08:01 99 /tmp/lib.so (deleted)\n\
                    garbage\n";
        let maps = parse_maps(text);
        assert_eq!(maps.len(), 4, "{maps:?}");
        let tool = &maps[0];
        assert_eq!(
            (tool.start, tool.limit, tool.file_offset, tool.inode),
            (0x5581a000, 0x5581c000, 0x2000, 1234)
        );
        assert!(tool.executable && tool.is_file() && tool.holds(0x5581a000));
        assert!(!tool.holds(0x5581c000));
        assert_eq!(
            (tool.path.as_str(), tool.file_name()),
            ("/opt/my tool/bin", "bin")
        );
        assert_eq!(
            (maps[1].path.as_str(), maps[1].is_file()),
            ("[vdso]", false)
        );
        assert_eq!((maps[2].path.as_str(), maps[2].executable), ("", false));
        assert!(!maps[3].is_file());
    }

    #[test]
    fn this_process_maps_its_own_code() {
        let here = this_process_maps_its_own_code as *const () as usize as u64;
        let maps = read_maps("self").expect("this process's map");
        let holding = maps.iter().find(|m| m.holds(here)).expect("mapped");
        assert!(holding.executable && holding.is_file(), "{holding:?}");
        assert!(read_maps("0").is_none());
    }
}
