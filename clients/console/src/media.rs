//! Images, audio and binary resources: saved to files the human can open.
//!
//! A terminal cannot play a WAV and most cannot show a PNG, so the console writes every binary
//! block it receives (an `image` or `audio` content block of a tool result or prompt, a `blob`
//! of `resources/read`) to a file and prints where, what and how big:
//!
//! ```text
//! saved image/png, 23,140 bytes, 640x360 px → /tmp/.tmpAbC123/001-get_price_chart.png
//! saved audio/wav, 94,124 bytes, 16000 Hz mono 16-bit, 2.94 s → /tmp/.tmpAbC123/002-get_price_sonification.wav
//! ```
//!
//! By default the files go to a fresh temporary folder that is removed when the console exits;
//! `--save-media DIR` keeps them in `DIR`. The bytes arrive base64-encoded (MCP carries JSON),
//! so a block that is not valid base64 is reported, never written half-decoded.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rmcp::model::{ContentBlock, ResourceContents};
use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where media files go. Cheap to share; the folder is created on the first save.
#[derive(Debug)]
pub struct Media {
    kept: Option<PathBuf>,
    temporary: Mutex<Option<tempfile::TempDir>>,
    count: AtomicUsize,
}

/// One file written.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    /// Where it is.
    pub path: PathBuf,
    /// Its MIME type, as the server stated it.
    pub mime: String,
    /// Its size in bytes.
    pub size: usize,
    /// What the bytes hold, when the console can tell: `640x360 px`, `16000 Hz mono 16-bit, 2.94 s`.
    pub detail: Option<String>,
}

impl fmt::Display for Saved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "saved {}, {} bytes", self.mime, thousands(self.size))?;
        if let Some(detail) = &self.detail {
            write!(f, ", {detail}")?;
        }
        write!(f, " → {}", self.path.display())
    }
}

impl Media {
    /// Files in a temporary folder, removed when this value is dropped.
    pub fn temporary() -> Self {
        Self {
            kept: None,
            temporary: Mutex::new(None),
            count: AtomicUsize::new(0),
        }
    }

    /// Files kept in `dir` (`--save-media DIR`), created if missing.
    pub fn keep_in(dir: impl Into<PathBuf>) -> Self {
        Self {
            kept: Some(dir.into()),
            ..Self::temporary()
        }
    }

    fn folder(&self) -> std::io::Result<PathBuf> {
        if let Some(dir) = &self.kept {
            std::fs::create_dir_all(dir)?;
            return Ok(dir.clone());
        }
        let mut temporary = self.temporary.lock().unwrap_or_else(|p| p.into_inner());
        if temporary.is_none() {
            *temporary = Some(
                tempfile::Builder::new()
                    .prefix("mcp-console-media-")
                    .tempdir()?,
            );
        }
        Ok(temporary
            .as_ref()
            .map(|t| t.path().to_path_buf())
            .unwrap_or_default())
    }

    /// Writes `bytes` as `NNN-<label>.<ext>`.
    pub fn save(&self, label: &str, mime: &str, bytes: &[u8]) -> std::io::Result<Saved> {
        let n = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        let label: String = label
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .take(60)
            .collect();
        let path = self
            .folder()?
            .join(format!("{n:03}-{label}.{}", extension(mime)));
        std::fs::write(&path, bytes)?;
        Ok(Saved {
            path,
            mime: mime.to_string(),
            size: bytes.len(),
            detail: describe(mime, bytes),
        })
    }

    /// Saves every image and audio block of `blocks`; one line per block, for the human.
    pub fn save_blocks(&self, label: &str, blocks: &[ContentBlock]) -> Vec<String> {
        blocks
            .iter()
            .filter_map(|block| {
                let (data, mime) = binary_of(block)?;
                Some(self.save_base64(label, &mime, &data))
            })
            .collect()
    }

    /// Saves every blob of a `resources/read` result.
    pub fn save_contents(&self, contents: &[ResourceContents]) -> Vec<String> {
        contents
            .iter()
            .filter_map(|c| match c {
                ResourceContents::BlobResourceContents {
                    uri,
                    mime_type,
                    blob,
                    ..
                } => {
                    let mime = mime_type.as_deref().unwrap_or("application/octet-stream");
                    let label = uri.rsplit('/').next().unwrap_or("resource");
                    let label = label.split('.').next().unwrap_or(label);
                    Some(self.save_base64(&format!("resource-{label}"), mime, blob))
                }
                _ => None,
            })
            .collect()
    }

    fn save_base64(&self, label: &str, mime: &str, data: &str) -> String {
        match STANDARD.decode(data) {
            Err(e) => format!("cannot save {mime}: the data is not valid base64 ({e})"),
            Ok(bytes) => match self.save(label, mime, &bytes) {
                Ok(saved) => saved.to_string(),
                Err(e) => format!("cannot save {mime}: {e}"),
            },
        }
    }

    /// The folder files go to, if one exists yet.
    pub fn dir(&self) -> Option<PathBuf> {
        self.kept.clone().or_else(|| {
            self.temporary
                .lock()
                .ok()?
                .as_ref()
                .map(|t| t.path().to_path_buf())
        })
    }
}

impl Default for Media {
    fn default() -> Self {
        Self::temporary()
    }
}

/// The base64 data and MIME type of an image or audio block.
pub fn binary_of(block: &ContentBlock) -> Option<(String, String)> {
    let v = serde_json::to_value(block).ok()?;
    matches!(v["type"].as_str(), Some("image" | "audio")).then(|| {
        (
            v["data"].as_str().unwrap_or_default().to_string(),
            v["mimeType"]
                .as_str()
                .unwrap_or("application/octet-stream")
                .to_string(),
        )
    })
}

/// One line per image or audio block, for a model reading the result as text:
/// `[image image/png, 23,140 bytes]`.
pub fn describe_for_model(blocks: &[ContentBlock]) -> Vec<String> {
    blocks
        .iter()
        .filter_map(|block| {
            let (data, mime) = binary_of(block)?;
            let kind = mime.split('/').next().unwrap_or("binary");
            Some(format!(
                "[{kind} {mime}, {} bytes]",
                thousands(decoded_len(&data))
            ))
        })
        .collect()
}

/// How many bytes base64 `data` decodes to (without decoding it).
pub fn decoded_len(data: &str) -> usize {
    let padding = data.bytes().rev().take_while(|b| *b == b'=').count();
    (data.len() / 4 * 3).saturating_sub(padding)
}

fn extension(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/webp" => "webp",
        "image/svg+xml" => "svg",
        "audio/wav" | "audio/x-wav" | "audio/wave" => "wav",
        "audio/mpeg" => "mp3",
        "audio/ogg" => "ogg",
        "application/pdf" => "pdf",
        "application/json" => "json",
        _ => "bin",
    }
}

/// Reads what the console can from the bytes themselves: PNG dimensions, WAV format and length.
fn describe(mime: &str, bytes: &[u8]) -> Option<String> {
    match mime {
        // A PNG starts with an 8-byte signature, then the IHDR chunk: length, "IHDR", width, height.
        "image/png" if bytes.len() >= 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") => {
            let width = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
            let height = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
            Some(format!("{width}x{height} px"))
        }
        m if m.starts_with("audio/") && extension(m) == "wav" => {
            let reader = hound::WavReader::new(std::io::Cursor::new(bytes)).ok()?;
            let spec = reader.spec();
            let seconds = f64::from(reader.duration()) / f64::from(spec.sample_rate);
            let channels = match spec.channels {
                1 => "mono".to_string(),
                2 => "stereo".to_string(),
                n => format!("{n} channels"),
            };
            Some(format!(
                "{} Hz {channels} {}-bit, {seconds:.2} s",
                spec.sample_rate, spec.bits_per_sample
            ))
        }
        _ => None,
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_saved_with_their_size_and_removed_with_the_folder() {
        // A 1x1 PNG: signature, then IHDR with width 1 and height 1.
        let png = STANDARD.decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
        )
        .unwrap();
        let media = Media::temporary();
        let block = ContentBlock::image(STANDARD.encode(&png), "image/png");
        let lines = media.save_blocks("chart", &[ContentBlock::text("hi"), block]);
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].starts_with("saved image/png, 70 bytes, 1x1 px → "),
            "{}",
            lines[0]
        );
        let dir = media.dir().unwrap();
        assert_eq!(std::fs::read(dir.join("001-chart.png")).unwrap(), png);
        drop(media);
        assert!(!dir.exists(), "the temporary folder goes with the console");
    }

    #[test]
    fn bad_base64_is_reported_not_written() {
        let media = Media::temporary();
        let lines = media.save_blocks("x", &[ContentBlock::audio("not base64!", "audio/wav")]);
        assert!(lines[0].contains("not valid base64"), "{}", lines[0]);
        assert_eq!(decoded_len("aGVsbG8="), 5);
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
