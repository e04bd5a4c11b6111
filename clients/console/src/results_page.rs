//! A page of search results, shown as a table instead of pretty-printed JSON.
//!
//! Search tools (`news_search`, `product_search`, `general_search` on the workshop's search
//! server, and most search APIs) return their structured content in one shape: a `results`
//! array of records that each have a `title`, beside paging fields (`total`, `next_cursor`).
//! Pretty-printed, five such records fill a screen with braces; as a table, the fields a person
//! scans (title, date, source, price, rating…) fit in six lines. The shape is what is
//! recognised, never a tool's name, so any server's results page reads the same way, and any
//! other structured content is still pretty-printed in full.

use serde_json::{Map, Value};

/// The columns after the title, in this order, when any record has them: what a person scans a
/// results page for. Long prose (snippets), links and scores stay in the server's own text.
const COLUMNS: [&str; 7] = [
    "date", "source", "price", "rating", "reviews", "category", "id",
];

/// The widest a title column gets before titles are cut with `…`.
const MAX_TITLE: usize = 48;

/// The page as a table, or `None` when `value` is not a page of titled results.
pub fn render(value: &Value) -> Option<String> {
    let page = value.as_object()?;
    let records: Vec<&Map<String, Value>> = page
        .get("results")?
        .as_array()?
        .iter()
        .map(Value::as_object)
        .collect::<Option<_>>()?;
    if records
        .iter()
        .any(|r| !r.get("title").is_some_and(Value::is_string))
    {
        return None;
    }
    let mut out = heading(page, records.len());
    if records.is_empty() {
        return Some(out);
    }
    let columns: Vec<&str> = COLUMNS
        .into_iter()
        .filter(|c| {
            records
                .iter()
                .any(|r| r.get(*c).is_some_and(|v| !v.is_null()))
        })
        .collect();
    let mut rows: Vec<Vec<String>> = vec![
        ["#", "title"]
            .into_iter()
            .chain(columns.iter().copied())
            .map(str::to_string)
            .collect(),
    ];
    for (i, r) in records.iter().enumerate() {
        let mut row = vec![(i + 1).to_string(), cut(&cell(r.get("title")), MAX_TITLE)];
        row.extend(columns.iter().map(|c| cell(r.get(*c))));
        rows.push(row);
    }
    out.push('\n');
    out.push_str(&table(&rows));
    Some(out)
}

/// "5 of 30 results for "Tesla", next_cursor p5-…": what the page is.
fn heading(page: &Map<String, Value>, shown: usize) -> String {
    let total = page.get("total").and_then(Value::as_u64);
    let noun = |n: u64| if n == 1 { "result" } else { "results" };
    let mut line = match total {
        Some(t) if t as usize != shown => format!("{shown} of {t} {}", noun(t)),
        _ => format!("{shown} {}", noun(shown as u64)),
    };
    if let Some(q) = page.get("query").and_then(Value::as_str) {
        line.push_str(&format!(" for \"{q}\""));
    }
    if let Some(c) = page.get("next_cursor").and_then(Value::as_str) {
        line.push_str(&format!(", next_cursor {c}"));
    }
    line.push(':');
    line
}

/// A field as a table cell: strings as they are, numbers as JSON writes them, nothing as `-`.
fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "-".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// `s` cut to `max` characters, with `…` when cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).chain(['…']).collect()
    }
}

/// Rows as left-aligned columns two spaces apart, without trailing spaces.
fn table(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let lines: Vec<String> = rows
        .iter()
        .map(|r| {
            let cells: Vec<String> = r
                .iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect();
            cells.join("  ").trim_end().to_string()
        })
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_news_page_shows_titles_dates_and_sources() {
        let page = json!({"query": "Tesla", "total": 30, "next_cursor": "p5-ab", "results": [
            {"title": "Tesla Inc. again skips a dividend", "date": "2026-11-07", "source": "Loopback Ledger",
             "id": "news-tsla-02", "snippet": "**Tesla** Inc. …", "score": 8.5, "url": "https://x.example/1"},
            {"title": "Tesla Inc. publishes sustainability report", "date": "2026-09-04", "source": "The Localhost Post",
             "id": "news-tsla-07", "snippet": "…", "score": 8.4, "url": "https://x.example/2"}
        ]});
        assert_eq!(
            render(&page).unwrap(),
            "2 of 30 results for \"Tesla\", next_cursor p5-ab:\n\
             #  title                                       date        source              id\n\
             1  Tesla Inc. again skips a dividend           2026-11-07  Loopback Ledger     news-tsla-02\n\
             2  Tesla Inc. publishes sustainability report  2026-09-04  The Localhost Post  news-tsla-07"
        );
    }

    #[test]
    fn a_product_page_shows_prices_and_ratings() {
        let page = json!({"query": "headphones", "total": 1, "results": [
            {"title": "Apple Vertex headphones", "price": 143.99, "rating": 3.3, "reviews": 3169,
             "category": "Headphones", "id": "product-aapl-02", "date": null}
        ]});
        assert_eq!(
            render(&page).unwrap(),
            "1 result for \"headphones\":\n\
             #  title                    price   rating  reviews  category    id\n\
             1  Apple Vertex headphones  143.99  3.3     3169     Headphones  product-aapl-02"
        );
    }

    #[test]
    fn anything_else_is_no_page() {
        assert!(render(&json!({"symbol": "AAPL", "price": 175.5})).is_none());
        assert!(render(&json!({"results": [{"name": "no title"}]})).is_none());
        assert!(render(&json!({"results": "nope"})).is_none());
        assert_eq!(
            render(&json!({"query": "x", "total": 0, "results": []})).unwrap(),
            "0 results for \"x\":"
        );
    }
}
