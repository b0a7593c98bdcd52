//! Phase tags: the frame `[phase parse]` (`[phase load/insert]` when nested) that marks, in a
//! code stack, where the job entered a phase, and what the tags let one derive: the phase of
//! a stack, and the code of each phase laid out under the phase view's own paths.

use super::FoldedStacks;

const OPEN: &str = "[phase ";
const CLOSE: &str = "]";

/// Separates the names of a nested phase path in a tag and in labels.
pub const PATH_SEPARATOR: char = '/';

/// The tag of the phase path `names` (outermost first).
pub fn phase_tag(names: &[&str]) -> String {
    format!("{OPEN}{}{CLOSE}", names.join("/"))
}

/// The phase path a tag names (`load/insert`), or `None` for a frame that is not a tag.
pub fn tagged_phase(frame: &str) -> Option<&str> {
    frame
        .strip_prefix(OPEN)?
        .strip_suffix(CLOSE)
        .filter(|p| !p.is_empty())
}

/// The phase a stack (`worker;frame;…;leaf`) was in: its innermost tag's path.
pub fn phase_of_stack(stack: &str) -> Option<&str> {
    stack.rsplit(';').find_map(tagged_phase)
}

impl FoldedStacks {
    /// The code of each phase under the phase view's paths: `worker;load;insert;<the frames
    /// called inside the phase>;leaf` for a stack whose innermost tag is `[phase
    /// load/insert]`. Stacks outside every phase keep only their worker and leaf, as the phase
    /// view has them, so each worker's total is unchanged.
    pub fn code_by_phase(&self) -> FoldedStacks {
        let mut out = FoldedStacks::new();
        for (stack, weight) in self.iter() {
            out.add(&code_in_phase(stack), weight);
        }
        out
    }
}

fn code_in_phase(stack: &str) -> String {
    let frames: Vec<&str> = stack.split(';').collect();
    let worker = frames.first().copied().unwrap_or_default();
    let innermost = frames
        .iter()
        .enumerate()
        .skip(1)
        .rev()
        .find_map(|(i, f)| tagged_phase(f).map(|path| (i, path)));
    let mut out = String::from(worker);
    match innermost {
        Some((at, path)) => {
            for name in path.split(PATH_SEPARATOR) {
                out.push(';');
                out.push_str(name);
            }
            for frame in &frames[at + 1..] {
                out.push(';');
                out.push_str(frame);
            }
        }
        None => {
            if let Some(leaf) = frames.get(1..).and_then(|f| f.last()) {
                out.push(';');
                out.push_str(leaf);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stacks(text: &str) -> FoldedStacks {
        FoldedStacks::parse(text).expect("folded")
    }

    #[test]
    fn a_tag_round_trips_its_path() {
        let tag = phase_tag(&["load", "insert"]);
        assert_eq!(tag, "[phase load/insert]");
        assert_eq!(tagged_phase(&tag), Some("load/insert"));
        assert_eq!(tagged_phase("[phase ]"), None);
        assert_eq!(tagged_phase("[net wait]"), None);
        assert_eq!(tagged_phase("phase::in_phase"), None);
    }

    #[test]
    fn a_stack_is_in_its_innermost_phase() {
        let stack = "w0;run;[phase unit];step;[phase unit/parse];serde::from_slice";
        assert_eq!(phase_of_stack(stack), Some("unit/parse"));
        assert_eq!(phase_of_stack("w0;run;[idle]"), None);
    }

    #[test]
    fn code_by_phase_hangs_each_phases_frames_under_its_path_and_keeps_totals() {
        let wall = stacks(
            "w0;[threads engine];Json::run_unit;[phase parse];serde::from_slice 70\n\
             w0;[threads engine];Json::run_unit;[phase parse];f;[phase read];read;[disk wait] 20\n\
             w0;[threads engine];worker_loop;[idle] 10\n\
             w1;Json::run_unit;[phase load];[phase load/insert];exec;[db wait] 5\n",
        );
        let code = wall.code_by_phase();
        assert_eq!(
            code.to_text(),
            stacks(
                "w0;parse;serde::from_slice 70\n\
                 w0;read;read;[disk wait] 20\n\
                 w0;[idle] 10\n\
                 w1;load;insert;exec;[db wait] 5\n"
            )
            .to_text()
        );
        assert_eq!(code.total(), wall.total());
    }
}
