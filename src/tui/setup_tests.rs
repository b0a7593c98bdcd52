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
    form.pipeline = "workloads/etl.toml".into();
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

/// The form on etl-pipeline's `--pipeline` field.
fn on_pipeline() -> SetupForm {
    let mut form = form_for("etl-pipeline", Mode::Threads);
    form.pipeline.clear();
    form.field = form
        .fields()
        .iter()
        .position(|f| *f == Field::Pipeline)
        .expect("etl-pipeline shows --pipeline");
    form
}

#[test]
fn the_pipeline_path_is_typed_checked_and_passed() {
    let mut form = on_pipeline();
    // Empty: the built-in pipeline, and no flag (the CLI's default).
    assert_eq!(form.value_text(Field::Pipeline), "built-in");
    assert!(!form.child_args().contains(&flag(Field::Pipeline)));
    assert_eq!(form.problem(), None);
    assert!(form.begin_typing());
    "workloads/etl.toml".chars().for_each(|c| form.type_char(c));
    let said = form.finish_typing();
    assert!(
        said.contains("workloads/etl.toml") && said.contains("stages"),
        "{said}"
    );
    assert_eq!(form.problem(), None);
    let args = form.child_args();
    let at = args.iter().position(|a| *a == flag(Field::Pipeline));
    assert_eq!(args[at.expect("passed") + 1], "workloads/etl.toml");
    // A long path shows its end.
    form.pipeline = "some/deep/folder/of/pipelines/mine.toml".into();
    let shown = form.value_text(Field::Pipeline);
    assert!(
        shown.starts_with('…') && shown.ends_with("/mine.toml"),
        "{shown}"
    );
    assert_eq!(shown.chars().count(), 15, "{shown}");
}

#[test]
fn a_missing_pipeline_file_is_a_message_not_a_run() {
    let mut form = on_pipeline();
    assert!(form.begin_typing());
    "no/such/pipeline.toml"
        .chars()
        .for_each(|c| form.type_char(c));
    let said = form.finish_typing();
    assert!(said.contains("no/such/pipeline.toml"), "{said}");
    let problem = form.problem().expect("a missing file stops the run");
    assert!(problem.contains("no/such/pipeline.toml"), "{problem}");
    // Erasing the path brings the built-in pipeline back.
    assert!(form.begin_typing());
    (0..40).for_each(|_| form.type_backspace());
    form.finish_typing();
    assert_eq!((form.problem(), form.pipeline.as_str()), (None, ""));
}

#[test]
fn typing_a_path_takes_every_key_until_enter_or_esc() {
    use crate::tui::app::{update, Action, App, Screen};
    use crossterm::event::{Event, KeyCode, KeyEvent};
    let mut app = App::new(2, false, std::env::temp_dir());
    app.setup = on_pipeline();
    let key =
        |app: &App, code| crate::tui::keys::input_action(app, &Event::Key(KeyEvent::from(code)));
    // Not typing: q quits, Enter starts typing (on this field only).
    assert!(matches!(key(&app, KeyCode::Char('q')), Some(Action::Quit)));
    update(&mut app, Action::Enter);
    assert!(app.setup.is_typing() && app.effects.is_empty());
    for c in "qs j.toml".chars() {
        let action = key(&app, KeyCode::Char(c)).expect("typed");
        update(&mut app, action);
    }
    assert_eq!(app.setup.value_text(Field::Pipeline), "qs j.toml");
    assert!(!app.quit && app.screen == Screen::Setup && app.effects.is_empty());
    let esc = key(&app, KeyCode::Esc).expect("cancel");
    update(&mut app, esc);
    assert!(!app.setup.is_typing());
    assert_eq!(app.setup.value_text(Field::Pipeline), "built-in");
    // Enter keeps the text and says what is wrong with it; the run does not start.
    update(&mut app, Action::Enter);
    update(&mut app, Action::SearchChar('x'));
    update(&mut app, Action::SearchConfirm);
    assert!(
        app.status.contains('x') && app.setup.pipeline == "x",
        "{}",
        app.status
    );
    update(&mut app, Action::StartRun);
    assert!(app.effects.is_empty(), "{:?}", app.effects);
    assert!(app.status.contains("pipeline file"), "{}", app.status);
}
