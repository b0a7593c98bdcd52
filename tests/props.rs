//! Property tests of every reader: random bytes and mutated valid samples (flipped bytes,
//! truncations, repeated and dropped lines, deep nesting) never panic; the record readers
//! (NDJSON with every parser, CSV) account for every record: items + rejected = records,
//! each rejection with its line and a reason. Case counts keep each test to a few seconds in
//! a release build.

mod common;

use boundscope::flame::{self, speedscope, FoldedStacks, FrameTree};
use boundscope::measure::WorkerCtx;
use boundscope::model::Rejection;
use boundscope::workload::csv::{CsvImport, CsvOptions};
use boundscope::workload::etl::dag::Pipeline;
use boundscope::workload::json::{build_table, Parser};
use boundscope::workload::DynWorkload;
use proptest::prelude::*;
use std::io::{Cursor, Read};
use std::sync::OnceLock;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // A failing case is printed (shrunk); nothing is written next to the tests.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// One change to a valid sample. Positions are taken modulo the sample's length.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    DuplicateLine(usize),
    DropLine(usize),
    Insert(usize, Vec<u8>),
    /// `[` × depth then `]` × depth at a position: deep nesting.
    Nest(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let depth = prop_oneof![1usize..300, Just(100_000usize)];
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        2 => any::<usize>().prop_map(Mutation::DuplicateLine),
        2 => any::<usize>().prop_map(Mutation::DropLine),
        2 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..12))
            .prop_map(|(at, b)| Mutation::Insert(at, b)),
        1 => (any::<usize>(), depth).prop_map(|(at, d)| Mutation::Nest(at, d)),
    ]
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(mutation(), 0..6)
}

/// Byte ranges of the lines of `data` (without their `\n`).
fn line_ranges(data: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in data.iter().enumerate() {
        if *b == b'\n' {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < data.len() {
        out.push((start, data.len()));
    }
    out
}

fn mutate(sample: &[u8], changes: &[Mutation]) -> Vec<u8> {
    let mut data = sample.to_vec();
    for change in changes {
        let at = |n: usize| n % (data.len() + 1);
        match change {
            Mutation::Flip(n, b) if !data.is_empty() => {
                let i = n % data.len();
                data[i] ^= b | 1;
            }
            Mutation::Truncate(n) => data.truncate(at(*n)),
            Mutation::DuplicateLine(n) | Mutation::DropLine(n) => {
                let lines = line_ranges(&data);
                if lines.is_empty() {
                    continue;
                }
                let (s, e) = lines[n % lines.len()];
                let line = data[s..e].to_vec();
                if matches!(change, Mutation::DropLine(_)) {
                    data.drain(s..e);
                } else {
                    data.splice(e..e, line);
                }
            }
            Mutation::Insert(n, bytes) => {
                let i = at(*n);
                data.splice(i..i, bytes.iter().copied());
            }
            Mutation::Nest(n, depth) => {
                let i = at(*n);
                let nest = [vec![b'['; *depth], vec![b']'; *depth]].concat();
                data.splice(i..i, nest);
            }
            Mutation::Flip(..) => {}
        }
    }
    data
}

// ---------------------------------------------------------------------------------------
// NDJSON (json-parse), every parser.

const TICKS: &[u8] = include_bytes!("../assets/json/malformed/ticks-bad.ndjson");

/// Lines a parser sees as records: all but blank ones (after a leading byte-order mark).
fn ndjson_records(data: &[u8]) -> Vec<u64> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    data.split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')))
        .map(|(i, _)| i as u64 + 1)
        .collect()
}

fn assert_rejections(rejected: &[Rejection], records: &[u64], source: &str) {
    let lines: Vec<u64> = rejected.iter().map(|r| r.line).collect();
    assert!(
        lines.windows(2).all(|w| w[0] < w[1]),
        "one per line: {lines:?}"
    );
    for r in rejected {
        assert!(
            records.binary_search(&r.line).is_ok(),
            "line {} is a record",
            r.line
        );
        assert_eq!(r.source, source);
        assert!(
            !r.reason.trim().is_empty() && !r.reason.contains('\n'),
            "{r:?}"
        );
    }
}

fn check_ndjson(data: &[u8]) {
    let records = ndjson_records(data);
    let mut first: Option<(usize, Vec<u64>)> = None;
    for parser in [Parser::Value, Parser::Typed, Parser::Fast] {
        let mut ctx = WorkerCtx::standalone("prop");
        let parsed = build_table(data, parser, "x.ndjson", &mut ctx);
        let items = parsed.table.len();
        assert_eq!(
            items + parsed.rejected.len(),
            records.len(),
            "{parser:?}: items + rejected = records"
        );
        assert_rejections(&parsed.rejected, &records, "x.ndjson");
        // The three parsers accept exactly the same lines.
        let lines: Vec<u64> = parsed.rejected.iter().map(|r| r.line).collect();
        match &first {
            None => first = Some((items, lines)),
            Some(seen) => assert_eq!(seen, &(items, lines), "{parser:?} agrees with value"),
        }
    }
}

proptest! {
    #![proptest_config(config(160))]

    #[test]
    fn ndjson_mutated_samples_are_accounted_for(changes in mutations()) {
        check_ndjson(&mutate(TICKS, &changes));
    }

    #[test]
    fn ndjson_random_bytes_are_accounted_for(data in prop::collection::vec(any::<u8>(), 0..600)) {
        check_ndjson(&data);
    }

    #[test]
    fn ndjson_random_json_like_lines_are_accounted_for(
        text in r#"([{}\[\]",:0-9.eE+\-a-z \\ntrufals\n]{0,40}\n){0,20}"#
    ) {
        check_ndjson(text.as_bytes());
    }
}

// ---------------------------------------------------------------------------------------
// CSV (csv-import), into an in-memory SQLite database.

const CUSTOMERS: &[u8] = include_bytes!("../assets/csv/customers-bad.csv");

fn check_csv(data: &[u8]) {
    check_csv_capped(data, CsvOptions::default().max_record_bytes);
}

/// `check_csv` with records longer than `cap` bytes cut (see `csv::capped`).
fn check_csv_capped(data: &[u8], cap: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("people.csv");
    std::fs::write(&path, data).expect("write csv");
    let options = CsvOptions {
        input: Some(path),
        table: Some("people".into()),
        db: "sqlite::memory:".into(),
        data_dir: Some(dir.path().to_path_buf()),
        chunk_rows: 4,
        batch: 3,
        max_record_bytes: cap,
        ..CsvOptions::default()
    };
    let import = match CsvImport::new(options) {
        Ok(import) => import,
        Err(e) => {
            let text = e.to_string();
            assert!(!text.is_empty() && !text.contains('\n'), "{text:?}");
            return;
        }
    };
    let mut ctx = WorkerCtx::standalone("prop");
    let (mut items, mut rejected) = (0, Vec::new());
    for unit in 0..import.unit_count() {
        let outcome = import
            .run_unit(unit, &mut ctx)
            .expect("a unit never fails on bad rows");
        items += outcome.items;
        rejected.extend(outcome.rejected);
    }
    let input = import.input_rows();
    assert_eq!(
        items + rejected.len() as u64,
        input,
        "items + rejected = records"
    );
    let physical_lines = data.split(|b| *b == b'\n').count() as u64;
    let first_data_line = first_data_line(data);
    for r in &rejected {
        assert!(
            (first_data_line..=physical_lines).contains(&r.line),
            "line {} of {physical_lines}",
            r.line
        );
        assert!(
            !r.reason.trim().is_empty() && !r.reason.contains('\n'),
            "{r:?}"
        );
    }
    let check = import.verify().expect("verify");
    assert!(check.ok, "{check}");
    assert_eq!(check.stored(), items);
}

/// The first line a data record can start on. A lone CR ends a CSV record, so when the
/// header's physical line holds one, the next record starts on that same line 1.
fn first_data_line(data: &[u8]) -> u64 {
    let header = data.split(|b| *b == b'\n').next().unwrap_or_default();
    let bare_cr = header
        .iter()
        .enumerate()
        .any(|(i, b)| *b == b'\r' && i + 1 < header.len());
    if bare_cr {
        1
    } else {
        2
    }
}

#[test]
fn a_bare_cr_in_the_header_line_starts_a_record_on_line_one() {
    // Found by csv_mutated_samples_are_accounted_for: `\0\r\0` inserted into the header.
    let mut data = CUSTOMERS.to_vec();
    let at = data.iter().position(|b| *b == b',').unwrap_or(0);
    data.splice(at..at, [0, b'\r', 0]);
    assert_eq!(first_data_line(&data), 1);
    check_csv(&data);
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn csv_mutated_samples_are_accounted_for(changes in mutations()) {
        check_csv(&mutate(CUSTOMERS, &changes));
    }

    #[test]
    fn csv_random_text_is_accounted_for(
        body in r#"([a-c0-9,"\r\n ]{0,30}\n){0,12}"#
    ) {
        check_csv(format!("id,name,score\n{body}").as_bytes());
    }

    /// Under a cap of a few bytes many records (quoted ones running over lines among them)
    /// are cut; every record is still stored or rejected once, on a line of the file.
    #[test]
    fn csv_records_cut_by_a_tiny_cap_are_accounted_for(
        body in r#"([a-c0-9,"\r\n ]{0,30}\n){0,12}"#,
        cap in 14usize..40,
    ) {
        check_csv_capped(format!("id,name,score\n{body}").as_bytes(), cap);
    }
}

// ---------------------------------------------------------------------------------------
// Profiles: folded stacks, pprof (gzipped and plain), speedscope.

fn stacks_strategy() -> impl Strategy<Value = FoldedStacks> {
    let frame = "[a-z_:<>]{1,6}";
    let stack = prop::collection::vec(frame, 1..8).prop_map(|f| f.join(";"));
    prop::collection::vec((stack, 1u64..1_000_000), 1..20).prop_map(|lines| {
        let mut out = FoldedStacks::new();
        for (stack, count) in lines {
            out.add(&stack, count);
        }
        out
    })
}

fn check_folded(text: &str) {
    match FoldedStacks::parse(text) {
        Ok(stacks) => {
            let tree = FrameTree::from_stacks(&stacks);
            assert_eq!(tree.total(), stacks.total());
            let streamed = FrameTree::from_folded_reader(Cursor::new(text.as_bytes()))
                .expect("the streaming reader accepts what parse accepts");
            assert_eq!(streamed.total(), stacks.total());
            let again = FoldedStacks::parse(&stacks.to_text()).expect("own output parses");
            assert_eq!(again.total(), stacks.total());
        }
        Err(e) => {
            let text = e.to_string();
            assert!(!text.is_empty() && !text.contains('\n'), "{text:?}");
        }
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut plain)
        .expect("our pprof is gzipped");
    plain
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn folded_random_text_never_panics(text in r"([a-z; #\r\t0-9\-]{0,30}\n){0,12}") {
        check_folded(&text);
    }

    #[test]
    fn folded_mutated_samples_never_panic(stacks in stacks_strategy(), changes in mutations()) {
        let bytes = mutate(stacks.to_text().as_bytes(), &changes);
        check_folded(&String::from_utf8_lossy(&bytes));
        let _ = FrameTree::from_folded_reader(Cursor::new(bytes));
    }

    #[test]
    fn pprof_round_trips_gzipped_and_plain(stacks in stacks_strategy()) {
        let gz = flame::encode_pprof(&stacks, 99).expect("encode");
        prop_assert_eq!(flame::decode_pprof(&gz).expect("decode gzipped"), stacks.clone());
        prop_assert_eq!(flame::decode_pprof(&gunzip(&gz)).expect("decode plain"), stacks);
    }

    #[test]
    fn pprof_mutated_bytes_never_panic(stacks in stacks_strategy(), changes in mutations()) {
        let gz = flame::encode_pprof(&stacks, 99).expect("encode");
        for bytes in [mutate(&gz, &changes), mutate(&gunzip(&gz), &changes)] {
            if let Err(e) = flame::decode_pprof(&bytes) {
                prop_assert!(!e.to_string().is_empty());
            }
        }
    }

    #[test]
    fn pprof_random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = flame::decode_pprof(&bytes);
        let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
        gz.extend(&bytes);
        let _ = flame::decode_pprof(&gz);
    }

    #[test]
    fn speedscope_mutated_json_never_panics(stacks in stacks_strategy(), changes in mutations()) {
        let input = speedscope::SpeedscopeInput {
            stacks: &stacks,
            unit: speedscope::Unit::None,
            suffix: None,
        };
        let text = speedscope::encode_speedscope(&[input], "prop").expect("encode");
        let decoded = speedscope::decode_speedscope(&text).expect("own output decodes");
        prop_assert_eq!(decoded.total(), stacks.total());
        let bytes = mutate(text.as_bytes(), &changes);
        let _ = speedscope::decode_speedscope(&String::from_utf8_lossy(&bytes));
    }
}

// ---------------------------------------------------------------------------------------
// Event streams (recordings) and the `open` loader, scenario and pipeline TOML.

/// A real recording: a small run's `--events` stream.
fn recording() -> &'static [u8] {
    static EVENTS: OnceLock<Vec<u8>> = OnceLock::new();
    EVENTS.get_or_init(|| {
        let scratch = common::Scratch::new();
        let path = scratch.path("run.ndjson");
        let path_arg = path.to_string_lossy().into_owned();
        let out = scratch.run(&[
            "run",
            "json-parse",
            "--files",
            "2",
            "--records",
            "40",
            "--output",
            "none",
            "--hz",
            "250",
            "--events",
            &path_arg,
            "--quiet",
        ]);
        assert!(out.status.success(), "{}", common::stderr(&out));
        std::fs::read(&path).expect("read recording")
    })
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn recordings_mutated_never_panic(changes in mutations()) {
        let bytes = mutate(recording(), &changes);
        for line in String::from_utf8_lossy(&bytes).lines() {
            if let Err(e) = boundscope::events::Envelope::parse_line(line) {
                prop_assert!(!e.to_string().is_empty());
            }
        }
        if let Err(e) = boundscope::tui::screens::open::load_reader(Cursor::new(bytes), "prop", 1) {
            let e = e.to_string();
            prop_assert!(!e.is_empty() && !e.contains('\n'), "{}", e);
        }
    }

    #[test]
    fn open_random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = boundscope::tui::screens::open::load_reader(Cursor::new(bytes), "prop", 1);
    }
}

const SCENARIOS: [&str; 4] = [
    include_str!("../workloads/scenarios/gil.toml"),
    include_str!("../workloads/scenarios/fast-parser.toml"),
    include_str!("../workloads/scenarios/csv-writers.toml"),
    include_str!("../workloads/scenarios/api-threads.toml"),
];
const PIPELINE: &str = include_str!("../workloads/etl.toml");

fn one_line_error(text: &str) -> bool {
    !text.is_empty() && !text.contains('\n')
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn scenario_toml_mutated_never_panics(which in 0usize..4, changes in mutations()) {
        let bytes = mutate(SCENARIOS[which].as_bytes(), &changes);
        if let Err(e) = boundscope::scenario::Scenario::parse(&String::from_utf8_lossy(&bytes)) {
            prop_assert!(one_line_error(&e.to_string()), "{}", e);
        }
    }

    #[test]
    fn pipeline_toml_mutated_never_panics(changes in mutations()) {
        let bytes = mutate(PIPELINE.as_bytes(), &changes);
        if let Err(e) = Pipeline::parse(&String::from_utf8_lossy(&bytes), "p.toml") {
            prop_assert!(one_line_error(&e.to_string()), "{}", e);
        }
    }
}
