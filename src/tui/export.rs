//! Exports from where the user is: the current flame view as SVG, folded stacks, the report.

use super::app::App;
use super::flame_layout::Orientation;
use crate::flame::{write_svg_file, SvgOptions};
use std::path::PathBuf;

/// `boundscope-<workload>-<mode>-<n>.<ext>` in the export directory.
fn export_path(app: &App, ext: &str) -> Option<PathBuf> {
    let run = app.current_run()?;
    let name = format!(
        "boundscope-{}-{}-{}.{ext}",
        run.workload, run.mode, run.number
    );
    Some(app.export_dir.join(name))
}

/// Writes the current flame view (zoom, collapses and filters applied) as an SVG.
pub fn export_svg(app: &mut App) {
    let Some(path) = export_path(app, "svg") else {
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
    let describe = app.flame.describe();
    let options = SvgOptions {
        title: format!("boundscope: {label}"),
        subtitle: (!describe.is_empty()).then_some(describe),
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
    let (Some(folded), Some(json)) = (export_path(app, "folded"), export_path(app, "json")) else {
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
