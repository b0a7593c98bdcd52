//! The single-writer design: one thread owns the only connection; workers send it rows.
//!
//! This is how SQLite wants to be written to (one writer, no lock contention). Each job is a
//! chunk's rows; the writer inserts them with the chosen strategy and answers with the rows
//! back and the ones the database refused, after the commit, so unit outcomes stay exact.

use crate::db::{
    DbConn, DbError, DbTarget, InsertPlan, Row, RowRejection, SqliteOptions, TableSpec,
};
use crate::measure::WorkerCtx;
use crossbeam_channel::{bounded, unbounded, Sender};
use std::thread::JoinHandle;

type Reply<T> = Sender<Result<T, DbError>>;
/// The rows sent (handed back) and the rows the database refused.
type Inserted = (Vec<Row>, Result<Vec<RowRejection>, DbError>);

enum Job {
    Insert {
        table: usize,
        rows: Vec<Row>,
        reply: Sender<Inserted>,
    },
    Setup {
        fresh: bool,
        run_id: String,
        reply: Reply<Vec<u64>>,
    },
    Count {
        reply: Reply<Vec<u64>>,
    },
    /// Ends the thread even while clients still hold senders.
    Stop,
}

/// Handle to the writer thread; dropping it lets the thread finish and joins it.
pub struct Writer {
    jobs: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

const GONE: &str = "the database writer thread has stopped";

fn gone() -> DbError {
    DbError::Internal(GONE.into())
}

impl Writer {
    /// Starts the thread and opens its connection (errors come back from here).
    pub fn start(
        target: DbTarget,
        sqlite: SqliteOptions,
        specs: Vec<TableSpec>,
        plan: InsertPlan,
    ) -> Result<Writer, DbError> {
        let (jobs, inbox) = unbounded::<Job>();
        let (opened_tx, opened_rx) = bounded::<Result<(), DbError>>(1);
        let thread = std::thread::Builder::new()
            .name("bs-csv-writer".into())
            .spawn(move || {
                let mut conn = match DbConn::open(&target, sqlite) {
                    Ok(conn) => {
                        let _ = opened_tx.send(Ok(()));
                        conn
                    }
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                let mut ctx = WorkerCtx::standalone("bs-csv-writer");
                for job in inbox {
                    if matches!(job, Job::Stop) {
                        break;
                    }
                    serve(&mut conn, &mut ctx, &specs, plan, job);
                }
            })
            .map_err(|e| DbError::Internal(format!("cannot start the writer thread: {e}")))?;
        let writer = Writer {
            jobs: Some(jobs),
            thread: Some(thread),
        };
        opened_rx.recv().map_err(|_| gone())??;
        Ok(writer)
    }

    /// A cheap handle workers use to send rows.
    pub fn sender(&self) -> Option<WriterClient> {
        self.jobs.clone().map(|jobs| WriterClient { jobs })
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if let Some(jobs) = self.jobs.take() {
            let _ = jobs.send(Job::Stop);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A worker's side of the writer: blocking requests.
#[derive(Clone)]
pub struct WriterClient {
    jobs: Sender<Job>,
}

impl WriterClient {
    /// Sends rows for table `table` and waits until they are committed.
    pub fn insert(
        &self,
        table: usize,
        rows: Vec<Row>,
    ) -> (Vec<Row>, Result<Vec<RowRejection>, DbError>) {
        let (reply, answer) = bounded(1);
        if let Err(unsent) = self.jobs.send(Job::Insert { table, rows, reply }) {
            let rows = match unsent.0 {
                Job::Insert { rows, .. } => rows,
                _ => Vec::new(),
            };
            return (rows, Err(gone()));
        }
        answer.recv().unwrap_or_else(|_| (Vec::new(), Err(gone())))
    }

    /// Creates the tables for run `run_id`; returns each table's row count before the run.
    pub fn setup(&self, fresh: bool, run_id: &str) -> Result<Vec<u64>, DbError> {
        let (reply, answer) = bounded(1);
        let run_id = run_id.to_string();
        self.jobs
            .send(Job::Setup {
                fresh,
                run_id,
                reply,
            })
            .map_err(|_| gone())?;
        answer.recv().map_err(|_| gone())?
    }

    /// Rows in each table now.
    pub fn count(&self) -> Result<Vec<u64>, DbError> {
        let (reply, answer) = bounded(1);
        self.jobs.send(Job::Count { reply }).map_err(|_| gone())?;
        answer.recv().map_err(|_| gone())?
    }
}

fn serve(conn: &mut DbConn, ctx: &mut WorkerCtx, specs: &[TableSpec], plan: InsertPlan, job: Job) {
    match job {
        Job::Insert { table, rows, reply } => {
            let result = match specs.get(table) {
                Some(spec) => conn.insert(ctx, spec, &rows, plan),
                None => Err(DbError::Internal(format!("no table number {table}"))),
            };
            let _ = reply.send((rows, result));
        }
        Job::Setup {
            fresh,
            run_id,
            reply,
        } => {
            let result = specs
                .iter()
                .map(|spec| conn.setup_table(ctx, spec, fresh, &run_id))
                .collect();
            let _ = reply.send(result);
        }
        Job::Count { reply } => {
            let result = specs
                .iter()
                .map(|spec| conn.count(ctx, &spec.name))
                .collect();
            let _ = reply.send(result);
        }
        Job::Stop => {}
    }
}
