//! Where a profile's frames live in machine code: an address, a source file and line per
//! frame name, and the files of code (binary, shared libraries) those addresses lie in.
//!
//! Folded stacks keep only names; a [`CodeMap`] recorded beside them by the sampler lets the
//! pprof export give its locations real addresses, mappings and line numbers. A frame name
//! stands for every address sampled in that function, so its site is the first one seen: a
//! representative line of the function, not a per-line breakdown.

use std::collections::HashMap;

/// Where one frame's code is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodeSite {
    /// An instruction address in the profiled process (0 when unknown).
    pub address: u64,
    /// The source file, when the debug info names one.
    pub file: Option<String>,
    /// The source line (0 when unknown).
    pub line: u32,
}

/// A file of code loaded in the profiled process, and where it was mapped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodeModule {
    /// First address of the mapping.
    pub start: u64,
    /// One past its last address.
    pub limit: u64,
    /// Offset in the file of the byte mapped at `start`.
    pub file_offset: u64,
    /// The file's path.
    pub path: String,
    /// The file's GNU build id in lower-case hex (empty when it has none).
    pub build_id: String,
}

/// Frame names' code sites and the modules they lie in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodeMap {
    /// Site by frame name (as in the folded stacks).
    pub sites: HashMap<String, CodeSite>,
    /// Executable mappings, the main binary first.
    pub modules: Vec<CodeModule>,
}

impl CodeMap {
    /// The site of `frame`, if the sampler resolved it.
    pub fn site(&self, frame: &str) -> Option<&CodeSite> {
        self.sites.get(frame)
    }

    /// The index in [`CodeMap::modules`] of the module holding `address`.
    pub fn module_of(&self, address: u64) -> Option<usize> {
        self.modules
            .iter()
            .position(|m| (m.start..m.limit).contains(&address))
    }

    /// Adds the sites and modules of `other` that this map does not have yet.
    pub fn merge(&mut self, other: &CodeMap) {
        for (name, site) in &other.sites {
            self.sites
                .entry(name.clone())
                .or_insert_with(|| site.clone());
        }
        for module in &other.modules {
            if !self.modules.contains(module) {
                self.modules.push(module.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(start: u64, limit: u64, path: &str) -> CodeModule {
        CodeModule {
            start,
            limit,
            path: path.into(),
            ..CodeModule::default()
        }
    }

    #[test]
    fn an_address_belongs_to_the_module_whose_range_holds_it() {
        let map = CodeMap {
            sites: HashMap::new(),
            modules: vec![module(0x1000, 0x2000, "bin"), module(0x5000, 0x6000, "lib")],
        };
        assert_eq!(map.module_of(0x1000), Some(0));
        assert_eq!(map.module_of(0x1fff), Some(0));
        assert_eq!(map.module_of(0x2000), None);
        assert_eq!(map.module_of(0x5abc), Some(1));
    }

    #[test]
    fn merging_keeps_the_first_site_and_adds_new_modules_once() {
        let site = |address| CodeSite {
            address,
            ..CodeSite::default()
        };
        let mut a = CodeMap {
            sites: HashMap::from([("f".to_string(), site(1))]),
            modules: vec![module(0, 10, "bin")],
        };
        let b = CodeMap {
            sites: HashMap::from([("f".to_string(), site(2)), ("g".to_string(), site(3))]),
            modules: vec![module(0, 10, "bin"), module(20, 30, "lib")],
        };
        a.merge(&b);
        assert_eq!(a.site("f").map(|s| s.address), Some(1));
        assert_eq!(a.site("g").map(|s| s.address), Some(3));
        assert_eq!(a.modules.len(), 2);
    }
}
