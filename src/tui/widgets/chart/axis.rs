//! One time axis for the throughput chart and the worker lanes: which seconds a column covers,
//! where the plot columns sit, and what a worker did in each column.
//!
//! The chart and the lanes are drawn in blocks of the same width, with the same gutter on the
//! left, so a column is the same stretch of time in both: a dip in throughput lines up with
//! what the workers were doing then.

use crate::tui::state::runs::{LaneCell, LaneState, WorkerLane};
use ratatui::layout::Rect;

/// Seconds `0..t_max` spread over `columns` columns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeAxis {
    pub t_max: f64,
    pub columns: u16,
}

impl TimeAxis {
    /// The seconds column `column` covers.
    pub fn span(&self, column: u16) -> (f64, f64) {
        let width = self.t_max / f64::from(self.columns.max(1));
        (f64::from(column) * width, f64::from(column + 1) * width)
    }
}

/// Widest lane label; longer names keep their end (where worker numbers are).
const MAX_LABEL: usize = 16;
/// The y-axis labels ("1.2M") need this much of the gutter.
const MIN_LABEL: usize = 4;

/// The part of worker names they all share up to a `-` (`bs-threads-`), shown once in the
/// lanes' title so the gutter keeps what tells workers apart.
pub fn shared_prefix(lanes: &[WorkerLane]) -> &str {
    let Some(first) = lanes.first() else {
        return "";
    };
    if lanes.len() < 2 {
        return "";
    }
    let mut len = first.name.len();
    for lane in &lanes[1..] {
        len = first
            .name
            .bytes()
            .zip(lane.name.bytes())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count();
    }
    first.name[..len]
        .rfind('-')
        .map_or("", |cut| &first.name[..=cut])
}

/// A lane's label: its name (sanitized) without the shared prefix, cut at the front with `…`
/// if long.
pub fn lane_label(name: &str, prefix: &str) -> String {
    let rest = crate::sanitize::name(name.strip_prefix(prefix).unwrap_or(name));
    let rest = &*rest;
    let chars: Vec<char> = rest.chars().collect();
    if chars.len() <= MAX_LABEL {
        return rest.to_string();
    }
    let tail: String = chars[chars.len() - (MAX_LABEL - 1)..].iter().collect();
    format!("…{tail}")
}

/// Columns left of the plot (labels and one space), the same for the chart and the lanes.
pub fn gutter(lanes: &[WorkerLane], inner_width: u16) -> u16 {
    let prefix = shared_prefix(lanes);
    let widest = lanes
        .iter()
        .map(|l| lane_label(&l.name, prefix).chars().count())
        .max()
        .unwrap_or(0)
        .clamp(MIN_LABEL, MAX_LABEL);
    // Keep at least half of the width for time.
    (widest as u16 + 1).min(inner_width / 2)
}

/// The plot's columns inside a block's `inner` area.
pub fn plot_area(inner: Rect, gutter: u16) -> Rect {
    let gutter = gutter.min(inner.width);
    Rect {
        x: inner.x + gutter,
        width: inner.width - gutter,
        ..inner
    }
}

/// What a worker did in each column of `axis`: its tick intervals' shares, weighted by how
/// much of the column each interval covers (`None` where nothing is known).
pub fn lane_columns(
    lane: &WorkerLane,
    spans: &[(f64, f64)],
    axis: TimeAxis,
) -> Vec<Option<LaneCell>> {
    (0..axis.columns)
        .map(|column| {
            let (from, to) = axis.span(column);
            let first = spans.partition_point(|&(_, end)| end <= from);
            let mut sum = LaneCell::default();
            let mut weight = 0.0;
            for (&(start, end), cell) in spans[first..].iter().zip(&lane.cells[first..]) {
                if start >= to {
                    break;
                }
                let overlap = end.min(to) - start.max(from);
                if let (Some(cell), true) = (cell, overlap > 0.0) {
                    sum.add_scaled(cell, overlap);
                    weight += overlap;
                }
            }
            (weight > 0.0).then(|| sum.scaled(1.0 / weight))
        })
        .collect()
}

/// One state per column such that, along a stretch of known columns, each state gets about
/// as many columns as its share of the time (error diffusion: every column adds its shares
/// to what each state is owed, and the column goes to the state owed most). A worker that
/// holds the GIL half the time then draws half its columns `▓`, where the state with the
/// largest share alone would draw every column as CPU at 51%.
pub fn lane_states(columns: &[Option<LaneCell>]) -> Vec<Option<LaneState>> {
    let mut owed: Vec<(LaneState, f64)> = Vec::new();
    columns
        .iter()
        .map(|column| {
            let Some(cell) = column else {
                owed.clear();
                return None;
            };
            if owed.is_empty() {
                owed = cell.shares().map(|(state, _)| (state, 0.0)).collect();
            }
            let mut total = 0.0;
            for ((_, debt), (_, share)) in owed.iter_mut().zip(cell.shares()) {
                *debt += share;
                total += share;
            }
            if total <= 0.0 {
                return Some(LaneState::Unknown);
            }
            owed.iter_mut()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(state, debt)| {
                    *debt -= total;
                    *state
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WAIT_CATEGORIES;

    fn lane(name: &str, cells: Vec<Option<LaneCell>>) -> WorkerLane {
        WorkerLane {
            name: name.into(),
            cells,
            ..Default::default()
        }
    }

    fn cpu(share: f64) -> Option<LaneCell> {
        Some(LaneCell {
            cpu: share,
            ..Default::default()
        })
    }

    #[test]
    fn columns_are_the_same_seconds_whatever_the_tick_lengths() {
        let spans = [(0.0, 1.0), (1.0, 1.5), (1.5, 4.0)];
        let worker = lane("w", vec![cpu(1.0), cpu(0.0), cpu(0.5)]);
        let axis = TimeAxis {
            t_max: 4.0,
            columns: 4,
        };
        let shares: Vec<f64> = lane_columns(&worker, &spans, axis)
            .iter()
            .map(|c| c.expect("known").cpu)
            .collect();
        assert_eq!(shares, vec![1.0, 0.25, 0.5, 0.5]);
    }

    #[test]
    fn states_get_columns_in_proportion_to_their_time() {
        let half = LaneCell {
            cpu: 0.52,
            waits: {
                let mut waits = [0.0; crate::model::WAIT_COUNT];
                waits[3] = 0.45;
                waits
            },
            runqueue: 0.03,
        };
        let gil = LaneState::Wait(WAIT_CATEGORIES[3]);
        let states = lane_states(&vec![Some(half); 20]);
        let count = |s: LaneState| states.iter().filter(|x| **x == Some(s)).count();
        assert_eq!(count(LaneState::Cpu), 10, "{states:?}");
        assert_eq!(count(gil), 9, "{states:?}");
        assert_eq!(count(LaneState::RunQueue), 1, "{states:?}");
        // Pure states stay pure, and a gap starts the count over.
        let pure = lane_states(&[cpu(1.0), None, cpu(0.0), cpu(1.0)]);
        assert_eq!(
            pure,
            [
                Some(LaneState::Cpu),
                None,
                Some(LaneState::Unknown),
                Some(LaneState::Cpu)
            ]
        );
    }

    #[test]
    fn columns_past_the_runs_end_are_unknown() {
        let worker = lane("w", vec![cpu(1.0)]);
        let axis = TimeAxis {
            t_max: 2.0,
            columns: 4,
        };
        let columns = lane_columns(&worker, &[(0.0, 1.0)], axis);
        assert!(columns[..2].iter().all(Option::is_some));
        assert!(columns[2..].iter().all(Option::is_none));
    }

    #[test]
    fn labels_keep_what_tells_workers_apart() {
        let lanes = [lane("bs-threads-0", vec![]), lane("bs-threads-11", vec![])];
        assert_eq!(shared_prefix(&lanes), "bs-threads-");
        assert_eq!(lane_label("bs-threads-11", "bs-threads-"), "11");
        assert_eq!(shared_prefix(&lanes[..1]), "");
        let long = "a-very-long-worker-name-of-a-child-7";
        let label = lane_label(long, "");
        assert!(
            label.starts_with('…') && label.ends_with("child-7"),
            "{label}"
        );
        assert_eq!(label.chars().count(), MAX_LABEL);
        assert_eq!(gutter(&lanes, 30), MIN_LABEL as u16 + 1);
    }
}
