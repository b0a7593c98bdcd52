//! What a thread waits on: the kind of a file descriptor (from its `/proc/PID/fd/N` link),
//! the descriptors an epoll set watches (from `fdinfo`), and those a `poll` or `select`
//! call waits on (read from the process's memory).

use std::fs;
use std::path::PathBuf;

/// The kind of file a descriptor refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FdKind {
    Socket,
    Pipe,
    /// A regular file or a block device: disk.
    File,
    /// A terminal or another character device.
    Device,
    /// An epoll set, eventfd, timerfd, signalfd…
    AnonInode,
    Other,
}

/// The kind of the file a descriptor link points to (`socket:[123]`, `pipe:[9]`,
/// `anon_inode:[eventpoll]`, `/dev/pts/1`, `/data/in.csv`).
pub fn kind_of_link(target: &str) -> FdKind {
    if target.starts_with("socket:") {
        FdKind::Socket
    } else if target.starts_with("pipe:") {
        FdKind::Pipe
    } else if target.starts_with("anon_inode:") {
        FdKind::AnonInode
    } else if target.starts_with("/dev/") {
        device_kind(target)
    } else if target.starts_with('/') {
        FdKind::File
    } else {
        FdKind::Other
    }
}

/// Disks under `/dev` are block devices; the rest (terminals, `/dev/null`) are not disk.
fn device_kind(path: &str) -> FdKind {
    use std::os::unix::fs::FileTypeExt;
    match fs::metadata(path) {
        Ok(meta) if meta.file_type().is_block_device() => FdKind::File,
        _ => FdKind::Device,
    }
}

/// The descriptors an epoll set watches: the `tfd:` lines of its `fdinfo`.
pub fn parse_epoll_targets(fdinfo: &str) -> Vec<i32> {
    fdinfo
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("tfd:"))
        .filter_map(|rest| rest.split_whitespace().next()?.parse().ok())
        .collect()
}

/// Reads one process's descriptors.
pub trait FdSource {
    /// The kind of descriptor `fd`, if it is open.
    fn kind(&self, fd: i32) -> Option<FdKind>;
    /// The descriptors epoll set `epfd` watches.
    fn epoll_targets(&self, epfd: i32) -> Vec<i32>;
    /// `len` bytes of the process's memory at `addr`.
    fn memory(&self, addr: u64, len: usize) -> Option<Vec<u8>>;
}

/// The descriptors of a live process, read from `/proc`.
pub struct ProcFds {
    pub pid: u32,
}

impl FdSource for ProcFds {
    fn kind(&self, fd: i32) -> Option<FdKind> {
        let link = PathBuf::from(format!("/proc/{}/fd/{fd}", self.pid));
        let target = fs::read_link(link).ok()?;
        Some(kind_of_link(&target.to_string_lossy()))
    }

    fn epoll_targets(&self, epfd: i32) -> Vec<i32> {
        let path = format!("/proc/{}/fdinfo/{epfd}", self.pid);
        fs::read_to_string(path)
            .map(|text| parse_epoll_targets(&text))
            .unwrap_or_default()
    }

    fn memory(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
        read_memory(self.pid, addr, len)
    }
}

/// The most bytes read from a process for one call's descriptor list.
pub const MAX_MEMORY_READ: usize = 64 * 1024;

/// `len` bytes at `addr` in process `pid` (a parent may read its own children's memory).
fn read_memory(pid: u32, addr: u64, len: usize) -> Option<Vec<u8>> {
    if len == 0 || len > MAX_MEMORY_READ || addr == 0 {
        return None;
    }
    let mut buf = vec![0u8; len];
    let local = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: len,
    };
    let remote = libc::iovec {
        iov_base: addr as usize as *mut libc::c_void,
        iov_len: len,
    };
    let pid = libc::pid_t::try_from(pid).ok()?;
    // SAFETY: `local` points at `buf`, which holds `len` bytes; the remote address is only
    // read by the kernel, which checks it against the other process's mappings.
    let read = unsafe { libc::process_vm_readv(pid, &local, 1, &remote, 1, 0) };
    (read == len as isize).then_some(buf)
}

/// The descriptors of `count` `struct pollfd` (`int fd; short events; short revents`).
pub fn poll_fds(bytes: &[u8]) -> Vec<i32> {
    bytes
        .chunks_exact(8)
        .filter_map(|entry| Some(i32::from_ne_bytes(entry.get(..4)?.try_into().ok()?)))
        .filter(|&fd| fd >= 0)
        .collect()
}

/// The descriptors set in an `fd_set` bitmap of `nfds` bits.
pub fn select_fds(bitmap: &[u8], nfds: usize) -> Vec<i32> {
    (0..nfds.min(bitmap.len() * 8))
        .filter(|&fd| bitmap[fd / 8] & (1 << (fd % 8)) != 0)
        .filter_map(|fd| i32::try_from(fd).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_targets_name_their_kind() {
        assert_eq!(kind_of_link("socket:[81234]"), FdKind::Socket);
        assert_eq!(kind_of_link("pipe:[77]"), FdKind::Pipe);
        assert_eq!(kind_of_link("anon_inode:[eventpoll]"), FdKind::AnonInode);
        assert_eq!(kind_of_link("/srv/data/in.csv"), FdKind::File);
        assert_eq!(kind_of_link("/srv/data/in.csv (deleted)"), FdKind::File);
        assert_eq!(kind_of_link("/dev/null"), FdKind::Device);
        assert_eq!(kind_of_link("net:[4026531840]"), FdKind::Other);
    }

    #[test]
    fn epoll_fdinfo_lists_its_targets() {
        let fdinfo = "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1057\n\
            tfd:        7 events:       19 data:                7  pos:0 ino:3a1f sdev:8\n\
            tfd:       12 events:       19 data:                c  pos:0 ino:3a20 sdev:8\n";
        assert_eq!(parse_epoll_targets(fdinfo), vec![7, 12]);
        assert!(parse_epoll_targets("pos:\t0\n").is_empty());
    }

    #[test]
    fn pollfd_arrays_and_fd_sets_give_their_descriptors() {
        let mut pollfds = Vec::new();
        for fd in [3i32, -1, 9] {
            pollfds.extend_from_slice(&fd.to_ne_bytes());
            pollfds.extend_from_slice(&[1, 0, 0, 0]);
        }
        assert_eq!(
            poll_fds(&pollfds),
            vec![3, 9],
            "negative entries are skipped"
        );
        let mut bitmap = [0u8; 16];
        bitmap[0] = 0b0001_0010;
        bitmap[1] = 0b0000_0001;
        assert_eq!(select_fds(&bitmap, 128), vec![1, 4, 8]);
        assert_eq!(select_fds(&bitmap, 5), vec![1, 4], "only bits below nfds");
    }
}
