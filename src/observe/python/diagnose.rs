//! Why attaching to a process failed, told from what `/proc` and a read of the process's
//! memory say rather than from the wording of the reader's error; and the one memory read
//! this module does itself.

use super::{PythonError, SUPPORTED};
use py_spy::python_process_info::{get_python_version, PythonProcessInfo};
use std::fs;
use std::io;

type Source = Box<dyn std::error::Error + Send + Sync>;

/// The error for a failed attach to `pid`, `source` being the reader's own.
pub fn attach_failed(pid: u32, source: Source) -> PythonError {
    if !is_alive(pid) {
        return PythonError::Gone { pid };
    }
    let maps = match fs::read_to_string(format!("/proc/{pid}/maps")) {
        Ok(maps) => maps,
        Err(err) if err.kind() == io::ErrorKind::PermissionDenied => {
            return PythonError::NoPermission { pid, source: err }
        }
        Err(_) => return PythonError::Gone { pid },
    };
    if let Err(err) = probe(pid, &maps) {
        return match err.raw_os_error() {
            Some(libc::EPERM) | Some(libc::EACCES) => {
                PythonError::NoPermission { pid, source: err }
            }
            Some(libc::ESRCH) => PythonError::Gone { pid },
            _ => PythonError::Unreadable {
                pid,
                source: err.into(),
            },
        };
    }
    if !looks_like_python(pid, &maps) {
        return PythonError::NotPython { pid };
    }
    match unsupported_version(pid) {
        Some(version) => PythonError::UnsupportedVersion { pid, version },
        None => PythonError::Unreadable { pid, source },
    }
}

/// Whether the process exists and has not exited.
pub fn is_alive(pid: u32) -> bool {
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    !matches!(state, None | Some('Z' | 'X' | 'x'))
}

/// Reads `buf.len()` bytes at `addr` of process `pid`'s memory, without pausing it.
pub fn read_memory(pid: u32, addr: usize, buf: &mut [u8]) -> io::Result<()> {
    let local = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let remote = libc::iovec {
        iov_base: addr as *mut libc::c_void,
        iov_len: buf.len(),
    };
    // SAFETY: `local` covers exactly `buf`, which lives through the call; the remote range is
    // only read by the kernel, which checks it.
    let read = unsafe { libc::process_vm_readv(pid as libc::pid_t, &local, 1, &remote, 1, 0) };
    match usize::try_from(read) {
        Err(_) => Err(io::Error::last_os_error()),
        Ok(n) if n < buf.len() => Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
        Ok(_) => Ok(()),
    }
}

/// One read of the first readable mapping: refused reads say there is no permission.
fn probe(pid: u32, maps: &str) -> io::Result<()> {
    let start = maps
        .lines()
        .filter_map(|line| {
            let (range, rest) = line.split_once(' ')?;
            rest.starts_with('r').then_some(range.split_once('-')?.0)
        })
        .find_map(|start| usize::from_str_radix(start, 16).ok());
    match start {
        Some(addr) => read_memory(pid, addr, &mut [0u8; 8]),
        None => Ok(()),
    }
}

/// A Python executable or a `libpython` among the process's mapped files.
fn looks_like_python(pid: u32, maps: &str) -> bool {
    let exe = fs::read_link(format!("/proc/{pid}/exe")).ok();
    let exe_name = exe.as_ref().and_then(|p| p.file_name()?.to_str());
    let mapped = maps
        .lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .filter_map(|path| path.rsplit('/').next());
    exe_name
        .into_iter()
        .chain(mapped)
        .any(|name| name.starts_with("python") || name.starts_with("libpython"))
}

/// The interpreter's version, when it can be found and is one this reader does not read.
fn unsupported_version(pid: u32) -> Option<String> {
    let process = remoteprocess::Process::new(pid as remoteprocess::Pid).ok()?;
    let info = PythonProcessInfo::new(&process).ok()?;
    let version = get_python_version(&info, &process).ok()?;
    let readable = version.major == 3 && SUPPORTED.contains(&version.minor);
    (!readable).then(|| version.to_string())
}
