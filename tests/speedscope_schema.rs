//! A run's `--speedscope` export is valid under speedscope's published JSON schema
//! (tests/fixtures/speedscope-file-format-schema.json, from the `speedscope` npm package).
//!
//! The schema uses a small part of JSON Schema (`$ref`, `anyOf`, `const`, `enum`, `items`,
//! `properties`, `required`, `type`), validated here; a keyword outside that part fails the
//! test rather than being skipped, so a newer schema cannot pass unchecked.

mod common;
use common::{repo_path, Scratch};
use serde_json::Value;

/// Keywords that only describe and never constrain.
const ANNOTATIONS: [&str; 2] = ["title", "$schema"];

struct Schema {
    root: Value,
}

impl Schema {
    fn load() -> Schema {
        let path = repo_path("tests/fixtures/speedscope-file-format-schema.json");
        let text = std::fs::read_to_string(path).expect("schema file");
        Schema {
            root: serde_json::from_str(&text).expect("schema is JSON"),
        }
    }

    /// The errors of `value` under the whole schema (empty when valid).
    fn errors(&self, value: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(&self.root, value, "$", &mut errors);
        errors
    }

    fn resolve(&self, reference: &str) -> &Value {
        let name = reference
            .strip_prefix("#/definitions/")
            .unwrap_or_else(|| panic!("unsupported $ref {reference}"));
        &self.root["definitions"][name]
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let Some(keywords) = schema.as_object() else {
            panic!("schema at {at} is not an object");
        };
        for (keyword, arg) in keywords {
            match keyword.as_str() {
                "$ref" => self.check(self.resolve(arg.as_str().unwrap()), value, at, errors),
                "definitions" => {}
                "type" => {
                    if !has_type(value, arg.as_str().unwrap()) {
                        errors.push(format!("{at}: not of type {arg}"));
                    }
                }
                "const" if value != arg => errors.push(format!("{at}: {value} is not {arg}")),
                "enum" if !arg.as_array().unwrap().contains(value) => {
                    errors.push(format!("{at}: {value} is not one of {arg}"))
                }
                "const" | "enum" => {}
                "required" => required(arg, value, at, errors),
                "properties" => self.properties(arg, value, at, errors),
                "items" => self.items(arg, value, at, errors),
                "anyOf" => self.any_of(arg, value, at, errors),
                k if ANNOTATIONS.contains(&k) => {}
                k => panic!("schema keyword {k:?} at {at} is not supported by this validator"),
            }
        }
    }

    fn properties(&self, arg: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let Some(object) = value.as_object() else {
            return;
        };
        for (name, schema) in arg.as_object().unwrap() {
            if let Some(v) = object.get(name) {
                self.check(schema, v, &format!("{at}.{name}"), errors);
            }
        }
    }

    fn items(&self, arg: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let Some(array) = value.as_array() else {
            return;
        };
        for (i, v) in array.iter().enumerate() {
            self.check(arg, v, &format!("{at}[{i}]"), errors);
        }
    }

    fn any_of(&self, arg: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let fits = arg.as_array().unwrap().iter().any(|schema| {
            let mut mine = Vec::new();
            self.check(schema, value, at, &mut mine);
            mine.is_empty()
        });
        if !fits {
            errors.push(format!("{at}: fits none of the anyOf alternatives"));
        }
    }
}

fn has_type(value: &Value, kind: &str) -> bool {
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        other => panic!("unsupported type {other}"),
    }
}

fn required(arg: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let Some(object) = value.as_object() else {
        return;
    };
    for name in arg.as_array().unwrap() {
        let name = name.as_str().unwrap();
        if !object.contains_key(name) {
            errors.push(format!("{at}: missing {name}"));
        }
    }
}

/// A CPU-bound json-parse run's speedscope export (it has CPU and wall profiles).
fn export() -> Value {
    export_with(&[])
}

/// The speedscope export of a json-parse run with `extra` arguments.
fn export_with(extra: &[&str]) -> Value {
    let scratch = Scratch::new();
    let path = scratch.path("run.speedscope.json");
    let arg = path.to_string_lossy().into_owned();
    scratch.json_report(
        "run",
        &[
            "--records",
            "20000",
            "--mode",
            "threads",
            "--workers",
            "2",
            "--speedscope",
            &arg,
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .collect::<Vec<_>>(),
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect("export")).expect("JSON")
}

#[test]
fn a_speedscope_export_is_valid_under_speedscopes_schema() {
    let schema = Schema::load();
    let doc = export();
    let errors = schema.errors(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let profiles = doc["profiles"].as_array().unwrap();
    assert!(profiles.iter().any(|p| p["unit"] == "none"), "CPU profiles");
    assert!(
        profiles.iter().any(|p| p["unit"] == "nanoseconds"),
        "wall profiles"
    );

    // The validator does reject what the schema forbids.
    let mut bad_unit = doc.clone();
    bad_unit["profiles"][0]["unit"] = Value::from("furlongs");
    assert!(!schema.errors(&bad_unit).is_empty());
    let mut no_frames = doc.clone();
    no_frames["shared"]
        .as_object_mut()
        .unwrap()
        .remove("frames");
    assert!(!schema.errors(&no_frames).is_empty());
    let mut bad_sample = doc;
    bad_sample["profiles"][0]["samples"][0] = Value::from("main;parse");
    assert!(!schema.errors(&bad_sample).is_empty());
}

/// With `--view phases` each worker's phases come first (speedscope opens on them): valid
/// under the schema, named `(phases)`, weighing the worker's whole wall time like its wall
/// profile, with the job's own phase names as frames.
#[test]
fn the_phase_view_exports_to_speedscope_first() {
    let doc = export_with(&["--view", "phases"]);
    assert!(Schema::load().errors(&doc).is_empty());
    let profiles = doc["profiles"].as_array().unwrap();
    let name = |p: &Value| p["name"].as_str().unwrap_or_default().to_string();
    assert!(
        name(&profiles[0]).ends_with(" (phases)"),
        "{}",
        name(&profiles[0])
    );
    let total = |suffix: &str| -> f64 {
        profiles
            .iter()
            .filter(|p| name(p).ends_with(suffix))
            .map(|p| {
                p["endValue"].as_f64().unwrap_or(0.0) - p["startValue"].as_f64().unwrap_or(0.0)
            })
            .sum()
    };
    let (phases, wall) = (total(" (phases)"), total(" (wall)"));
    assert!(
        phases > 0.0 && (phases - wall).abs() <= wall * 0.01,
        "{phases} vs {wall}"
    );
    let frames: Vec<&str> = doc["shared"]["frames"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(
        frames.contains(&"parse") && frames.contains(&"[cpu]"),
        "{frames:?}"
    );
}

/// py-spy 0.4.3 writes `"col": null` in its frames and `"activeProfileIndex": null`, which the
/// schema (numbers when present) does not allow; speedscope's app reads such files anyway, and
/// so does `open`. The validator must find exactly those errors.
#[test]
fn py_spys_speedscope_file_breaks_the_schema_only_with_nulls() {
    let path = repo_path("assets/fixtures/pyspy.speedscope.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let errors = Schema::load().errors(&doc);
    assert!(!errors.is_empty());
    let about_nulls = |e: &String| {
        e.ends_with(".col: not of type \"number\"")
            || e == "$.activeProfileIndex: not of type \"number\""
    };
    assert!(errors.iter().all(about_nulls), "{errors:#?}");
}
