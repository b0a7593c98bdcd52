//! A private tmux server holding one session, to drive the real binary's terminal UI.

use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of its own (killed when dropped) with session `s` of the given size.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// `None` (the caller skips) when tmux is missing outside CI; under `CI` it must be there.
    pub fn start(name: &str, width: u16, height: u16) -> Option<Tmux> {
        let present = Command::new("tmux").arg("-V").output();
        if !present.is_ok_and(|o| o.status.success()) {
            assert!(std::env::var_os("CI").is_none(), "tmux is required in CI");
            eprintln!("skipping: tmux is not installed");
            return None;
        }
        let tmux = Tmux {
            socket: format!("bs-{name}-{}", std::process::id()),
        };
        let (w, h) = (width.to_string(), height.to_string());
        tmux.cmd(&["new-session", "-d", "-s", "s", "-x", &w, "-y", &h, "sh"]);
        tmux.cmd(&["resize-window", "-t", "s", "-x", &w, "-y", &h]);
        Some(tmux)
    }

    pub fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends keys as tmux names them (`Enter`, `Escape`, `End`, or text).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "s"];
        args.extend(keys);
        self.cmd(&args);
    }

    pub fn screen(&self) -> String {
        self.cmd(&["capture-pane", "-p", "-t", "s"])
    }

    /// Polls the screen until `pred` holds; panics with the screen after `secs`.
    pub fn wait_for(&self, what: &str, secs: u64, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.cmd(&["kill-server"]);
    }
}
