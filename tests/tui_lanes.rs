//! End to end: the real binary's run screen, driven in tmux, read back as text. After a run
//! finishes its throughput chart and every worker lane end in the same terminal column, and
//! under `NO_COLOR` the lanes still tell states apart by glyph, each named in the legend.

mod common;

use common::tmux::Tmux;

/// Starts the UI in a fresh data directory (`env` before the binary, e.g. `NO_COLOR=1`),
/// moves the form down `downs` rows and presses Right there (0: no change), then starts the
/// run and waits for it to finish. Returns the screen of the finished run.
fn finished_run(tmux: &Tmux, work: &tempfile::TempDir, env: &str, downs: usize) -> String {
    let launch = format!(
        "cd '{}' && {env} BOUNDSCOPE_DATA='{}' '{}'",
        work.path().display(),
        work.path().join("data").display(),
        env!("CARGO_BIN_EXE_boundscope")
    );
    tmux.keys(&[&launch, "Enter"]);
    tmux.wait_for("the setup panel", 20, |s| {
        s.contains("next run (Enter starts)")
    });
    if downs > 0 {
        tmux.keys(&vec!["Down"; downs]);
        tmux.keys(&["Right"]);
    }
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the run to finish", 120, |s| {
        s.contains(" · done · ") || s.contains(" · failed")
    });
    assert!(screen.contains(" · done · "), "{screen}");
    screen
}

/// One box of the run screen's left column: its inner rows, as characters.
struct LeftBox {
    rows: Vec<Vec<char>>,
}

/// The inside of the left-column box whose top border starts with `title` (`┌ items/s`):
/// the rows down to its bottom border, the columns between its side borders. Columns are
/// counted from the box's left border.
fn left_box(screen: &str, title: &str) -> LeftBox {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let top = lines
        .iter()
        .position(|l| l.iter().collect::<String>().starts_with(title))
        .unwrap_or_else(|| panic!("no box {title:?}:\n{screen}"));
    let right = lines[top]
        .iter()
        .position(|&c| c == '┐')
        .expect("the box's top right corner");
    let rows = lines[top + 1..]
        .iter()
        .take_while(|l| l.first() == Some(&'│'))
        .map(|l| {
            let mut row: Vec<char> = l.iter().take(right).copied().collect();
            row.resize(right, ' ');
            row
        })
        .collect();
    LeftBox { rows }
}

impl LeftBox {
    /// The last column of row `row` holding something `keep` accepts.
    fn last_column(&self, row: usize, keep: impl Fn(char) -> bool) -> Option<usize> {
        self.rows[row].iter().rposition(|&c| c != '│' && keep(c))
    }

    /// The worker lanes: the rows from the top down to the first empty one, each split into
    /// (label, cells). A label has no spaces; the cells start after the gutter's space.
    fn lanes(&self) -> Vec<(String, Vec<char>)> {
        self.rows
            .iter()
            .map(|r| r[1..].iter().collect::<String>())
            .take_while(|r| !r.trim().is_empty())
            .map(|r| {
                let (label, rest) = r.split_once(' ').expect("a label and cells");
                (label.to_string(), rest.chars().collect())
            })
            .collect()
    }

    /// The legend: the non-empty rows after the lanes' blank padding.
    fn legend(&self) -> String {
        let text: Vec<String> = self
            .rows
            .iter()
            .map(|r| r[1..].iter().collect::<String>())
            .collect();
        let first_blank = text.iter().position(|r| r.trim().is_empty());
        let after = first_blank.map_or(text.len(), |i| i);
        text[after..]
            .iter()
            .filter(|r| !r.trim().is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn braille(c: char) -> bool {
    ('\u{2801}'..='\u{28ff}').contains(&c)
}

#[test]
fn a_finished_runs_chart_and_lanes_end_in_the_same_column() {
    let Some(tmux) = Tmux::start("lanes-end", 120, 40) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let screen = finished_run(&tmux, &work, "", 0);
    let chart = left_box(&screen, "┌ items/s");
    let chart_end = (0..chart.rows.len())
        .filter_map(|r| chart.last_column(r, braille))
        .max()
        .unwrap_or_else(|| panic!("nothing plotted:\n{screen}"));
    let lanes = left_box(&screen, "┌ workers");
    let workers = lanes.lanes();
    assert!(workers.len() >= 2, "two worker lanes:\n{screen}");
    for (row, (label, _)) in workers.iter().enumerate() {
        let end = lanes.last_column(row, |c| c != ' ').expect("a filled cell");
        assert!(
            end.abs_diff(chart_end) <= 1,
            "lane {label} ends in column {end}, the chart in {chart_end}:\n{screen}"
        );
    }
    // A finished run spans the whole axis: both end at the plot's right edge.
    let last_inner = chart.rows[0].len() - 1;
    assert!(
        chart_end + 1 >= last_inner,
        "{chart_end} of {last_inner}:\n{screen}"
    );
    tmux.keys(&["q"]);
}

#[test]
fn without_colour_lane_states_differ_by_glyph_and_the_legend_names_them() {
    let Some(tmux) = Tmux::start("lanes-nocolor", 120, 40) else {
        return;
    };
    // json-parse on threads with the simulated GIL (the form's fourth row): CPU and waits.
    let work = tempfile::tempdir().unwrap();
    let screen = finished_run(&tmux, &work, "NO_COLOR=1", 3);
    assert!(screen.contains(" gil "), "a GIL run:\n{screen}");
    let lanes = left_box(&screen, "┌ workers");
    let mut glyphs: Vec<char> = lanes
        .lanes()
        .iter()
        .flat_map(|(_, cells)| cells.iter().copied())
        .filter(|&c| c != ' ')
        .collect();
    glyphs.sort_unstable();
    glyphs.dedup();
    assert!(
        glyphs.len() >= 2,
        "the lanes draw at least two states: {glyphs:?}\n{screen}"
    );
    let legend = lanes.legend();
    for glyph in &glyphs {
        let named = legend
            .split(*glyph)
            .skip(1)
            .any(|after| after.starts_with(|c: char| c.is_alphabetic()));
        assert!(named, "the legend names {glyph:?}: {legend:?}\n{screen}");
    }
    tmux.keys(&["q"]);
}
