//! PostgreSQL runs: their connections are named for the run, and a sampler watches them in
//! `pg_stat_activity` while the run lasts (the report's `pg_activity`, `pg_activity` events).

use super::RunSpec;
use crate::db::activity::{run_application_name, tag_url, ActivitySampler};
use crate::db::{with_env_password, DbTarget};
use crate::events::{Event, EventSink};
use crate::model::pg_activity::PgActivity;
use std::time::Instant;

/// What a run needs to watch its connections: the server and the name they carry.
pub struct PgRun {
    url: String,
    application_name: String,
}

/// `spec` with its PostgreSQL URL (if any) tagged with a name for this run, and given the
/// password from `PGPASSWORD` when it has none. Children of `processes` mode receive this
/// spec, so their connections carry the same name and need no password of their own.
pub fn tag(spec: &RunSpec) -> (RunSpec, Option<PgRun>) {
    let mut spec = spec.clone();
    if spec.shard.is_some() {
        return (spec, None);
    }
    let Some(db) = spec.workload.db_mut() else {
        return (spec, None);
    };
    if !matches!(DbTarget::parse(db), Ok(DbTarget::Postgres(_))) {
        return (spec, None);
    }
    let run = PgRun {
        url: with_env_password(db),
        application_name: run_application_name(),
    };
    *db = tag_url(&run.url, &run.application_name);
    (spec, Some(run))
}

/// The sampler of a PostgreSQL run (nothing for other runs, or when it cannot connect: the
/// run then goes on unwatched, and its own connections report any problem).
#[derive(Default)]
pub struct PgWatch(Option<ActivitySampler>);

impl PgWatch {
    pub fn start(run: Option<&PgRun>, t0: Instant) -> PgWatch {
        PgWatch(run.and_then(|r| ActivitySampler::start(&r.url, &r.application_name, t0).ok()))
    }

    /// Sends the samples taken since the last call.
    pub fn emit(&mut self, events: &mut EventSink) {
        if let Some(sampler) = self.0.as_mut() {
            for sample in sampler.new_samples() {
                events.emit(Event::PgActivity { sample });
            }
        }
    }

    pub fn finish(self, events: &mut EventSink) -> Option<PgActivity> {
        let mut this = self;
        this.emit(events);
        this.0.map(ActivitySampler::finish)
    }
}
