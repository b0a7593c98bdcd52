//! Exports from where the user is: the current flame view as SVG, folded stacks, the report.
//! Wall-time views are written with `-wall` / `-offcpu` in the name, weighted in nanoseconds.

use super::RunScreen;
use crate::flame::{write_svg_file, SvgOptions, Weight};
use crate::tui::state::profiles::Profile;
use crate::tui::state::Shared;
use crate::tui::widgets::flame::layout::Orientation;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// A fresh path in the export directory for the current run:
/// `boundscope-<workload>-<mode>-w<workers>[-gil]-run<n>-<UTC time><suffix>.<ext>`. The run
/// label and the time keep names apart across runs and sessions; a name that exists anyway
/// gets `-2`, `-3`, … so no export overwrites another.
fn export_path(
    screen: &RunScreen,
    shared: &Shared,
    at: SystemTime,
    suffix: &str,
    ext: &str,
) -> Option<PathBuf> {
    let run = screen.current_run(&shared.runs)?;
    let gil = if run.gil { "-gil" } else { "" };
    let stem = format!(
        "boundscope-{}-{}-w{}{gil}-run{}-{}{suffix}",
        run.workload,
        run.mode,
        run.workers,
        run.number,
        utc_stamp(at)
    );
    Some(unused_path(&shared.export_dir, &safe_name(&stem), ext))
}

/// The first of `stem.ext`, `stem-2.ext`, `stem-3.ext`, … that does not exist.
fn unused_path(dir: &Path, stem: &str, ext: &str) -> PathBuf {
    let first = dir.join(format!("{stem}.{ext}"));
    if !first.exists() {
        return first;
    }
    (2u32..)
        .map(|n| dir.join(format!("{stem}-{n}.{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// A file name from run fields: anything but letters, digits, `-`, `_` and `.` becomes `_`
/// (an opened file's stem can hold spaces or a slash).
fn safe_name(stem: &str) -> String {
    stem.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `20261130-120102`: the UTC date and time of `at`, to the second.
fn utc_stamp(at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_date(days);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    format!("{year:04}{month:02}{day:02}-{h:02}{m:02}{s:02}")
}

/// The proleptic Gregorian date `days` after 1970-01-01 (days-from-civil, inverted: eras of
/// 400 years, years starting in March so the leap day comes last).
fn civil_date(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// The file name suffix of the profile shown.
fn view_suffix(profile: Profile) -> &'static str {
    match profile {
        Profile::Phases => "-phases",
        Profile::PhaseCode => "-phase-code",
        Profile::Wall => "-wall",
        Profile::Cpu => "",
        Profile::OffCpu => "-offcpu",
    }
}

/// Writes the current flame view (zoom, collapses and filters applied) as an SVG.
pub fn export_svg(screen: &mut RunScreen, shared: &mut Shared) {
    let Some(path) = export_path(
        screen,
        shared,
        SystemTime::now(),
        view_suffix(screen.flame.profile),
        "svg",
    ) else {
        shared.status = "nothing to export yet".into();
        return;
    };
    let stacks = screen.flame.tree.to_folded();
    if stacks.is_empty() {
        shared.status = "no samples to export yet".into();
        return;
    }
    let label = screen
        .current_run(&shared.runs)
        .map(|r| r.label.clone())
        .unwrap_or_default();
    let profile = screen.flame.profile;
    let mut about = Vec::new();
    if profile.is_time() {
        about.push(format!("{} in µs", profile.title()));
    }
    about.extend(Some(screen.flame.describe()).filter(|d| !d.is_empty()));
    let options = SvgOptions {
        title: format!("boundscope: {label}"),
        subtitle: (!about.is_empty()).then(|| about.join(" · ")),
        inverted: screen.flame.orientation == Orientation::Icicle,
        weight: if profile.is_time() {
            Weight::Nanoseconds
        } else {
            Weight::Samples
        },
        ..SvgOptions::default()
    };
    shared.status = match write_svg_file(&stacks, &options, &path) {
        Ok(()) => format!("wrote {}", path.display()),
        Err(e) => format!("export failed: {e}"),
    };
}

/// Writes the current view's folded stacks and, when the run has one, its JSON report.
pub fn export_data(screen: &mut RunScreen, shared: &mut Shared) {
    let now = SystemTime::now();
    let folded = export_path(
        screen,
        shared,
        now,
        view_suffix(screen.flame.profile),
        "folded",
    );
    let (Some(folded), Some(json)) = (folded, export_path(screen, shared, now, "", "json")) else {
        shared.status = "nothing to export yet".into();
        return;
    };
    let text = screen.flame.tree.to_folded().to_text();
    if let Err(e) = crate::outfile::write(&folded, text) {
        shared.status = format!("export failed: {e}");
        return;
    }
    let report = screen
        .current_run(&shared.runs)
        .and_then(|r| r.report.as_ref());
    shared.status = match report.map(serde_json::to_string_pretty) {
        Some(Ok(body)) => match crate::outfile::write(&json, body + "\n") {
            Ok(()) => format!("wrote {} and {}", folded.display(), json.display()),
            Err(e) => format!("export failed: {e}"),
        },
        Some(Err(e)) => format!("wrote {}; report failed: {e}", folded.display()),
        None => format!("wrote {} (no report until the run ends)", folded.display()),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn stamps_are_utc_calendar_times() {
        let at = |secs| UNIX_EPOCH + Duration::from_secs(secs);
        assert_eq!(utc_stamp(at(0)), "19700101-000000");
        // 2000-02-29 (a leap day of a century year) and the day after.
        assert_eq!(utc_stamp(at(951_782_400)), "20000229-000000");
        assert_eq!(utc_stamp(at(951_868_800 + 3_661)), "20000301-010101");
        assert_eq!(utc_stamp(at(1_795_996_800)), "20261130-000000");
    }

    #[test]
    fn an_existing_name_is_never_reused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = unused_path(dir.path(), "run", "svg");
        assert_eq!(first, dir.path().join("run.svg"));
        std::fs::write(&first, "x").expect("write");
        let second = unused_path(dir.path(), "run", "svg");
        assert_eq!(second, dir.path().join("run-2.svg"));
        std::fs::write(&second, "x").expect("write");
        assert_eq!(
            unused_path(dir.path(), "run", "svg"),
            dir.path().join("run-3.svg")
        );
        assert_eq!(safe_name("a b/c:d-e_f.g"), "a_b_c_d-e_f.g");
    }
}
