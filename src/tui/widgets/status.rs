//! The status line under every screen.

use super::theme::Theme;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The bottom status line: the latest message, else where the keys are.
pub fn render_status(frame: &mut Frame, area: Rect, status: &str, theme: Theme) {
    let text = if status.is_empty() {
        "? keys · q quit"
    } else {
        status
    };
    // A status may quote input: a file's name, a frame's, a server's message.
    let text = crate::sanitize::name(text).into_owned();
    frame.render_widget(Paragraph::new(text).style(theme.dim()), area);
}
