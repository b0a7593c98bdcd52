//! Progress of input-data generation: what is generated and how far it got, handed to a
//! [`GenObserver`] at a bounded rate (the first and last state always, between them at most
//! one report per [`GenObserver::min_interval`]). Generators never print.

use crate::model::GenProgress;
use std::io::Write;
use std::time::{Duration, Instant};

/// The default shortest time between two reports: ten a second is enough for a progress bar
/// and cheap enough for an event stream.
pub const REPORT_EVERY: Duration = Duration::from_millis(100);

/// Records written between two looks at the clock: reading it for every record would cost a
/// noticeable share of writing a short record.
const CLOCK_EVERY: u64 = 256;

/// Receives generation progress.
pub trait GenObserver {
    fn report(&mut self, progress: &GenProgress);

    /// The shortest time between two reports (the first and the last are always sent).
    fn min_interval(&self) -> Duration {
        REPORT_EVERY
    }
}

impl<F: FnMut(&GenProgress)> GenObserver for F {
    fn report(&mut self, progress: &GenProgress) {
        self(progress)
    }
}

/// An observer that ignores every report (callers that show no progress).
pub struct Unobserved;

impl GenObserver for Unobserved {
    fn report(&mut self, _: &GenProgress) {}

    fn min_interval(&self) -> Duration {
        // No clock reading is worth it when nobody looks.
        Duration::MAX
    }
}

/// Counts what a generator wrote and reports it to an observer, rate-limited.
pub struct GenMeter<'o> {
    observer: &'o mut dyn GenObserver,
    progress: GenProgress,
    started: Instant,
    last_report: Instant,
    /// (files, records, bytes) of the last report, so the final one is not sent twice.
    reported: (u64, u64, u64),
    unchecked: u64,
}

impl<'o> GenMeter<'o> {
    /// Starts counting and reports the empty state at once, so a viewer knows what is coming.
    pub fn start(
        observer: &'o mut dyn GenObserver,
        what: impl Into<String>,
        files_total: u64,
        records_total: u64,
    ) -> GenMeter<'o> {
        let now = Instant::now();
        let mut meter = GenMeter {
            observer,
            progress: GenProgress {
                what: what.into(),
                files_total,
                records_total,
                ..GenProgress::default()
            },
            started: now,
            last_report: now,
            reported: (0, 0, 0),
            unchecked: 0,
        };
        meter.send();
        meter
    }

    /// One record was written.
    pub fn record(&mut self) {
        self.progress.records_done += 1;
        self.unchecked += 1;
        if self.unchecked >= CLOCK_EVERY {
            self.unchecked = 0;
            self.maybe_send();
        }
    }

    /// One file is complete.
    pub fn file_done(&mut self) {
        self.progress.files_done += 1;
        self.maybe_send();
    }

    /// Reports the final state (unless it was the last one reported) and returns it.
    pub fn finish(mut self) -> GenProgress {
        let p = &self.progress;
        if self.reported != (p.files_done, p.records_done, p.bytes) {
            self.send();
        }
        self.progress
    }

    /// A writer into `inner` whose bytes count towards this meter.
    pub fn writer<'m, W: Write>(&'m mut self, inner: W) -> MeteredWriter<'m, 'o, W> {
        MeteredWriter {
            inner,
            meter: self,
            written: 0,
        }
    }

    fn maybe_send(&mut self) {
        if self.last_report.elapsed() >= self.observer.min_interval() {
            self.send();
        }
    }

    fn send(&mut self) {
        let now = Instant::now();
        self.progress.elapsed_s = now.duration_since(self.started).as_secs_f64();
        self.last_report = now;
        let p = &self.progress;
        self.reported = (p.files_done, p.records_done, p.bytes);
        self.observer.report(&self.progress);
    }
}

/// A writer that generated records go through: bytes are counted as they pass, records when
/// the generator says one is complete.
pub trait RecordWriter: Write {
    fn record_done(&mut self);
}

/// [`RecordWriter`] over any writer, counting into a [`GenMeter`].
pub struct MeteredWriter<'m, 'o, W> {
    inner: W,
    meter: &'m mut GenMeter<'o>,
    written: u64,
}

impl<W: Write> MeteredWriter<'_, '_, W> {
    /// Bytes written through this writer.
    pub fn written(&self) -> u64 {
        self.written
    }
}

impl<W: Write> Write for MeteredWriter<'_, '_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        self.meter.progress.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> RecordWriter for MeteredWriter<'_, '_, W> {
    fn record_done(&mut self) {
        self.meter.record();
    }
}

/// Keeps every report it is sent; `every` is its minimum interval (tests).
#[cfg(test)]
pub(crate) struct Recorder {
    pub reports: Vec<GenProgress>,
    pub every: Duration,
}

#[cfg(test)]
impl Recorder {
    pub fn new(every: Duration) -> Recorder {
        Recorder {
            reports: Vec::new(),
            every,
        }
    }

    /// Asserts that the reports start empty, only grow, never repeat, and end complete.
    pub fn assert_grows_to_total(&self) {
        let (first, last) = match (self.reports.first(), self.reports.last()) {
            (Some(first), Some(last)) => (first, last),
            _ => panic!("no report at all"),
        };
        assert_eq!(
            (first.files_done, first.records_done, first.bytes),
            (0, 0, 0)
        );
        for pair in self.reports.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(
                b.files_done >= a.files_done
                    && b.records_done >= a.records_done
                    && b.bytes >= a.bytes
                    && b.elapsed_s >= a.elapsed_s,
                "progress went back: {a:?} then {b:?}"
            );
            let (x, y) = (
                (a.files_done, a.records_done),
                (b.files_done, b.records_done),
            );
            assert!(y > x, "a report repeats the one before: {a:?} then {b:?}");
        }
        assert_eq!(
            (last.files_done, last.records_done),
            (last.files_total, last.records_total),
            "the last report is the complete set"
        );
    }
}

#[cfg(test)]
impl GenObserver for Recorder {
    fn report(&mut self, progress: &GenProgress) {
        self.reports.push(progress.clone());
    }
    fn min_interval(&self) -> Duration {
        self.every
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_and_last_states_are_always_reported_and_never_twice() {
        let mut recorder = Recorder::new(Duration::MAX);
        let mut meter = GenMeter::start(&mut recorder, "test", 2, 1000);
        for _ in 0..2 {
            let mut out = meter.writer(Vec::new());
            for _ in 0..500 {
                out.write_all(b"abc\n").unwrap();
                out.record_done();
            }
            meter.file_done();
        }
        let last = meter.finish();
        assert_eq!(recorder.reports.len(), 2, "{:?}", recorder.reports);
        assert_eq!(recorder.reports[0].records_done, 0);
        assert_eq!(recorder.reports[0].records_total, 1000);
        assert_eq!(recorder.reports[1], last);
        assert_eq!((last.files_done, last.records_done), (2, 1000));
        assert_eq!(last.bytes, 4000);
        assert!((last.fraction() - 1.0).abs() < 1e-12);
    }
}
