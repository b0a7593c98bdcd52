//! Exports from where the user is: the current flame view as SVG, folded stacks, the report.
//! Wall-time views are written with `-wall` / `-offcpu` in the name, weighted in nanoseconds.

use super::app::App;
use super::flame_layout::Orientation;
use super::profiles::Profile;
use crate::flame::{write_svg_file, SvgOptions};
use std::path::PathBuf;

/// `boundscope-<workload>-<mode>-<n><suffix>.<ext>` in the export directory.
fn export_path(app: &App, suffix: &str, ext: &str) -> Option<PathBuf> {
    let run = app.current_run()?;
    let name = format!(
        "boundscope-{}-{}-{}{suffix}.{ext}",
        run.workload, run.mode, run.number
    );
    Some(app.export_dir.join(name))
}

/// The file name suffix of the profile shown.
fn view_suffix(app: &App) -> &'static str {
    match app.flame.profile {
        Profile::Wall => "-wall",
        Profile::Cpu => "",
        Profile::OffCpu => "-offcpu",
    }
}

/// Writes the current flame view (zoom, collapses and filters applied) as an SVG.
pub fn export_svg(app: &mut App) {
    let Some(path) = export_path(app, view_suffix(app), "svg") else {
        app.status = "nothing to export yet".into();
        return;
    };
    let stacks = app.flame.tree.to_folded();
    if stacks.is_empty() {
        app.status = "no samples to export yet".into();
        return;
    }
    let label = app
        .current_run()
        .map(|r| r.label.clone())
        .unwrap_or_default();
    let profile = app.flame.profile;
    let mut about = Vec::new();
    if profile.is_time() {
        about.push(format!("{} in nanoseconds", profile.title()));
    }
    about.extend(Some(app.flame.describe()).filter(|d| !d.is_empty()));
    let options = SvgOptions {
        title: format!("boundscope: {label}"),
        subtitle: (!about.is_empty()).then(|| about.join(" · ")),
        inverted: app.flame.orientation == Orientation::Icicle,
        ..SvgOptions::default()
    };
    app.status = match write_svg_file(&stacks, &options, &path) {
        Ok(()) => format!("wrote {}", path.display()),
        Err(e) => format!("export failed: {e}"),
    };
}

/// Writes the current view's folded stacks and, when the run has one, its JSON report.
pub fn export_data(app: &mut App) {
    let folded = export_path(app, view_suffix(app), "folded");
    let (Some(folded), Some(json)) = (folded, export_path(app, "", "json")) else {
        app.status = "nothing to export yet".into();
        return;
    };
    let text = app.flame.tree.to_folded().to_text();
    if let Err(e) = std::fs::write(&folded, text) {
        app.status = format!("could not write {}: {e}", folded.display());
        return;
    }
    let report = app.current_run().and_then(|r| r.report.as_ref());
    app.status = match report.map(serde_json::to_string_pretty) {
        Some(Ok(body)) => match std::fs::write(&json, body + "\n") {
            Ok(()) => format!("wrote {} and {}", folded.display(), json.display()),
            Err(e) => format!("could not write {}: {e}", json.display()),
        },
        Some(Err(e)) => format!("wrote {}; report failed: {e}", folded.display()),
        None => format!("wrote {} (no report until the run ends)", folded.display()),
    };
}
