//! Question answering: the best answer from the knowledge base, or an honest "no answer".
//!
//! Retrieval and answering are two steps:
//!
//! 1. **Retrieve.** The question, reduced to plain words (a question mark or an apostrophe is
//!    not query syntax), is a BM25 search over the knowledge base; the top [`CANDIDATES`]
//!    come back.
//! 2. **Answer.** BM25 always ranks *something* first, even for a question the knowledge base
//!    knows nothing about, so rank alone cannot say "I don't know". Each candidate is scored
//!    by its **coverage**: the share of the question's content words (analysed the way the
//!    index analyses them: stemmed, stop words dropped) that its question and passage contain.
//!    The best candidate answers only if it covers at least [`MIN_COVERAGE`] of them; the
//!    answer is then its passage's sentence with the most question words, returned with the
//!    whole passage so the caller can check it.
//!
//! This is the scoring exercise 12 asks learners to write (`exercises/12-search-qna`).

use crate::SearchServer;
use crate::corpus::Kind;
use crate::index::Filters;
use crate::query::{self, QueryError};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::HashSet;
use std::fmt::Write;

/// How many retrieved entries are considered.
pub const CANDIDATES: usize = 5;

/// The share of the question's words an entry must cover to answer it.
pub const MIN_COVERAGE: f64 = 0.6;

/// The passage an answer came from.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Passage {
    /// Document id (`search://doc/{id}`).
    pub id: String,
    /// The knowledge-base question it answers.
    pub question: String,
    /// The whole passage.
    pub text: String,
    /// Where it lives.
    pub url: String,
}

/// The result of `qna`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Answer {
    /// The question as asked.
    pub question: String,
    /// Whether the knowledge base answers it.
    pub answered: bool,
    /// The answering sentence, when answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// Share of the question's content words the best entry covers, 0 to 1.
    pub coverage: f64,
    /// The passage the answer came from (when answered).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passage: Option<Passage>,
    /// Why there is no answer, and what came closest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Answer {
    /// Readable text for the result.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        match (&self.answer, &self.passage) {
            (Some(answer), Some(p)) => {
                let _ = writeln!(out, "{answer}");
                let _ = writeln!(out, "\nSource: {} [{}] {}", p.question, p.id, p.url);
                let _ = writeln!(out, "Passage: {}", p.text);
            }
            _ => {
                let _ = writeln!(
                    out,
                    "No answer: {}",
                    self.note
                        .as_deref()
                        .unwrap_or("the knowledge base does not cover this.")
                );
            }
        }
        out
    }
}

/// The share of `question` words found in `text`: 1.0 when every word is there, 0.0 for an
/// empty question.
pub fn coverage(question: &[String], text: &HashSet<String>) -> f64 {
    if question.is_empty() {
        return 0.0;
    }
    let found = question.iter().filter(|w| text.contains(*w)).count();
    found as f64 / question.len() as f64
}

/// The passage's sentences. A full stop ends a sentence only before a capital letter and not
/// after an abbreviation such as "Inc.", so "$175.50" and "Apple Inc. (AAPL)" stay whole.
pub fn sentences(text: &str) -> Vec<String> {
    const ABBREVIATIONS: [&str; 4] = ["Inc.", "Corp.", "Co.", "Ltd."];
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for (i, word) in words.iter().enumerate() {
        current.push(word);
        let ends = word.ends_with(['.', '?', '!']) && !ABBREVIATIONS.contains(word);
        let next_capital = words
            .get(i + 1)
            .is_none_or(|n| n.starts_with(|c: char| c.is_uppercase()));
        if ends && next_capital {
            out.push(current.join(" "));
            current.clear();
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

/// Answers `question` from the knowledge base.
pub async fn answer(server: &SearchServer, question: &str) -> Result<Answer, QueryError> {
    query::check(question)?;
    let index = &server.engine().index;
    let words = content_words(&index.analyse(question));
    let none = |note: String, coverage: f64| Answer {
        question: question.to_string(),
        answered: false,
        answer: None,
        coverage,
        passage: None,
        note: Some(note),
    };
    if words.is_empty() {
        return Ok(none(
            "the question has no words to search for; ask it in a sentence.".into(),
            0.0,
        ));
    }
    let filters = Filters {
        kind: Some(Kind::Qna),
        ..Default::default()
    };
    let hits = server
        .run_search(plain_words(question), filters, 0, CANDIDATES)
        .await?;

    // The candidate covering most question words; on a tie, the better BM25 rank (earlier).
    let mut best: Option<(f64, usize)> = None;
    for hit in &hits.hits {
        let doc = &index.docs()[hit.ord];
        let terms: HashSet<String> = index
            .analyse(&format!("{} {}", doc.title, doc.body))
            .into_iter()
            .collect();
        let c = coverage(&words, &terms);
        if best.is_none_or(|(b, _)| c > b) {
            best = Some((c, hit.ord));
        }
    }
    let Some((cov, ord)) = best else {
        return Ok(none(
            "nothing in the knowledge base matches these words.".into(),
            0.0,
        ));
    };
    let doc = &index.docs()[ord];
    let cov = (cov * 100.0).round() / 100.0;
    if cov < MIN_COVERAGE {
        return Ok(none(
            format!(
                "the closest entry (\"{}\") covers only {:.0}% of the question's words; \
                 the knowledge base does not answer this.",
                doc.title,
                cov * 100.0
            ),
            cov,
        ));
    }
    // The sentence with the most question words; the first on a tie.
    let sentence = sentences(&doc.body)
        .into_iter()
        .map(|s| {
            let terms: HashSet<String> = index.analyse(&s).into_iter().collect();
            (coverage(&words, &terms), s)
        })
        .fold(None::<(f64, String)>, |acc, (c, s)| match acc {
            Some((b, _)) if b >= c => acc,
            _ => Some((c, s)),
        })
        .map(|(_, s)| s)
        .unwrap_or_else(|| doc.body.clone());
    Ok(Answer {
        question: question.to_string(),
        answered: true,
        answer: Some(sentence),
        coverage: cov,
        passage: Some(Passage {
            id: doc.id.clone(),
            question: doc.title.clone(),
            text: doc.body.clone(),
            url: doc.url.clone(),
        }),
        note: None,
    })
}

/// Analysed words worth matching: distinct, at least two characters (the "p" and "e" of
/// "P/E" say nothing on their own).
fn content_words(analysed: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    analysed
        .iter()
        .filter(|w| w.chars().count() >= 2 && seen.insert(w.as_str()))
        .cloned()
        .collect()
}

/// The question as plain words, so punctuation ("What's", "P/E?") is never query syntax.
pub fn plain_words(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(words: &[&str]) -> HashSet<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn coverage_is_the_share_of_question_words_present() {
        let q = vec!["dividend".to_string(), "tesla".to_string()];
        assert_eq!(coverage(&q, &set(&["tesla", "dividend", "yield"])), 1.0);
        assert_eq!(coverage(&q, &set(&["tesla"])), 0.5);
        assert_eq!(coverage(&[], &set(&["tesla"])), 0.0);
    }

    #[test]
    fn sentences_keep_prices_and_abbreviations_whole() {
        assert_eq!(
            sentences("Apple Inc. (AAPL) trades at $175.50. It pays a dividend."),
            vec![
                "Apple Inc. (AAPL) trades at $175.50.",
                "It pays a dividend."
            ]
        );
    }

    #[test]
    fn plain_words_drop_punctuation() {
        assert_eq!(plain_words("What's Apple's P/E?"), "What s Apple s P E");
    }
}
