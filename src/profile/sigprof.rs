//! The CPU sampler's signal side: a SIGPROF interval timer, and a handler that walks the
//! interrupted worker's frame pointers into a fixed ring of slots. The handler never
//! allocates, locks or reads outside the worker's own stack and the binary's code; the
//! ticking thread drains the ring.
//!
//! Threads that did not publish their stack range (`measure::stackwalk`) are not sampled:
//! only workers' samples are kept anyway.

use crate::measure::stackwalk::{published_bounds, StackBounds};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

/// Deepest stack kept (innermost frames first).
pub(crate) const MAX_DEPTH: usize = 128;
const SLOTS: usize = 512;
const EMPTY: u8 = 0;
const WRITING: u8 = 1;
const READY: u8 = 2;
/// Words of stack searched for a return address where frame pointers do not lead.
const SCAN_WORDS: usize = 256;

struct Slot {
    state: AtomicU8,
    sample: UnsafeCell<RawSample>,
}

/// One sample: the thread's name and its instruction addresses, innermost first.
#[derive(Clone, Copy)]
pub(crate) struct RawSample {
    pub(crate) name: [u8; 16],
    pub(crate) depth: usize,
    pub(crate) frames: [usize; MAX_DEPTH],
}

// SAFETY: a slot's sample is written only by the handler that moved its state from EMPTY to
// WRITING, and read only by the drain after it saw READY; the state orders the two.
unsafe impl Sync for Slot {}

static RING: [Slot; SLOTS] = [const {
    Slot {
        state: AtomicU8::new(EMPTY),
        sample: UnsafeCell::new(RawSample {
            name: [0; 16],
            depth: 0,
            frames: [0; MAX_DEPTH],
        }),
    }
}; SLOTS];
static NEXT: AtomicUsize = AtomicUsize::new(0);
/// Samples lost because every slot tried was full.
static DROPPED: AtomicUsize = AtomicUsize::new(0);
/// The binary's code, `[start, end)`: where return addresses are checked for a call.
static CODE_START: AtomicUsize = AtomicUsize::new(0);
static CODE_END: AtomicUsize = AtomicUsize::new(0);

/// Installs the handler (once per process) and samples at `hz` (0 stops).
pub(crate) fn set_rate(hz: u32, code: (usize, usize)) -> std::io::Result<()> {
    CODE_START.store(code.0, Ordering::Relaxed);
    CODE_END.store(code.1, Ordering::Relaxed);
    install_handler()?;
    let micros = match hz {
        0 => 0,
        hz => (1_000_000 / hz as i64).max(1),
    };
    let interval = libc::timeval {
        tv_sec: micros / 1_000_000,
        tv_usec: micros % 1_000_000,
    };
    let timer = libc::itimerval {
        it_interval: interval,
        it_value: interval,
    };
    // SAFETY: setitimer reads the given value; the old value is not asked for.
    match unsafe { libc::setitimer(libc::ITIMER_PROF, &timer, std::ptr::null_mut()) } {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

fn install_handler() -> std::io::Result<()> {
    static INSTALLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = INSTALLED.get_or_init(|| {
        // SAFETY: a zeroed sigaction with our handler, flags and an empty mask is valid;
        // the handler is async-signal-safe (see `on_sigprof`).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigprof as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGPROF, &action, std::ptr::null_mut()) == 0
        }
    });
    match ok {
        true => Ok(()),
        false => Err(std::io::Error::other("cannot install the SIGPROF handler")),
    }
}

/// Takes every sample recorded since the last call, and how many were lost.
pub(crate) fn drain(mut each: impl FnMut(&RawSample)) -> usize {
    for slot in &RING {
        if slot.state.load(Ordering::Acquire) == READY {
            // SAFETY: READY means the writer is done and no one writes until EMPTY.
            each(unsafe { &*slot.sample.get() });
            slot.state.store(EMPTY, Ordering::Release);
        }
    }
    DROPPED.swap(0, Ordering::Relaxed)
}

extern "C" fn on_sigprof(_: libc::c_int, _: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: errno is this thread's; it is put back as the interrupted code left it.
    let errno = unsafe { *libc::__errno_location() };
    if let Some(bounds) = published_bounds() {
        record(&bounds, context);
    }
    // SAFETY: as above.
    unsafe { *libc::__errno_location() = errno };
}

fn record(bounds: &StackBounds, context: *mut libc::c_void) {
    let Some(registers) = registers(context) else {
        return;
    };
    for _ in 0..8 {
        let slot = &RING[NEXT.fetch_add(1, Ordering::Relaxed) % SLOTS];
        let claimed =
            slot.state
                .compare_exchange(EMPTY, WRITING, Ordering::Acquire, Ordering::Relaxed);
        if claimed.is_ok() {
            // SAFETY: this handler owns the slot until it stores READY.
            let sample = unsafe { &mut *slot.sample.get() };
            thread_name(&mut sample.name);
            sample.depth = walk(bounds, registers, &mut sample.frames);
            slot.state.store(READY, Ordering::Release);
            return;
        }
    }
    DROPPED.fetch_add(1, Ordering::Relaxed);
}

/// `(instruction pointer, stack pointer, frame pointer)` of the interrupted code.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn registers(context: *mut libc::c_void) -> Option<(usize, usize, usize)> {
    let context = context as *const libc::ucontext_t;
    if context.is_null() {
        return None;
    }
    // SAFETY: the kernel passes a valid ucontext to an SA_SIGINFO handler.
    let regs = unsafe { &(*context).uc_mcontext.gregs };
    let reg = |r: libc::c_int| regs[r as usize] as usize;
    Some((reg(libc::REG_RIP), reg(libc::REG_RSP), reg(libc::REG_RBP)))
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
fn registers(_: *mut libc::c_void) -> Option<(usize, usize, usize)> {
    None
}

fn thread_name(out: &mut [u8; 16]) {
    *out = [0; 16];
    // SAFETY: PR_GET_NAME writes at most 16 bytes into the buffer (a system call, safe in a
    // signal handler).
    unsafe {
        libc::prctl(
            libc::PR_GET_NAME,
            out.as_mut_ptr() as libc::c_ulong,
            0,
            0,
            0,
        );
    }
}

/// The interrupted stack, innermost first, into `out`; returns the depth.
fn walk(bounds: &StackBounds, (ip, sp, fp): (usize, usize, usize), out: &mut [usize]) -> usize {
    let stack = Stack { bounds, sp };
    let mut frames = Frames { out, depth: 0 };
    frames.push(ip);
    let mut fp = fp;
    if !in_code(ip) || !stack.is_frame(fp) {
        // Code without frame pointers (a C library, or a leaf that does not keep one):
        // find its caller's return address on the stack, then a frame record above it.
        let Some(slot) = stack.find_return(sp) else {
            return frames.depth;
        };
        frames.push(stack.read(slot).unwrap_or(0));
        if fp <= slot || !stack.is_frame(fp) {
            fp = stack.find_frame(slot + 8).unwrap_or(0);
        }
    } else if let Some(ret) = stack.pending_return(ip) {
        // The leaf's own frame record is not made yet (or already gone).
        frames.push(ret);
    }
    while !frames.full() && stack.is_frame(fp) {
        let (Some(next), Some(ret)) = (stack.read(fp), stack.read(fp + 8)) else {
            break;
        };
        frames.push(ret);
        if next <= fp {
            break;
        }
        fp = next;
    }
    frames.depth
}

struct Frames<'a> {
    out: &'a mut [usize],
    depth: usize,
}

impl Frames<'_> {
    fn push(&mut self, address: usize) {
        if !self.full() {
            self.out[self.depth] = address;
            self.depth += 1;
        }
    }

    fn full(&self) -> bool {
        self.depth >= self.out.len()
    }
}

struct Stack<'a> {
    bounds: &'a StackBounds,
    sp: usize,
}

impl Stack<'_> {
    fn read(&self, address: usize) -> Option<usize> {
        let ok = address >= self.sp && address % 8 == 0 && self.bounds.holds(address, 8);
        // SAFETY: the word lies inside this thread's live stack (checked above).
        ok.then(|| unsafe { *(address as *const usize) })
    }

    /// A frame record at `fp`: `[saved frame pointer, return address after a call]`.
    fn is_frame(&self, fp: usize) -> bool {
        self.read(fp).is_some() && self.read(fp + 8).is_some_and(is_return_address)
    }

    /// The first stack slot from `from` up holding a return address into the binary.
    fn find_return(&self, from: usize) -> Option<usize> {
        (0..SCAN_WORDS)
            .map(|i| from + 8 * i)
            .find(|&slot| self.read(slot).is_some_and(is_return_address))
    }

    /// The first frame record from `from` up.
    fn find_frame(&self, from: usize) -> Option<usize> {
        (0..SCAN_WORDS)
            .map(|i| from + 8 * i)
            .find(|&slot| self.is_frame(slot) && self.read(slot).is_some_and(|n| n > slot))
    }

    /// The return address of a leaf stopped in its prologue (`push rbp`, `mov rbp, rsp`)
    /// or at its `ret`, where the frame pointer still is the caller's.
    fn pending_return(&self, ip: usize) -> Option<usize> {
        let at = |offset: usize| code_byte(ip + offset);
        let slot = match (code_byte(ip.wrapping_sub(1)), at(0), at(1), at(2)) {
            (_, Some(0x55), _, _) | (_, Some(0xc3), _, _) => self.sp,
            (Some(0x55), Some(0x48), Some(0x89), Some(0xe5)) => self.sp + 8,
            _ => return None,
        };
        self.read(slot).filter(|&r| is_return_address(r))
    }
}

fn in_code(address: usize) -> bool {
    (CODE_START.load(Ordering::Relaxed)..CODE_END.load(Ordering::Relaxed)).contains(&address)
}

fn code_byte(address: usize) -> Option<u8> {
    // SAFETY: the binary's code is mapped readable for the life of the process.
    in_code(address).then(|| unsafe { *(address as *const u8) })
}

/// Whether `address` follows a call instruction in the binary's code (`call rel32`, or an
/// indirect `call` through a register or memory, with or without a prefix).
fn is_return_address(address: usize) -> bool {
    let back = |n: usize| code_byte(address.wrapping_sub(n));
    let indirect =
        |n: usize| back(n) == Some(0xff) && back(n - 1).is_some_and(|m| m & 0x38 == 0x10);
    back(5) == Some(0xe8) || [2, 3, 4, 6, 7].into_iter().any(indirect)
}
