//! Tests of the pprof writer and reader.

use super::*;

const RUN_UNIT: &str =
    "<boundscope::workload::json::JsonParse as boundscope::workload::Workload>::run_unit";

fn unzip(bytes: &[u8]) -> Profile {
    let mut raw = Vec::new();
    GzDecoder::new(bytes).read_to_end(&mut raw).unwrap();
    Profile::decode(raw.as_slice()).unwrap()
}

fn text(profile: &Profile, i: i64) -> String {
    profile.string_table[i as usize].clone()
}

/// The sample's labels as `key=value` strings.
fn labels(profile: &Profile, sample: &Sample) -> Vec<String> {
    sample
        .label
        .iter()
        .map(|l| format!("{}={}", text(profile, l.key), text(profile, l.str)))
        .collect()
}

/// The sample's frame names, leaf first.
fn frames(profile: &Profile, sample: &Sample) -> Vec<String> {
    sample
        .location_id
        .iter()
        .map(|id| {
            let location = profile.location.iter().find(|l| l.id == *id).unwrap();
            let function = profile
                .function
                .iter()
                .find(|f| f.id == location.line[0].function_id)
                .unwrap();
            text(profile, function.name)
        })
        .collect()
}

/// The sample whose thread label and frames (root to leaf) make up `stack`.
fn sample_of<'a>(profile: &'a Profile, stack: &str) -> &'a Sample {
    profile
        .sample
        .iter()
        .find(|s| {
            let thread = labels(profile, s)
                .into_iter()
                .find_map(|l| l.strip_prefix("thread=").map(str::to_string))
                .unwrap();
            let mut path = frames(profile, s);
            path.push(thread);
            path.reverse();
            path.join(";") == stack
        })
        .unwrap_or_else(|| panic!("no sample for {stack}"))
}

fn cpu() -> FoldedStacks {
    FoldedStacks::parse(&format!(
        "bs-threads-0;main;{RUN_UNIT} 3\nbs-threads-0;main;write 2\nbs-threads-1;main;write 1\n\
         bs-threads-0;main;[phase load];[phase load/insert];write 1\n"
    ))
    .unwrap()
}

fn wall() -> FoldedStacks {
    FoldedStacks::parse(&format!(
        "bs-threads-0;main;{RUN_UNIT} 33000000\n\
         bs-threads-0;main;write 25000000\n\
         bs-threads-0;fetch;[phase request];[net wait] 400000000\n\
         bs-threads-0;[db-lock wait] 2000000\n\
         bs-threads-1;[idle] 50000000\n\
         bs-threads-1;[run queue] 7000000\n\
         bs-threads-1;[cpu, not sampled] 3000000\n\
         bs-threads-1;[untracked] 1000000\n\
         bs-threads-2 5\n"
    ))
    .unwrap()
}

fn start() -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123_456_789)
}

fn encoded() -> Vec<u8> {
    let (cpu, wall) = (cpu(), wall());
    encode_pprof_profile(&PprofInput {
        cpu: &cpu,
        wall: &wall,
        hz: 99,
        start: start(),
        duration: Duration::from_millis(2_500),
        code: None,
    })
    .unwrap()
}

#[test]
fn a_run_profile_has_samples_cpu_and_wall_types_a_period_and_times() {
    let profile = unzip(&encoded());
    let types: Vec<(String, String)> = profile
        .sample_type
        .iter()
        .map(|t| (text(&profile, t.r#type), text(&profile, t.unit)))
        .collect();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        types,
        vec![
            pair("samples", "count"),
            pair("cpu", "nanoseconds"),
            pair("wall", "nanoseconds")
        ]
    );
    let period_type = profile.period_type.clone().unwrap();
    assert_eq!(text(&profile, period_type.r#type), "cpu");
    assert_eq!(text(&profile, period_type.unit), "nanoseconds");
    assert_eq!(profile.period, 1_000_000_000 / 99);
    assert_eq!(profile.time_nanos, 1_700_000_000_123_456_789);
    assert_eq!(profile.duration_nanos, 2_500_000_000);
    assert_eq!(text(&profile, profile.default_sample_type), "cpu");
    assert_eq!(profile.string_table[0], "");
}

#[test]
fn values_sum_to_the_cpu_samples_and_the_wall_profile() {
    let profile = unzip(&encoded());
    let sum = |i: usize| profile.sample.iter().map(|s| s.value[i]).sum::<i64>();
    assert_eq!(sum(0), cpu().total() as i64);
    assert_eq!(sum(2), wall().total() as i64);
    let period = 1_000_000_000 / 99;
    let values = |stack: &str| sample_of(&profile, stack).value.clone();
    // CPU time comes from the wall profile when it has the stack, else count × period.
    assert_eq!(
        values(&format!("bs-threads-0;main;{RUN_UNIT}")),
        vec![3, 33_000_000, 33_000_000]
    );
    assert_eq!(values("bs-threads-1;main;write"), vec![1, period, 0]);
    assert_eq!(
        values("bs-threads-0;fetch;[phase request];[net wait]"),
        vec![0, 0, 400_000_000]
    );
    assert_eq!(values("bs-threads-1;[idle]"), vec![0, 0, 50_000_000]);
    assert_eq!(
        values("bs-threads-1;[cpu, not sampled]"),
        vec![0, 3_000_000, 3_000_000]
    );
    assert_eq!(
        profile.sample.len(),
        wall().len() + 2,
        "one sample per distinct stack"
    );
}

#[test]
fn samples_are_labelled_with_their_thread_phase_and_off_cpu_category() {
    let profile = unzip(&encoded());
    let labels_of = |stack: &str| labels(&profile, sample_of(&profile, stack));
    let no_phase = "phase=[no phase]";
    assert_eq!(
        labels_of("bs-threads-0;fetch;[phase request];[net wait]"),
        vec!["thread=bs-threads-0", "phase=request", "wait=net"]
    );
    assert_eq!(
        labels_of("bs-threads-0;[db-lock wait]"),
        vec!["thread=bs-threads-0", no_phase, "wait=db-lock"]
    );
    assert_eq!(
        labels_of("bs-threads-1;[idle]"),
        vec!["thread=bs-threads-1", no_phase, "wait=idle"]
    );
    assert_eq!(
        labels_of("bs-threads-1;[run queue]"),
        vec!["thread=bs-threads-1", no_phase, "wait=run queue"]
    );
    assert_eq!(
        labels_of("bs-threads-1;[untracked]"),
        vec!["thread=bs-threads-1", no_phase, "wait=untracked"]
    );
    assert_eq!(
        labels_of("bs-threads-1;[cpu, not sampled]"),
        vec!["thread=bs-threads-1", no_phase]
    );
    assert_eq!(
        labels_of("bs-threads-1;main;write"),
        vec!["thread=bs-threads-1", no_phase]
    );
    assert_eq!(
        labels_of("bs-threads-0;main;[phase load];[phase load/insert];write"),
        vec!["thread=bs-threads-0", "phase=load/insert"]
    );
    for sample in &profile.sample {
        let labels = labels(&profile, sample);
        assert!(labels[0].starts_with("thread=bs-threads-"));
        assert!(labels[1].starts_with("phase="), "every sample has a phase");
    }
}

#[test]
fn threads_are_labels_not_functions_and_names_are_kept_verbatim() {
    let profile = unzip(&encoded());
    let names: Vec<String> = profile
        .function
        .iter()
        .map(|f| text(&profile, f.name))
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with("bs-threads")),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n == RUN_UNIT), "{names:?}");
    assert!(profile.function.iter().all(|f| f.system_name == 0));
    let net = sample_of(&profile, "bs-threads-0;fetch;[phase request];[net wait]");
    assert_eq!(
        frames(&profile, net),
        vec!["[net wait]", "[phase request]", "fetch"]
    );
    let bare = sample_of(&profile, "bs-threads-2");
    assert!(bare.location_id.is_empty());
    assert_eq!(bare.value, vec![0, 5, 5]);
}

#[test]
fn decoding_picks_a_sample_type_and_puts_the_thread_back() {
    let bytes = encoded();
    assert_eq!(decode_pprof(&bytes).unwrap(), cpu());
    assert_eq!(decode_pprof_index(&bytes, "samples").unwrap(), cpu());
    assert_eq!(decode_pprof_index(&bytes, "wall").unwrap(), wall());
    let cpu_ns = decode_pprof_index(&bytes, "cpu").unwrap();
    assert_eq!(cpu_ns.get("bs-threads-0;main;write"), 25_000_000);
    assert_eq!(
        cpu_ns.get("bs-threads-0;fetch;[phase request];[net wait]"),
        0
    );
    let err = decode_pprof_index(&bytes, "alloc").unwrap_err().to_string();
    assert!(err.contains("samples, cpu, wall"), "{err}");
}

#[test]
fn without_a_wall_profile_wall_time_is_cpu_time() {
    let stacks = FoldedStacks::parse("t;f 4\nt;g 1\n").unwrap();
    let profile = unzip(&encode_pprof(&stacks, 100).unwrap());
    assert_eq!(profile.period, 10_000_000);
    assert_eq!(
        sample_of(&profile, "t;f").value,
        vec![4, 40_000_000, 40_000_000]
    );
    assert_eq!(profile.time_nanos, 0);
    let wall = decode_pprof_index(&encode_pprof(&stacks, 100).unwrap(), "wall").unwrap();
    assert_eq!(wall.get("t;g"), 10_000_000);
}

#[test]
fn folded_stacks_survive_a_round_trip_through_pprof() {
    let stacks =
        FoldedStacks::parse("bs-seq-0;main;parse 7\nbs-seq-0;main;write 3\nbs-seq-1;main 2\n")
            .unwrap();
    let bytes = encode_pprof(&stacks, 99).unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b], "gzipped");
    assert_eq!(decode_pprof(&bytes).unwrap(), stacks);
}

/// A profile as boundscope wrote them before labels: the thread is the root function,
/// two sample types, no labels.
fn old_format(stacks: &FoldedStacks, period: i64) -> Vec<u8> {
    let mut b = Builder::new();
    b.profile.sample_type = vec![
        b.value_type("samples", "count"),
        b.value_type("cpu", "nanoseconds"),
    ];
    b.profile.period = period;
    for (stack, n) in stacks.iter() {
        let location_id = stack
            .split(';')
            .rev()
            .map(|f| b.location(f, &CodeMap::default()))
            .collect();
        let n = n as i64;
        b.profile.sample.push(Sample {
            location_id,
            value: vec![n, n * period],
            label: Vec::new(),
        });
    }
    b.gzipped().unwrap()
}

#[test]
fn profiles_of_the_old_format_still_decode() {
    let stacks = FoldedStacks::parse("bs-seq-0;main;parse 7\nbs-seq-1;main 2\n").unwrap();
    let bytes = old_format(&stacks, 1000);
    assert_eq!(decode_pprof(&bytes).unwrap(), stacks);
    let cpu = decode_pprof_index(&bytes, "cpu").unwrap();
    assert_eq!(cpu.get("bs-seq-0;main;parse"), 7000);
    assert!(decode_pprof_index(&bytes, "wall").is_err());
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    assert!(decode_pprof(b"definitely not protobuf \xff\xff").is_err());
    assert!(decode_pprof_index(b"definitely not protobuf \xff\xff", "wall").is_err());
    assert!(decode_pprof(&[0x1f, 0x8b, 0, 1, 2, 3]).is_err());
}

#[test]
fn dangling_indexes_and_ids_do_not_panic() {
    let profile = Profile {
        sample_type: vec![ValueType {
            r#type: 1,
            unit: -4,
        }],
        sample: vec![
            Sample {
                location_id: vec![7, 1],
                value: vec![3],
                label: vec![Label {
                    key: 2,
                    str: 99,
                    num: 0,
                }],
            },
            Sample {
                location_id: vec![1],
                value: vec![],
                label: vec![Label {
                    key: -1,
                    str: -1,
                    num: 0,
                }],
            },
        ],
        location: vec![Location {
            id: 1,
            line: vec![
                Line {
                    function_id: 1,
                    line: 0,
                },
                Line {
                    function_id: 42,
                    line: -5,
                },
            ],
            ..Location::default()
        }],
        function: vec![Function {
            id: 1,
            name: 1234,
            system_name: -3,
            filename: 77,
        }],
        string_table: vec![String::new(), "samples".into(), THREAD_LABEL.into()],
        ..Profile::default()
    };
    let bytes = profile.encode_to_vec();
    // The only function has no name and the thread label no value: nothing is left.
    assert!(decode_pprof(&bytes).unwrap().is_empty());
    assert!(decode_pprof_index(&bytes, "samples").unwrap().is_empty());
}

fn code_map() -> CodeMap {
    use super::super::code::{CodeModule, CodeSite};
    let site = |address, file: &str, line| CodeSite {
        address,
        file: Some(file.to_string()),
        line,
    };
    CodeMap {
        sites: HashMap::from([
            (
                RUN_UNIT.to_string(),
                site(0x5000_1234, "src/workload/json.rs", 42),
            ),
            ("write".to_string(), site(0x7f00_0010, "", 0)),
        ]),
        modules: vec![
            CodeModule {
                start: 0x5000_0000,
                limit: 0x5100_0000,
                file_offset: 0x1000,
                path: "/opt/boundscope".into(),
                build_id: "0123abcd".into(),
            },
            CodeModule {
                start: 0x7f00_0000,
                limit: 0x7f10_0000,
                file_offset: 0,
                path: "/lib/libc.so.6".into(),
                build_id: String::new(),
            },
        ],
    }
}

#[test]
fn locations_carry_addresses_mappings_files_and_lines_from_the_code_map() {
    let (cpu, code) = (cpu(), code_map());
    let bytes = encode_pprof_profile(&PprofInput {
        cpu: &cpu,
        wall: &FoldedStacks::new(),
        hz: 99,
        start: start(),
        duration: Duration::from_secs(1),
        code: Some(&code),
    })
    .unwrap();
    let profile = unzip(&bytes);
    let files: Vec<(String, String)> = profile
        .mapping
        .iter()
        .map(|m| (text(&profile, m.filename), text(&profile, m.build_id)))
        .collect();
    assert_eq!(
        files,
        vec![
            ("/opt/boundscope".to_string(), "0123abcd".to_string()),
            ("/lib/libc.so.6".to_string(), String::new())
        ]
    );
    assert!(profile.mapping.iter().all(|m| m.has_functions));
    assert_eq!(profile.mapping[0].file_offset, 0x1000);
    let location = |name: &str| {
        let f = profile
            .function
            .iter()
            .find(|f| text(&profile, f.name) == name)
            .unwrap();
        let l = profile
            .location
            .iter()
            .find(|l| l.line[0].function_id == f.id)
            .unwrap();
        (
            l.address,
            l.mapping_id,
            text(&profile, f.filename),
            l.line[0].line,
        )
    };
    assert_eq!(
        location(RUN_UNIT),
        (0x5000_1234, 1, "src/workload/json.rs".to_string(), 42)
    );
    assert_eq!(location("write"), (0x7f00_0010, 2, String::new(), 0));
    // A frame the code map does not know has no address and no mapping.
    assert_eq!(location("main"), (0, 0, String::new(), 0));
    // The reader still sees the same stacks.
    assert_eq!(decode_pprof(&bytes).unwrap(), cpu);
}

#[test]
fn the_summary_gives_types_rate_and_duration() {
    let summary = pprof_summary(&encoded()).unwrap();
    assert_eq!(
        summary.sample_types,
        vec!["samples/count", "cpu/nanoseconds", "wall/nanoseconds"]
    );
    assert_eq!(summary.hz(), 99);
    assert_eq!(summary.duration_ns, 2_500_000_000);
    assert_eq!(
        summary.describe("wall"),
        "pprof · types samples/count, cpu/nanoseconds, wall/nanoseconds · showing wall · 99 Hz · 2.50 s"
    );
    let untimed = PprofSummary {
        period_ns: 0,
        duration_ns: 0,
        ..summary
    };
    assert!(!untimed.describe("samples").contains("Hz"));
}
