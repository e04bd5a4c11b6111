//! The fixed payloads the conformance suite expects, in one place.
//!
//! Binary content travels in MCP as base64 text inside JSON (`"data"` in image and audio
//! blocks, `"blob"` in resource contents), with a `mimeType` telling the client how to show it.
//! These are the smallest valid files of each kind, so a test can decode them and check.

/// A 1×1 red PNG, base64 (the same pixel the suite's own TypeScript fixture sends).
pub const PNG_1X1_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

/// A WAV file holding one silent 16-bit mono sample at 8 kHz, base64.
pub const WAV_SILENCE_BASE64: &str = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

/// The text `test_simple_text` returns, word for word.
pub const SIMPLE_TEXT: &str = "This is a simple text response for testing.";

/// The text `test_error_handling` returns as its tool error.
pub const ERROR_TEXT: &str = "This tool intentionally returns an error for testing";
