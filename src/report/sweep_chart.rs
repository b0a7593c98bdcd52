//! The scaling chart of a sweep as a self-contained SVG: measured items/s per worker count
//! (mean, with min–max bars), the ideal linear scaling from the first point, and the core
//! count marked.

use super::sweep::SweepPoint;
use std::fmt::Write;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 440.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 60.0;
const BOTTOM: f64 = 60.0;

/// Where points go: worker counts spread evenly left to right, items/s bottom to top.
struct Frame {
    count: usize,
    y_max: f64,
    y_step: f64,
}

impl Frame {
    fn x(&self, index: usize) -> f64 {
        let span = WIDTH - LEFT - RIGHT;
        match self.count {
            0 | 1 => LEFT + span / 2.0,
            n => LEFT + span * index as f64 / (n - 1) as f64,
        }
    }

    fn y(&self, value: f64) -> f64 {
        let span = HEIGHT - TOP - BOTTOM;
        HEIGHT - BOTTOM - span * (value / self.y_max).max(0.0)
    }
}

/// The chart; `title` names the run (workload and mode), `cores` the machine's cores.
pub fn chart_svg(points: &[SweepPoint], title: &str, cores: usize) -> String {
    let measured_max = points
        .iter()
        .map(|p| p.stats.items_per_s.max.max(p.stats.items_per_s.mean))
        .fold(0.0, f64::max);
    let ideal = ideal_line(points);
    let ideal_max = ideal.iter().copied().fold(0.0, f64::max);
    // The ideal line may run far above what was measured; it is cut at twice the best.
    let top = measured_max.max(ideal_max.min(measured_max * 2.0)).max(1.0) * 1.1;
    // About five gridlines at round values.
    let y_step = nice_ceiling(top / 5.0);
    let frame = Frame {
        count: points.len(),
        y_max: y_step * (top / y_step).ceil(),
        y_step,
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="13">"#
    );
    let _ = write!(
        svg,
        r#"<rect width="100%" height="100%" fill="white"/><text x="{}" y="28" text-anchor="middle" font-size="16">{}</text>"#,
        WIDTH / 2.0,
        escape(title)
    );
    // Lines that run past the top (the ideal one) are cut at the plot's edge.
    let _ = write!(
        svg,
        r#"<clipPath id="plot"><rect x="{LEFT}" y="{TOP}" width="{}" height="{}"/></clipPath>"#,
        WIDTH - LEFT - RIGHT,
        HEIGHT - TOP - BOTTOM
    );
    axes(&mut svg, points, &frame);
    cores_marker(&mut svg, points, &frame, cores);
    line(
        &mut svg,
        &frame,
        &ideal,
        r##"stroke="#999" stroke-dasharray="6 4""##,
    );
    let means: Vec<f64> = points.iter().map(|p| p.stats.items_per_s.mean).collect();
    line(
        &mut svg,
        &frame,
        &means,
        r##"stroke="#c0392b" stroke-width="2.5""##,
    );
    dots(&mut svg, points, &frame);
    legend(&mut svg);
    svg.push_str("</svg>\n");
    svg
}

/// Items/s if every added worker helped fully, from the first point.
fn ideal_line(points: &[SweepPoint]) -> Vec<f64> {
    let Some(first) = points.first() else {
        return Vec::new();
    };
    let per_worker = first.stats.items_per_s.mean / first.workers.max(1) as f64;
    points
        .iter()
        .map(|p| per_worker * p.workers as f64)
        .collect()
}

fn axes(svg: &mut String, points: &[SweepPoint], frame: &Frame) {
    let (x0, x1, y0) = (LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM);
    let _ = write!(
        svg,
        r##"<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="#333"/><line x1="{x0}" y1="{TOP}" x2="{x0}" y2="{y0}" stroke="#333"/>"##
    );
    let steps = (frame.y_max / frame.y_step).round() as usize;
    for step in 0..=steps {
        let value = frame.y_step * step as f64;
        let y = frame.y(value);
        let _ = write!(
            svg,
            r##"<line x1="{x0}" y1="{y:.1}" x2="{x1}" y2="{y:.1}" stroke="#eee"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            x0 - 8.0,
            y + 4.0,
            short_number(value)
        );
    }
    for (i, p) in points.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            frame.x(i),
            y0 + 20.0,
            p.workers
        );
    }
    let _ = write!(
        svg,
        r#"<text x="{:.1}" y="{}" text-anchor="middle">workers</text><text transform="translate(22 {:.1}) rotate(-90)" text-anchor="middle">items/s</text>"#,
        (x0 + x1) / 2.0,
        HEIGHT - 14.0,
        (TOP + y0) / 2.0
    );
}

fn cores_marker(svg: &mut String, points: &[SweepPoint], frame: &Frame, cores: usize) {
    let Some(index) = points.iter().position(|p| p.workers == cores) else {
        return;
    };
    let x = frame.x(index);
    let _ = write!(
        svg,
        r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{}" stroke="#2c7fb8" stroke-dasharray="3 3"/><text x="{:.1}" y="{}" fill="#2c7fb8">{cores} cores</text>"##,
        HEIGHT - BOTTOM,
        x + 4.0,
        TOP + 14.0
    );
}

fn line(svg: &mut String, frame: &Frame, values: &[f64], style: &str) {
    let coords: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", frame.x(i), frame.y(*v)))
        .collect();
    let _ = write!(
        svg,
        r#"<polyline fill="none" clip-path="url(#plot)" {style} points="{}"/>"#,
        coords.join(" ")
    );
}

fn dots(svg: &mut String, points: &[SweepPoint], frame: &Frame) {
    for (i, p) in points.iter().enumerate() {
        let x = frame.x(i);
        let s = &p.stats.items_per_s;
        let _ = write!(
            svg,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#c0392b"/><circle cx="{x:.1}" cy="{:.1}" r="4" fill="#c0392b"><title>{} workers: {:.0} items/s, {:.2}× ({:.0}% efficient)</title></circle>"##,
            frame.y(s.min),
            frame.y(s.max),
            frame.y(s.mean),
            p.workers,
            s.mean,
            p.stats.speedup,
            p.efficiency * 100.0
        );
    }
}

fn legend(svg: &mut String) {
    let x = LEFT + 12.0;
    let _ = write!(
        svg,
        r##"<line x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="#c0392b" stroke-width="2.5"/><text x="{}" y="{}">measured (mean, min–max)</text><line x1="{x}" y1="{y2}" x2="{}" y2="{y2}" stroke="#999" stroke-dasharray="6 4"/><text x="{}" y="{}">ideal: linear from the first point</text>"##,
        x + 24.0,
        x + 30.0,
        TOP + 4.0,
        x + 24.0,
        x + 30.0,
        TOP + 22.0,
        y = TOP,
        y2 = TOP + 18.0,
    );
}

/// A round number at or above `value` (1, 2 or 5 times a power of ten).
fn nice_ceiling(value: f64) -> f64 {
    let power = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|v| *v >= value)
        .unwrap_or(value)
}

/// 1234567 → "1.2M": an axis label or a rate in a few columns.
pub fn short_number(value: f64) -> String {
    match value {
        v if v >= 1e6 => format!("{:.1}M", v / 1e6),
        v if v >= 1e3 => format!("{:.0}k", v / 1e3),
        v => format!("{v:.0}"),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RunReport;
    use crate::report::sweep::summarize;

    fn run(wall_s: f64) -> RunReport {
        RunReport {
            wall_s,
            items_per_s: 1000.0 / wall_s,
            ..RunReport::default()
        }
    }

    #[test]
    fn the_chart_has_one_dot_per_point_both_lines_and_the_core_marker() {
        let points = summarize(
            &[1, 2, 4],
            vec![vec![run(4.0)], vec![run(2.2)], vec![run(2.0)]],
        );
        let svg = chart_svg(&points, "json-parse <threads>", 2);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<circle").count(), 3);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("2 cores"));
        assert!(svg.contains("json-parse &lt;threads&gt;"));
        assert!(svg.contains("<title>2 workers: 455 items/s, 1.82×"));
    }

    #[test]
    fn round_axis_tops() {
        assert_eq!(nice_ceiling(730.0), 1000.0);
        assert_eq!(nice_ceiling(120.0), 200.0);
        assert_eq!(nice_ceiling(4.2), 5.0);
        assert_eq!(short_number(250_000.0), "250k");
    }
}
