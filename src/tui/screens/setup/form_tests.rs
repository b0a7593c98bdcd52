//! Tests of the setup form: fields per workload from the declarations, the typed spec and
//! the child's flags derived from it, the cursor, text fields.

use super::*;
use crate::tui::state::Action;
use crate::tui::widgets::text_input::Typed;
use crate::workload::{workload, workloads};

/// A form for `workload` in `mode` with every offered knob moved off its default.
fn form_for(workload: &str, mode: Mode) -> SetupForm {
    let mut form = SetupForm::new(2);
    assert!(form.choose(workload), "{workload} offered");
    form.mode = mode;
    form.pg = Some("postgres://bench:secret@db.example/bench".into());
    (form.in_flight, form.gil) = (3, true);
    let fields = form.fields();
    for (i, field) in fields.iter().enumerate() {
        if matches!(field, Field::Option(_)) {
            form.field = i;
            if form.begin_typing() {
                // A path, or else a duration (a text field refuses what does not parse).
                for text in ["workloads/etl.toml", "20ms"] {
                    let before = form.value_text(form.current());
                    form.finish_typing(text);
                    if form.value_text(form.current()) != before || !form.begin_typing() {
                        break;
                    }
                }
                form.cancel_typing();
            } else {
                form.change(1);
            }
        }
    }
    form.field = 0;
    form
}

fn flag(field: Field) -> String {
    format!("--{}", field.label())
}

#[test]
fn every_changed_field_reaches_the_args_and_no_default_does() {
    for w in workloads() {
        let form = form_for(w.name, Mode::Async);
        let args = form.child_args();
        assert_eq!(args[..2], ["run".to_string(), w.name.to_string()]);
        for field in form.fields().into_iter().skip(2) {
            assert!(
                args.contains(&flag(field)),
                "{} {field:?}: {args:?}",
                w.name
            );
        }
        assert!(args.ends_with(&["--events".into(), "-".into(), "--quiet".into()]));
        let plain = SetupForm::new(2);
        let args = plain.child_args();
        let options = args.iter().filter(|a| a.starts_with("--"));
        let passed: Vec<&String> = options
            .filter(|a| !["--mode", "--workers", "--events", "--quiet"].contains(&a.as_str()))
            .collect();
        assert!(
            passed.is_empty(),
            "defaults are left to the CLI: {passed:?}"
        );
    }
}

#[test]
fn the_args_give_back_the_forms_spec() {
    for w in workloads() {
        let form = form_for(w.name, Mode::Threads);
        let spec = form.run_spec().expect("a valid form");
        let args = form.child_args();
        // The workload flags, as the CLI hands them to the declaration.
        let mut given = Vec::new();
        let mut words = args.iter().skip(2).peekable();
        while let Some(word) = words.next() {
            let Some(name) = word.strip_prefix("--") else {
                continue;
            };
            let value = match words.peek() {
                Some(next) if !next.starts_with("--") => words.next().cloned(),
                _ => Some("true".to_string()),
            };
            given.push((name.to_string(), value.unwrap_or_default()));
        }
        let back = w
            .spec(given.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .expect("the args parse");
        for option in &w.options {
            assert_eq!(
                option.get(&back),
                option.get(&spec.workload),
                "{} --{}",
                w.name,
                option.name
            );
        }
        assert_eq!(
            (spec.mode, spec.workers, spec.gil),
            (Mode::Threads, 2, true)
        );
    }
}

#[test]
fn the_form_starts_at_the_cli_defaults() {
    let form = SetupForm::new(4);
    for (w, spec) in workloads().iter().zip(&form.specs) {
        for option in &w.options {
            assert_eq!(
                option.get(spec),
                option.get(&(w.defaults)()),
                "{}",
                option.name
            );
        }
    }
    let json = form.value_text(Field::Option("parser"));
    assert_eq!(json, "value", "the CLI's --parser default");
}

#[test]
fn each_workload_shows_its_own_knobs() {
    let shown = |w| form_for(w, Mode::Threads).fields();
    let parser = Field::Option("parser");
    assert!(shown("json-parse").contains(&parser));
    assert!(!shown("api-fetch").contains(&parser));
    assert!(shown("api-fetch").contains(&Field::Option("requests")));
    for knob in ["db", "insert", "writer", "dataset"] {
        assert!(shown("csv-import").contains(&Field::Option(knob)), "{knob}");
    }
    assert!(!shown("api-fetch").contains(&Field::Option("db")));
}

#[test]
fn records_default_per_workload_like_the_cli() {
    let records = Field::Option("records");
    let mut form = SetupForm::new(2);
    let json = form.value_text(records);
    form.choose("csv-import");
    let csv = form.value_text(records);
    assert_eq!(json, crate::workload::json::DEFAULT_RECORDS.to_string());
    let declared = workload("csv-import").and_then(|w| w.option("records"));
    let default = declared.and_then(|o| o.get(&(workload("csv-import").unwrap().defaults)()));
    assert_eq!(Some(csv.clone()), default);
    assert_ne!(json, csv);
}

/// A form for `workload` with the cursor on its option `name`.
fn form_on(workload: &str, name: &'static str) -> (SetupForm, Field) {
    let mut form = SetupForm::new(2);
    assert!(form.choose(workload), "{workload} offered");
    let field = Field::Option(name);
    form.field = form
        .fields()
        .iter()
        .position(|f| *f == field)
        .expect("shown");
    (form, field)
}

#[test]
fn numbers_step_choices_cycle_and_optional_numbers_unset_at_zero() {
    let (mut form, requests) = form_on("api-fetch", "requests");
    assert_eq!(form.value_text(requests), "default");
    form.change(1);
    assert_eq!(form.value_text(requests), "1");
    form.digit(4);
    form.digit(2);
    assert_eq!(form.value_text(requests), "42");
    form.backspace();
    form.backspace();
    assert_eq!(form.value_text(requests), "default");
    form.choose("json-parse");
    let parser = Field::Option("parser");
    form.field = form
        .fields()
        .iter()
        .position(|f| *f == parser)
        .expect("shown");
    form.change(1);
    assert_eq!(form.value_text(parser), "typed");
    form.change(-1);
    form.change(-1);
    assert_eq!(form.value_text(parser), "fast");
}

#[test]
fn a_server_url_is_masked_on_screen_but_passed_whole() {
    let mut form = form_for("csv-import", Mode::Threads);
    let url = form.pg.clone().expect("a server");
    form.set_option("db", &url).expect("any URL");
    let shown = form.value_text(Field::Option("db"));
    assert!(
        shown.starts_with("postgres://") && !shown.contains("secret"),
        "{shown}"
    );
    let args = form.child_args();
    let at = args.iter().position(|a| a == "--db").expect("--db passed");
    assert_eq!(args[at + 1], "postgres://bench:secret@db.example/bench");
    let db = form.option(Field::Option("db")).expect("declared");
    let mut plain = form.clone();
    plain.pg = None;
    assert_eq!(plain.choices(db), ["sqlite", "sqlite::memory:"]);
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
    form.choose("api-fetch");
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
    let mut form = SetupForm::new(2);
    form.choose("etl-pipeline");
    form.field = form
        .fields()
        .iter()
        .position(|f| *f == Field::Option("pipeline"))
        .expect("etl-pipeline shows --pipeline");
    form
}

#[test]
fn the_pipeline_path_is_typed_checked_and_passed() {
    let pipeline = Field::Option("pipeline");
    let mut form = on_pipeline();
    // Empty: the built-in pipeline, and no flag (the CLI's default).
    assert_eq!(form.value_text(pipeline), "default");
    assert!(!form.child_args().contains(&flag(pipeline)));
    assert_eq!(form.problem(), None);
    assert!(form.begin_typing());
    "workloads/etl.toml"
        .chars()
        .for_each(|c| press(&mut form, Action::SearchChar(c)));
    let said = confirm(&mut form);
    assert!(
        said.contains("workloads/etl.toml") && said.contains("stages"),
        "{said}"
    );
    assert_eq!(form.problem(), None);
    let args = form.child_args();
    let at = args.iter().position(|a| *a == flag(pipeline));
    assert_eq!(args[at.expect("passed") + 1], "workloads/etl.toml");
    // A long path shows its end.
    form.set_option("pipeline", "some/deep/folder/of/pipelines/mine.toml")
        .expect("a path");
    let shown = form.value_text(pipeline);
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
        .for_each(|c| press(&mut form, Action::SearchChar(c)));
    let said = confirm(&mut form);
    assert!(said.contains("no/such/pipeline.toml"), "{said}");
    let problem = form.problem().expect("a missing file stops the run");
    assert!(problem.contains("no/such/pipeline.toml"), "{problem}");
    assert!(matches!(form.run_spec(), Err(SetupError::Pipeline(_))));
    // Erasing the path brings the built-in pipeline back.
    assert!(form.begin_typing());
    (0..40).for_each(|_| press(&mut form, Action::SearchBackspace));
    confirm(&mut form);
    assert_eq!(form.problem(), None);
    assert_eq!(form.value_text(Field::Option("pipeline")), "default");
}

#[test]
fn a_typed_value_that_does_not_parse_is_said_and_not_taken() {
    let (mut form, latency) = form_on("api-fetch", "latency");
    assert!(form.begin_typing());
    let said = form.finish_typing("fast");
    assert!(said.contains("--latency fast"), "{said}");
    assert_eq!(form.value_text(latency), "0");
    assert!(form.begin_typing());
    form.finish_typing("20ms");
    let spec = form.run_spec().expect("valid");
    let crate::workload::WorkloadSpec::ApiFetch(api) = spec.workload else {
        panic!("an api-fetch spec");
    };
    assert_eq!(api.server.latency, std::time::Duration::from_millis(20));
}

#[test]
fn latency_steps_through_its_presets_and_a_typed_value_steps_to_the_next() {
    let (mut form, latency) = form_on("etl-pipeline", "latency");
    assert!(
        form.help(latency).contains("←→ steps"),
        "{}",
        form.help(latency)
    );
    let mut seen = vec![form.value_text(latency)];
    for step in [1, 1, 1, -1] {
        form.change(step);
        seen.push(form.value_text(latency));
    }
    assert_eq!(seen, ["0", "1ms", "2ms", "5ms", "2ms"]);
    form.change(-1);
    form.change(-1);
    form.change(-1);
    assert_eq!(form.value_text(latency), "0", "stops at the first");
    assert!(form.begin_typing());
    form.finish_typing("7ms");
    form.change(1);
    assert_eq!(form.value_text(latency), "10ms");
    form.finish_typing("7ms");
    form.change(-1);
    assert_eq!(form.value_text(latency), "5ms");
    for _ in 0..20 {
        form.change(1);
    }
    assert_eq!(form.value_text(latency), "1s", "stops at the last");
    assert!(form.run_spec().is_ok());
}

/// A test workload: json-parse's options and one more, `--copies` (the files count under
/// another name), declared in one place.
fn test_table() -> &'static [WorkloadDecl] {
    use crate::workload::json::JsonOptions;
    let json = workload("json-parse").expect("declared");
    let mut options = json.options.clone();
    let copies = crate::workload::declare::kinds::number(
        "copies",
        "Copies of each file (a test option).",
        |o: &JsonOptions| o.files,
        |o, n| o.files = n,
    )
    .in_form();
    options.push(copies.lift(
        |s: &WorkloadSpec| match s {
            WorkloadSpec::JsonParse(o) => Some(o),
            _ => None,
        },
        |s| match s {
            WorkloadSpec::JsonParse(o) => Some(o),
            _ => None,
        },
    ));
    let decl = WorkloadDecl {
        name: "test-work",
        about: "A workload of the tests.",
        defaults: json.defaults,
        options,
    };
    Box::leak(vec![decl].into_boxed_slice())
}

/// The acceptance check: one option added in one place is a CLI flag (with its
/// help and default) and a field of the form.
#[test]
fn an_option_added_to_a_declaration_is_a_flag_a_form_field_and_reported() {
    use crate::workload::declare::flags as options_clap;
    let table = test_table();
    let cmd = clap::Command::new("run").args(options_clap::workload_flags(table));
    let help = cmd.clone().render_long_help().to_string();
    assert!(
        help.contains("--copies <N>") && help.contains("Copies of each file"),
        "{help}"
    );
    assert!(help.contains("[default: 30]"), "{help}");
    let matches = cmd
        .try_get_matches_from(["run", "--copies", "3"])
        .expect("the new flag parses");
    let kind = crate::workload::declare::options::OptionKind::Number { step: 1 };
    let given = options_clap::given(&matches, [("copies", kind)]);
    assert_eq!(given, [("copies", "3".to_string())]);
    let mut form = SetupForm::with_workloads(2, table);
    assert!(form.fields().contains(&Field::Option("copies")));
    form.set_option("copies", "5").expect("a number");
    assert!(form.child_args().join(" ").contains("--copies 5"));
    let spec = form.run_spec().expect("a run").workload;
    let reported = table[0].report_options(&spec, crate::model::Mode::Threads);
    assert_eq!(reported.get("copies"), Some(&serde_json::json!(5)));
    let knob = table[0].options.last().expect("copies").clone().knob(9);
    assert_eq!(
        knob.knob_of(&spec).map(|(_, k)| k.to_string()),
        Some("copies 5".into())
    );
}

#[test]
fn typing_a_path_takes_every_key_until_enter_or_esc() {
    use crate::tui::app::{update, App};
    use crate::tui::state::{Action, Screen};
    use crossterm::event::{Event, KeyCode, KeyEvent};
    let mut app = App::new(2, false, std::env::temp_dir());
    app.setup.form = on_pipeline();
    let key = |app: &App, code| {
        crate::tui::keys::input_action(app.key_target(), &Event::Key(KeyEvent::from(code)))
    };
    // Not typing: q quits, Enter starts typing (on this field only).
    assert!(matches!(key(&app, KeyCode::Char('q')), Some(Action::Quit)));
    update(&mut app, Action::Enter);
    assert!(app.setup.form.is_typing() && app.shared.effects.is_empty());
    for c in "qs j.toml".chars() {
        let action = key(&app, KeyCode::Char(c)).expect("typed");
        update(&mut app, action);
    }
    let pipeline = Field::Option("pipeline");
    assert_eq!(app.setup.form.value_text(pipeline), "qs j.toml");
    assert!(!app.quit && app.screen == Screen::Setup && app.shared.effects.is_empty());
    let esc = key(&app, KeyCode::Esc).expect("cancel");
    update(&mut app, esc);
    assert!(!app.setup.form.is_typing());
    assert_eq!(app.setup.form.value_text(pipeline), "default");
    // Enter keeps the text and says what is wrong with it; the run does not start.
    update(&mut app, Action::Enter);
    update(&mut app, Action::SearchChar('x'));
    update(&mut app, Action::SearchConfirm);
    assert!(
        app.shared.status.contains('x') && app.setup.form.value_text(pipeline) == "x",
        "{}",
        app.shared.status
    );
    update(&mut app, Action::StartRun);
    assert!(app.shared.effects.is_empty(), "{:?}", app.shared.effects);
    assert!(
        app.shared.status.contains("pipeline file"),
        "{}",
        app.shared.status
    );
}

#[test]
fn the_workload_fields_help_says_where_the_workload_is_in_the_list() {
    let table = workloads();
    for (i, w) in table.iter().enumerate() {
        let help = Field::Workload.help(table, w);
        let place = format!("{} ({} of {})", w.name, i + 1, table.len());
        assert!(help.starts_with(&place), "{help}");
    }
}

/// A typing key on the field being typed.
fn press(form: &mut SetupForm, action: Action) {
    assert_eq!(form.type_action(&action), Some(Typed::Editing));
}

/// Enter on the field being typed: what the form says of the text.
fn confirm(form: &mut SetupForm) -> String {
    match form.type_action(&Action::SearchConfirm) {
        Some(Typed::Confirmed(text)) => form.finish_typing(&text),
        other => panic!("not typing: {other:?}"),
    }
}

#[test]
fn the_form_runs_a_typed_command_line_as_a_program_with_its_own_concurrency() {
    let mut form = SetupForm::new(2);
    assert!(form.choose(crate::workload::program::NAME), "exec offered");
    assert_eq!(
        form.fields(),
        [
            Field::Workload,
            Field::Option("command"),
            Field::Option("progress")
        ]
    );
    assert!(
        form.problem().is_some_and(|p| p.contains("command")),
        "{:?}",
        form.problem()
    );
    form.field = 1;
    assert!(form.begin_typing());
    form.finish_typing("python3 'my job.py' --workers 8");
    let spec = form.run_spec().expect("a run");
    assert_eq!(spec.mode, Mode::Exec);
    assert_eq!(spec.workers, 1);
    let program = spec.workload.program().expect("a program");
    assert_eq!(program.command, ["python3", "my job.py", "--workers", "8"]);
    // Shown as typed (cut to the field's width, from the left).
    assert!(form
        .value_text(Field::Option("command"))
        .ends_with("--workers 8"));
}
