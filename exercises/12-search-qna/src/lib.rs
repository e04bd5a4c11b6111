//! Exercise 12: scoring answers for a question-answering tool (lesson 5.9).
//!
//! A search engine always ranks *something* first, even for a question it knows nothing
//! about. A question-answering tool must also know when to say "no answer". The workshop's
//! search server does it in two steps, and this exercise is the second one:
//!
//! 1. **Retrieve** candidate passages (the search server uses BM25; here the knowledge base is
//!    small enough to consider every entry).
//! 2. **Answer**: score each entry by its **coverage**, the share of the question's content
//!    words that the entry's question and passage contain; answer from the best entry only if
//!    it covers at least [`MIN_COVERAGE`]; the answer is the passage's sentence holding the
//!    most question words.
//!
//! Check your work with `cargo xtask check 12`.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use stock_server::market::{Percent, STOCKS};

/// The share of the question's words an entry must cover to answer it.
pub const MIN_COVERAGE: f64 = 0.6;

/// One knowledge-base entry: a question and the passage answering it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Stable id (`qna-msft-dividend`).
    pub id: String,
    /// The question the entry answers.
    pub question: String,
    /// The passage: one or more sentences.
    pub passage: String,
}

/// The knowledge base: four entries per ticker, from the stock server's figures.
pub fn knowledge_base() -> Vec<Entry> {
    let mut kb = Vec::new();
    for s in &STOCKS {
        let low = s.symbol.to_ascii_lowercase();
        let (sym, name) = (s.symbol, s.name);
        let entry = |topic: &str, question: String, passage: String| Entry {
            id: format!("qna-{low}-{topic}"),
            question,
            passage,
        };
        kb.push(entry(
            "pe",
            format!("What is the price-to-earnings ratio of {name}?"),
            format!(
                "{name} ({sym}) trades at a price-to-earnings ratio of {:.2}. The ratio divides \
                 the share price, ${:.2}, by the earnings per share.",
                s.pe_ratio, s.price
            ),
        ));
        kb.push(entry(
            "dividend",
            format!("Does {name} pay a dividend?"),
            if s.dividend_yield > 0.0 {
                format!(
                    "Yes. {name} ({sym}) pays a dividend with a yield of {}.",
                    Percent(s.dividend_yield)
                )
            } else {
                format!("No. {name} ({sym}) pays no dividend; it reinvests its earnings.")
            },
        ));
        kb.push(entry(
            "sector",
            format!("Which sector is {name} in?"),
            format!("{name} ({sym}) is in the {} sector.", s.sector),
        ));
        kb.push(entry(
            "price",
            format!("What is the share price of {name}?"),
            format!(
                "Shares of {name} ({sym}) cost ${:.2}. Prices in the workshop never change.",
                s.price
            ),
        ));
    }
    kb
}

/// Words that carry no meaning in a question.
const STOP_WORDS: [&str; 24] = [
    "a", "an", "and", "are", "by", "do", "does", "for", "how", "in", "is", "it", "its", "of", "on",
    "or", "the", "to", "what", "whats", "which", "who", "with", "s",
];

/// The content words of `text`: lower-case, split on anything but letters and digits, stop
/// words and one-letter words dropped, a plural `s` removed (`dividends` → `dividend`).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 2 && !STOP_WORDS.contains(&w.as_str()))
        .map(|w| match w.strip_suffix('s') {
            Some(stem) if stem.chars().count() >= 3 && !stem.ends_with('s') => stem.to_string(),
            _ => w,
        })
        .collect()
}

/// The passage's sentences: split after `.`, `?` or `!` when the next word starts with a
/// capital letter, so "$175.50" stays whole.
pub fn sentences(passage: &str) -> Vec<String> {
    let tokens: Vec<&str> = passage.split_whitespace().collect();
    let mut out = Vec::new();
    let mut current = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        current.push(*token);
        let ends = token.ends_with(['.', '?', '!']);
        let next_capital = tokens
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

/// The result of `qna`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Answer {
    /// Whether the knowledge base answers the question.
    pub answered: bool,
    /// The answering sentence (when answered).
    pub answer: Option<String>,
    /// The id of the entry it came from (when answered).
    pub entry_id: Option<String>,
    /// The whole passage it came from (when answered).
    pub passage: Option<String>,
    /// The best entry's coverage, 0 to 1 (0 when the question has no words).
    pub coverage: f64,
}

/// The share of `question` words present in `text`: found ÷ total, and 0.0 for an empty
/// question.
pub fn coverage(question: &[String], text: &HashSet<String>) -> f64 {
    // TODO: count the question words `text` contains and divide by the number of question
    // words. Mind the empty question.
    let _ = (question, text);
    todo!("coverage")
}

/// Answers `question` from `kb`.
///
/// - The question's words are `words(question)` (each counted once).
/// - An entry's words are the words of its question and its passage together.
/// - The best entry has the highest coverage; on a tie, the one that comes first in `kb`.
/// - It answers only if its coverage is at least [`MIN_COVERAGE`]; otherwise the answer is
///   `answered: false` with no answer, entry or passage, but still the best coverage.
/// - The answer is the passage sentence with the highest coverage (the first on a tie).
pub fn best_answer(question: &str, kb: &[Entry]) -> Answer {
    // TODO: score every entry with `coverage`, keep the best, and decide whether it answers.
    // `words` and `sentences` are written for you.
    let _ = (question, kb);
    todo!("best_answer")
}

/// The tool's arguments.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct QnaArgs {
    /// A question in plain words.
    pub question: String,
}

/// A server with one tool, `qna`, over [`knowledge_base`].
#[derive(Debug, Clone)]
pub struct QnaServer;

#[tool_router]
impl QnaServer {
    /// Answer a question about the seven listed companies from the knowledge base, or say
    /// that it has no answer.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn qna(&self, Parameters(args): Parameters<QnaArgs>) -> Json<Answer> {
        Json(best_answer(&args.question, &knowledge_base()))
    }
}

#[tool_handler]
impl ServerHandler for QnaServer {}
