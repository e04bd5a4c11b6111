//! Tool choice: which of the server's tools the question's words are about.
//!
//! Each tool gets a score from the question's words that are not entities (normalised by
//! [`crate::words`]): a word of the tool's **name** counts most, divided by how many tools
//! share it (`stock` in five tool names tells little, `history` in one tells a lot); a word of a
//! **parameter name** counts 1, a word of the **description** ½. The best-scoring tool whose
//! required arguments can be filled wins; ties keep the server's order.

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
        if name_words.contains(&c) {
            total += 3.0 / tools_named_with(tools, &c) as f64;
        } else if param_words.contains(&c) {
            total += 1.0;
        } else if desc_words.contains(&c) {
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

/// The tools with a positive score, best first (ties in the server's order), as indices.
pub fn ranked(tools: &[Tool], words: &[String]) -> Vec<usize> {
    let mut scored: Vec<(f64, usize)> = tools
        .iter()
        .enumerate()
        .map(|(i, t)| (score(t, tools, words), i))
        .filter(|(s, _)| *s > 0.0)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| i).collect()
}

/// Whether any tool matches `words` at all.
pub fn any_matches(tools: &[Tool], words: &[String]) -> bool {
    tools.iter().any(|t| score(t, tools, words) > 0.0)
}
