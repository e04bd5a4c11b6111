//! Snippets: the passage of a result that best matches the query, matched words in bold.
//!
//! tantivy's `SnippetGenerator` scores every window of the text by the query words it holds
//! (rare words weigh more) and returns the best one with the byte ranges of the matches. We
//! render those ranges as Markdown `**bold**`, which chat clients display and models read.
//! Because matching uses the same analyzer as indexing, `earnings` also highlights `Earnings`
//! and `earning`.

use tantivy::Searcher;
use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;

/// The longest snippet, in characters.
pub const MAX_CHARS: usize = 200;

/// Highlights one query's words in documents' bodies.
pub struct Highlighter {
    generator: Option<SnippetGenerator>,
}

impl Highlighter {
    /// A highlighter for `query`'s words in `field`. Without usable words (an empty query),
    /// snippets are the start of the text.
    pub fn new(searcher: &Searcher, query: &dyn Query, field: Field) -> Self {
        let generator = SnippetGenerator::create(searcher, query, field)
            .ok()
            .map(|mut g| {
                g.set_max_num_chars(MAX_CHARS);
                g
            });
        Self { generator }
    }

    /// The best passage of `text`, with matches as `**word**`.
    pub fn snippet(&self, text: &str) -> String {
        if let Some(generator) = &self.generator {
            let snippet = generator.snippet(text);
            if !snippet.is_empty() && !snippet.highlighted().is_empty() {
                return bold(snippet.fragment(), snippet.highlighted());
            }
        }
        // The query matched only the title, or had no words: show how the text begins.
        lead(text)
    }
}

/// `fragment` with each range wrapped in `**`.
pub fn bold(fragment: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut out = String::with_capacity(fragment.len() + ranges.len() * 4);
    let mut at = 0;
    for r in ranges {
        // Ranges come from the tokenizer, so they are on char boundaries; `get` keeps a bad
        // one from panicking all the same.
        if r.start < at || fragment.get(at..r.start).is_none() || fragment.get(r.clone()).is_none()
        {
            continue;
        }
        out.push_str(&fragment[at..r.start]);
        out.push_str("**");
        out.push_str(&fragment[r.clone()]);
        out.push_str("**");
        at = r.end;
    }
    out.push_str(&fragment[at..]);
    out.trim().to_string()
}

/// The first [`MAX_CHARS`] characters of `text`, cut at a word boundary.
pub fn lead(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX_CHARS {
        return flat;
    }
    let cut: String = flat.chars().take(MAX_CHARS).collect();
    match cut.rfind(' ') {
        Some(space) => format!("{}…", &cut[..space]),
        None => format!("{cut}…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bold_wraps_each_range() {
        assert_eq!(
            bold("Tesla earnings rise", &[0..5, 6..14]),
            "**Tesla** **earnings** rise"
        );
        // An out-of-range highlight is skipped, not a panic.
        let out_of_range = vec![2..3, 5..9];
        assert_eq!(bold("abc", &out_of_range), "ab**c**");
    }
}
