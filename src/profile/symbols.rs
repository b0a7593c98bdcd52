//! Turns raw return addresses into clean, demangled frame names, with a cache.

use super::modules::executable_maps;
use super::resolver::locate;
use crate::flame::code::{CodeModule, CodeSite};
use crate::flame::phase_tag::phase_tag;
use crate::measure::phase::phase_path;
use crate::measure::phase_mark::marked_phase;
use crate::symbolize::clean_name;
use std::collections::HashMap;

/// Frames that only say "a thread started"; everything outside the worker's own code.
const THREAD_ENTRY: &str = "__rust_begin_short_backtrace";
const OUTER_NOISE: [&str; 6] = [
    "clone3",
    "clone",
    "start_thread",
    "__libc_start_call_main",
    "__libc_start_main",
    "_start",
];

#[derive(Default)]
pub(crate) struct SymbolCache {
    names: HashMap<usize, Vec<String>>,
    /// The tag of each phase mark's return address seen so far.
    tags: HashMap<usize, [String; 1]>,
    /// The first address seen for each frame name (lines are read only for exports).
    sites: HashMap<String, CodeSite>,
    /// This process's executable mappings, read again when an address lies in none.
    maps: Vec<CodeModule>,
}

impl SymbolCache {
    /// Folds one sampled stack (leaf first) into `thread;outer;...;leaf`.
    pub(crate) fn fold(&mut self, thread: &[u8], ips: &[usize]) -> String {
        let mut frames: Vec<String> = Vec::with_capacity(ips.len() + 1);
        // Walk from the outermost frame inwards; the leaf's address is exact, the others are
        // return addresses, which point just past the call.
        for (depth, ip) in ips.iter().enumerate().rev() {
            if depth == 0 {
                frames.extend(self.resolve(*ip).iter().cloned());
            } else {
                frames.extend(self.resolve_return(*ip).iter().cloned());
            }
        }
        frames.retain(|f| !is_phase_frame(f));
        join_frames(thread, trim_thread_entry(frames))
    }

    /// The frames (outermost first) of a stack of return addresses (innermost first) walked
    /// where a wait began, without the wait machinery's own frames at the inner end.
    pub(crate) fn wait_frames(&mut self, returns: &[usize]) -> Vec<String> {
        let mut frames: Vec<String> = Vec::with_capacity(returns.len());
        for ip in returns.iter().rev() {
            frames.extend(self.resolve_return(*ip).iter().cloned());
        }
        let mut frames = trim_thread_entry(frames);
        // Entering a phase puts a frame or two of its own between the workload's: they are
        // plumbing (the mark's tag says where the phase began), not where the workload waits.
        frames.retain(|f| !is_phase_frame(f));
        // The walk runs inside the accounting, which the workload's code called: from the
        // first accounting frame inwards, nothing is the workload's.
        if let Some(first) = frames.iter().position(|f| is_wait_machinery(f)) {
            frames.truncate(first);
        }
        frames
    }
}

/// Frames of boundscope's own wait accounting, which walks the stack from inside a wait.
fn is_wait_machinery(frame: &str) -> bool {
    frame.contains("boundscope::measure::")
}

/// Frames of entering a phase (`in_phase`, a phased future's `poll`, a phase's mark).
fn is_phase_frame(frame: &str) -> bool {
    frame.contains("boundscope::measure::phase::")
        || frame.contains("boundscope::measure::phase_mark::")
}

/// `thread;frame;...`, with the thread name made safe for the folded format.
pub(crate) fn join_frames(thread: &[u8], frames: Vec<String>) -> String {
    let thread = String::from_utf8_lossy(thread);
    let thread = if thread.is_empty() {
        "[unnamed]"
    } else {
        &thread
    };
    let mut folded = thread.replace([';', ' '], "_");
    for frame in frames {
        folded.push(';');
        folded.push_str(&frame);
    }
    folded
}

impl SymbolCache {
    /// Names for a return address (the call before it): the phase's tag when it returns into
    /// a phase's mark (see `measure::phase_mark`), else the calling function's names.
    fn resolve_return(&mut self, ret: usize) -> &[String] {
        let tag = marked_phase(ret)
            .map(phase_path)
            .filter(|path| !path.is_empty());
        match tag {
            Some(path) => self.tags.entry(ret).or_insert_with(|| [phase_tag(&path)]),
            None => self.resolve(ret.saturating_sub(1)),
        }
    }

    /// Names for one address, outermost inlined function first.
    fn resolve(&mut self, ip: usize) -> &[String] {
        let (sites, maps) = (&mut self.sites, &mut self.maps);
        self.names.entry(ip).or_insert_with(|| {
            let mut names: Vec<String> = raw_names(maps, ip as u64)
                .iter()
                .map(|raw| clean_name(raw))
                .collect();
            if names.is_empty() {
                names.push(module_of(ip).unwrap_or_else(|| "[unknown]".to_string()));
            }
            for name in &names {
                sites.entry(name.clone()).or_insert_with(|| CodeSite {
                    address: ip as u64,
                    ..CodeSite::default()
                });
            }
            names
        })
    }

    /// The code sites of every frame name resolved so far.
    pub(crate) fn sites(&self) -> &HashMap<String, CodeSite> {
        &self.sites
    }
}

/// The mangled names at a return or instruction address of this process, outermost inlined
/// function first; empty when no file of code knows it.
fn raw_names(maps: &mut Vec<CodeModule>, address: u64) -> Vec<String> {
    if !maps.iter().any(|m| (m.start..m.limit).contains(&address)) {
        // A library loaded since the maps were read.
        *maps = executable_maps();
    }
    match locate(maps, address) {
        Some((file, address)) => file.names(address),
        None => Vec::new(),
    }
}

/// `[libc.so.6]`: the file an address without a symbol lies in (code of a stripped library).
fn module_of(ip: usize) -> Option<String> {
    // SAFETY: dladdr only reads the loader's tables; `info` is a valid out-pointer and its
    // file name, when set, is a NUL-terminated string owned by the loader.
    let name = unsafe {
        let mut info: libc::Dl_info = std::mem::zeroed();
        if libc::dladdr(ip as *const libc::c_void, &mut info) == 0 || info.dli_fname.is_null() {
            return None;
        }
        std::ffi::CStr::from_ptr(info.dli_fname)
            .to_string_lossy()
            .into_owned()
    };
    let file = name.rsplit('/').next().filter(|f| !f.is_empty())?;
    Some(format!("[{}]", file.replace([';', ' '], "_")))
}

/// Drops the frames that start a thread, keeping the worker's own code.
fn trim_thread_entry(frames: Vec<String>) -> Vec<String> {
    if let Some(pos) = frames.iter().rposition(|f| f.contains(THREAD_ENTRY)) {
        return frames.into_iter().skip(pos + 1).collect();
    }
    let skip = frames
        .iter()
        .take_while(|f| OUTER_NOISE.contains(&f.as_str()))
        .count();
    frames.into_iter().skip(skip).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_entry_frames_are_dropped() {
        let frames = vec![
            "start_thread".to_string(),
            "std::sys::backtrace::__rust_begin_short_backtrace".to_string(),
            "boundscope::exec::worker".to_string(),
            "parse".to_string(),
        ];
        assert_eq!(
            trim_thread_entry(frames),
            vec!["boundscope::exec::worker".to_string(), "parse".to_string()]
        );
    }

    #[test]
    fn an_address_without_a_symbol_is_named_by_its_library() {
        let in_libc = libc::getpid as *const () as usize;
        assert!(
            module_of(in_libc).is_some_and(|m| m.starts_with("[libc")),
            "{:?}",
            module_of(in_libc)
        );
        assert_eq!(module_of(16), None);
    }

    #[test]
    fn phase_frames_are_plumbing_and_measure_frames_end_a_wait_stack() {
        assert!(is_phase_frame("boundscope::measure::phase::in_phase"));
        assert!(is_phase_frame(
            "<boundscope::measure::phase::Phased<F> as core::future::future::Future>::poll"
        ));
        assert!(!is_phase_frame(
            "boundscope::workload::api::ApiFetch::run_unit"
        ));
        assert!(is_wait_machinery(
            "boundscope::measure::ctx::WorkerCtx::wait"
        ));
    }
}
