//! Names (inlined frames included) and source lines of addresses, read from a file's DWARF
//! debug information by address and only where asked.
//!
//! Nothing is loaded whole. At start only each unit's address ranges are read; a unit's
//! list of functions is read the first time an address falls in it; the inlined frames of
//! an address are read from its function's own entries; a source line is found by running
//! the unit's line program once, without keeping its table.

use gimli::{AttributeValue, EndianSlice, RunTimeEndian, UnitOffset};
use std::sync::OnceLock;

pub(super) type R = EndianSlice<'static, RunTimeEndian>;

/// How many abstract-origin or specification links a name may follow.
const MAX_NAME_LINKS: usize = 8;

struct UnitSlot {
    offset: gimli::DebugInfoOffset,
    unit: OnceLock<Option<gimli::Unit<R>>>,
    /// `(start, end, entry)` of each function with code, sorted by start.
    functions: OnceLock<Vec<(u64, u64, UnitOffset)>>,
}

/// The debug information of one file of code.
pub(crate) struct DebugInfo {
    pub(super) dwarf: gimli::Dwarf<R>,
    units: Vec<UnitSlot>,
    /// `(start, end, unit index)`, sorted by start.
    ranges: Vec<(u64, u64, usize)>,
}

impl DebugInfo {
    /// The debug information in the ELF file `data`; `None` when it has none.
    pub(crate) fn parse(data: &'static [u8]) -> Option<DebugInfo> {
        use object::{Object, ObjectSection};
        let file = object::File::parse(data).ok()?;
        let endian = match file.is_little_endian() {
            true => RunTimeEndian::Little,
            false => RunTimeEndian::Big,
        };
        let load = |id: gimli::SectionId| -> Result<R, gimli::Error> {
            let bytes = file
                .section_by_name(id.name())
                .and_then(|s| s.data().ok())
                .unwrap_or(&[]);
            Ok(EndianSlice::new(bytes, endian))
        };
        let dwarf = gimli::Dwarf::load(load).ok()?;
        let mut info = DebugInfo {
            dwarf,
            units: Vec::new(),
            ranges: Vec::new(),
        };
        info.index_units();
        (!info.ranges.is_empty()).then_some(info)
    }

    /// Reads every unit's address ranges (and nothing else of it): from `.debug_aranges`
    /// when the file has it, else from each unit's first entry.
    fn index_units(&mut self) {
        if !self.index_aranges() {
            self.units.clear();
            self.ranges.clear();
            self.index_unit_entries();
        }
        self.ranges.sort_unstable();
        self.ranges.shrink_to_fit();
        self.units.shrink_to_fit();
    }

    fn slot(offset: gimli::DebugInfoOffset) -> UnitSlot {
        UnitSlot {
            offset,
            unit: OnceLock::new(),
            functions: OnceLock::new(),
        }
    }

    /// The units and ranges `.debug_aranges` lists; false when it lists none.
    fn index_aranges(&mut self) -> bool {
        let mut by_unit: Vec<(gimli::DebugInfoOffset, u64, u64)> = Vec::new();
        let mut headers = self.dwarf.debug_aranges.headers();
        while let Ok(Some(header)) = headers.next() {
            let mut entries = header.entries();
            while let Ok(Some(entry)) = entries.next() {
                let r = entry.range();
                if r.begin < r.end {
                    by_unit.push((header.debug_info_offset(), r.begin, r.end));
                }
            }
        }
        by_unit.sort_unstable_by_key(|u| u.0 .0);
        for (offset, begin, end) in by_unit {
            if self.units.last().is_none_or(|u| u.offset != offset) {
                self.units.push(Self::slot(offset));
            }
            self.ranges.push((begin, end, self.units.len() - 1));
        }
        !self.ranges.is_empty()
    }

    fn index_unit_entries(&mut self) {
        let mut headers = self.dwarf.units();
        while let Ok(Some(header)) = headers.next() {
            let Some(offset) = header.debug_info_offset() else {
                continue;
            };
            let index = self.units.len();
            if let Ok(unit) = self.dwarf.unit(header) {
                if let Ok(mut ranges) = self.dwarf.unit_ranges(&unit) {
                    while let Ok(Some(r)) = ranges.next() {
                        if r.begin < r.end {
                            self.ranges.push((r.begin, r.end, index));
                        }
                    }
                }
            }
            self.units.push(Self::slot(offset));
        }
    }

    pub(super) fn unit(&self, index: usize) -> Option<&gimli::Unit<R>> {
        let slot = self.units.get(index)?;
        slot.unit
            .get_or_init(|| {
                let header = self.dwarf.unit_header(slot.offset).ok()?;
                self.dwarf.unit(header).ok()
            })
            .as_ref()
    }

    pub(super) fn unit_at(&self, address: u64) -> Option<usize> {
        let i = self
            .ranges
            .partition_point(|r| r.0 <= address)
            .checked_sub(1)?;
        let (start, end, unit) = self.ranges[i];
        (start..end).contains(&address).then_some(unit)
    }

    /// The unit holding `address` and the entries of the functions there: the function,
    /// then each inlined call, outermost first.
    pub(super) fn entries_at(&self, address: u64) -> Option<(usize, Vec<UnitOffset>)> {
        let index = self.unit_at(address)?;
        let unit = self.unit(index)?;
        let function = self.function_at(index, address)?;
        let mut entries = vec![function];
        entries.extend(self.inlined_at(unit, function, address).unwrap_or_default());
        Some((index, entries))
    }

    /// The names at `address` (the file's own address), outermost inlined function first;
    /// empty when the debug information does not cover it.
    pub(crate) fn frames(&self, address: u64) -> Vec<String> {
        let Some((index, entries)) = self.entries_at(address) else {
            return Vec::new();
        };
        entries
            .into_iter()
            .filter_map(|entry| self.name(index, entry, 0))
            .collect()
    }

    /// The entry of the function whose code holds `address`, in unit `index`.
    pub(super) fn function_at(&self, index: usize, address: u64) -> Option<UnitOffset> {
        let unit = self.unit(index)?;
        let functions = self.units[index]
            .functions
            .get_or_init(|| self.functions_of(unit));
        let i = functions
            .partition_point(|f| f.0 <= address)
            .checked_sub(1)?;
        let (start, end, entry) = functions[i];
        (start..end).contains(&address).then_some(entry)
    }

    /// Every function with code in `unit`, sorted by start.
    fn functions_of(&self, unit: &gimli::Unit<R>) -> Vec<(u64, u64, UnitOffset)> {
        let mut functions = Vec::new();
        let mut cursor = unit.entries();
        while let Ok(Some(entry)) = cursor.next_dfs() {
            if entry.tag() != gimli::DW_TAG_subprogram {
                continue;
            }
            let Ok(mut ranges) = self.dwarf.die_ranges(unit, entry) else {
                continue;
            };
            while let Ok(Some(r)) = ranges.next() {
                if r.begin < r.end {
                    functions.push((r.begin, r.end, entry.offset()));
                }
            }
        }
        functions.sort_unstable_by_key(|f| f.0);
        functions.shrink_to_fit();
        functions
    }

    /// The inlined calls under `function` whose code holds `address`, outermost first.
    pub(super) fn inlined_at(
        &self,
        unit: &gimli::Unit<R>,
        function: UnitOffset,
        address: u64,
    ) -> gimli::Result<Vec<UnitOffset>> {
        let mut chain = Vec::new();
        let mut cursor = unit.entries_at_offset(function)?;
        cursor.next_entry()?;
        loop {
            // Look among the children of the current entry for the one holding `address`.
            if !cursor.current().is_some_and(|e| e.has_children()) {
                return Ok(chain);
            }
            cursor.next_entry()?;
            let mut found = false;
            while let Some(entry) = cursor.current() {
                let tag = entry.tag();
                let scope =
                    tag == gimli::DW_TAG_inlined_subroutine || tag == gimli::DW_TAG_lexical_block;
                if scope && self.holds(unit, entry, address) {
                    if tag == gimli::DW_TAG_inlined_subroutine {
                        chain.push(entry.offset());
                    }
                    found = true;
                    break;
                }
                if cursor.next_sibling()?.is_none() {
                    break;
                }
            }
            if !found {
                return Ok(chain);
            }
        }
    }

    fn holds(
        &self,
        unit: &gimli::Unit<R>,
        entry: &gimli::DebuggingInformationEntry<R>,
        address: u64,
    ) -> bool {
        let Ok(mut ranges) = self.dwarf.die_ranges(unit, entry) else {
            return false;
        };
        while let Ok(Some(r)) = ranges.next() {
            if (r.begin..r.end).contains(&address) {
                return true;
            }
        }
        false
    }

    /// The (mangled) name of an entry: its linkage name, else its name, else the name of
    /// the entry it is an instance or the definition of.
    pub(super) fn name(&self, index: usize, offset: UnitOffset, links: usize) -> Option<String> {
        let unit = self.unit(index)?;
        let entry = unit.entry(offset).ok()?;
        let string = |value| {
            let s = self.dwarf.attr_string(unit, value).ok()?;
            Some(String::from_utf8_lossy(s.slice()).into_owned())
        };
        for linkage in [gimli::DW_AT_linkage_name, gimli::DW_AT_MIPS_linkage_name] {
            if let Some(name) = entry.attr_value(linkage).and_then(string) {
                return Some(name);
            }
        }
        if let Some(name) = entry.attr_value(gimli::DW_AT_name).and_then(string) {
            return Some(name);
        }
        if links >= MAX_NAME_LINKS {
            return None;
        }
        let link = [gimli::DW_AT_abstract_origin, gimli::DW_AT_specification]
            .into_iter()
            .find_map(|at| entry.attr_value(at))?;
        match link {
            AttributeValue::UnitRef(target) => self.name(index, target, links + 1),
            AttributeValue::DebugInfoRef(target) => {
                let (index, target) = self.locate(target)?;
                self.name(index, target, links + 1)
            }
            _ => None,
        }
    }

    /// The unit and offset in it of an entry named by its offset in `.debug_info`.
    fn locate(&self, target: gimli::DebugInfoOffset) -> Option<(usize, UnitOffset)> {
        let index = self
            .units
            .partition_point(|u| u.offset.0 <= target.0)
            .checked_sub(1)?;
        let unit = self.unit(index)?;
        Some((index, target.to_unit_offset(&unit.header)?))
    }
}
