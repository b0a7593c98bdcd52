//! Range selection over an hour-long recording: a synthetic hour (a tick every 0.25 s and a
//! stack delta with each, 8 workers, 240 stacks of engine-deep names), opened as `open`
//! opens it, then ranges marked with the keys; prints the median time from the key that
//! ends a range to the drawn 200×55 frame, and the history's size.

use boundscope::events::Event;
use boundscope::flame::FoldedStacks;
use boundscope::model::{Tick, WorkerSnapshot};
use boundscope::tui::screens::run::range::placement;
use boundscope::tui::state::recording::recorded_run;
use boundscope::tui::{render, update, Action, App};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TICKS: usize = 4 * 3600;
const WORKERS: usize = 8;

fn stacks(tick: usize) -> FoldedStacks {
    let mut out = FoldedStacks::new();
    for w in 0..WORKERS {
        for f in 0..30 {
            let leaf = if f % 3 == 0 { ";[net wait]" } else { "" };
            let stack = format!(
                "bs-threads-{w};boundscope::exec::local::worker_loop;boundscope::exec::run_unit;\
                 boundscope::workload::api::ApiFetch::run_unit;client::get_{f};parse_{}{leaf}",
                (tick + f) % 7
            );
            out.add(&stack, 1 + ((tick * 31 + f) % 13) as u64 * 100_000);
        }
    }
    out
}

fn recording() -> Vec<Event> {
    let mut events = Vec::with_capacity(2 * TICKS + 1);
    events.push(Event::Start {
        spec: Box::new(boundscope::session::RunSpec::new(
            boundscope::workload::workload("api-fetch")
                .map(|w| (w.defaults)())
                .expect("api-fetch"),
            boundscope::model::Mode::Threads,
            WORKERS,
        )),
        host: boundscope::events::HostInfo::current(),
    });
    for i in 1..=TICKS {
        let t = i as f64 * 0.25;
        let workers = (0..WORKERS)
            .map(|w| WorkerSnapshot {
                name: format!("bs-threads-{w}"),
                wall_s: t,
                cpu_s: t * 0.2,
                ..WorkerSnapshot::default()
            })
            .collect();
        events.push(Event::Tick(Tick {
            elapsed_s: t,
            items: i as u64 * 100,
            workers,
            ..Tick::default()
        }));
        let wall = stacks(i);
        events.push(Event::Stacks {
            samples: 10,
            stacks: FoldedStacks::new(),
            wall,
            phases: FoldedStacks::new(),
        });
    }
    events
}

fn main() {
    let started = Instant::now();
    let mut app = App::new(2, true, std::env::temp_dir());
    app.add_run(recorded_run(1, Arc::from(recording())));
    update(&mut app, Action::Resize(200, 55));
    println!(
        "an hour's recording ({TICKS} ticks, {TICKS} stack deltas) opened in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let mut terminal = Terminal::new(TestBackend::new(200, 55)).expect("terminal");
    terminal.draw(|f| render(f, &app)).expect("draw");
    let place = placement(&app.run, &app.shared).expect("a time axis");
    let columns = place.axis.columns;
    let mut times: Vec<Duration> = Vec::new();
    for k in 0..9u16 {
        update(&mut app, Action::Back);
        let (a, b) = (k * columns / 12, k * columns / 12 + columns / 4);
        for _ in 0..=a {
            update(&mut app, Action::CursorRight);
        }
        update(&mut app, Action::MarkRange);
        for _ in a..b {
            update(&mut app, Action::CursorRight);
        }
        let start = Instant::now();
        update(&mut app, Action::MarkRange);
        if app.run.flame_stale {
            app.refresh_flame();
        }
        terminal.draw(|f| render(f, &app)).expect("draw");
        times.push(start.elapsed());
        for _ in 0..=b {
            update(&mut app, Action::CursorLeft);
        }
    }
    times.sort();
    println!(
        "range selection, key to drawn frame: median {:.1} ms, worst {:.1} ms (of {})",
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        times.len()
    );
}
