//! What the search tools return: typed results for `structuredContent`, and readable text.
//!
//! A tool with an `outputSchema` returns its data twice: as `structuredContent` (JSON a
//! program can use) and as text content. We make the text *readable* (a numbered Markdown
//! list with snippets) for models and people, and add the JSON as a second text block, as the
//! specification asks for clients that predate structured output.

use crate::corpus::{Doc, Kind};
use crate::index::Hit;
use rmcp::model::{CallToolResult, ContentBlock};
use schemars::JsonSchema;
use serde::Serialize;
use std::fmt::Write;

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SearchResult {
    /// Document id; read the whole document at `search://doc/{id}`.
    pub id: String,
    /// web, news, product or qna.
    pub kind: Kind,
    /// Title, headline or product name.
    pub title: String,
    /// Where the document lives.
    pub url: String,
    /// Site or publisher.
    pub source: String,
    /// The best-matching passage, matched words in **bold**.
    pub snippet: String,
    /// BM25 relevance (higher is better; comparable within one result list only).
    pub score: f64,
    /// Publication day, YYYY-MM-DD (news only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The ticker the document is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticker: Option<String>,
    /// Price in US dollars (products only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    /// Average rating out of 5 (products only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<f64>,
    /// Number of reviews (products only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviews: Option<u64>,
    /// Catalogue category (products only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

impl SearchResult {
    /// The result for `doc`, scored and highlighted as in `hit`.
    pub fn new(doc: &Doc, hit: &Hit) -> Self {
        let p = doc.product.as_ref();
        Self {
            id: doc.id.clone(),
            kind: doc.kind,
            title: doc.title.clone(),
            url: doc.url.clone(),
            source: doc.source.clone(),
            snippet: hit.snippet.clone(),
            // Three decimals are plenty to compare, and keep the JSON short.
            score: (f64::from(hit.score) * 1000.0).round() / 1000.0,
            date: doc.date.map(|d| d.to_string()),
            ticker: doc.ticker.clone(),
            price: p.map(|p| p.price),
            rating: p.map(|p| p.rating),
            reviews: p.map(|p| p.reviews),
            category: p.map(|p| p.category.clone()),
        }
    }
}

/// A page of results.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SearchPage {
    /// The query as received.
    pub query: String,
    /// How many documents match in all (across every page).
    pub total: usize,
    /// This page, best first.
    pub results: Vec<SearchResult>,
    /// Pass this as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl SearchPage {
    /// Readable text: a numbered list with snippets.
    pub fn to_text(&self, offset: usize) -> String {
        let mut out = String::new();
        if self.results.is_empty() {
            let _ = writeln!(
                out,
                "No results for \"{}\". Try fewer or different words.",
                self.query
            );
            return out;
        }
        let _ = writeln!(
            out,
            "Results {}–{} of {} for \"{}\":",
            offset + 1,
            offset + self.results.len(),
            self.total,
            self.query
        );
        for (i, r) in self.results.iter().enumerate() {
            let mut meta = vec![r.source.clone()];
            meta.extend(r.date.clone());
            if let (Some(price), Some(rating)) = (r.price, r.rating) {
                meta.push(format!(
                    "${price:.2}, rated {rating:.1}/5 ({} reviews)",
                    r.reviews.unwrap_or(0)
                ));
            }
            let _ = writeln!(
                out,
                "{}. {} [{}] ({})",
                offset + i + 1,
                r.title,
                r.id,
                meta.join(", ")
            );
            let _ = writeln!(out, "   {}", r.snippet);
        }
        if let Some(cursor) = &self.next_cursor {
            let _ = writeln!(out, "More results: call again with cursor \"{cursor}\".");
        }
        out
    }
}

/// A successful result: `text` for readers, `value` as `structuredContent` and as JSON text.
pub fn structured<T: Serialize>(text: String, value: &T) -> CallToolResult {
    let json = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    let mut result = CallToolResult::structured(json.clone());
    result.content = vec![
        ContentBlock::text(text),
        ContentBlock::text(json.to_string()),
    ];
    result
}
