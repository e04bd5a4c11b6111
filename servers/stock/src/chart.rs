//! Charts: an image content block, the same picture as a binary resource, and a resource link
//! when the picture is too big to send inline.
//!
//! A tool result is a list of *content blocks*. Besides `text`, MCP has `image` and `audio`
//! blocks, whose bytes travel as base64 in `data` with a `mimeType`:
//!
//! ```json
//! { "type": "image", "mimeType": "image/png", "data": "iVBORw0KGgoAAAANSUhEUgAA..." }
//! ```
//!
//! `get_price_chart` draws the closing prices of a period as a PNG and returns it with a text
//! block describing it (a model that cannot see images still learns what the chart shows).
//! The picture is drawn in pure Rust with `tiny-skia` (no system libraries, no fonts: the
//! chart carries no text, the text block does) and the pixels depend only on the arguments,
//! so the same request gives the same bytes.
//!
//! The same chart is a **binary resource**, `stock://{symbol}/chart.png`, whose contents are a
//! `blob` (base64) rather than `text`; `?period=3mo&width=800&height=400` choose the picture.
//!
//! **Resource links.** base64 makes bytes a third larger, and clients cap what they accept in
//! one message (Claude Desktop refuses tool results of about 1 MB; many hosts also paste every
//! block into the model's context). Past [`INLINE_LIMIT`] the tool therefore returns a
//! `resource_link` (URI, MIME type and size) instead of the bytes, and the client reads the
//! resource only if and when it wants the picture.

use crate::StockServer;
use crate::history::{self, Bar, Period};
use crate::market;
use crate::tools::{self, tool_error};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResponse, CallToolResult, ContentBlock, Resource, ResourceContents, ResourceTemplate,
};
use rmcp::{ErrorData, schemars::JsonSchema, tool, tool_router};
use serde::Deserialize;
use tiny_skia::{Color, FillRule, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform};

/// The MIME type of every chart.
pub const MIME: &str = "image/png";
/// The URI template of the chart resource.
pub const TEMPLATE: &str = "stock://{symbol}/chart.png";
/// PNGs larger than this many bytes are sent as a `resource_link`, not inline.
pub const INLINE_LIMIT: usize = 64 * 1024;
/// Default and allowed picture sizes, in pixels.
pub const DEFAULT_SIZE: (u32, u32) = (640, 360);
const WIDTHS: std::ops::RangeInclusive<u32> = 160..=2400;
const HEIGHTS: std::ops::RangeInclusive<u32> = 120..=1600;

/// Arguments of `get_price_chart`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ChartArgs {
    /// Ticker symbol, case-insensitive: AAPL, MSFT, GOOGL, AMZN, TSLA, META or NVDA.
    pub symbol: String,
    /// How far back to go: 1d, 5d, 1mo, 3mo, 6mo or 1y. Defaults to 1mo.
    pub period: Option<String>,
    /// Picture width in pixels, 160 to 2400 (default 640).
    pub width: Option<u32>,
    /// Picture height in pixels, 120 to 1600 (default 360).
    pub height: Option<u32>,
}

/// Which chart to draw: everything the pixels depend on (besides today's date).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    /// The stock, upper case.
    pub symbol: &'static str,
    /// The period of closing prices shown.
    pub period: Period,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl ChartSpec {
    /// Checks the arguments; the error is a sentence for the model.
    pub fn new(
        symbol: &str,
        period: Option<&str>,
        width: Option<u32>,
        height: Option<u32>,
    ) -> Result<Self, String> {
        let stock = market::lookup(symbol).map_err(|e| e.to_string())?;
        let period = match period.map(str::trim) {
            None | Some("") => Period::default(),
            Some(p) => p
                .parse()
                .map_err(|e: history::InvalidPeriod| e.to_string())?,
        };
        let width = width.unwrap_or(DEFAULT_SIZE.0);
        let height = height.unwrap_or(DEFAULT_SIZE.1);
        if !WIDTHS.contains(&width) || !HEIGHTS.contains(&height) {
            return Err(format!(
                "chart size {width}x{height} is out of range: width {}..={}, height {}..={} pixels",
                WIDTHS.start(),
                WIDTHS.end(),
                HEIGHTS.start(),
                HEIGHTS.end()
            ));
        }
        Ok(Self {
            symbol: stock.symbol,
            period,
            width,
            height,
        })
    }

    /// Reads a chart URI: `stock://AAPL/chart.png`, optionally `?period=3mo&width=800&height=400`.
    /// `None` when the URI is no chart URI at all; `Some(Err)` when it is one with bad values.
    pub fn from_uri(uri: &str) -> Option<Result<Self, String>> {
        let rest = uri.strip_prefix("stock://")?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let symbol = path.strip_suffix("/chart.png")?;
        let (mut period, mut width, mut height) = (None, None, None);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let number = || {
                value
                    .parse::<u32>()
                    .map_err(|_| format!("'{key}' must be a whole number of pixels, not '{value}'"))
            };
            match key {
                "period" => period = Some(value),
                "width" => {
                    width = Some(match number() {
                        Ok(n) => n,
                        Err(e) => return Some(Err(e)),
                    })
                }
                "height" => {
                    height = Some(match number() {
                        Ok(n) => n,
                        Err(e) => return Some(Err(e)),
                    })
                }
                other => {
                    return Some(Err(format!(
                        "unknown chart parameter '{other}'. Use period, width and height"
                    )));
                }
            }
        }
        Some(Self::new(symbol, period, width, height))
    }

    /// The resource URI of this chart; the query names only what differs from the defaults.
    pub fn uri(&self) -> String {
        let mut query = Vec::new();
        if self.period != Period::default() {
            query.push(format!("period={}", self.period));
        }
        if (self.width, self.height) != DEFAULT_SIZE {
            query.push(format!("width={}&height={}", self.width, self.height));
        }
        let base = format!("stock://{}/chart.png", self.symbol);
        if query.is_empty() {
            base
        } else {
            format!("{base}?{}", query.join("&"))
        }
    }
}

/// A drawn chart: the PNG bytes and a sentence describing them.
#[derive(Debug, Clone)]
pub struct Chart {
    /// What was drawn.
    pub spec: ChartSpec,
    /// The PNG file.
    pub png: Vec<u8>,
    /// What the picture shows, for readers that cannot see it.
    pub description: String,
}

/// Draws the chart `spec` describes, from the history ending today.
pub fn draw(spec: &ChartSpec) -> Result<Chart, String> {
    let stock = market::lookup(spec.symbol).map_err(|e| e.to_string())?;
    let bars = history::history(stock, spec.period, tools::today());
    let png = render(&bars, spec.width, spec.height)?;
    let first = bars.first().map(|b| b.open).unwrap_or(stock.price);
    let last = bars.last().map(|b| b.close).unwrap_or(stock.price);
    let low = bars.iter().map(|b| b.low).fold(f64::INFINITY, f64::min);
    let high = bars
        .iter()
        .map(|b| b.high)
        .fold(f64::NEG_INFINITY, f64::max);
    let change = (last - first) / first * 100.0;
    let description = format!(
        "PNG line chart, {}x{} pixels, of {} ({}) closing prices over {} ({} trading days): \
         from ${first:.2} to ${last:.2} ({change:+.2}%), low ${low:.2}, high ${high:.2}. \
         The line is green when the period ends up, red when it ends down.",
        spec.width,
        spec.height,
        stock.symbol,
        stock.name,
        spec.period,
        bars.len()
    );
    Ok(Chart {
        spec: spec.clone(),
        png,
        description,
    })
}

/// [`draw`] on tokio's blocking pool: drawing a large chart takes milliseconds of CPU, which
/// must not stall the async workers that carry every session's messages (and the live feed).
pub async fn draw_off_thread(spec: ChartSpec) -> Result<Chart, String> {
    tokio::task::spawn_blocking(move || draw(&spec))
        .await
        .unwrap_or_else(|e| Err(format!("drawing the chart failed: {e}")))
}

/// Renders closing prices as a line over a filled area, with light grid lines, as PNG bytes.
pub fn render(bars: &[Bar], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let mut pixmap = Pixmap::new(width, height).ok_or("chart size must not be zero")?;
    pixmap.fill(Color::WHITE);
    let closes: Vec<f64> = match bars {
        // One bar is a flat line across the chart.
        [only] => vec![only.close, only.close],
        _ => bars.iter().map(|b| b.close).collect(),
    };
    if closes.is_empty() {
        return Err("no prices to draw".into());
    }
    let (w, h) = (width as f32, height as f32);
    let margin = (w.min(h) * 0.06).max(6.0);
    let (left, right, top, bottom) = (margin, w - margin, margin, h - margin);
    let low = closes.iter().copied().fold(f64::INFINITY, f64::min);
    let high = closes.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // A flat series still needs a vertical scale: give it ±1 % around the price.
    let (low, high) = if high - low < 1e-9 {
        (low * 0.99, high * 1.01)
    } else {
        (low, high)
    };
    let x = |i: usize| left + (right - left) * i as f32 / (closes.len() - 1) as f32;
    let y = |v: f64| bottom - (bottom - top) * ((v - low) / (high - low)) as f32;

    // Grid: five horizontal lines, evenly spaced.
    let mut grid = Paint::default();
    grid.set_color_rgba8(0xe5, 0xe7, 0xeb, 0xff);
    for k in 0..5 {
        let gy = top + (bottom - top) * k as f32 / 4.0;
        let line = Rect::from_ltrb(left, gy - 0.5, right, gy + 0.5).ok_or("bad chart size")?;
        pixmap.fill_rect(line, &grid, Transform::identity(), None);
    }

    let up = closes.last() >= closes.first();
    let (r, g, b) = if up { (22, 163, 74) } else { (220, 38, 38) };

    let mut line = PathBuilder::new();
    line.move_to(x(0), y(closes[0]));
    for (i, &c) in closes.iter().enumerate().skip(1) {
        line.line_to(x(i), y(c));
    }
    let line = line.finish().ok_or("cannot build the price line")?;

    // The area under the line, translucent, then the line itself on top.
    let mut area = PathBuilder::new();
    area.move_to(x(0), bottom);
    for (i, &c) in closes.iter().enumerate() {
        area.line_to(x(i), y(c));
    }
    area.line_to(x(closes.len() - 1), bottom);
    area.close();
    let area = area.finish().ok_or("cannot build the price area")?;
    let mut fill = Paint::default();
    fill.set_color_rgba8(r, g, b, 0x33);
    fill.anti_alias = true;
    pixmap.fill_path(&area, &fill, FillRule::Winding, Transform::identity(), None);

    let mut ink = Paint::default();
    ink.set_color_rgba8(r, g, b, 0xff);
    ink.anti_alias = true;
    let stroke = Stroke {
        width: (w.min(h) / 150.0).max(1.5),
        ..Stroke::default()
    };
    pixmap.stroke_path(&line, &ink, &stroke, Transform::identity(), None);

    pixmap
        .encode_png()
        .map_err(|e| format!("cannot encode PNG: {e}"))
}

/// `bytes` as standard base64 with padding: how MCP carries binary data in JSON (`data` of an
/// image or audio block, `blob` of a resource).
pub fn to_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The tool result for `chart`: its description, then the image inline, or a link to it when
/// the PNG is larger than `limit` bytes.
pub fn result(chart: &Chart, limit: usize) -> CallToolResult {
    let picture = if chart.png.len() <= limit {
        ContentBlock::image(STANDARD.encode(&chart.png), MIME)
    } else {
        ContentBlock::resource_link(resource_of(chart))
    };
    let mut text = chart.description.clone();
    if chart.png.len() > limit {
        text.push_str(&format!(
            " The PNG is {} bytes, over the {limit}-byte inline limit: read the linked resource \
             to get it.",
            chart.png.len()
        ));
    }
    CallToolResult::success(vec![ContentBlock::text(text), picture])
}

/// The chart as a `Resource`: what a `resource_link` points at.
fn resource_of(chart: &Chart) -> Resource {
    Resource::new(chart.spec.uri(), format!("{}-chart", chart.spec.symbol))
        .with_title(format!(
            "{} price chart, {}",
            chart.spec.symbol, chart.spec.period
        ))
        .with_mime_type(MIME)
        .with_size(chart.png.len() as u64)
}

/// The chart resource template (`?period=..&width=..&height=..` may follow).
pub fn template() -> ResourceTemplate {
    ResourceTemplate::new(TEMPLATE, "price-chart")
        .with_title("Price chart")
        .with_description(
            "A PNG line chart of one ticker's closing prices (binary: blob contents). Add \
             ?period=3mo, &width= and &height= to choose; the default is 1mo at 640x360.",
        )
        .with_mime_type(MIME)
        .with_icons(crate::icons::chart())
}

/// Reads a chart resource; `None` when `uri` is not a chart URI.
pub async fn read(uri: &str) -> Option<Result<ResourceContents, ErrorData>> {
    let spec = ChartSpec::from_uri(uri)?;
    let chart = match spec {
        Ok(spec) => draw_off_thread(spec).await,
        Err(e) => Err(e),
    };
    Some(
        chart
            .map(|chart| {
                ResourceContents::blob(STANDARD.encode(&chart.png), uri).with_mime_type(MIME)
            })
            .map_err(|e| {
                ErrorData::resource_not_found(
                    format!("no chart at '{uri}': {e}"),
                    Some(serde_json::json!({ "uri": uri })),
                )
            }),
    )
}

#[tool_router(router = chart_tools, vis = "pub(crate)")]
impl StockServer {
    /// Draw a stock's closing prices over a period as a PNG line chart, with a sentence saying
    /// what it shows. Large charts come back as a link to the resource stock://{symbol}/chart.png.
    #[tool(
        title = "Price chart",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false),
        icons = crate::icons::chart()
    )]
    async fn get_price_chart(&self, Parameters(args): Parameters<ChartArgs>) -> CallToolResponse {
        let spec = ChartSpec::new(
            &args.symbol,
            args.period.as_deref(),
            args.width,
            args.height,
        );
        let chart = match spec {
            Ok(spec) => draw_off_thread(spec).await,
            Err(e) => Err(e),
        };
        match chart {
            Ok(chart) => result(&chart, INLINE_LIMIT).into(),
            Err(e) => tool_error(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn bars(period: Period) -> Vec<Bar> {
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        history::history(market::lookup("AAPL").unwrap(), period, day)
    }

    #[test]
    fn the_same_bars_give_the_same_bytes_and_a_real_png() {
        let a = render(&bars(Period::OneMonth), 640, 360).unwrap();
        let b = render(&bars(Period::OneMonth), 640, 360).unwrap();
        assert_eq!(a, b);
        assert!(a.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(a.len() < INLINE_LIMIT, "the default chart is sent inline");
    }

    #[test]
    fn one_bar_and_a_flat_series_still_draw() {
        render(&bars(Period::OneDay), 200, 150).unwrap();
    }

    #[test]
    fn uris_round_trip_and_bad_ones_explain_themselves() {
        let spec = ChartSpec::new("aapl", Some("3mo"), Some(800), Some(400)).unwrap();
        assert_eq!(
            spec.uri(),
            "stock://AAPL/chart.png?period=3mo&width=800&height=400"
        );
        assert_eq!(ChartSpec::from_uri(&spec.uri()).unwrap().unwrap(), spec);
        let plain = ChartSpec::new("MSFT", None, None, None).unwrap();
        assert_eq!(plain.uri(), "stock://MSFT/chart.png");
        assert!(ChartSpec::from_uri("stock://AAPL").is_none());
        let bad = ChartSpec::from_uri("stock://AAPL/chart.png?width=wide").unwrap();
        assert!(bad.unwrap_err().contains("whole number"));
        let huge = ChartSpec::new("AAPL", None, Some(10_000), None).unwrap_err();
        assert!(huge.contains("out of range"), "{huge}");
    }
}
