//! Tests of what the UI writes and reads: exports of the current view, `open` of files.

use super::{app_with_run, exported, press, sample_events, STACKS};
use crate::tui::app::Action;
use crate::tui::state::runs::RunStatus;

#[test]
fn exports_write_the_current_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with_run(2.0);
    app.shared.export_dir = dir.path().to_path_buf();
    press(
        &mut app,
        &[Action::Down, Action::Collapse, Action::ExportSvg],
    );
    let start = "boundscope-json-parse-threads-w2-run1-";
    let svg = exported(dir.path(), start, ".svg");
    assert!(
        app.shared.status.contains(&svg.display().to_string()),
        "{}",
        app.shared.status
    );
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    press(&mut app, &[Action::ExportData]);
    let folded = std::fs::read_to_string(exported(dir.path(), start, ".folded")).unwrap();
    assert!(
        folded.contains("bs-threads-0 100\n") || folded.starts_with("bs-threads-0 "),
        "{folded}"
    );
    let json = std::fs::read_to_string(exported(dir.path(), start, ".json")).unwrap();
    assert!(json.contains("\"verdict\": \"cpu-bound\""));
    // A second export of the same view, in the same second or not, is a new file.
    press(&mut app, &[Action::ExportSvg]);
    let svgs = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension() == Some("svg".as_ref()))
        .count();
    assert_eq!(svgs, 2, "{}", app.shared.status);
}

#[test]
fn open_detects_events_and_folded_and_names_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let events: String = sample_events(1.0, true)
        .into_iter()
        .map(|e| serde_json::to_string(&crate::events::Envelope::new(e)).unwrap() + "\n")
        .collect();
    let ev = dir.path().join("run.ndjson");
    std::fs::write(&ev, events).unwrap();
    let fo = dir.path().join("x.folded");
    std::fs::write(&fo, STACKS).unwrap();
    let runs = crate::tui::screens::open::load_files(&[&ev, &fo]).unwrap();
    assert_eq!(runs[0].status, RunStatus::Done);
    assert_eq!(runs[0].label, "json-parse threads ×2");
    assert_eq!(runs[1].tree().total(), 100);
    assert_eq!(runs[1].samples, 100);
    assert!(
        runs[1].stacks.is_empty(),
        "a folded file is kept as a tree only"
    );
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "hello world\n").unwrap();
    let err = crate::tui::screens::open::load_files(&[&bad])
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&bad.display().to_string()) && !err.contains('\n'),
        "{err}"
    );
    let broken = dir.path().join("broken.ndjson");
    std::fs::write(&broken, "{\"v\":1,\"type\":\"nope\"}\n").unwrap();
    assert!(crate::tui::screens::open::load_files(&[&broken])
        .unwrap_err()
        .to_string()
        .contains("line 1"));
}

#[test]
fn open_reads_a_gzipped_pprof_profile_and_names_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let stacks = crate::flame::FoldedStacks::parse(STACKS).unwrap();
    let profile = dir.path().join("cpu.pb.gz");
    std::fs::write(&profile, crate::flame::encode_pprof(&stacks, 99).unwrap()).unwrap();
    let runs = crate::tui::screens::open::load_files(&[&profile]).unwrap();
    assert_eq!(runs[0].tree().total(), stacks.total());
    assert_eq!(runs[0].label, "cpu.pb");
    let broken = dir.path().join("broken.pb.gz");
    std::fs::write(&broken, [0x1f, 0x8b, 0, 1, 2, 3]).unwrap();
    let err = crate::tui::screens::open::load_files(&[&broken])
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&broken.display().to_string()) && !err.contains('\n'),
        "{err}"
    );
}

#[test]
fn open_sniffs_a_raw_pprof_by_content_and_names_the_formats_tried() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let stacks = crate::flame::FoldedStacks::parse(STACKS).unwrap();
    let gzipped = crate::flame::encode_pprof(&stacks, 99).unwrap();
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(gzipped.as_slice())
        .read_to_end(&mut raw)
        .unwrap();
    let profile = dir.path().join("profile.txt");
    std::fs::write(&profile, &raw).unwrap();
    let runs = crate::tui::screens::open::load_files(&[&profile]).unwrap();
    assert_eq!(runs[0].tree().total(), stacks.total());
    assert_eq!(runs[0].label, "profile");
    // What `open -` does with standard input once it is read.
    let run =
        crate::tui::screens::open::load_reader(std::io::Cursor::new(gzipped), "stdin", 1).unwrap();
    assert_eq!(run.tree().total(), stacks.total());
    let binary = dir.path().join("blob.bin");
    std::fs::write(&binary, [0x00, 0x07, 0xff, 0x13]).unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello world\n").unwrap();
    for bad in [&binary, &text] {
        let err = crate::tui::screens::open::load_files(&[bad])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("folded stacks") && err.contains("pprof"),
            "{err}"
        );
        assert!(!err.contains('\n'), "{err}");
    }
}

#[test]
fn open_reads_a_speedscope_file_by_content() {
    use crate::flame::speedscope::{encode_speedscope, SpeedscopeInput, Unit};
    let dir = tempfile::tempdir().unwrap();
    let stacks = crate::flame::FoldedStacks::parse(STACKS).unwrap();
    let input = SpeedscopeInput {
        stacks: &stacks,
        unit: Unit::None,
        suffix: None,
    };
    let json = encode_speedscope(&[input], "x").unwrap();
    let path = dir.path().join("trace.data");
    std::fs::write(&path, json).unwrap();
    let runs = crate::tui::screens::open::load_files(&[&path]).unwrap();
    assert_eq!(runs[0].tree().to_folded(), stacks);
    assert_eq!(runs[0].label, "trace");
}

#[test]
fn open_reads_perf_script_text_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let script = "etl 7 [000] 5.000001:          1 cpu-clock:\n\
                  \t    4010 parse+0x1 (/bin/etl)\n\
                  \t    4020 main+0x2 (/bin/etl)\n\n\
                  etl 7 [000] 5.000002:          1 cpu-clock:\n\
                  \t    4020 main+0x2 (/bin/etl)\n\n";
    let path = dir.path().join("perf.out");
    std::fs::write(&path, script).unwrap();
    let runs = crate::tui::screens::open::load_files(&[&path]).unwrap();
    assert_eq!(
        runs[0].tree().to_folded().to_text(),
        "etl;main 1\netl;main;parse 1\n"
    );
}

#[test]
fn open_refuses_a_recording_whose_times_are_not_times() {
    use crate::events::{Envelope, Event};
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, events: &[Event]| {
        let text: String = events
            .iter()
            .map(|e| serde_json::to_string(&Envelope::new(e.clone())).unwrap() + "\n")
            .collect();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let good = sample_events(1.0, true);
    assert!(crate::tui::screens::open::load_files(&[write("good.ndjson", &good)]).is_ok());
    // The sample has six ticks, 1/6 s apart; one of them gets a time that is not one.
    for (name, which, seconds, said) in [
        ("huge", 5, 1e308, "elapsed_s is 1e308"),
        ("negative", 0, -1.0, "elapsed_s is -1"),
        ("past", 5, 0.1, "goes back"),
    ] {
        let mut events = good.clone();
        let tick = events
            .iter_mut()
            .filter_map(|e| match e {
                Event::Tick(t) => Some(t),
                _ => None,
            })
            .nth(which);
        tick.expect("the sample's tick").elapsed_s = seconds;
        let err = crate::tui::screens::open::load_files(&[write(name, &events)])
            .unwrap_err()
            .to_string();
        assert!(err.contains(said) && err.contains("line "), "{name}: {err}");
    }
}

/// The screen of an app showing the first of `runs`, at 160×30.
fn shown_at_160x30(runs: Vec<crate::tui::state::Run>) -> String {
    let mut app = super::app();
    app.shared.runs.extend(runs);
    app.show_run(0);
    super::snapshots::screen(&mut app, 160, 30)
}

#[test]
fn an_opened_pprof_shows_its_types_and_rate_in_the_header_not_live_figures() {
    let dir = tempfile::tempdir().unwrap();
    let stacks = crate::flame::FoldedStacks::parse(STACKS).unwrap();
    let profile = dir.path().join("cpu.pb.gz");
    std::fs::write(&profile, crate::flame::encode_pprof(&stacks, 99).unwrap()).unwrap();
    let runs = crate::tui::screens::open::load_files(&[&profile]).unwrap();
    let screen = shown_at_160x30(runs);
    assert!(
        screen.contains("pprof · 100 samples · 99 Hz · showing samples · types samples/count, cpu/nanoseconds, wall/nanoseconds"),
        "{screen}"
    );
    assert!(!screen.contains("busy 0.00"), "{screen}");
}

/// 2,473 `cpu-clock` samples of 1,001,001 ns each: the flamegraph and the header count the
/// samples (with separators), and the periods' sum goes by its own name.
#[test]
fn an_opened_perf_script_counts_samples_not_periods() {
    let sample = "etl 7 [000] 5.000001:    1001001 cpu-clock:\n\
                  \t    4010 parse+0x1 (/bin/etl)\n\
                  \t    4020 main+0x2 (/bin/etl)\n\n";
    let run =
        crate::tui::screens::open::load_reader(sample.repeat(2473).as_bytes(), "perf", 1).unwrap();
    assert_eq!(run.tree().total(), 2473);
    let screen = shown_at_160x30(vec![run]);
    assert!(
        screen.contains("perf · 2,473 samples · cpu-clock period sum 2,475,475,473"),
        "{screen}"
    );
    assert!(
        screen.contains("flamegraph · 2,473 CPU samples"),
        "{screen}"
    );
    assert!(!screen.contains("2475475473"), "{screen}");
}

/// `boundscope open` of a folded file shows it, without a word about playing back (only a
/// recording plays, and it starts playing).
#[test]
fn the_viewer_plays_a_recording_and_simply_shows_a_profile_file() {
    let folded = crate::tui::screens::open::load_reader(STACKS.as_bytes(), "cpu", 1).unwrap();
    let app = crate::tui::viewer_app(super::app(), vec![folded]);
    assert!(app.run.replay.is_none());
    assert!(
        !app.shared.status.contains("recording"),
        "{}",
        app.shared.status
    );
    let events = std::sync::Arc::from(sample_events(2.0, true));
    let recording = crate::tui::state::recording::recorded_run(1, events);
    let app = crate::tui::viewer_app(super::app(), vec![recording]);
    assert!(app.run.replay.as_ref().is_some_and(|r| r.playing));
    assert!(
        app.shared.status.contains("replaying"),
        "{}",
        app.shared.status
    );
}

#[test]
fn a_folded_file_with_control_characters_is_read_as_text_and_its_export_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.folded");
    // ESC, BEL and bytes that are not UTF-8, all in the first line of the file.
    let mut text = b"t;\x1b]0;pwned\x07;f\xff\xfe 3\n".to_vec();
    text.extend_from_slice("t;\u{202e}gnp.exe 2\nt;g 5\n".as_bytes());
    std::fs::write(&path, &text).unwrap();
    let mut app = super::app();
    app.shared.export_dir = dir.path().to_path_buf();
    app.shared.runs = crate::tui::screens::open::load_files(&[&path]).unwrap();
    assert_eq!(app.shared.runs[0].tree().total(), 10);
    let tree = app.shared.runs[0].tree();
    let names: Vec<&str> = tree.nodes().iter().map(|n| &*n.name).collect();
    assert!(names.contains(&"\u{1b}]0"), "{names:?}");
    assert!(names.contains(&"f\u{fffd}\u{fffd}"), "{names:?}");
    drop(tree);
    app.show_run(0);
    press(&mut app, &[Action::ExportData]);
    let folded = exported(dir.path(), "boundscope-", ".folded");
    let again = crate::tui::screens::open::load_files(&[&folded]).unwrap();
    assert_eq!(again[0].tree().total(), 10, "{}", app.shared.status);
}

#[test]
fn a_recording_with_a_torn_last_line_opens_with_a_warning_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = sample_events(1.0, true)
        .into_iter()
        .map(|e| serde_json::to_string(&crate::events::Envelope::new(e)).unwrap() + "\n")
        .collect();
    let whole: String = lines.concat();
    // A crash cut the last line in the middle, without its newline.
    let last = &lines[lines.len() - 1];
    let cut = last.len() / 2;
    let torn = &whole.as_bytes()[..whole.len() - cut];
    let kept = last.len() - cut;
    let path = dir.path().join("torn.ndjson");
    std::fs::write(&path, torn).unwrap();
    let runs = crate::tui::screens::open::load_files(&[&path]).unwrap();
    let warning = runs[0].warning.clone().expect("a warning");
    let said = format!(
        "the last line (line {}, {kept} bytes) is cut short",
        lines.len()
    );
    assert!(
        warning.starts_with(&path.display().to_string()) && warning.contains(&said),
        "{warning}"
    );
    let events = runs[0].recording.as_ref().expect("a recording").len();
    assert_eq!(events, lines.len() - 1, "every whole line is kept");
    let app = crate::tui::viewer_app(crate::tui::new_app(), runs);
    assert!(
        app.shared.status.starts_with(&warning),
        "{}",
        app.shared.status
    );
    // A damaged line with lines after it is no crash's doing: still refused.
    let middle = lines[1..].concat().replacen('{', "{oops", 1);
    let damaged = dir.path().join("damaged.ndjson");
    std::fs::write(&damaged, lines[0].clone() + &middle).unwrap();
    let err = crate::tui::screens::open::load_files(&[&damaged]).unwrap_err();
    assert!(err.to_string().contains("line 2: "), "{err}");
}
