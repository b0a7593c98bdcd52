//! Frame-pointer stack walks for wait spans: cheap, and never outside the thread's own stack.
//!
//! The build forces frame pointers (`.cargo/config.toml`), so each frame of Rust code starts
//! with `[saved frame pointer, return address]`. A walk follows that chain from the caller's
//! frame. Every address it reads is first checked against the bounds of the calling thread's
//! stack (read once per thread), so a frame of code built without frame pointers (glibc's
//! thread start, for one) ends the walk instead of reading wild memory.

use std::cell::Cell;

/// Deepest walk kept: deeper stacks keep their innermost frames.
pub const MAX_FRAMES: usize = 96;

/// The address range of the calling thread's stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StackBounds {
    low: usize,
    high: usize,
}

impl StackBounds {
    /// The calling thread's stack, or `None` where it cannot be known.
    pub fn current() -> Option<StackBounds> {
        // SAFETY: `attr` is initialised by pthread_getattr_np before it is read and destroyed
        // once; the out-pointers are valid locals.
        unsafe {
            let mut attr: libc::pthread_attr_t = std::mem::zeroed();
            if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
                return None;
            }
            let mut addr: *mut libc::c_void = std::ptr::null_mut();
            let mut size: libc::size_t = 0;
            let ok = libc::pthread_attr_getstack(&attr, &mut addr, &mut size) == 0;
            libc::pthread_attr_destroy(&mut attr);
            (ok && !addr.is_null() && size > 0).then(|| StackBounds {
                low: addr as usize,
                high: addr as usize + size,
            })
        }
    }

    /// Whether `len` bytes at `address` lie inside the stack.
    pub fn holds(&self, address: usize, len: usize) -> bool {
        address >= self.low && address.checked_add(len).is_some_and(|end| end <= self.high)
    }
}

thread_local! {
    /// This thread's stack range once published (`(0, 0)` before). The CPU sampler's signal
    /// handler reads it: a constant-initialised cell without a destructor is safe to read
    /// there, where nothing may allocate or lock.
    static PUBLISHED: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
}

/// Lets the CPU sampler walk the calling thread's stack (workers publish theirs as they
/// register; other threads are not sampled).
pub fn publish_current_bounds() {
    if let Some(b) = StackBounds::current() {
        PUBLISHED.with(|c| c.set((b.low, b.high)));
    }
}

/// The calling thread's published stack range. Async-signal-safe.
pub fn published_bounds() -> Option<StackBounds> {
    let (low, high) = PUBLISHED.try_with(Cell::get).ok()?;
    (low < high).then_some(StackBounds { low, high })
}

/// Return addresses of the caller's callers, innermost first, into `out` (cleared first).
///
/// The first address is where the *caller* of `walk` will return to, so a function that
/// calls `walk` to mark a wait records the code that started the wait, not itself.
#[inline(never)]
pub fn walk(bounds: &StackBounds, out: &mut Vec<usize>) {
    out.clear();
    let mut fp = frame_pointer();
    // Skip walk's own frame: its saved frame pointer is the caller's frame.
    if !bounds.holds(fp, 16) {
        return;
    }
    // SAFETY: `fp` lies inside this thread's stack (checked above), 16 bytes readable.
    fp = unsafe { *(fp as *const usize) };
    while out.len() < MAX_FRAMES && fp % std::mem::align_of::<usize>() == 0 && bounds.holds(fp, 16)
    {
        // SAFETY: both words lie inside this thread's live stack (checked by `holds`).
        let (next, ret) = unsafe { (*(fp as *const usize), *((fp + 8) as *const usize)) };
        if ret == 0 {
            break;
        }
        out.push(ret);
        // Frames get older towards higher addresses; anything else is not a frame chain.
        if next <= fp {
            break;
        }
        fp = next;
    }
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn frame_pointer() -> usize {
    let fp: usize;
    // SAFETY: reads a register, touches no memory.
    unsafe {
        std::arch::asm!("mov {}, rbp", out(reg) fp, options(nomem, nostack, preserves_flags))
    };
    fp
}

#[cfg(target_arch = "aarch64")]
#[inline(always)]
fn frame_pointer() -> usize {
    let fp: usize;
    // SAFETY: reads a register, touches no memory.
    unsafe {
        std::arch::asm!("mov {}, x29", out(reg) fp, options(nomem, nostack, preserves_flags))
    };
    fp
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn frame_pointer() -> usize {
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[inline(never)]
    fn deeper(depth: usize, bounds: &StackBounds, out: &mut Vec<usize>) {
        if depth == 0 {
            walk(bounds, out);
        } else {
            deeper(depth - 1, bounds, out);
            std::hint::black_box(depth);
        }
    }

    #[test]
    fn a_walk_sees_every_frame_of_the_call_chain() {
        let bounds = StackBounds::current().expect("stack bounds");
        let mut shallow = Vec::new();
        deeper(0, &bounds, &mut shallow);
        let mut deep = Vec::new();
        deeper(20, &bounds, &mut deep);
        assert!(shallow.len() >= 2, "{shallow:?}");
        assert!(
            deep.len() >= shallow.len() + 20 || deep.len() == MAX_FRAMES,
            "{} vs {}",
            deep.len(),
            shallow.len()
        );
    }

    #[test]
    fn a_walk_from_a_plain_thread_ends_inside_its_stack() {
        let frames = std::thread::spawn(|| {
            let bounds = StackBounds::current().expect("stack bounds");
            let mut out = Vec::new();
            deeper(3, &bounds, &mut out);
            out
        })
        .join()
        .expect("thread");
        assert!(frames.len() >= 4 && frames.len() < MAX_FRAMES, "{frames:?}");
    }
}
