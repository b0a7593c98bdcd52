//! Connections opened at the same moment on a new SQLite file: each waits for the others'
//! journal switch and schema setup instead of failing with "database is locked".

use super::sqlite::{SqliteConn, SqliteOptions};
use crate::db::{Column, ColumnType, DbConn, TableSpec};
use crate::measure::WorkerCtx;
use std::sync::{Arc, Barrier};

fn spec() -> TableSpec {
    TableSpec {
        name: "t".into(),
        columns: vec![Column {
            name: "id".into(),
            ty: ColumnType::Integer,
        }],
        primary_key: None,
    }
}

#[test]
fn connections_opened_together_on_a_new_file_all_connect_and_set_up() {
    for trial in 0..60 {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = Arc::new(dir.path().join("new.db"));
        let start = Arc::new(Barrier::new(8));
        let openers: Vec<_> = (0..8)
            .map(|i| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    let conn = SqliteConn::open(Some(&path), SqliteOptions::default())?;
                    let mut conn = DbConn::Sqlite(conn);
                    let mut ctx = WorkerCtx::standalone("bs-race");
                    conn.setup_table(&mut ctx, &spec(), i == 0, "race")
                })
            })
            .collect();
        for opener in openers {
            let result = opener.join().expect("opener thread");
            assert!(result.is_ok(), "trial {trial}: {:?}", result.err());
        }
    }
}
