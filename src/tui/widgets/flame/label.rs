//! Text that goes on and around flame frames: labels cut to a box with `…` (keeping the
//! function's last path segment), the share printed on wide frames, and the breadcrumb of
//! ancestors.

use crate::flame::wall::{frame_kind, FrameKind};

/// The mark of a cut label.
pub const CUT: char = '…';

/// The fewest columns a box's label takes: a name cut shorter than this (a letter or two and
/// the mark) says nothing, so the box is drawn without text.
const MIN_READABLE: usize = 4;

/// `name`, sanitized, in at most `room` columns. A name that does not fit keeps its end, where a Rust
/// path has the function: `…json::run_unit`, else `…run_unit`, else the bare function name
/// when it fits exactly, else `run_u…`; an off-CPU leaf shows its category (`[net wait]` →
/// `net`). Every fragment carries `…` (only a one-column room is too small for the mark).
pub fn frame_label(name: &str, room: usize) -> String {
    // Names come from input files: their control characters are shown, not obeyed.
    let name = &*crate::sanitize::name(name);
    let len = name.chars().count();
    if len <= room {
        return name.to_string();
    }
    match frame_kind(name) {
        FrameKind::Wait(category) => return cut_end(category, room),
        kind if kind.is_off_cpu() => {
            return cut_end(name.trim_start_matches('[').trim_end_matches(']'), room)
        }
        _ => {}
    }
    // The longest tail that starts at a path separator and fits after the mark.
    let tail = segment_starts(name)
        .into_iter()
        .map(|at| &name[at..])
        .find(|tail| tail.chars().count() < room);
    if let Some(tail) = tail {
        return format!("{CUT}{tail}");
    }
    let last = last_segment(name);
    if last.chars().count() < room {
        return format!("{CUT}{last}");
    }
    cut_end(last, room)
}

/// `text` cut to `room` columns with `…` as its last one.
fn cut_end(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_string();
    }
    match room {
        0 => String::new(),
        1 => text.chars().take(1).collect(),
        _ => text.chars().take(room - 1).chain([CUT]).collect(),
    }
}

/// Byte offsets of every `::` outside `<…>` brackets, first to last.
fn segment_starts(name: &str) -> Vec<usize> {
    let mut depth = 0i32;
    let mut starts = Vec::new();
    let bytes = name.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'<' => depth += 1,
            b'>' => depth -= 1,
            b':' if depth == 0
                && i > 0
                && bytes.get(i + 1) == Some(&b':')
                && bytes[i - 1] != b':' =>
            {
                starts.push(i)
            }
            _ => {}
        }
    }
    starts
}

/// The function's own name: what follows the last `::` outside brackets.
pub fn last_segment(name: &str) -> &str {
    match segment_starts(name).last() {
        Some(&at) if at + 2 < name.len() => &name[at + 2..],
        _ => name,
    }
}

/// A share as frames show it: `42%` from 10%, `4.2%` under.
pub fn share_text(part: u64, whole: u64) -> String {
    // The whole itself needs no share: `all 100%` says nothing.
    if whole == 0 || part >= whole {
        return String::new();
    }
    let pct = 100.0 * part as f64 / whole as f64;
    if pct >= 9.95 {
        format!("{pct:.0}%")
    } else {
        format!("{pct:.1}%")
    }
}

/// The label and share of a frame `width` columns wide (one column is the gap after it): the
/// share is printed when the label still gets at least `MIN_LABEL` columns beside it.
pub fn label_with_share(name: &str, share: &str, width: usize) -> String {
    const MIN_LABEL: usize = 8;
    let room = width.saturating_sub(1);
    if room < MIN_READABLE && name.chars().count() > room {
        // A letter or two of a name reads as noise: a box that narrow is a bar.
        return String::new();
    }
    let share_len = share.chars().count();
    if share.is_empty() || room < MIN_LABEL + 1 + share_len {
        return frame_label(name, room);
    }
    let label_room = room - share_len - 1;
    let label = frame_label(name, label_room);
    let pad = room - label.chars().count() - share_len;
    format!("{label}{}{share}", " ".repeat(pad))
}

/// Ancestors as one line of at most `width` columns: `all › t › worker_loop › run_unit`.
/// Names are cut to their function; when the line is still too long the outermost
/// ancestors give way to `… › `.
pub fn breadcrumb(ancestors: &[&str], width: usize) -> String {
    const SEP: &str = " › ";
    let names: Vec<String> = ancestors
        .iter()
        .map(|name| frame_label(name, 28.min(width)))
        .collect();
    for skip in 0..names.len() {
        let mut line = if skip > 0 {
            format!("{CUT}{SEP}")
        } else {
            String::new()
        };
        line.push_str(&names[skip..].join(SEP));
        if line.chars().count() <= width {
            return line;
        }
    }
    names.last().map_or(String::new(), |n| cut_end(n, width))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &str =
        "<boundscope::workload::json::JsonParse as boundscope::workload::Workload>::run_unit";

    #[test]
    fn names_that_fit_stay_whole() {
        assert_eq!(frame_label("run_unit", 8), "run_unit");
        assert_eq!(frame_label("a::b", 10), "a::b");
    }

    #[test]
    fn cut_labels_keep_the_function_and_mark_the_cut() {
        assert_eq!(frame_label(LONG, 12), "…::run_unit");
        assert_eq!(frame_label(LONG, 9), "…run_unit");
        assert_eq!(frame_label(LONG, 6), "run_u…");
        assert_eq!(
            frame_label("serde_json::de::from_str", 16),
            "…::de::from_str"
        );
        let generic = "core::result::Result<T,E>::map_err";
        assert_eq!(frame_label(generic, 23), "…::Result<T,E>::map_err");
        assert_eq!(frame_label(generic, 20), "…::map_err");
        assert_eq!(last_segment(generic), "map_err");
        assert_eq!(last_segment(LONG), "run_unit");
        for room in 1..LONG.len() {
            let label = frame_label(LONG, room);
            assert!(label.chars().count() <= room, "{room}: {label}");
            // Cut labels are marked, but a whole function name is no fragment.
            let whole = label == "run_unit";
            assert!(room == 1 || whole || label.contains(CUT), "{room}: {label}");
        }
    }

    #[test]
    fn labels_show_control_characters_as_escapes() {
        assert_eq!(frame_label("a\u{1b}[2J", 20), "a\\u{1b}[2J");
        assert_eq!(frame_label("[\u{1b} wait]", 20), "[\\u{1b} wait]");
        let cut = frame_label("x\u{202e}::run_unit", 11);
        assert!(!cut.contains('\u{202e}'), "{cut}");
    }

    #[test]
    fn waits_show_their_category() {
        assert_eq!(frame_label("[net wait]", 5), "net");
        assert_eq!(frame_label("[run queue]", 6), "run q…");
    }

    #[test]
    fn a_box_too_narrow_for_a_readable_label_is_a_bar_without_text() {
        assert_eq!(label_with_share("parse", "", 3), "");
        assert_eq!(label_with_share("parse", "", 4), "");
        assert_eq!(label_with_share("parse", "", 5), "par…");
        assert_eq!(
            label_with_share("ttm", "", 4),
            "ttm",
            "a short name that fits stays"
        );
        assert_eq!(label_with_share("[net wait]", "", 3), "");
    }

    #[test]
    fn shares_go_on_wide_frames_only() {
        assert_eq!(share_text(1, 3), "33%");
        assert_eq!(share_text(1, 40), "2.5%");
        assert_eq!(share_text(40, 40), "");
        let wide = label_with_share("worker_loop", "33%", 30);
        assert_eq!(wide.chars().count(), 29);
        assert!(
            wide.starts_with("worker_loop") && wide.ends_with(" 33%"),
            "{wide}"
        );
        assert_eq!(label_with_share("worker_loop", "33%", 10), "worker_l…");
    }

    #[test]
    fn breadcrumbs_drop_outer_ancestors_first() {
        let path = ["all", "bs-threads-0", "worker_loop", LONG];
        assert_eq!(
            breadcrumb(&path, 80),
            "all › bs-threads-0 › worker_loop › …::run_unit"
        );
        let short = breadcrumb(&path, 40);
        assert!(
            short.starts_with("… › ") && short.ends_with("run_unit"),
            "{short}"
        );
        assert!(short.chars().count() <= 40, "{short}");
    }
}
