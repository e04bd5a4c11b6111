//! Icons: the small pictures a client shows beside a tool, prompt or resource.
//!
//! MCP 2025-11-25 lets a server attach `icons` to tools, prompts, resources and its own
//! `Implementation`: each icon is a URI plus an optional MIME type and sizes. A client must not
//! fetch arbitrary URLs for them (an icon URL could track the user), so the safest source is a
//! `data:` URI carrying the picture itself. Ours are tiny SVGs, which scale to any size
//! (`sizes: ["any"]`), built once per tool list.
//!
//! ```json
//! "icons": [{ "src": "data:image/svg+xml;base64,PHN2Zy...", "mimeType": "image/svg+xml", "sizes": ["any"] }]
//! ```

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rmcp::model::Icon;

/// One 24×24 SVG with a single stroked path, in the colour a toolbar would use.
fn svg_icon(path: &str) -> Vec<Icon> {
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="#2563eb" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="{path}"/></svg>"##
    );
    vec![
        Icon::new(format!(
            "data:image/svg+xml;base64,{}",
            STANDARD.encode(svg)
        ))
        .with_mime_type("image/svg+xml")
        .with_sizes(vec!["any".into()]),
    ]
}

/// A dollar sign: quotes and prices.
pub fn price() -> Vec<Icon> {
    svg_icon("M12 2v20M17 6H9.5a3.5 3.5 0 0 0 0 7h5a3.5 3.5 0 0 1 0 7H6")
}

/// A rising line over axes: charts and history.
pub fn chart() -> Vec<Icon> {
    svg_icon("M3 3v18h18M7 15l4-4 3 3 5-6")
}

/// Two bars side by side: comparisons.
pub fn compare() -> Vec<Icon> {
    svg_icon("M8 21V9M16 21V3M4 21h16")
}

/// A speaker with a sound wave: sonification.
pub fn sound() -> Vec<Icon> {
    svg_icon("M11 5 6 9H2v6h4l5 4V5zM15.5 8.5a5 5 0 0 1 0 7M19 5a10 10 0 0 1 0 14")
}

/// A pulse line: the live feed.
pub fn live() -> Vec<Icon> {
    svg_icon("M22 12h-4l-3 9L9 3l-3 9H2")
}

/// An "i" in a circle: company information.
pub fn info() -> Vec<Icon> {
    svg_icon("M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 16v-4M12 8h.01")
}

/// A pen: text the client's model writes.
pub fn pen() -> Vec<Icon> {
    svg_icon("M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icons_are_self_contained_svg_data_uris() {
        for icons in [price(), chart(), compare(), sound(), live(), info(), pen()] {
            let icon = &icons[0];
            let b64 = icon.src.strip_prefix("data:image/svg+xml;base64,").unwrap();
            let svg = String::from_utf8(STANDARD.decode(b64).unwrap()).unwrap();
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
            assert_eq!(icon.mime_type.as_deref(), Some("image/svg+xml"));
        }
    }
}
