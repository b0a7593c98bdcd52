//! The event loop: terminal setup and restore (also on panic), input and child events mapped
//! to actions, redraws on events (at most 10 per second while a run is live), blocking when idle.

use crate::tui::app::{update, App};
use crate::tui::child::{self, ChildMsg, ChildRun};
use crate::tui::keys::input_action;
use crate::tui::render::render;
use crate::tui::state::{Action, Effect};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::Stdout;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

const FRAME: Duration = Duration::from_millis(100);
const KILL_AFTER: Duration = Duration::from_secs(2);

/// Everything the loop waits on.
enum Msg {
    Input(crossterm::event::Event),
    Child(usize, ChildMsg),
    /// SIGINT, SIGTERM or SIGHUP from outside (in raw mode Ctrl-C is a key, not a signal).
    Stop,
}

fn wrap(run: usize, msg: ChildMsg) -> Msg {
    Msg::Child(run, msg)
}

/// Leaves the alternate screen and raw mode; safe to call more than once.
pub fn restore_terminal() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}

/// Restores the terminal when dropped (normal exit, error or unwinding).
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Runs the UI until the user quits.
pub fn run_loop(mut app: App) -> std::io::Result<()> {
    install_panic_hook();
    terminal::enable_raw_mode()?;
    let _guard = Guard;
    execute!(std::io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    let mut terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    app.run.defer_flame = true;
    let size = terminal.size()?;
    update(&mut app, Action::Resize(size.width, size.height));
    let (tx, rx) = mpsc::channel();
    spawn_input_thread(tx.clone());
    spawn_signal_thread(tx.clone());
    let mut child: Option<ChildRun> = None;
    // A run asked for before the UI opened (`boundscope exec`) starts now.
    for effect in std::mem::take(&mut app.shared.effects) {
        apply_effect(&mut app, effect, &tx, &mut child);
    }
    let result = event_loop(&mut app, &mut terminal, &tx, &rx, &mut child);
    if let Some(c) = child.take() {
        stop_child(&mut app, &c, &rx);
    }
    result
}

fn spawn_input_thread(tx: Sender<Msg>) {
    std::thread::spawn(move || {
        while let Ok(event) = crossterm::event::read() {
            if tx.send(Msg::Input(event)).is_err() {
                break;
            }
        }
    });
}

/// Turns the first stop signal into a quit, so the terminal is restored as on `q`.
fn spawn_signal_thread(tx: Sender<Msg>) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            let _ = tx.send(Msg::Stop);
        }
    });
}

fn event_loop(
    app: &mut App,
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    tx: &Sender<Msg>,
    rx: &Receiver<Msg>,
    child: &mut Option<ChildRun>,
) -> std::io::Result<()> {
    let mut last_draw: Option<Instant> = None;
    let mut dirty = true;
    // When the replay's clock last moved (kept current while no replay plays).
    let mut clock = Instant::now();
    loop {
        let live = child.is_some();
        if app.run.replay_playing() && clock.elapsed() >= FRAME {
            update(app, Action::Advance(clock.elapsed().as_secs_f64()));
            clock = Instant::now();
            dirty = true;
        }
        let due = last_draw.map_or(Duration::ZERO, |t| FRAME.saturating_sub(t.elapsed()));
        if dirty && (!live || due.is_zero()) {
            if app.run.flame_stale {
                app.refresh_flame();
            }
            terminal.draw(|f| render(f, app))?;
            last_draw = Some(Instant::now());
            dirty = false;
        }
        let msg = match (dirty, app.run.replay_playing()) {
            (true, _) => rx.recv_timeout(due.max(Duration::from_millis(1))),
            (false, true) => rx.recv_timeout(FRAME.saturating_sub(clock.elapsed())),
            (false, false) => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        // A replay that starts playing now counts its time from now, not from the last wait.
        let was_playing = app.run.replay_playing();
        match msg {
            Ok(msg) => handle(app, msg, tx, child),
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
        while let Ok(msg) = rx.try_recv() {
            handle(app, msg, tx, child);
        }
        if !was_playing {
            clock = Instant::now();
        }
        dirty = true;
        if app.quit {
            return Ok(());
        }
    }
}

fn handle(app: &mut App, msg: Msg, tx: &Sender<Msg>, child: &mut Option<ChildRun>) {
    let action = match msg {
        Msg::Stop => {
            app.quit = true;
            return;
        }
        Msg::Input(event) => input_action(app.key_target(), &event),
        Msg::Child(run, ChildMsg::Event(event)) => Some(Action::RunEvent { run, event }),
        Msg::Child(run, ChildMsg::Exited { code, stderr }) => {
            if child.as_ref().is_some_and(|c| c.run == run) {
                *child = None;
            }
            Some(Action::RunExited { run, code, stderr })
        }
    };
    if let Some(action) = action {
        update(app, action);
    }
    // A run that cannot start fails at once, and a suite then asks for its next line: loop
    // until no effect is left.
    while !app.shared.effects.is_empty() {
        for effect in std::mem::take(&mut app.shared.effects) {
            apply_effect(app, effect, tx, child);
        }
    }
}

fn apply_effect(app: &mut App, effect: Effect, tx: &Sender<Msg>, child: &mut Option<ChildRun>) {
    match effect {
        Effect::StartRun { run, launch } => match child::spawn(run, &launch, tx.clone(), wrap) {
            Ok(c) => *child = Some(c),
            Err(e) => {
                let message = format!("could not start the run: {e}");
                let event = Box::new(crate::events::Event::Error { message });
                update(app, Action::RunEvent { run, event });
            }
        },
        Effect::StopRun => {
            if let Some(c) = child.as_ref() {
                c.interrupt();
            }
        }
    }
}

/// Stops a live child on quit: SIGINT, then SIGKILL if it has not exited within 2 s.
fn stop_child(app: &mut App, c: &ChildRun, rx: &Receiver<Msg>) {
    c.interrupt();
    let mut exited = |left: Duration| match rx.recv_timeout(left) {
        Ok(Msg::Child(run, ChildMsg::Exited { .. })) => run == c.run,
        Ok(_) => false,
        Err(RecvTimeoutError::Timeout) => false,
        Err(RecvTimeoutError::Disconnected) => true,
    };
    if !child::wait_until(KILL_AFTER, &mut exited) {
        c.kill();
        child::wait_until(Duration::from_millis(500), exited);
    }
    app.shared.status = "stopped the run".into();
}
