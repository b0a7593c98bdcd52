//! Reading a recording (`run --events FILE`, one JSON event per line) line by line, so that
//! the file's text is never held whole, only its events. A crash while recording leaves the
//! last line cut short; such a line is dropped with a warning that names it, and the rest of
//! the recording opens.

use super::{InputError, TimeError, MAX_RECORDED_S};
use crate::events::Envelope;
use crate::tui::state::runs::Run;
use std::io::BufRead;

/// True when `line` (the first line of an input) is a boundscope event.
pub(super) fn is_event_line(line: &[u8]) -> bool {
    std::str::from_utf8(line).is_ok_and(|text| Envelope::parse_line(text.trim_end()).is_ok())
}

/// What one line of a recording turned out to be.
enum Line {
    Event(Envelope),
    Blank,
    /// The last line, cut short: its number and length in bytes.
    Torn(usize, usize),
}

/// A recording as a run, which keeps its events for playing back; a torn last line is
/// dropped and named in the run's `warning`.
pub(super) fn replay(mut reader: impl BufRead, number: usize) -> Result<Run, InputError> {
    let mut events = Vec::new();
    let mut elapsed = 0.0;
    let mut buf = Vec::new();
    let mut warning = None;
    for n in 1.. {
        buf.clear();
        if reader
            .read_until(b'\n', &mut buf)
            .map_err(InputError::read)?
            == 0
        {
            break;
        }
        let envelope = match read_line(&buf, n, !events.is_empty())? {
            Line::Event(envelope) => envelope,
            Line::Blank => continue,
            Line::Torn(line, bytes) => {
                warning = Some(format!(
                    "the last line (line {line}, {bytes} bytes) is cut short, as a crash \
                     while recording leaves it: dropped"
                ));
                break;
            }
        };
        check_times(&envelope.event, &mut elapsed)
            .map_err(|source| InputError::Damaged { line: n, source })?;
        let mut event = envelope.event;
        if let crate::events::Event::Tick(tick) = &mut event {
            // Parsed lists grow to 4 places at least: a tick of 2 workers kept 2 spare ones
            // (144 bytes a tick, a third of a long recording's memory).
            tick.workers.shrink_to_fit();
        }
        events.push(event);
    }
    events.shrink_to_fit();
    let mut run = crate::tui::state::recording::recorded_run(number, std::sync::Arc::new(events));
    run.warning = warning;
    Ok(run)
}

/// Line `n` of a recording (`buf`, its newline included). A line without a newline is the
/// last; when it is not an event and events came before it, it is torn.
fn read_line(buf: &[u8], n: usize, after_events: bool) -> Result<Line, InputError> {
    let last = !buf.ends_with(b"\n");
    let parsed = match std::str::from_utf8(buf) {
        Ok(text) if text.trim().is_empty() => return Ok(Line::Blank),
        Ok(text) => Envelope::parse_line(text.trim_end()),
        Err(_) if last && after_events => return Ok(Line::Torn(n, buf.len())),
        Err(e) => {
            let what = format!("line {n} is not UTF-8 text: {e}");
            let e = std::io::Error::new(std::io::ErrorKind::InvalidData, what);
            return Err(InputError::Read(e));
        }
    };
    match parsed {
        Ok(envelope) => Ok(Line::Event(envelope)),
        Err(_) if last && after_events => Ok(Line::Torn(n, buf.len())),
        Err(source) => Err(InputError::NotEvents { line: n, source }),
    }
}

/// Checks the times of a recorded event: finite, 0 to [`MAX_RECORDED_S`] seconds, and tick
/// times never going back (`elapsed` is the previous tick's). A damaged recording is
/// refused rather than drawn: a time of 1e308 s once made the charts spin forever.
fn check_times(event: &crate::events::Event, elapsed: &mut f64) -> Result<(), TimeError> {
    use crate::events::Event;
    let seconds = |what: &str, value: f64| match (0.0..=MAX_RECORDED_S).contains(&value) {
        true => Ok(()),
        false => Err(TimeError::OutOfRange {
            what: what.to_string(),
            value,
        }),
    };
    let workers = match event {
        Event::Tick(tick) => {
            seconds("a tick's elapsed_s", tick.elapsed_s)?;
            if tick.elapsed_s < *elapsed {
                return Err(TimeError::GoesBack {
                    from: *elapsed,
                    to: tick.elapsed_s,
                });
            }
            *elapsed = tick.elapsed_s;
            &tick.workers
        }
        Event::Prepare(progress) => {
            return seconds("a prepare event's elapsed_s", progress.elapsed_s)
        }
        Event::Done { report, .. } => {
            seconds("the report's wall_s", report.wall_s)?;
            seconds("the report's cpu_s", report.cpu_s)?;
            &report.worker_stats
        }
        _ => return Ok(()),
    };
    for w in workers {
        let what = |field: &str| format!("worker {}'s {field}", w.name);
        seconds(&what("wall_s"), w.wall_s)?;
        seconds(&what("cpu_s"), w.cpu_s)?;
        seconds(&what("runqueue_s"), w.runqueue_s)?;
        for (category, value) in &w.waits {
            seconds(&what(&format!("{category:?} wait")), *value)?;
        }
    }
    Ok(())
}
