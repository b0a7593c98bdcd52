//! `SessionError` keeps the cause of a workload's failure and says it as before.

use super::SessionError;
use crate::exec::ExecError;
use crate::workload::WorkloadError;
use std::error::Error;

#[test]
fn a_workload_failure_keeps_the_workload_error_as_its_source() {
    let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
    let err = SessionError::from(WorkloadError::io("reading a.json", io));
    assert_eq!(err.to_string(), "reading a.json: gone");
    assert!(!err.is_usage());
    let source = err.source().expect("the workload error is kept");
    assert_eq!(source.to_string(), "reading a.json: gone");
    let cause = source.source().expect("and its io error");
    assert_eq!(cause.to_string(), "gone");
}

#[test]
fn bad_input_stays_a_usage_error() {
    let err = SessionError::from(WorkloadError::Input("no such directory /x".into()));
    assert!(matches!(&err, SessionError::Input(m) if m == "no such directory /x"));
    assert!(err.is_usage());
}

#[test]
fn a_failed_verification_says_so_and_keeps_its_cause() {
    let err = SessionError::Verify(WorkloadError::Other("the database is gone".into()));
    assert_eq!(
        err.to_string(),
        "cannot verify the stored rows: the database is gone"
    );
    assert!(err.source().is_some());
}

#[test]
fn an_engine_panic_is_a_failure_not_a_usage_error() {
    let err = SessionError::from(ExecError::Panicked("the engine thread"));
    assert_eq!(err.to_string(), "the engine thread panicked");
    assert!(!err.is_usage());
    assert!(SessionError::from(ExecError::NoWorkers(0)).is_usage());
}
