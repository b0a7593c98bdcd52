//! Lays out and renders a 50,000-frame flamegraph into a 200×60 test terminal; prints the median.

use boundscope::events::Event;
use boundscope::flame::{FoldedStacks, FrameTree};
use boundscope::tui::{render, update, Action, App, Run};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::{Duration, Instant};

/// A deterministic stack set with exactly `frames` distinct frames below the root.
fn stacks(frames: usize) -> FoldedStacks {
    let mut out = FoldedStacks::new();
    let mut made = 0;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut paths: Vec<String> = vec!["bs-threads-0".into()];
    made += 1;
    while made < frames {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let parent = paths[(seed as usize) % paths.len()].clone();
        let name = format!("{parent};mod_{}::func_{made}", made % 97);
        out.add(&name, 1 + seed % 50);
        paths.push(name);
        made += 1;
    }
    out
}

fn main() {
    let stacks = stacks(50_000);
    let mut app = App::new(16, true, std::env::temp_dir());
    let mut run = Run::new(1, "bench", "synthetic", 1, false);
    run.set_stacks(stacks);
    app.add_run(run);
    update(&mut app, Action::Resize(200, 60));
    assert!(
        app.run.flame.tree.node_count() > 50_000,
        "{}",
        app.run.flame.tree.node_count()
    );
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..60 {
        let start = Instant::now();
        terminal.draw(|f| render(f, &app)).unwrap();
        times.push(start.elapsed());
    }
    times.sort();
    let mut rebuilds: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(FrameTree::from_stacks(&app.shared.runs[0].stacks));
            start.elapsed()
        })
        .collect();
    rebuilds.sort();
    println!(
        "flame_rebuild (full tree from 50,000 stacks): median {:.1} ms",
        rebuilds[2].as_secs_f64() * 1e3
    );
    // A live `stacks` event: 500 stacks of growth merged into the run's tree, then the view.
    let delta: FoldedStacks = app.shared.runs[0]
        .stacks
        .iter()
        .step_by(100)
        .map(|(stack, _)| (stack, 1))
        .collect();
    let mut updates: Vec<Duration> = (0..9)
        .map(|_| {
            let event = Event::Stacks {
                samples: delta.total(),
                stacks: delta.clone(),
                wall: FoldedStacks::new(),
                phases: FoldedStacks::new(),
            };
            let start = Instant::now();
            update(
                &mut app,
                Action::RunEvent {
                    run: 0,
                    event: Box::new(event),
                },
            );
            start.elapsed()
        })
        .collect();
    updates.sort();
    println!(
        "flame_live_update ({} stacks into 50,000, view rebuilt): median {:.1} ms",
        delta.len(),
        updates[4].as_secs_f64() * 1e3
    );
    let median = times[times.len() / 2];
    println!(
        "flame_render: {} frames, 200x60, median {:.2} ms (min {:.2} ms, max {:.2} ms)",
        app.run.flame.tree.node_count() - 1,
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3
    );
}
