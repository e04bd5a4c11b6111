//! The corpus: every document the search engine knows, written for this repository.
//!
//! A classroom has no internet, so the "web" ships with the workshop. [`build`] generates it
//! the same way every time (no randomness, no clock except the `as_of` day you pass), from:
//!
//! | kind | module | what |
//! |---|---|---|
//! | `web` | [`web`] | short fictional pages about the seven mock companies and about MCP |
//! | `web` | [`docs`] | the course's own `docs/*.md` pages, one document each |
//! | `news` | [`news`] | headlines for the seven tickers, dated across the year before `as_of` |
//! | `product` | [`products`] | a catalogue: name, brand, category, price, rating, reviews |
//! | `qna` | [`qna`] | a question-and-answer knowledge base |
//!
//! Company facts (price, market cap, P/E, dividend yield, sector) come straight from
//! [`stock_server::market::STOCKS`], so a search result can never disagree with the stock
//! server. Variation (which source published a story, a product's rating) comes from
//! [`pick`], a hash of the document's own id: deterministic, yet not visibly patterned.

pub mod docs;
pub mod news;
pub mod products;
pub mod qna;
pub mod web;

use chrono::NaiveDate;
use serde::Serialize;
use std::path::Path;

/// What kind of document this is; each search tool looks at one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A web page (`general_search`).
    Web,
    /// A dated news item (`news_search`).
    News,
    /// A product in the catalogue (`product_search`).
    Product,
    /// A question with its answer passage (`qna`).
    Qna,
}

impl Kind {
    /// Every kind, in the order `search://about` lists them.
    pub const ALL: [Kind; 4] = [Kind::Web, Kind::News, Kind::Product, Kind::Qna];

    /// The name stored in the index and shown to clients.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Web => "web",
            Kind::News => "news",
            Kind::Product => "product",
            Kind::Qna => "qna",
        }
    }
}

/// The facts only a product has.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductFacts {
    /// Price in US dollars.
    pub price: f64,
    /// Average rating, 1.0 to 5.0.
    pub rating: f64,
    /// How many reviews the rating averages.
    pub reviews: u64,
    /// Catalogue category (`Laptops`).
    pub category: String,
    /// The company that makes it.
    pub brand: String,
}

/// One document of the corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// Stable identifier, also its resource URI: `search://doc/{id}`.
    pub id: String,
    /// Which tool finds it.
    pub kind: Kind,
    /// Title (a page title, a headline, a product name, a question).
    pub title: String,
    /// The text (a page, a story, a product description, an answer passage).
    pub body: String,
    /// Where it "lives": a fictional `https://….example` address, or the docs file.
    pub url: String,
    /// Publication day (news only).
    pub date: Option<NaiveDate>,
    /// Publisher (news) or site (web).
    pub source: String,
    /// The ticker the document is about, if any.
    pub ticker: Option<String>,
    /// Product facts (products only).
    pub product: Option<ProductFacts>,
}

impl Doc {
    /// A document with the fields every kind has; the constructors in each module add the rest.
    pub fn new(
        id: impl Into<String>,
        kind: Kind,
        title: impl Into<String>,
        body: impl Into<String>,
    ) -> Self {
        let id = id.into();
        Self {
            url: format!("https://{}.example/{}", kind.as_str(), id),
            id,
            kind,
            title: title.into(),
            body: body.into(),
            date: None,
            source: String::new(),
            ticker: None,
            product: None,
        }
    }
}

/// The whole corpus for a server started on `as_of`, with the course pages read from `docs_dir`
/// (skipped when it is `None` or missing, so the server also runs outside the repository).
pub fn build(as_of: NaiveDate, docs_dir: Option<&Path>) -> Vec<Doc> {
    let mut all = web::pages();
    if let Some(dir) = docs_dir {
        all.extend(docs::pages(dir));
    }
    all.extend(news::items(as_of));
    all.extend(products::catalogue());
    all.extend(qna::entries());
    all
}

/// The course's `docs/` folder in this checkout, if it is there.
pub fn repo_docs_dir() -> Option<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    dir.is_dir().then_some(dir)
}

/// A deterministic choice among `options`, keyed by `key` (a document id and a purpose).
///
/// FNV-1a: tiny, stable across Rust versions and platforms (unlike `std`'s hasher, whose
/// output may change between releases), which keeps the corpus byte-for-byte reproducible.
pub fn pick<'a, T>(key: &str, options: &'a [T]) -> &'a T {
    &options[(fnv1a(key) % options.len() as u64) as usize]
}

/// A deterministic number in `0..n` keyed by `key`.
pub fn number(key: &str, n: u64) -> u64 {
    fnv1a(key) % n
}

fn fnv1a(key: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn corpus_is_deterministic_and_ids_are_unique() {
        let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let a = build(day, None);
        assert_eq!(a, build(day, None));
        let ids: HashSet<_> = a.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids.len(), a.len(), "duplicate ids");
        assert!(a.len() > 400, "only {} documents", a.len());
    }
}
