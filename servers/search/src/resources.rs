//! Resources: `search://about` (what the corpus holds) and the template `search://doc/{id}`.
//!
//! Search results are short; a resource gives the whole document. The template tells clients
//! the URI shape once, instead of listing thousands of documents: a result's `id` fills it in.
//! rmcp has no URI-template matcher, so [`read`] matches the prefix itself and refuses
//! anything else with `-32002` (resource not found), naming what does exist.

use crate::corpus::Kind;
use crate::index::SearchIndex;
use rmcp::ErrorData;
use rmcp::model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate};
use serde_json::json;

/// The corpus summary.
pub const ABOUT_URI: &str = "search://about";

/// One document by id.
pub const DOC_TEMPLATE: &str = "search://doc/{id}";

const DOC_PREFIX: &str = "search://doc/";

/// The fixed resources.
pub fn list() -> Vec<Resource> {
    vec![
        Resource::new(ABOUT_URI, "about")
            .with_title("About the search corpus")
            .with_description(
                "What the bundled corpus holds: counts per kind, news date range, sources.",
            )
            .with_mime_type("application/json"),
    ]
}

/// The resource templates.
pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new(DOC_TEMPLATE, "document")
            .with_title("A search document")
            .with_description("The whole document behind a search result; {id} is the result's id.")
            .with_mime_type("text/markdown"),
    ]
}

/// Reads `uri`.
pub fn read(index: &SearchIndex, uri: &str) -> Result<ReadResourceResult, ErrorData> {
    if uri == ABOUT_URI {
        let body = serde_json::to_string_pretty(&about(index)).unwrap_or_default();
        return Ok(ReadResourceResult::new(vec![
            ResourceContents::text(body, uri).with_mime_type("application/json"),
        ]));
    }
    if let Some(id) = uri.strip_prefix(DOC_PREFIX) {
        let Some(doc) = index.get(id) else {
            return Err(ErrorData::resource_not_found(
                format!(
                    "no document with id '{id}'; ids come from search results (the `id` field)."
                ),
                Some(json!({ "uri": uri })),
            ));
        };
        let mut text = format!("# {}\n\n", doc.title);
        text.push_str(&format!(
            "- kind: {}\n- url: {}\n- source: {}\n",
            doc.kind.as_str(),
            doc.url,
            doc.source
        ));
        if let Some(date) = doc.date {
            text.push_str(&format!("- date: {date}\n"));
        }
        if let Some(t) = &doc.ticker {
            text.push_str(&format!("- ticker: {t}\n"));
        }
        if let Some(p) = &doc.product {
            text.push_str(&format!(
                "- price: ${:.2}\n- rating: {:.1}/5 ({} reviews)\n- category: {}\n- brand: {}\n",
                p.price, p.rating, p.reviews, p.category, p.brand
            ));
        }
        text.push('\n');
        text.push_str(&doc.body);
        return Ok(ReadResourceResult::new(vec![
            ResourceContents::text(text, uri).with_mime_type("text/markdown"),
        ]));
    }
    Err(ErrorData::resource_not_found(
        format!("unknown resource '{uri}'; this server has {ABOUT_URI} and {DOC_TEMPLATE}."),
        Some(json!({ "uri": uri })),
    ))
}

/// The `search://about` document.
pub fn about(index: &SearchIndex) -> serde_json::Value {
    let docs = index.docs();
    let count = |k: Kind| docs.iter().filter(|d| d.kind == k).count();
    let dates: Vec<_> = docs.iter().filter_map(|d| d.date).collect();
    let mut sources: Vec<&str> = docs
        .iter()
        .filter(|d| d.kind == Kind::News)
        .map(|d| d.source.as_str())
        .collect();
    sources.sort();
    sources.dedup();
    let course_pages = docs.iter().filter(|d| d.source == "course").count();
    json!({
        "documents": docs.len(),
        "counts": {
            "web": count(Kind::Web),
            "news": count(Kind::News),
            "product": count(Kind::Product),
            "qna": count(Kind::Qna),
        },
        "course_pages": course_pages,
        "news_dates": {
            "from": dates.iter().min().map(|d| d.to_string()),
            "to": dates.iter().max().map(|d| d.to_string()),
        },
        "news_sources": sources,
        "tickers": stock_server::market::symbols().collect::<Vec<_>>(),
        "index_build_ms": index.build_time().as_secs_f64() * 1000.0,
        "note": "Every document is fictional and generated for the workshop (servers/search/src/corpus), except the course pages, which are read from docs/ at start.",
    })
}
