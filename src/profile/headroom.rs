//! Whether the process has the address space the CPU profiler needs, asked before it starts.
//!
//! Under an address-space limit (`ulimit -v`) the profiler is what runs out first: the
//! symbolizer maps the binary (its debug information is read in place, by address), and each
//! of the threads that allocate may get an allocator arena of its own, reserving 64 MiB of
//! address space each. An allocation that fails then aborts the process with no report. So
//! the space is reserved for a moment first (reserving costs no memory, only address space):
//! if that fails, the run goes on without the profiler and says why.

use super::ProfileError;

/// Address space kept free for the profiler besides the binary's size (the symbolizer maps
/// the binary once): its tables (a few MB) and an allocator arena (64 MiB of address space)
/// for the ticking thread.
const MARGIN: u64 = 80 << 20;

/// The address-space limit in bytes, when there is one.
fn address_space_limit() -> Option<u64> {
    crate::proc::soft_limit(libc::RLIMIT_AS)
}

/// Under an address-space limit, keeps the allocator to two arenas: each further one
/// reserves 64 MiB of address space that the limit counts, though little of it is used.
pub fn fit_allocator_to_limit() {
    #[cfg(target_env = "gnu")]
    if address_space_limit().is_some() {
        // SAFETY: mallopt only changes a setting of the allocator; called before the threads
        // that allocate start.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

/// Fails when an address-space limit leaves less free than the profiler needs.
pub fn check_address_space() -> Result<(), ProfileError> {
    let Some(limit) = address_space_limit() else {
        return Ok(());
    };
    let exe = std::fs::metadata("/proc/self/exe").map_or(0, |m| m.len());
    let need = exe.saturating_add(MARGIN);
    let Ok(len) = usize::try_from(need) else {
        return Err(short_of(limit, need));
    };
    let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE;
    // SAFETY: a fresh anonymous mapping with no access, unmapped at once; nothing uses it.
    let reserved = unsafe { libc::mmap(std::ptr::null_mut(), len, libc::PROT_NONE, flags, -1, 0) };
    if reserved == libc::MAP_FAILED {
        return Err(short_of(limit, need));
    }
    // SAFETY: `reserved` is the mapping of `len` bytes made just above.
    unsafe {
        libc::munmap(reserved, len);
    }
    Ok(())
}

fn short_of(limit: u64, need: u64) -> ProfileError {
    ProfileError::Start(format!(
        "the address space is limited to {} MB (ulimit -v), and less than the {} MB the \
         profiler needs is free",
        limit >> 20,
        need >> 20
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_limit_there_is_always_room() {
        if address_space_limit().is_none() {
            assert!(check_address_space().is_ok());
        }
        assert!(short_of(300 << 20, 500 << 20)
            .to_string()
            .contains("limited to 300 MB"));
    }
}
