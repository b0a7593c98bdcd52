//! Tests of the speedscope writer and reader: round trips, the file's required fields, evented profiles.

use super::*;
use serde_json::Value;

const STACKS: &str = "bs-threads-0 3\nbs-threads-0;main;parse 5\nbs-threads-0;main;parse;<A as B>::f 2\nbs-threads-1;main;parse 7\nbs-threads-1;[idle] 1\n";

fn stacks(text: &str) -> FoldedStacks {
    FoldedStacks::parse(text).unwrap()
}

fn cpu(stacks: &FoldedStacks) -> SpeedscopeInput<'_> {
    SpeedscopeInput {
        stacks,
        unit: Unit::None,
        suffix: None,
    }
}

#[test]
fn write_then_read_gives_the_same_stacks() {
    let input = stacks(STACKS);
    let json = encode_speedscope(&[cpu(&input)], "run").unwrap();
    assert!(looks_like(&json));
    let back = decode_speedscope(&json).unwrap();
    assert_eq!(back, input);
    assert_eq!(back.total(), input.total());
}

#[test]
fn cpu_and_wall_are_separate_profiles_and_reading_keeps_the_first_unit() {
    let counts = stacks(STACKS);
    let wall = stacks("bs-threads-0;main 1000000\nbs-threads-0;[net wait] 5\n");
    let inputs = [
        SpeedscopeInput {
            suffix: Some("cpu"),
            ..cpu(&counts)
        },
        SpeedscopeInput {
            stacks: &wall,
            unit: Unit::Nanoseconds,
            suffix: Some("wall"),
        },
    ];
    let json = encode_speedscope(&inputs, "run").unwrap();
    let value: Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = value["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "bs-threads-0 (cpu)",
            "bs-threads-1 (cpu)",
            "bs-threads-0 (wall)"
        ]
    );
    let mut expected = counts.clone();
    expected.map_roots(|r| format!("{r} (cpu)"));
    assert_eq!(decode_speedscope(&json).unwrap(), expected);
}

#[test]
fn written_json_has_the_format_required_fields() {
    let wall = stacks("t;a;b 10\nt;a 4\nu;c 1\n");
    let json = encode_speedscope(
        &[SpeedscopeInput {
            stacks: &wall,
            unit: Unit::Nanoseconds,
            suffix: Some("wall"),
        }],
        "x",
    )
    .unwrap();
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["$schema"], SCHEMA);
    let frames = v["shared"]["frames"].as_array().unwrap();
    assert!(frames.iter().all(|f| f["name"].is_string()));
    let names: Vec<&str> = frames.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["a", "b", "c"], "thread names are not frames");
    let profiles = v["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 2);
    for p in profiles {
        assert_eq!(p["type"], "sampled");
        assert!(p["name"].is_string());
        assert_eq!(p["unit"], "nanoseconds");
        let (start, end) = (p["startValue"].as_u64().unwrap(), p["endValue"].as_u64());
        let samples = p["samples"].as_array().unwrap();
        let weights = p["weights"].as_array().unwrap();
        assert_eq!(samples.len(), weights.len());
        for s in samples {
            for i in s.as_array().unwrap() {
                assert!((i.as_u64().unwrap() as usize) < frames.len());
            }
        }
        let sum: u64 = weights.iter().map(|w| w.as_u64().unwrap()).sum();
        assert_eq!(end, Some(start + sum));
    }
    // Outermost first: `t;a;b` is [a, b].
    assert!(profiles[0]["samples"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!([0, 1])));
}

#[test]
fn an_evented_profile_weighs_each_stack_by_the_time_to_the_next_event() {
    let json = r#"{
      "$schema": "https://www.speedscope.app/file-format-schema.json",
      "shared": {"frames": [{"name": "main"}, {"name": "load;file"}, {"name": "parse"}]},
      "profiles": [{
        "type": "evented", "name": "worker", "unit": "milliseconds",
        "startValue": 0, "endValue": 10,
        "events": [
          {"type": "O", "frame": 0, "at": 0},
          {"type": "O", "frame": 1, "at": 1},
          {"type": "C", "frame": 1, "at": 4},
          {"type": "O", "frame": 2, "at": 4},
          {"type": "C", "frame": 2, "at": 4.5},
          {"type": "C", "frame": 0, "at": 6},
          {"type": "O", "frame": 2, "at": 9},
          {"type": "C", "frame": 2, "at": 10}
        ]
      }]
    }"#;
    assert!(looks_like(json));
    let s = decode_speedscope(json).unwrap();
    assert_eq!(
        s.to_text(),
        "worker;main 2500000\nworker;main;load:file 3000000\nworker;main;parse 500000\nworker;parse 1000000\n"
    );
}

#[test]
fn bad_files_are_errors_not_panics() {
    let frame_past = r#"{"$schema":"x","shared":{"frames":[]},"profiles":[{"type":"sampled","name":"t","unit":"none","startValue":0,"endValue":1,"samples":[[3]],"weights":[1]}]}"#;
    let unbalanced = r#"{"$schema":"x","shared":{"frames":[{"name":"a"}]},"profiles":[{"type":"evented","name":"t","unit":"none","startValue":0,"endValue":1,"events":[{"type":"C","frame":0,"at":1}]}]}"#;
    let negative = frame_past.replace("\"weights\":[1]", "\"weights\":[-1]");
    for text in [frame_past, unbalanced, &negative, "{}", "[1]"] {
        let err = decode_speedscope(text).unwrap_err();
        assert!(matches!(err, FlameError::Speedscope(_)), "{err}");
    }
    assert!(!looks_like("{\"v\":1,\"type\":\"run_started\"}"));
}
