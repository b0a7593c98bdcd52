//! The process and its children: the children this binary starts (`processes` workers, UI
//! runs, the API server) die with their parent, so none keeps working for a parent that is
//! gone; and the limits (`ulimit`) the process runs under.

/// Makes the child `command` starts get SIGKILL when this process dies (even by kill -9),
/// so that no child keeps working for a parent that is gone. The kernel sends it when the
/// thread that forked exits: spawn from a thread that lives as long as the child is wanted.
/// A parent that died before the child armed the signal is caught by comparing parents.
pub fn die_with_parent(command: &mut std::process::Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: getpid has no preconditions.
        let parent = unsafe { libc::getpid() };
        // SAFETY: the hook runs in the child between fork and exec; it calls only
        // async-signal-safe functions (prctl, getppid) and does not allocate.
        unsafe {
            command.pre_exec(move || {
                let signal = libc::SIGKILL as libc::c_ulong;
                if libc::prctl(libc::PR_SET_PDEATHSIG, signal, 0, 0, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::getppid() != parent {
                    return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
                }
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = command;
}

/// This process's soft limit of `resource` (`libc::RLIMIT_AS`, `libc::RLIMIT_FSIZE`, …), in
/// bytes, when there is one.
pub fn soft_limit(resource: libc::__rlimit_resource_t) -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid rlimit for the call to fill.
    let ok = unsafe { libc::getrlimit(resource, &mut limit) } == 0;
    (ok && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}
