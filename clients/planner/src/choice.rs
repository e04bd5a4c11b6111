//! Tool choice: which of the server's tools the question's words are about.
//!
//! Each tool gets a score from the question's words that are not entities (normalised by
//! [`crate::words`]): a word of the tool's **name** counts most, divided by how many tools
//! share it (`stock` in five tool names tells little, `history` in one tells a lot); a word of a
//! **parameter name** counts 1, a word of the **description** ½. A word is compared as its
//! synonym first, then as itself ("news" is a headline to a stock server, and the name of a
//! `news_search` tool). The best-scoring tool whose required arguments can be filled wins; ties
//! keep the server's order.

use crate::tool::Tool;
use crate::words::{canonical, is_stopword, split_words, stem, stems};

/// How well `tool` matches `words` (entities already left out), among all the server's `tools`.
pub fn score(tool: &Tool, tools: &[Tool], words: &[String]) -> f64 {
    let name_words = stems(&tool.name);
    let desc_words = stems(&tool.description);
    let param_words: Vec<String> = tool.properties().keys().flat_map(|k| stems(k)).collect();
    let mut seen = Vec::new();
    let mut total = 0.0;
    for w in words {
        let c = canonical(w);
        if seen.contains(&c) || is_stopword(w) {
            continue;
        }
        seen.push(c.clone());
        // The synonym first; the word itself when the synonym is not there ("news" is a
        // headline to a stock server, and the name of `news_search`).
        let plain = stem(w);
        let in_list = |list: &[String]| {
            [&c, &plain]
                .into_iter()
                .find(|form| list.contains(form))
                .cloned()
        };
        if let Some(form) = in_list(&name_words) {
            total += 3.0 / tools_named_with(tools, &form) as f64;
        } else if in_list(&param_words).is_some() {
            total += 1.0;
        } else if in_list(&desc_words).is_some() {
            total += 0.5;
        }
    }
    total
}

/// How many tools have the stemmed word `stem_word` in their name (at least 1).
fn tools_named_with(tools: &[Tool], stem_word: &str) -> usize {
    tools
        .iter()
        .filter(|t| split_words(&t.name).iter().any(|x| stem(x) == stem_word))
        .count()
        .max(1)
}

/// The tools with a positive score, best first, as indices. `bonus` adds to a matching tool's
/// score (the planner adds for parameters that take what the question names). Ties go to the
/// tool whose name says least beyond the question's words (a "price check" is
/// `get_stock_price`, not `compare_stock_prices`), then to the tool whose name *ends* with a
/// word the question says (names are verb then object, and the last word is what comes back:
/// "price of Tesla" is `get_stock_price`, not `get_price_chart`), then to the server's order.
pub fn ranked(tools: &[Tool], words: &[String], bonus: impl Fn(&Tool) -> f64) -> Vec<usize> {
    let mut scored: Vec<(f64, usize, usize)> = tools
        .iter()
        .enumerate()
        .map(|(i, t)| (score(t, tools, words), unsaid(t, words), i))
        .filter(|(s, _, _)| *s > 0.0)
        .map(|(s, u, i)| (s + bonus(&tools[i]), u, i))
        .collect();
    let head_unsaid = |i: usize| !ends_with_said(&tools[i], words);
    scored.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(head_unsaid(a.2).cmp(&head_unsaid(b.2)))
            .then(a.2.cmp(&b.2))
    });
    scored.into_iter().map(|(_, _, i)| i).collect()
}

/// How many words of the tool's name the question does not say.
fn unsaid(tool: &Tool, words: &[String]) -> usize {
    let said: Vec<String> = words.iter().map(|w| canonical(w)).collect();
    stems(&tool.name)
        .iter()
        .filter(|w| !said.contains(w))
        .count()
}

/// Whether the last word of the tool's name is one the question says.
fn ends_with_said(tool: &Tool, words: &[String]) -> bool {
    let said: Vec<String> = words.iter().map(|w| canonical(w)).collect();
    stems(&tool.name).last().is_some_and(|w| said.contains(w))
}

/// Whether any tool matches `words` at all.
pub fn any_matches(tools: &[Tool], words: &[String]) -> bool {
    tools.iter().any(|t| score(t, tools, words) > 0.0)
}
