//! Free text: the parameters that take the question's own words (`query`, `question`).
//!
//! A search tool's `query` wants the topic, not the request: "search the web for MCP sampling"
//! is `MCP sampling`. A question-answering tool's `question` wants the question as asked, minus
//! any words that only chose the tool: "ask the knowledge base: who runs it?" is `who runs it?`.
//! Which style a parameter takes is read from a word of its name (`data/free_text.txt`).
//!
//! What is left for free text is what nothing else took:
//!
//! - words that carry no meaning (*the*, *please*) and words about the request or its results
//!   (*find*, *latest*, *results*: the `filler` list) are left out;
//! - so are the words the other parameters were filled from (*under 50 dollars* went to
//!   `max_price`, *this month* to `since`) and the words of the tool's own name and parameter
//!   names (*news* in `news_search`);
//! - words that name or describe **any** of the server's tools are left out only at the ends of
//!   the question ("search **the web** for MCP sampling"), where they say which tool; in the
//!   middle they are the topic. A name the question says (`MCP`, `Tesla`) is always kept. So
//!   "search the web" has no topic at all, for any tool, and plans no call.

use crate::entities::Entities;
use crate::tool::Tool;
use crate::words::{canonical, data_sections, is_stopword, split_words, stem, stems};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::LazyLock;

/// How a free-text parameter wants the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// The topic's words (`query`, `q`, `keywords`).
    Keywords,
    /// The question as asked (`question`, `prompt`).
    Sentence,
}

/// `data/free_text.txt`, parsed once.
static LISTS: LazyLock<HashMap<&'static str, Vec<&'static str>>> =
    LazyLock::new(|| data_sections(include_str!("../data/free_text.txt")));

/// Whether `word` (lowercase) is filler: about the request, never its topic.
fn is_filler(word: &str) -> bool {
    ["filler", "filler_said"]
        .iter()
        .any(|section| LISTS.get(section).is_some_and(|l| l.contains(&word)))
}

/// Whether a question reads as a follow-up: its first word (or its second, "what *about*…") is
/// one of the `follow_up` words.
pub fn is_follow_up(question: &str) -> bool {
    let words = split_words(question);
    let lead = |w: Option<&String>| {
        w.is_some_and(|w| {
            LISTS
                .get("follow_up")
                .is_some_and(|l| l.contains(&w.as_str()))
        })
    };
    lead(words.first()) || lead(words.get(1))
}

/// The free-text style of a string parameter, from a word of its name.
pub fn style_of(name: &str) -> Option<Style> {
    let words = split_words(name);
    let says = |section: &str| {
        LISTS
            .get(section)
            .is_some_and(|l| words.iter().any(|w| l.contains(&w.as_str())))
    };
    if says("keywords") {
        Some(Style::Keywords)
    } else if says("sentence") {
        Some(Style::Sentence)
    } else {
        None
    }
}

/// A tool's own words: of its name and parameter names, and of its description, stemmed.
struct ToolWords {
    /// Name and parameter-name words.
    names: Vec<String>,
    /// Description words.
    description: Vec<String>,
}

impl ToolWords {
    fn of(tool: &Tool) -> ToolWords {
        let mut names = stems(&tool.name);
        names.extend(tool.properties().keys().flat_map(|k| stems(k)));
        ToolWords {
            names,
            description: stems(&tool.description),
        }
    }

    /// The words of all of `tools` together.
    fn of_all(tools: &[Tool]) -> ToolWords {
        let mut all = ToolWords {
            names: Vec::new(),
            description: Vec::new(),
        };
        for t in tools {
            let w = ToolWords::of(t);
            all.names.extend(w.names);
            all.description.extend(w.description);
        }
        all
    }

    /// Whether the lowercase `word`, plainly stemmed or as its synonym, is in `list`.
    fn has(list: &[String], word: &str) -> bool {
        list.contains(&stem(word)) || list.contains(&canonical(word))
    }
}

/// The question's topic for a `Keywords` parameter of `tool` (one of the server's `tools`),
/// leaving out the `consumed` words (lowercase) other parameters were filled from. May be empty.
pub fn keywords(e: &Entities, tool: &Tool, tools: &[Tool], consumed: &[String]) -> String {
    let words = ToolWords::of(tool);
    let any = ToolWords::of_all(tools);
    let lower: Vec<String> = e.tokens.iter().map(|t| t.to_lowercase()).collect();
    // Left out anywhere in the question.
    let never = |w: &str| {
        !w.chars().any(char::is_alphanumeric)
            || is_stopword(w)
            || is_filler(w)
            || consumed.iter().any(|c| c == w)
            || ToolWords::has(&words.names, w)
    };
    // Left out at the ends: also any tool's words, unless they name something.
    let says_a_tool = |w: &str| {
        ToolWords::has(&words.description, w)
            || ToolWords::has(&any.names, w)
            || ToolWords::has(&any.description, w)
    };
    let at_ends = |w: &str| never(w) || (says_a_tool(w) && !e.used_words.iter().any(|u| u == w));
    let start = lower
        .iter()
        .position(|w| !at_ends(w))
        .unwrap_or(lower.len());
    let end = lower
        .iter()
        .rposition(|w| !at_ends(w))
        .map_or(start, |i| i + 1);
    let mut kept: Vec<String> = (start..end.max(start))
        .filter(|&i| !never(&lower[i]))
        .map(|i| e.tokens[i].clone())
        .collect();
    kept.extend(e.quoted.iter().map(|q| format!("\"{q}\"")));
    kept.join(" ")
}

/// The question as asked for a `Sentence` parameter of `tool`, after the words at its start
/// that only chose the tool ("ask the knowledge base:", "research"). `None` when nothing is
/// left.
pub fn sentence(e: &Entities, tool: &Tool) -> Option<String> {
    let words = ToolWords::of(tool);
    let raw: Vec<&str> = e.question.split_whitespace().collect();
    let mut cut = 0;
    for (i, w) in raw.iter().enumerate() {
        let w = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        if e.used_words.contains(&w) {
            break;
        }
        let says_tool = is_filler(&w)
            || ToolWords::has(&words.names, &w)
            || ToolWords::has(&words.description, &w);
        if says_tool {
            cut = i + 1;
        } else if !is_stopword(&w) {
            break;
        }
    }
    // After the words that chose the tool, the question starts at its first meaningful word
    // ("research the rate limits…" asks about "rate limits…").
    if cut > 0 {
        while raw.get(cut).is_some_and(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            is_stopword(w) && !e.used_words.contains(&w.to_lowercase())
        }) {
            cut += 1;
        }
    }
    let rest = raw[cut..].join(" ");
    (!rest.trim().is_empty()).then_some(rest)
}

/// The values a parameter's description lists in prose ("…this publisher: Workshop Wire,
/// Classroom Times or The Localhost Post."), as a model would read them.
pub fn described_values(schema: &Value) -> Vec<String> {
    let description = schema["description"].as_str().unwrap_or_default();
    let Some((_, list)) = description.rsplit_once(':') else {
        return Vec::new();
    };
    let list = list.split_whitespace().collect::<Vec<_>>().join(" ");
    let list = list.trim_end_matches('.');
    let values: Vec<String> = list
        .split(", ")
        .flat_map(|v| v.split(" or "))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    // A list has a few short names; anything else is a sentence.
    let short = values.iter().all(|v| v.split(' ').count() <= 4);
    if values.len() >= 2 && short {
        values
    } else {
        Vec::new()
    }
}

/// The first of `values` the question says, as whole words in any case.
pub fn said<'v>(values: &'v [String], e: &Entities) -> Option<&'v String> {
    let question = format!(" {} ", split_words(&e.question).join(" "));
    values
        .iter()
        .find(|v| question.contains(&format!(" {} ", split_words(v).join(" "))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_say_the_style() {
        assert_eq!(style_of("query"), Some(Style::Keywords));
        assert_eq!(style_of("searchTerms"), Some(Style::Keywords));
        assert_eq!(style_of("question"), Some(Style::Sentence));
        assert_eq!(style_of("symbol"), None);
    }

    #[test]
    fn prose_lists_are_read_and_sentences_are_not() {
        let d = json!({"description": "Only news from this publisher: Workshop Wire, Classroom Times or The\nLocalhost Post."});
        assert_eq!(
            described_values(&d),
            ["Workshop Wire", "Classroom Times", "The Localhost Post"]
        );
        let d = json!({"description": "What to search for: plain words work, and so do exact phrases in quotes."});
        assert!(described_values(&d).is_empty());
    }
}
