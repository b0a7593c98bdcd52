//! Names of machine code: the files of code a process maps (its memory map), each file's
//! ELF symbol table and DWARF debug information (inlined frames, source lines), read by
//! address and only where asked, and demangling. Shared by the sampler of this process and
//! the observer of other processes.

mod dwarf;
pub(crate) mod elf;
pub(crate) mod files;
mod lines;
pub mod maps;

pub use maps::{parse_maps, read_maps, Mapping};

/// Demangled name without the hash suffix, safe for the folded format.
pub fn clean_name(raw: &str) -> String {
    let demangled = format!("{:#}", rustc_demangle::demangle(raw));
    // The folded format splits frames on ';' and the count off after the last space, so
    // spaces inside names (`<T as Trait>::f`) are fine but ';' is not.
    demangled.replace(';', ":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_hash_and_separators() {
        let name = clean_name("_ZN4core3ptr13drop_in_place17h0123456789abcdefE");
        assert_eq!(name, "core::ptr::drop_in_place");
        assert_eq!(clean_name("a b;c"), "a b:c");
        assert_eq!(clean_name("burn_cycles"), "burn_cycles");
    }
}
