//! Damaged and oversized inputs through the real binary: a CSV whose last quote never closes
//! is one rejected record that names the lines it swallowed (in every mode, with one
//! checksum), and a CSV wider than SQLite allows is bad input with a report and nothing left
//! behind.

mod common;
use common::{stderr, Scratch};

const MODES: [&str; 5] = ["sequential", "threads", "rayon", "async", "processes"];

/// A good record, then one whose quote never closes: lines 3–5 are one record.
const UNTERMINATED: &str = "id,name\n0,a\n1,\"unterminated\n2,b\n3,c\n";

#[test]
fn an_unterminated_quote_is_one_rejected_record_naming_its_lines_in_every_mode() {
    let scratch = Scratch::new();
    let input = scratch.path("open-quote.csv");
    std::fs::write(&input, UNTERMINATED).expect("write");
    let input = input.to_string_lossy().into_owned();
    let mut checksums = Vec::new();
    for mode in MODES {
        let db = format!("sqlite:{}", scratch.path(&format!("{mode}.db")).display());
        let args = [
            "run",
            "csv-import",
            "--input",
            &input,
            "--mode",
            mode,
            "--workers",
            "2",
            "--db",
            &db,
            "--no-profile",
        ];
        let (out, report) = scratch.run_with_report(mode, &args);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{mode}: {text}{}", stderr(&out));
        let rejections = report["rejections"].as_array().expect("rejections");
        assert_eq!(rejections.len(), 1, "{mode}: {rejections:?}");
        assert_eq!(rejections[0]["line"], 3, "{mode}");
        let reason = rejections[0]["reason"].as_str().expect("reason");
        assert!(
            reason.starts_with("unterminated quoted field") && reason.contains("lines 3–5"),
            "{mode}: {reason}"
        );
        assert_eq!(
            (report["items"].as_u64(), report["rejected"].as_u64()),
            (Some(1), Some(1)),
            "{mode}"
        );
        assert!(
            text.contains("1 + 1 = 2 of 2 (nothing lost)"),
            "{mode}: {text}"
        );
        assert!(text.contains("unterminated quoted field"), "{mode}: {text}");
        checksums.push(report["checksum"].as_str().expect("checksum").to_string());
    }
    assert!(
        checksums.iter().all(|c| c == &checksums[0]),
        "{checksums:?}"
    );
}

/// A CSV of `columns` integer columns and three rows.
fn wide_csv(scratch: &Scratch, columns: usize) -> String {
    let header: Vec<String> = (0..columns).map(|c| format!("c{c}")).collect();
    let mut text = header.join(",") + "\n";
    for row in 0..3 {
        let fields: Vec<String> = (0..columns)
            .map(|c| (row * columns + c).to_string())
            .collect();
        text += &(fields.join(",") + "\n");
    }
    let path = scratch.path("wide.csv");
    std::fs::write(&path, text).expect("write");
    path.to_string_lossy().into_owned()
}

/// The names in `dir`, sorted.
fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_csv_wider_than_a_table_is_bad_input_that_leaves_nothing_behind() {
    let scratch = Scratch::new();
    let input = wide_csv(&scratch, 5000);
    let dir = scratch.path("db");
    std::fs::create_dir(&dir).expect("mkdir");
    let db = format!("sqlite:{}", dir.join("wide.db").display());
    for mode in ["sequential", "processes"] {
        let report = scratch.path(&format!("{mode}.json"));
        let out = scratch.run(&[
            "run",
            "csv-import",
            "--input",
            &input,
            "--db",
            &db,
            "--mode",
            mode,
            "--report",
            &report.to_string_lossy(),
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{mode}: {err}");
        let says = "has 5000 columns; a SQLite table holds at most 2000";
        assert!(err.contains(says), "{mode}: {err}");
        assert!(listing(&dir).is_empty(), "{mode}: {:?}", listing(&dir));
        assert_refused(&report, says);
    }
}

/// The report at `path` is a refused run's: it says why, and that nothing ran.
fn assert_refused(path: &std::path::Path, why: &str) {
    let report = common::read_json(path);
    let refused = report["refused"].as_str().unwrap_or_default();
    assert!(refused.contains(why), "{report}");
    assert_eq!(report["workload"], "csv-import", "{report}");
    assert_eq!(
        report["units"].as_array().map(Vec::len),
        Some(0),
        "{report}"
    );
    assert_eq!(report["interrupted"], false, "{report}");
}

/// Runs boundscope with `args` as a user the file permissions apply to: as root, it drops to
/// `nobody` first (root may write to any file).
fn run_unprivileged(scratch: &Scratch, args: &[&str]) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = common::bin();
    cmd.args(args).env("BOUNDSCOPE_DATA", scratch.path("cache"));
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::geteuid() == 0 && (libc::setgid(65534) != 0 || libc::setuid(65534) != 0) {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.output().expect("run boundscope")
}

#[test]
fn a_read_only_database_or_directory_is_named_in_both_journal_modes_and_left_clean() {
    use std::os::unix::fs::PermissionsExt;
    let scratch = Scratch::new();
    let chmod = |path: &std::path::Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod")
    };
    // `nobody` must reach the scratch directory and read the input.
    chmod(scratch.dir.path(), 0o755);
    let input = scratch.path("in.csv");
    std::fs::write(&input, "id,name\n1,a\n2,b\n").expect("write");
    let input = input.to_string_lossy().into_owned();
    let (ro_file, ro_dir) = (scratch.path("ro-file"), scratch.path("ro-dir"));
    let reports = scratch.path("reports");
    std::fs::create_dir(&reports).expect("mkdir");
    chmod(&reports, 0o777);
    for dir in [&ro_file, &ro_dir] {
        std::fs::create_dir(dir).expect("mkdir");
        std::fs::write(dir.join("x.db"), "").expect("an empty database");
    }
    chmod(&ro_file, 0o777);
    chmod(&ro_file.join("x.db"), 0o444);
    chmod(&ro_dir.join("x.db"), 0o666);
    chmod(&ro_dir, 0o555);
    let cases = [
        (&ro_file, "x.db", "the file is read-only"),
        (&ro_dir, "x.db", "the directory"),
        (&ro_dir, "new.db", "the directory"),
    ];
    for journal in ["wal", "delete"] {
        for (n, (dir, file, says)) in cases.into_iter().enumerate() {
            let db = format!("sqlite:{}", dir.join(file).display());
            let report = reports.join(format!("{journal}-{n}.json"));
            let args = [
                "run",
                "csv-import",
                "--input",
                &input,
                "--db",
                &db,
                "--journal",
                journal,
                "--report",
                &report.to_string_lossy(),
            ];
            let out = run_unprivileged(&scratch, &args);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{journal} {db}: {err}");
            assert!(err.contains(says) && err.contains(&db), "{journal}: {err}");
            assert_eq!(
                listing(dir),
                ["x.db"],
                "{journal} {db}: nothing left behind"
            );
            assert_refused(&report, says);
        }
    }
}
