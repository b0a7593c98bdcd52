use super::*;
use std::fs;
use std::os::unix::fs::symlink;

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_write_replaces_a_symlink_instead_of_writing_through_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let victim = dir.path().join("victim.txt");
    fs::write(&victim, "keep me").expect("write");
    let link = dir.path().join("link.svg");
    symlink(&victim, &link).expect("symlink");
    write(&link, "new").expect("written");
    assert_eq!(fs::read_to_string(&victim).expect("read"), "keep me");
    assert!(!link.symlink_metadata().expect("there").is_symlink());
    assert_eq!(fs::read_to_string(&link).expect("read"), "new");

    let dangling = dir.path().join("dangling.svg");
    let nowhere = dir.path().join("created-by-the-link");
    symlink(&nowhere, &dangling).expect("symlink");
    write(&dangling, "x").expect("written");
    assert!(!nowhere.exists(), "a dangling link's target is not created");
}

#[test]
fn a_failed_write_leaves_the_old_file_and_no_temporary_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("report.json");
    fs::write(&target, "old").expect("write");
    let failed: Result<(), std::io::Error> = write_with(&target, |out| {
        out.write_all(b"half")?;
        Err(std::io::Error::other("encoder failed"))
    });
    assert!(failed.is_err());
    assert_eq!(fs::read_to_string(&target).expect("read"), "old");
    assert_eq!(entries(dir.path()), ["report.json"]);
}

#[test]
fn a_directory_is_refused_and_the_mode_follows_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let err = write(dir.path(), "x").expect_err("a directory");
    assert!(
        err.is_usage() && err.to_string().contains("directory"),
        "{err}"
    );
    let file = dir.path().join("a.txt");
    write(&file, "x").expect("written");
    let mode = fs::metadata(&file).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode & 0o600, 0o600, "{mode:o}");
    assert_ne!(
        mode, 0o600,
        "not the temporary file's private mode: {mode:o}"
    );
}

#[test]
fn claims_compare_resolved_paths() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path();
    fs::create_dir(base.join("sub")).expect("mkdir");
    fs::write(base.join("in.csv"), "a\n").expect("write");
    symlink(base.join("sub"), base.join("alias")).expect("symlink");
    let mut claims = Claims::new();
    claims.input("the input (--input)", &base.join("in.csv"));
    let err = claims
        .output("--svg", &base.join("sub/../in.csv"))
        .expect_err("the input");
    assert!(err.to_string().contains("the input (--input)"), "{err}");
    claims.output("--svg", &base.join("sub/f")).expect("free");
    let err = claims
        .output("--folded", &base.join("alias/f"))
        .expect_err("the same file through a link");
    assert!(err.to_string().contains("--svg"), "{err}");
    let err = claims
        .output("--report", &base.join("sub"))
        .expect_err("dir");
    assert!(matches!(err, OutfileError::Directory { .. }), "{err}");
    let err = claims
        .output("--report", &base.join("missing/r.json"))
        .expect_err("no dir");
    assert!(matches!(err, OutfileError::NoParent { .. }), "{err}");
}

#[test]
fn an_existing_file_in_an_input_directory_is_an_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(dir.path().join("a.json"), "{}\n").expect("write");
    let mut claims = Claims::new();
    claims.input("the input directory (--input)", dir.path());
    let err = claims
        .output("--svg", &dir.path().join("a.json"))
        .expect_err("an input file");
    assert!(err.to_string().contains("input directory"), "{err}");
    claims
        .output("--svg", &dir.path().join("new.svg"))
        .expect("a new file destroys nothing");
}

#[test]
fn a_file_written_in_place_is_never_a_link_or_a_device() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in.csv");
    fs::write(&input, "a\n").expect("write");
    let hard = dir.path().join("hard.ndjson");
    fs::hard_link(&input, &hard).expect("hard link");
    let soft = dir.path().join("soft.ndjson");
    symlink(&input, &soft).expect("symlink");
    let mut claims = Claims::new();
    claims.input("the input (--input)", &input);
    let err = claims
        .output_in_place("--events", &hard)
        .expect_err("hard link");
    assert!(err.to_string().contains("the input"), "{err}");
    let err = claims
        .output_in_place("--events", &soft)
        .expect_err("symlink");
    assert!(matches!(err, OutfileError::Symlink { .. }), "{err}");
    assert!(create_in_place("--events", &soft).is_err());
    let err = claims
        .output("--svg", Path::new("/dev/null"))
        .expect_err("a device");
    assert!(matches!(err, OutfileError::NotRegular { .. }), "{err}");
    assert!(NewFile::create(Path::new("/dev/null")).is_err());
    assert_eq!(fs::read_to_string(&input).expect("read"), "a\n");
    let fresh = dir.path().join("run.ndjson");
    claims
        .output_in_place("--events", &fresh)
        .expect("a new file");
    let mut file = create_in_place("--events", &fresh).expect("opened");
    file.write_all(b"{}\n").expect("write");
    assert_eq!(fs::read_to_string(&fresh).expect("read"), "{}\n");
}
