//! Source lines of addresses, read from a unit's line program by running it once, without
//! keeping its table: for the exports that show lines, and only for the addresses they hold.

use super::dwarf::{DebugInfo, R};

impl DebugInfo {
    /// Each function at `address` (the file's own address), outermost first, with the
    /// source line it is at there: an inlined call's place in its caller, and for the
    /// innermost function the line of `address` itself.
    pub(crate) fn locations(&self, address: u64) -> Vec<(String, Option<(String, u32)>)> {
        let Some((index, entries)) = self.entries_at(address) else {
            return Vec::new();
        };
        let Some(unit) = self.unit(index) else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            let Some(name) = self.name(index, *entry, 0) else {
                continue;
            };
            let place = match entries.get(i + 1) {
                Some(inner) => self.call_site(unit, *inner),
                None => self.line(address),
            };
            out.push((name, place));
        }
        out
    }

    /// Where the inlined call `entry` stands in its caller (`DW_AT_call_file`, `_line`).
    fn call_site(&self, unit: &gimli::Unit<R>, entry: gimli::UnitOffset) -> Option<(String, u32)> {
        let entry = unit.entry(entry).ok()?;
        let file = match entry.attr_value(gimli::DW_AT_call_file)? {
            gimli::AttributeValue::FileIndex(i) => i,
            other => other.udata_value()?,
        };
        let line = entry.attr_value(gimli::DW_AT_call_line)?.udata_value()?;
        let header = unit.line_program.as_ref()?.header();
        Some((self.file_name(unit, header, file), line as u32))
    }

    /// The source file and line of `address` (the file's own address).
    fn line(&self, address: u64) -> Option<(String, u32)> {
        let unit = self.unit(self.unit_at(address)?)?;
        let program = unit.line_program.clone()?;
        let mut rows = program.rows();
        // The row in effect: the last one at or below `address` in the current sequence.
        let mut current: Option<(u64, u64, u32, String)> = None;
        while let Ok(Some((header, row))) = rows.next_row() {
            if let Some((start, _, line, file)) = &current {
                if *start <= address && address < row.address() {
                    return Some((file.clone(), *line));
                }
            }
            current = match row.end_sequence() {
                true => None,
                false => {
                    let line = row.line().map_or(0, |l| l.get() as u32);
                    let file = match &current {
                        Some((_, index, _, file)) if *index == row.file_index() => file.clone(),
                        _ => self.file_name(unit, header, row.file_index()),
                    };
                    Some((row.address(), row.file_index(), line, file))
                }
            };
        }
        None
    }

    fn file_name(
        &self,
        unit: &gimli::Unit<R>,
        header: &gimli::LineProgramHeader<R>,
        index: u64,
    ) -> String {
        let Some(file) = header.file(index) else {
            return String::new();
        };
        let text = |value| {
            self.dwarf
                .attr_string(unit, value)
                .map(|s| String::from_utf8_lossy(s.slice()).into_owned())
                .unwrap_or_default()
        };
        let name = text(file.path_name());
        if name.starts_with('/') {
            return name;
        }
        match file.directory(header).map(text) {
            Some(dir) if !dir.is_empty() => format!("{dir}/{name}"),
            _ => name,
        }
    }
}
