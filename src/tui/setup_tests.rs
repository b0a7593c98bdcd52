//! Tests of the setup form: fields per workload, the child's flags, the cursor.

use super::*;

/// A form for `workload` in `mode` with every knob moved off its default.
fn form_for(workload: &str, mode: Mode) -> SetupForm {
    let mut form = SetupForm::new(2);
    form.workload = WORKLOADS
        .iter()
        .position(|w| *w == workload)
        .expect("listed");
    form.mode = mode;
    form.pg = Some("postgres://bench:secret@db.example/bench".into());
    (form.in_flight, form.requests, form.batch, form.latency_ms) = (3, 7, 9, 15);
    (form.db, form.insert, form.writer, form.dataset, form.gil) = (2, 1, 1, 1, true);
    form
}

fn flag(field: Field) -> String {
    format!("--{}", field.label())
}

#[test]
fn every_shown_field_reaches_the_args_and_no_other_does() {
    let all: Vec<Field> = WORKLOADS
        .iter()
        .flat_map(|w| visible_fields(w, Mode::Async))
        .collect();
    for workload in WORKLOADS {
        let form = form_for(workload, Mode::Async);
        let (shown, args) = (form.fields(), form.child_args());
        assert_eq!(args[..2], ["run".to_string(), workload.to_string()]);
        for field in &all {
            let passed = args.contains(&flag(*field));
            let expected = shown.contains(field) && *field != Field::Workload;
            assert_eq!(passed, expected, "{workload} {field:?}: {args:?}");
        }
        assert!(args.ends_with(&["--events".into(), "-".into(), "--quiet".into()]));
    }
}

#[test]
fn each_workload_shows_its_own_knobs() {
    let shown = |w| form_for(w, Mode::Threads).fields();
    assert!(shown("json-parse").contains(&Field::Parser));
    assert!(!shown("api-fetch").contains(&Field::Parser));
    assert!(shown("api-fetch").contains(&Field::Requests));
    for knob in [Field::Db, Field::Insert, Field::Writer, Field::Dataset] {
        assert!(shown("csv-import").contains(&knob), "{knob:?}");
    }
    assert!(!shown("api-fetch").contains(&Field::Db));
}

#[test]
fn defaults_are_left_to_the_cli() {
    let mut form = form_for("api-fetch", Mode::Async);
    (form.in_flight, form.requests, form.batch) = (0, 0, 0);
    let args = form.child_args();
    for field in [Field::InFlight, Field::Requests, Field::Batch] {
        assert_eq!(form.value_text(field), "default");
        assert!(!args.contains(&flag(field)), "{args:?}");
    }
}

#[test]
fn records_default_per_workload_like_the_cli() {
    let json = form_for("json-parse", Mode::Threads);
    let csv = form_for("csv-import", Mode::Threads);
    assert_eq!(
        json.value_text(Field::Records),
        JsonOptions::default().records.to_string()
    );
    assert_eq!(
        csv.value_text(Field::Records),
        CsvOptions::default().records.to_string()
    );
    assert_ne!(
        json.value_text(Field::Records),
        csv.value_text(Field::Records)
    );
}

#[test]
fn a_server_url_is_masked_on_screen_but_passed_whole() {
    let form = form_for("csv-import", Mode::Threads);
    let shown = form.value_text(Field::Db);
    assert!(
        shown.starts_with("postgres://") && !shown.contains("secret"),
        "{shown}"
    );
    let args = form.child_args();
    let at = args.iter().position(|a| a == "--db").expect("--db passed");
    assert_eq!(args[at + 1], "postgres://bench:secret@db.example/bench");
    let mut plain = form.clone();
    plain.pg = None;
    assert_eq!(plain.db_choices(), DBS.to_vec());
}

#[test]
fn the_cursor_walks_only_shown_fields_and_stays_on_one() {
    let mut form = form_for("csv-import", Mode::Async);
    let fields = form.fields();
    let walked: Vec<Field> = (0..fields.len())
        .map(|_| {
            let now = form.current();
            form.move_field(1);
            now
        })
        .collect();
    assert_eq!(walked, fields);
    assert_eq!(form.field, 0, "wrapped back to the top");
    // On the last field of csv-import, switch to a workload with fewer fields.
    form.field = fields.len() - 1;
    form.workload = 1;
    form.change(1);
    assert!(form.field < form.fields().len());
    assert!(form.fields().contains(&form.current()));
    // Leaving async while on the mode field keeps the cursor on it.
    form.field = 1;
    form.change(-1);
    assert_eq!(form.mode, Mode::Rayon);
    assert_eq!(form.current(), Field::Mode);
    assert!(!form.fields().contains(&Field::InFlight));
}
