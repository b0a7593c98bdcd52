//! The event stream: versioned newline-delimited JSON that a run writes and viewers read.
//!
//! `prepare` (input data being generated, before `start`), `start` (spec, host), `tick` (live totals and worker lanes), `stacks` (folded-stack deltas
//! since the previous `stacks`), `units` (finished units, from `processes` children), `done`
//! (the report), `error`, `pg_activity` (PostgreSQL runs). The TUI reads it from a child
//! run, `processes` mode reads it from its children, and a file of it is a recording.

use crate::flame::FoldedStacks;
use crate::model::RunReport;
use crate::model::{GenProgress, Tick};
use crate::spec::RunSpec;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Where a sink writing to a file records the first write error, for the caller to report
/// when the run ends.
pub type EventFailure = Arc<Mutex<Option<std::io::Error>>>;

/// Version 2 added wall-clock stack deltas to `stacks`; version 3 added `pg_activity`
/// (samples of a PostgreSQL run's connections); version 4 added `prepare` (progress of the
/// input data's generation); version 5 added phase deltas to `stacks`. Streams of versions
/// 1 to 4 still read.
pub const EVENT_VERSION: u32 = 5;
/// The oldest stream version this build reads.
pub const OLDEST_EVENT_VERSION: u32 = 1;

/// One line of the stream.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    pub v: u32,
    #[serde(flatten)]
    pub event: Event,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Event {
    /// Input data is being generated (it was not cached): sent before `start`, a few times
    /// a second, the last one with everything done.
    Prepare(GenProgress),
    Start {
        /// The run's spec, database passwords masked.
        #[serde(deserialize_with = "recorded_spec")]
        spec: Box<RunSpec>,
        host: HostInfo,
    },
    Tick(Tick),
    Stacks {
        samples: u64,
        /// CPU samples of the workers (counts).
        stacks: FoldedStacks,
        /// Wall-clock stacks of the workers (nanoseconds): CPU time shaped by the samples,
        /// and every wait under the stack where it began, with a leaf naming it.
        #[serde(default, skip_serializing_if = "FoldedStacks::is_empty")]
        wall: FoldedStacks,
        /// The workers' wall time on the job's phases, by cause (nanoseconds): `worker;
        /// phase;…;[cpu]`, `[run queue]`, each `[… wait]`, `[idle]`, `[untracked]`.
        #[serde(default, skip_serializing_if = "FoldedStacks::is_empty")]
        phases: FoldedStacks,
    },
    /// Units finished since the previous `units` event (sent by `processes` children, so a
    /// parent knows what a child had finished if the child is killed).
    Units {
        units: Vec<crate::model::UnitRecord>,
    },
    Done {
        report: Box<RunReport>,
        /// Every unit's full outcome (all rejections), so a parent loses nothing.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        units: Vec<crate::model::UnitRecord>,
    },
    Error {
        message: String,
    },
    /// The run's PostgreSQL connections at one moment, from `pg_stat_activity`.
    #[serde(rename = "pg_activity")]
    PgActivity {
        sample: crate::model::pg_activity::PgSample,
    },
}

/// Reads a `start` event's spec. A recording made by an older build may hold options this
/// build no longer has or names differently; its spec is then rebuilt from what every
/// version wrote (workload name, mode, workers, GIL, rate) over the workload's defaults, so
/// the recording still opens and its runs keep their names.
fn recorded_spec<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Box<RunSpec>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    if let Ok(spec) = RunSpec::deserialize(&value) {
        return Ok(Box::new(spec));
    }
    let name = value["workload"]["name"].as_str().unwrap_or_default();
    let workload = crate::workload::workload(name).ok_or_else(|| {
        serde::de::Error::custom(format!("`{name}` is not a workload this build knows"))
    })?;
    let mode = value["mode"].as_str().and_then(crate::model::Mode::parse);
    let workers = value["workers"].as_u64().map_or(1, |n| n as usize);
    let mut spec = RunSpec::new((workload.defaults)(), mode.unwrap_or_default(), workers);
    spec.gil = value["gil"].as_bool().unwrap_or(false);
    if let Some(hz) = value["hz"].as_u64() {
        spec.hz = hz as u32;
    }
    Ok(Box::new(spec))
}

/// The machine a run happens on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HostInfo {
    pub cores: usize,
    pub pid: u32,
    pub kernel: String,
}

impl HostInfo {
    pub fn current() -> HostInfo {
        HostInfo {
            cores: available_cores(),
            pid: std::process::id(),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_string())
                .unwrap_or_default(),
        }
    }
}

pub fn available_cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// A line that is not an event this build reads.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("not a boundscope event: {0}")]
    Garbled(#[source] serde_json::Error),
    #[error(
        "event stream version {0} is not supported (this build reads version {EVENT_VERSION})"
    )]
    Version(u32),
}

impl Envelope {
    pub fn new(event: Event) -> Envelope {
        Envelope {
            v: EVENT_VERSION,
            event,
        }
    }

    /// Parses one line; a newer major version or garbage is an error naming the problem.
    pub fn parse_line(line: &str) -> Result<Envelope, EventError> {
        let envelope: Envelope = serde_json::from_str(line).map_err(EventError::Garbled)?;
        if !(OLDEST_EVENT_VERSION..=EVENT_VERSION).contains(&envelope.v) {
            return Err(EventError::Version(envelope.v));
        }
        Ok(envelope)
    }
}

/// Where events go: nowhere, or any writer (stdout, a file), one JSON object per line.
pub struct EventSink {
    out: Option<Box<dyn Write + Send>>,
    failure: Option<EventFailure>,
}

impl EventSink {
    pub fn none() -> EventSink {
        EventSink {
            out: None,
            failure: None,
        }
    }

    /// A stream to a reader (stdout, a pipe): a reader that went away ends the stream quietly.
    pub fn to_writer(out: Box<dyn Write + Send>) -> EventSink {
        EventSink {
            out: Some(out),
            failure: None,
        }
    }

    /// A stream to a file: the stream stops at the first write error, which is kept in the
    /// returned slot so the run can end with it instead of claiming the file was written.
    pub fn to_file(out: Box<dyn Write + Send>) -> (EventSink, EventFailure) {
        let failure = EventFailure::default();
        let sink = EventSink {
            out: Some(out),
            failure: Some(failure.clone()),
        };
        (sink, failure)
    }

    pub fn is_active(&self) -> bool {
        self.out.is_some()
    }

    /// Writes and flushes one event. A reader that went away stops the stream, not the run.
    pub fn emit(&mut self, event: Event) {
        let Some(out) = self.out.as_mut() else { return };
        let result = serde_json::to_writer(&mut *out, &Envelope::new(event))
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
        if let Err(e) = result {
            self.out = None;
            if let Some(failure) = &self.failure {
                let mut slot = failure.lock().unwrap_or_else(|p| p.into_inner());
                slot.get_or_insert(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_with_version_and_type() {
        let line = serde_json::to_string(&Envelope::new(Event::Error {
            message: "boom".into(),
        }))
        .unwrap();
        assert!(
            line.contains("\"v\":5") && line.contains("\"type\":\"error\""),
            "{line}"
        );
        match Envelope::parse_line(&line).unwrap().event {
            Event::Error { message } => assert_eq!(message, "boom"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn stacks_carry_phases_and_a_version_4_stream_without_them_still_reads() {
        let phases = FoldedStacks::parse("bs-seq-0;parse;[cpu] 7\n").unwrap();
        let event = Event::Stacks {
            samples: 1,
            stacks: FoldedStacks::parse("bs-seq-0;f 1\n").unwrap(),
            wall: FoldedStacks::new(),
            phases: phases.clone(),
        };
        let line = serde_json::to_string(&Envelope::new(event)).unwrap();
        match Envelope::parse_line(&line).unwrap().event {
            Event::Stacks { phases: read, .. } => assert_eq!(read, phases),
            other => panic!("unexpected {other:?}"),
        }
        let old = r#"{"v":4,"type":"stacks","samples":1,"stacks":{"bs-seq-0;f":1}}"#;
        match Envelope::parse_line(old).unwrap().event {
            Event::Stacks { phases, stacks, .. } => {
                assert!(phases.is_empty());
                assert_eq!(stacks.total(), 1);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_version_2_stream_still_reads_and_pg_samples_round_trip() {
        let old = Envelope::parse_line(r#"{"v":2,"type":"error","message":"x"}"#);
        assert!(matches!(old.map(|e| e.event), Ok(Event::Error { .. })));
        let mut sample = crate::model::pg_activity::PgSample::default();
        sample.count("idle in transaction", None);
        let line = serde_json::to_string(&Envelope::new(Event::PgActivity {
            sample: sample.clone(),
        }))
        .unwrap();
        assert!(line.contains("\"type\":\"pg_activity\""), "{line}");
        match Envelope::parse_line(&line).unwrap().event {
            Event::PgActivity { sample: back } => assert_eq!(back, sample),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn prepare_events_round_trip_and_older_streams_have_none() {
        let progress = GenProgress {
            what: "json-parse ticks".into(),
            files_done: 7,
            files_total: 16,
            records_done: 140,
            records_total: 320,
            bytes: 12_300_000,
            elapsed_s: 2.1,
        };
        let line = serde_json::to_string(&Envelope::new(Event::Prepare(progress.clone()))).unwrap();
        assert!(line.contains("\"type\":\"prepare\""), "{line}");
        assert!(line.contains("\"files_done\":7"), "{line}");
        match Envelope::parse_line(&line).unwrap().event {
            Event::Prepare(back) => assert_eq!(back, progress),
            other => panic!("unexpected {other:?}"),
        }
        let v3 = r#"{"v":3,"type":"error","message":"x"}"#;
        assert!(matches!(
            Envelope::parse_line(v3).map(|e| e.event),
            Ok(Event::Error { .. })
        ));
    }

    #[test]
    fn other_versions_are_refused() {
        let err = Envelope::parse_line(r#"{"v":9,"type":"error","message":"x"}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("event stream version 9 is not supported (this build reads version {EVENT_VERSION})")
        );
        let garbled = Envelope::parse_line("hello").unwrap_err();
        assert!(garbled.to_string().starts_with("not a boundscope event: "));
        assert!(
            std::error::Error::source(&garbled).is_some(),
            "serde_json's error is kept"
        );
    }

    #[test]
    fn a_file_sink_keeps_its_write_error_and_a_reader_sink_does_not() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("no space left"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let (mut sink, failure) = EventSink::to_file(Box::new(Full));
        sink.emit(Event::Error {
            message: "x".into(),
        });
        assert!(!sink.is_active());
        let err = failure.lock().unwrap().take().expect("error recorded");
        assert!(err.to_string().contains("no space left"), "{err}");
        let mut reader = EventSink::to_writer(Box::new(Full));
        reader.emit(Event::Error {
            message: "x".into(),
        });
        assert!(!reader.is_active());
    }

    #[test]
    fn version_1_streams_still_read() {
        let line = r#"{"v":1,"type":"stacks","samples":2,"stacks":{"bs-seq-0;f":2}}"#;
        match Envelope::parse_line(line).unwrap().event {
            Event::Stacks { samples, wall, .. } => {
                assert_eq!(samples, 2);
                assert!(wall.is_empty());
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_start_carries_the_typed_spec_and_an_older_ones_fields_still_read() {
        let spec = crate::spec::RunSpec::new(
            crate::workload::WorkloadSpec::JsonParse(Default::default()),
            crate::model::Mode::Rayon,
            3,
        );
        let host = HostInfo::current();
        let line = serde_json::to_string(&Envelope::new(Event::Start {
            spec: Box::new(spec),
            host,
        }))
        .expect("json");
        match Envelope::parse_line(&line).expect("reads back").event {
            Event::Start { spec, .. } => {
                assert_eq!(spec.mode, crate::model::Mode::Rayon);
                assert_eq!(spec.workload.name(), "json-parse");
            }
            other => panic!("unexpected {other:?}"),
        }
        // An option this build does not have: rebuilt from the fields every version wrote.
        let old = r#"{"v":1,"type":"start","host":{"cores":2,"pid":1,"kernel":"x"},
            "spec":{"workload":{"name":"csv-import","parser":"ancient"},"mode":"threads",
            "workers":3,"gil":true,"hz":50}}"#
            .replace('\n', "");
        match Envelope::parse_line(&old)
            .expect("an older start reads")
            .event
        {
            Event::Start { spec, .. } => {
                assert_eq!(spec.workload.name(), "csv-import");
                assert_eq!(spec.mode, crate::model::Mode::Threads);
                assert_eq!((spec.workers, spec.gil, spec.hz), (3, true, 50));
            }
            other => panic!("unexpected {other:?}"),
        }
        let unknown = old.replace("csv-import", "no-such-workload");
        assert!(Envelope::parse_line(&unknown).is_err());
    }
}
