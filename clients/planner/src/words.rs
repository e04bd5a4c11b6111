//! Words: how the planner reads a question and a tool's name, and the word lists it reads with.
//!
//! A planner without a language model matches *words*. Before two words can meet they must be
//! brought to one form: identifiers split (`get_stock_price`, `getStockPrice` → `get stock
//! price`), case folded, everyday words mapped to the words tools are named with (*cost →
//! price*, *vs → compare*), and endings cut (*prices*, *pricing* → *pric*). Words that carry
//! no meaning (*the*, *please*) are left out.
//!
//! The lists themselves are data, not code: they live in `data/*.txt` in this crate, are
//! compiled in with `include_str!`, and parsed once, the first time they are needed. Adding a
//! synonym is a one-line change a learner can make without reading Rust.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// The lines of a data file that say something: no blank lines, no `#` comments.
pub(crate) fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
}

/// `kind: word word…` lines as a map from kind to words.
pub(crate) fn data_sections(text: &'static str) -> HashMap<&'static str, Vec<&'static str>> {
    data_lines(text)
        .filter_map(|l| l.split_once(':'))
        .map(|(kind, words)| (kind.trim(), words.split_whitespace().collect()))
        .collect()
}

/// Words that never count: `data/stopwords.txt`.
static STOPWORDS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| data_lines(include_str!("../data/stopwords.txt")).collect());

/// Everyday word → tool word: `data/synonyms.txt`.
static SYNONYMS: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    data_lines(include_str!("../data/synonyms.txt"))
        .filter_map(|l| l.split_once(char::is_whitespace))
        .map(|(from, to)| (from, to.trim()))
        .collect()
});

/// Words about what or when, never a place: `data/tool_words.txt` plus every synonym.
static TOOL_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    let listed = data_lines(include_str!("../data/tool_words.txt"));
    let synonyms = SYNONYMS.iter().flat_map(|(a, b)| [*a, *b]);
    listed.chain(synonyms).collect()
});

/// Words that open a question in question form: `data/question_words.txt`.
static QUESTION_WORDS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| data_lines(include_str!("../data/question_words.txt")).collect());

/// Whether a lowercase word opens a question in question form (*what*, *how*, *does*).
pub fn is_question_word(word: &str) -> bool {
    QUESTION_WORDS.contains(word)
}

/// Whether a word carries no meaning for the planner (any case).
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(word.to_ascii_lowercase().as_str())
}

/// Whether a word names what a tool does rather than a place ("forecast for tomorrow").
pub fn is_tool_word(word: &str) -> bool {
    TOOL_WORDS.contains(word)
}

/// Light stemming so `prices`/`price` and `comparing`/`compare` meet.
pub fn stem(word: &str) -> String {
    let w = word.to_ascii_lowercase();
    for suffix in ["ing", "ed", "es", "s", "e"] {
        if let Some(stripped) = w.strip_suffix(suffix)
            && stripped.len() >= 3
        {
            return stripped.to_string();
        }
    }
    w
}

/// The form a question word is compared in: its synonym if it has one, stemmed.
pub fn canonical(word: &str) -> String {
    let folded = word.to_ascii_lowercase();
    let mapped = SYNONYMS.get(folded.as_str()).copied().unwrap_or(&folded);
    stem(mapped)
}

/// Splits identifiers and prose into lowercase words: `get_stock_price`, `getStockPrice`.
pub fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if c.is_alphanumeric() || c == '\'' {
            // camelCase: an upper-case letter after a lower-case one starts a word.
            if c.is_uppercase() && prev_lower && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_lowercase();
            cur.push(c);
        } else {
            prev_lower = false;
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.into_iter().map(|w| w.to_lowercase()).collect()
}

/// The meaningful words of an identifier or a description, stemmed, for matching.
pub fn stems(text: &str) -> Vec<String> {
    split_words(text)
        .into_iter()
        .filter(|w| !is_stopword(w))
        .map(|w| stem(&w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_split_and_words_meet() {
        assert_eq!(split_words("getStockPrice"), ["get", "stock", "price"]);
        assert_eq!(split_words("get_stock_price"), ["get", "stock", "price"]);
        assert_eq!(canonical("costs"), stem("price"));
        assert_eq!(canonical("versus"), "compar");
        assert!(is_stopword("The"));
        assert!(!is_stopword("weather"));
        assert!(is_tool_word("forecast") && is_tool_word("days"));
    }
}
