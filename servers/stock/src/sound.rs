//! Sound: an audio content block, a price history you can hear.
//!
//! Audio travels like images: an `audio` content block with base64 `data` and a `mimeType`
//! (`audio/wav` here). `get_price_sonification` plays one short note per trading day whose
//! pitch follows the closing price: the lowest close of the period is A3 (220 Hz), the highest
//! A5 (880 Hz), in between on a logarithmic scale (equal steps in pitch sound like equal steps
//! in price). The whole clip lasts about [`TARGET_SECONDS`], so a year is a quick run of notes
//! and a week a slow one.
//!
//! The file is 16-bit mono PCM WAV written with `hound`; each note fades in and out over a few
//! milliseconds so the joins do not click. The samples depend only on the prices, so the same
//! request gives the same bytes.

use crate::StockServer;
use crate::history::{self, Bar, Period};
use crate::market;
use crate::tools::{self, tool_error};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock};
use rmcp::{schemars::JsonSchema, tool, tool_router};
use serde::Deserialize;
use std::f64::consts::TAU;

/// The MIME type of the clips.
pub const MIME: &str = "audio/wav";
/// Samples per second: telephone quality is plenty for sine tones and keeps clips small.
pub const SAMPLE_RATE: u32 = 16_000;
/// About how long a clip lasts, in seconds.
pub const TARGET_SECONDS: f64 = 3.0;
const LOWEST_HZ: f64 = 220.0;
const HIGHEST_HZ: f64 = 880.0;
const NOTE_SECONDS: std::ops::RangeInclusive<f64> = 0.05..=0.4;
const FADE_SECONDS: f64 = 0.005;

/// Arguments of `get_price_sonification`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SoundArgs {
    /// Ticker symbol, case-insensitive: AAPL, MSFT, GOOGL, AMZN, TSLA, META or NVDA.
    pub symbol: String,
    /// How far back to go: 1d, 5d, 1mo, 3mo, 6mo or 1y. Defaults to 1mo.
    pub period: Option<String>,
}

/// A rendered clip: the WAV file and what it holds.
#[derive(Debug, Clone)]
pub struct Clip {
    /// The WAV file.
    pub wav: Vec<u8>,
    /// Its length in seconds.
    pub seconds: f64,
    /// How many notes (trading days) it plays.
    pub notes: usize,
}

/// Plays `bars`' closing prices as notes, one per bar.
pub fn sonify(bars: &[Bar]) -> Result<Clip, String> {
    if bars.is_empty() {
        return Err("no prices to play".into());
    }
    let note_seconds =
        (TARGET_SECONDS / bars.len() as f64).clamp(*NOTE_SECONDS.start(), *NOTE_SECONDS.end());
    let per_note = (note_seconds * f64::from(SAMPLE_RATE)).round() as usize;
    let fade = (FADE_SECONDS * f64::from(SAMPLE_RATE)) as usize;
    let low = bars.iter().map(|b| b.close).fold(f64::INFINITY, f64::min);
    let high = bars
        .iter()
        .map(|b| b.close)
        .fold(f64::NEG_INFINITY, f64::max);

    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut wav = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut wav, spec).map_err(|e| e.to_string())?;
    for bar in bars {
        // Where the close sits between the period's low and high, 0..=1 (0.5 when flat).
        let position = if high > low {
            (bar.close - low) / (high - low)
        } else {
            0.5
        };
        let hz = LOWEST_HZ * (HIGHEST_HZ / LOWEST_HZ).powf(position);
        for n in 0..per_note {
            let envelope = (n.min(per_note - 1 - n) as f64 / fade as f64).min(1.0);
            let t = n as f64 / f64::from(SAMPLE_RATE);
            let sample = (TAU * hz * t).sin() * envelope * 0.5 * f64::from(i16::MAX);
            writer
                .write_sample(sample.round() as i16)
                .map_err(|e| e.to_string())?;
        }
    }
    writer.finalize().map_err(|e| e.to_string())?;
    Ok(Clip {
        wav: wav.into_inner(),
        seconds: (per_note * bars.len()) as f64 / f64::from(SAMPLE_RATE),
        notes: bars.len(),
    })
}

#[tool_router(router = sound_tools, vis = "pub(crate)")]
impl StockServer {
    /// Play a stock's closing prices over a period as a short WAV clip: one note per trading
    /// day, higher pitch for a higher price.
    #[tool(
        title = "Price sonification",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false),
        icons = crate::icons::sound()
    )]
    async fn get_price_sonification(
        &self,
        Parameters(args): Parameters<SoundArgs>,
    ) -> CallToolResponse {
        let stock = match market::lookup(&args.symbol) {
            Ok(stock) => stock,
            Err(e) => return tool_error(e.to_string()),
        };
        let period = match args.period.as_deref().map(str::trim) {
            None | Some("") => Period::default(),
            Some(p) => match p.parse::<Period>() {
                Ok(p) => p,
                Err(e) => return tool_error(e.to_string()),
            },
        };
        let bars = history::history(stock, period, tools::today());
        // Synthesis is CPU work: keep it off the async workers (see `chart::draw_off_thread`).
        let clip = tokio::task::spawn_blocking(move || sonify(&bars))
            .await
            .unwrap_or_else(|e| Err(format!("rendering the sound failed: {e}")));
        let clip = match clip {
            Ok(clip) => clip,
            Err(e) => return tool_error(e),
        };
        let text = format!(
            "WAV audio ({MIME}), {SAMPLE_RATE} Hz mono 16-bit, {:.2} s: {} notes, one per trading \
             day of {} over {period}; pitch runs from {LOWEST_HZ} Hz at the lowest close to \
             {HIGHEST_HZ} Hz at the highest.",
            clip.seconds, clip.notes, stock.symbol
        );
        CallToolResult::success(vec![
            ContentBlock::text(text),
            ContentBlock::audio(STANDARD.encode(&clip.wav), MIME),
        ])
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn the_clip_parses_with_the_stated_rate_and_length() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let bars = history::history(market::lookup("TSLA").unwrap(), Period::OneMonth, day);
        let clip = sonify(&bars).unwrap();
        assert_eq!(clip.wav, sonify(&bars).unwrap().wav, "deterministic");
        let reader = hound::WavReader::new(std::io::Cursor::new(&clip.wav)).unwrap();
        assert_eq!(reader.spec().sample_rate, SAMPLE_RATE);
        let seconds = reader.duration() as f64 / f64::from(SAMPLE_RATE);
        assert!((seconds - clip.seconds).abs() < 1e-9);
        assert!((2.5..=3.5).contains(&seconds), "{seconds}");
        assert_eq!(clip.notes, 21);
    }
}
