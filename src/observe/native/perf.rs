//! The kernel's sampling interface, `perf_event_open`: a software CPU-clock event that follows
//! one thread (and every thread and process it starts) on one CPU, the ring buffer the
//! kernel writes its samples to, and the records read from it.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};

const PERF_TYPE_SOFTWARE: u32 = 1;
const PERF_COUNT_SW_CPU_CLOCK: u64 = 0;
const PERF_SAMPLE_TID: u64 = 1 << 1;
const PERF_SAMPLE_CALLCHAIN: u64 = 1 << 5;
/// The id of the event sampled; for an inherited copy, the id of the event it was copied from.
const PERF_SAMPLE_ID: u64 = 1 << 6;
const PERF_FLAG_FD_CLOEXEC: libc::c_ulong = 1 << 3;
/// `PERF_EVENT_IOC_SET_OUTPUT`: `_IO('$', 5)`.
const PERF_EVENT_IOC_SET_OUTPUT: libc::c_ulong = 0x2405;
/// `PERF_EVENT_IOC_ID`: `_IOR('$', 7, u64)`.
const PERF_EVENT_IOC_ID: libc::c_ulong = 0x8008_2407;
const PERF_RECORD_LOST: u32 = 2;
const PERF_RECORD_SAMPLE: u32 = 9;
/// Call-chain entries from here up are context markers (user, kernel, …), not addresses.
const PERF_CONTEXT_MAX: u64 = -4095i64 as u64;

// Bits of the attribute's flag word, in the kernel's order.
const INHERIT: u64 = 1 << 1;
const EXCLUDE_KERNEL: u64 = 1 << 5;
const EXCLUDE_HV: u64 = 1 << 6;
const EXCLUDE_CALLCHAIN_KERNEL: u64 = 1 << 21;

/// `struct perf_event_attr` as of its fifth size (`PERF_ATTR_SIZE_VER5`, 112 bytes).
#[repr(C)]
#[derive(Default)]
struct Attr {
    kind: u32,
    size: u32,
    config: u64,
    sample_period: u64,
    sample_type: u64,
    read_format: u64,
    flags: u64,
    wakeup_events: u32,
    bp_type: u32,
    config1: u64,
    config2: u64,
    branch_sample_type: u64,
    sample_regs_user: u64,
    sample_stack_user: u32,
    clockid: i32,
    sample_regs_intr: u64,
    aux_watermark: u32,
    sample_max_stack: u16,
    reserved: u16,
}

const ATTR_SIZE: usize = 112;
const _: () = assert!(std::mem::size_of::<Attr>() == ATTR_SIZE);

/// Opens a CPU-clock event sampling thread `tid`'s user-space call chains every `period_ns`
/// of its CPU time while it runs on `cpu`. The event is inherited: threads and processes
/// the thread starts from now on are sampled too, into this event's buffer.
pub(super) fn open_event(tid: u32, cpu: u32, period_ns: u64) -> io::Result<OwnedFd> {
    let attr = Attr {
        kind: PERF_TYPE_SOFTWARE,
        size: ATTR_SIZE as u32,
        config: PERF_COUNT_SW_CPU_CLOCK,
        sample_period: period_ns,
        sample_type: PERF_SAMPLE_TID | PERF_SAMPLE_ID | PERF_SAMPLE_CALLCHAIN,
        flags: INHERIT | EXCLUDE_KERNEL | EXCLUDE_HV | EXCLUDE_CALLCHAIN_KERNEL,
        ..Attr::default()
    };
    // SAFETY: `attr` is a valid, fully initialised perf_event_attr of the size it states;
    // the other arguments are plain integers.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_perf_event_open,
            &attr as *const Attr,
            tid as libc::pid_t,
            cpu as libc::c_int,
            -1 as libc::c_int,
            PERF_FLAG_FD_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel returned a new file descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as libc::c_int) })
}

/// Sends the samples of `event` to the ring buffer of `ring_event` (same CPU), so that one
/// buffer per CPU serves every thread sampled there.
pub(super) fn redirect(event: &OwnedFd, ring_event: &OwnedFd) -> io::Result<()> {
    // SAFETY: both are open perf event descriptors; the ioctl takes the target's fd.
    let r = unsafe {
        libc::ioctl(
            event.as_raw_fd(),
            PERF_EVENT_IOC_SET_OUTPUT as _,
            ring_event.as_raw_fd(),
        )
    };
    match r {
        0 => Ok(()),
        _ => Err(io::Error::last_os_error()),
    }
}

/// The id the kernel gave `event` (what its samples, and its inherited copies', carry).
pub(super) fn event_id(event: &OwnedFd) -> io::Result<u64> {
    let mut id = 0u64;
    // SAFETY: an open perf event descriptor; the ioctl writes one u64 through the pointer.
    let r = unsafe {
        libc::ioctl(
            event.as_raw_fd(),
            PERF_EVENT_IOC_ID as _,
            &mut id as *mut u64,
        )
    };
    match r {
        0 => Ok(id),
        _ => Err(io::Error::last_os_error()),
    }
}

/// What one record of a ring buffer said.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Record {
    /// A sample: process, thread, the event opened that took it (see [`event_id`]) and
    /// user-space addresses, leaf first.
    Sample {
        pid: u32,
        tid: u32,
        event: u64,
        ips: Vec<u64>,
    },
    /// The kernel dropped this many samples (the buffer was full).
    Lost(u64),
    /// A record of another kind, or one too short to read.
    Other,
}

/// Reads one record (header included) as the sample type above lays it out.
pub(super) fn parse_record(bytes: &[u8]) -> Record {
    let u32_at = |at: usize| -> Option<u32> {
        Some(u32::from_ne_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    let u64_at = |at: usize| -> Option<u64> {
        Some(u64::from_ne_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
    };
    let parsed = match u32_at(0) {
        Some(PERF_RECORD_SAMPLE) => (|| {
            let (pid, tid, event, nr) = (u32_at(8)?, u32_at(12)?, u64_at(16)?, u64_at(24)?);
            let nr = usize::try_from(nr).ok()?;
            let ips = (0..nr)
                .map(|i| u64_at(32 + 8 * i))
                .collect::<Option<Vec<u64>>>()?
                .into_iter()
                .filter(|&ip| ip < PERF_CONTEXT_MAX)
                .collect();
            Some(Record::Sample {
                pid,
                tid,
                event,
                ips,
            })
        })(),
        Some(PERF_RECORD_LOST) => u64_at(16).map(Record::Lost),
        _ => None,
    };
    parsed.unwrap_or(Record::Other)
}

/// The ring buffer of one event, mapped: a page of control fields, then the data pages.
pub(super) struct Ring {
    event: OwnedFd,
    base: *mut u8,
    len: usize,
    data_offset: usize,
    data_size: usize,
}

// SAFETY: the mapping is owned by the ring alone and only read or written through `&mut
// self`; the kernel writes its side whatever thread the ring lives on.
unsafe impl Send for Ring {}

/// Offsets of `data_head`, `data_tail`, `data_offset`, `data_size` in the control page.
const HEAD: usize = 1024;
const TAIL: usize = 1032;
const DATA_OFFSET: usize = 1040;
const DATA_SIZE: usize = 1048;

impl Ring {
    /// Maps `data_pages` pages (a power of two) of samples for `event`.
    pub(super) fn map(event: OwnedFd, data_pages: usize) -> io::Result<Ring> {
        let page = page_size();
        let len = (data_pages + 1) * page;
        // SAFETY: a fresh shared mapping of the event's buffer; writable so that the reader
        // can move `data_tail` (which keeps the kernel from overwriting unread samples).
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                event.as_raw_fd(),
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let mut ring = Ring {
            event,
            base: base as *mut u8,
            len,
            data_offset: page,
            data_size: data_pages * page,
        };
        // Kernels since 4.1 say where the data is; older ones put it right after the page.
        let (offset, size) = (ring.control(DATA_OFFSET), ring.control(DATA_SIZE));
        if offset != 0 && size != 0 && offset as usize + size as usize <= len {
            (ring.data_offset, ring.data_size) = (offset as usize, size as usize);
        }
        Ok(ring)
    }

    pub(super) fn event(&self) -> &OwnedFd {
        &self.event
    }

    fn control_word(&self, at: usize) -> &AtomicU64 {
        // SAFETY: `at` is one of the 8-aligned control fields inside the first page of the
        // live mapping; the kernel updates them concurrently, hence the atomic view.
        unsafe { &*(self.base.add(at) as *const AtomicU64) }
    }

    fn control(&self, at: usize) -> u64 {
        self.control_word(at).load(Ordering::Acquire)
    }

    /// Every record written since the previous call, oldest first; then frees their space.
    pub(super) fn read(&mut self, mut each: impl FnMut(Record)) {
        let head = self.control(HEAD);
        let mut tail = self.control(TAIL);
        let mut bytes = Vec::new();
        while tail < head {
            let mut header = [0u8; 8];
            self.copy_out(tail, &mut header);
            let size = u16::from_ne_bytes([header[6], header[7]]) as u64;
            if size < 8 || tail + size > head {
                // Not a record the kernel would write: skip what is there rather than loop.
                tail = head;
                break;
            }
            bytes.resize(size as usize, 0);
            self.copy_out(tail, &mut bytes);
            each(parse_record(&bytes));
            tail += size;
        }
        self.control_word(TAIL).store(tail, Ordering::Release);
    }

    /// Copies `out.len()` bytes from position `at` of the data area, which wraps around.
    fn copy_out(&self, at: u64, out: &mut [u8]) {
        let start = (at % self.data_size as u64) as usize;
        let first = out.len().min(self.data_size - start);
        // SAFETY: both ranges lie inside the data area of the live mapping (`first` stops at
        // its end, the rest starts at its beginning and is shorter than a record, which the
        // kernel never makes larger than the area).
        unsafe {
            let data = self.base.add(self.data_offset);
            std::ptr::copy_nonoverlapping(data.add(start), out.as_mut_ptr(), first);
            let rest = (out.len() - first).min(self.data_size);
            std::ptr::copy_nonoverlapping(data, out.as_mut_ptr().add(first), rest);
        }
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping made in `map`, which nothing uses after this.
        unsafe { libc::munmap(self.base as *mut libc::c_void, self.len) };
    }
}

pub(super) fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size)
        .ok()
        .filter(|&s| s > 0)
        .unwrap_or(4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u32, words: &[u64]) -> Vec<u8> {
        let size = 8 + 8 * words.len();
        let mut bytes = kind.to_ne_bytes().to_vec();
        bytes.extend(0u16.to_ne_bytes());
        bytes.extend((size as u16).to_ne_bytes());
        for w in words {
            bytes.extend(w.to_ne_bytes());
        }
        bytes
    }

    #[test]
    fn samples_keep_addresses_and_drop_context_markers() {
        let user_marker = -512i64 as u64;
        let pid_tid = 7u64 | (9u64 << 32);
        let bytes = record(
            PERF_RECORD_SAMPLE,
            &[pid_tid, 5, 3, user_marker, 0x40, 0x30],
        );
        let want = Record::Sample {
            pid: 7,
            tid: 9,
            event: 5,
            ips: vec![0x40, 0x30],
        };
        assert_eq!(parse_record(&bytes), want);
    }

    #[test]
    fn short_lost_and_other_records() {
        let pid_tid = 7u64 | (9u64 << 32);
        // Says 5 addresses, holds 1.
        let short = record(PERF_RECORD_SAMPLE, &[pid_tid, 1, 5, 0x40]);
        assert_eq!(parse_record(&short), Record::Other);
        assert_eq!(
            parse_record(&record(PERF_RECORD_LOST, &[1, 42])),
            Record::Lost(42)
        );
        assert_eq!(parse_record(&record(3, &[1, 2])), Record::Other);
        assert_eq!(parse_record(&[1, 2]), Record::Other);
    }
}
