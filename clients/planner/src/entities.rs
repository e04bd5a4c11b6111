//! Entities: the things a question names, ready to become tool arguments.
//!
//! This is the first stage of planning. Reading the question word by word, it keeps what a tool
//! argument could be made of:
//!
//! - names the server told us about, through the [`Vocabulary`] (`nvidia` → `NVDA`);
//! - codes in capitals the server did not list (`ZZZZ`): probably a value too, and the server's
//!   error will say so;
//! - places: capitalised words after the first (`Paris`, `New York`), or any word after *in*,
//!   *at*, *for* that says no tool word;
//! - periods in the `5d`/`1mo`/`1y` notation, written so or in words (`three months`);
//! - plain numbers, and quoted strings;
//! - bounds (*under 50 dollars*, [`crate::bounds`]) and the days a question limits results to
//!   (*since March*, [`crate::dates`]), relative to the day the planner is given.
//!
//! The words used up by entities are remembered, so that the next stage (tool choice) does not
//! count "Apple" as a word about tools.

use crate::bounds::{self, Bound};
use crate::dates::{self, Span};
use crate::vocabulary::{Vocabulary, is_code};
use crate::words::{data_lines, is_stopword, is_tool_word};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// A value the server listed, named in the question.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    /// Its argument kind (`symbol`).
    pub kind: String,
    /// The value to send (`NVDA`).
    pub value: String,
    /// The lowercase word of the question that named it (`nvidia`).
    pub word: String,
}

/// What the question talks about, in the order it says it.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Entities {
    /// Values from the vocabulary (not places).
    pub named: Vec<Named>,
    /// Unlisted words in capitals (`ZZZZ`).
    pub codes: Vec<String>,
    /// Place names (`Paris`, `New York`).
    pub places: Vec<String>,
    /// Plain numbers.
    pub numbers: Vec<f64>,
    /// For each plain number, whether it counts a period ("30 days"): such a number is the
    /// period's, so only a parameter that must have a number takes it.
    pub counts_period: Vec<bool>,
    /// For each plain number, its token as written (`3`, `three`).
    pub number_words: Vec<String>,
    /// Limits: "under 50 dollars", "rated 4 or better".
    pub bounds: Vec<Bound>,
    /// The days the question limits results to, if it names any.
    pub span: Option<Span>,
    /// The question's tokens as written, quoted strings left out: what free text is made of.
    pub tokens: Vec<String>,
    /// The question as asked.
    pub question: String,
    /// Periods in the `1d`/`5d`/`1mo`/`1y` notation.
    pub periods: Vec<String>,
    /// Quoted strings.
    pub quoted: Vec<String>,
    /// Lowercase words that named entities (left out of tool scoring).
    pub used_words: Vec<String>,
}

impl Entities {
    /// Whether the question named nothing at all.
    pub fn is_empty(&self) -> bool {
        self.named.is_empty()
            && self.codes.is_empty()
            && self.places.is_empty()
            && self.numbers.is_empty()
            && self.periods.is_empty()
            && self.quoted.is_empty()
            && self.bounds.is_empty()
            && self.span.is_none()
    }

    /// The values a parameter of entity kind `kind` can take: the listed ones of that kind, then
    /// unlisted codes.
    pub fn values_of(&self, kind: &str) -> Vec<String> {
        let listed = self.named.iter().filter(|n| n.kind == kind);
        let values = listed.map(|n| n.value.clone());
        values.chain(self.codes.iter().cloned()).collect()
    }

    /// Keeps, of kind `kind`, only `value` (for one call of several): the other values of the
    /// kind, and unlisted codes, are dropped.
    pub fn only(&self, kind: &str, value: &str) -> Entities {
        let mut one = self.clone();
        one.named.retain(|n| n.kind != kind);
        one.codes.clear();
        let word = self.named.iter().find(|n| n.value == value);
        let word = word.map(|n| n.word.clone()).unwrap_or_default();
        one.named.push(Named {
            kind: kind.to_string(),
            value: value.to_string(),
            word,
        });
        one
    }
}

/// Number words: `data/numbers.txt`.
static NUMBER_WORDS: LazyLock<HashMap<&'static str, u32>> = LazyLock::new(|| {
    data_lines(include_str!("../data/numbers.txt"))
        .filter_map(|l| l.split_once(char::is_whitespace))
        .filter_map(|(w, n)| Some((w, n.trim().parse().ok()?)))
        .collect()
});

/// Words before a period that belong to it: `data/period_leads.txt`.
static PERIOD_LEADS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| data_lines(include_str!("../data/period_leads.txt")).collect());

/// Period words and their size: `data/periods.txt` (`week 5 d`).
static PERIOD_WORDS: LazyLock<HashMap<&'static str, (u32, &'static str)>> = LazyLock::new(|| {
    data_lines(include_str!("../data/periods.txt"))
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let word = parts.next()?;
            let count = parts.next()?.parse().ok()?;
            Some((word, (count, parts.next()?)))
        })
        .collect()
});

/// A period in the `1d`/`5d`/`1mo`/`1y` notation: already written so (`5d`, `ytd`), or a period
/// word counted by the word before it (`three months` → `3mo`, `a week` → `5d`).
pub fn period_of(word: &str, prev: Option<&str>) -> Option<String> {
    let w = word.to_ascii_lowercase();
    let digits: String = w.chars().take_while(|c| c.is_ascii_digit()).collect();
    let unit = &w[digits.len()..];
    if (!digits.is_empty() && ["d", "wk", "mo", "y", "h", "m"].contains(&unit)) || w == "ytd" {
        return Some(w);
    }
    let n = prev
        .and_then(|p| NUMBER_WORDS.get(p).copied().or_else(|| p.parse().ok()))
        .unwrap_or(1);
    let (count, unit) = PERIOD_WORDS.get(w.trim_end_matches('s'))?;
    Some(format!("{}{unit}", n * count))
}

/// A number written in digits (`5`, `$12.5`) or as a word (`three`).
pub(crate) fn number_of(word: &str) -> Option<f64> {
    let n = NUMBER_WORDS.get(word).map(|n| f64::from(*n));
    // Digits only: Rust would also read "nan" and "inf" as numbers.
    let digits = word.trim_start_matches('$');
    let parsed = || {
        digits
            .parse()
            .ok()
            .filter(|_| digits.starts_with(|c: char| c.is_ascii_digit()))
    };
    n.or_else(parsed).filter(|n: &f64| n.is_finite())
}

/// Splits a question into its quoted strings and the rest.
fn take_quoted(question: &str) -> (Vec<String>, String) {
    let (mut quoted, mut rest, mut cur) = (Vec::new(), String::new(), String::new());
    let mut in_quote = false;
    for c in question.chars() {
        match c {
            '"' if in_quote => quoted.push(std::mem::take(&mut cur)),
            '"' => {}
            c if in_quote => cur.push(c),
            c => rest.push(c),
        }
        if c == '"' {
            in_quote = !in_quote;
        }
    }
    (quoted, rest)
}

/// The question's tokens: words with their punctuation cut, and commas kept as tokens of their
/// own, because a comma ends a place name ("Paris, London and Oslo").
fn tokens(text: &str) -> Vec<String> {
    text.replace(',', " , ")
        .split(|c: char| c.is_whitespace() || ";?!()".contains(c))
        .map(|t| t.trim_matches(|c: char| c == '.' || c == ':' || c == '\''))
        .map(|t| t.strip_suffix("'s").unwrap_or(t))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether an argument kind holds places (`city`, `location`): `data/argument_kinds.txt`.
pub fn is_place_kind(kind: &str) -> bool {
    let kinds = crate::arguments::kind_words();
    let k = kind.to_ascii_lowercase();
    kinds
        .get("place")
        .is_some_and(|words| words.iter().any(|w| k.contains(w)))
}

/// Pulls the entities out of a question (see the module documentation); relative dates count
/// from `today`.
pub fn extract(question: &str, vocabulary: &Vocabulary, today: NaiveDate) -> Entities {
    let (quoted, rest) = take_quoted(question);
    let tokens = tokens(&rest);
    let mut e = Entities {
        quoted,
        bounds: bounds::find(&tokens),
        span: dates::find(&tokens, today),
        tokens: tokens.clone(),
        question: question.trim().to_string(),
        ..Entities::default()
    };
    // A bound's number and a month name are not read again as a number or a place.
    let mut taken: Vec<usize> = e.bounds.iter().flat_map(|b| b.at.clone()).collect();
    taken.extend(e.span.iter().flat_map(|s| s.at.clone()));
    let mut i = 0;
    while i < tokens.len() {
        i = if taken.contains(&i) {
            i + 1
        } else {
            read_token(&tokens, i, vocabulary, &mut e) + 1
        };
    }
    e
}

/// Reads the entity that starts at token `i`, if any, and returns the index of its last token.
fn read_token(tokens: &[String], i: usize, vocabulary: &Vocabulary, e: &mut Entities) -> usize {
    let tok = tokens[i].as_str();
    let lower = tok.to_ascii_lowercase();
    let prev = i.checked_sub(1).map(|j| tokens[j].to_ascii_lowercase());
    if let Some(p) = period_of(tok, prev.as_deref()) {
        e.periods.push(p);
        e.used_words.push(lower);
        e.used_words.extend(period_lead(tokens, i));
    } else if let Some(n) = number_of(&lower) {
        let next = tokens.get(i + 1);
        let counts = next.is_some_and(|w| period_of(w, Some(&lower)).is_some());
        e.numbers.push(n);
        e.counts_period.push(counts);
        e.number_words.push(lower);
    } else if let Some(entity) = vocabulary.find(&lower) {
        if is_place_kind(&entity.kind) {
            e.places.push(entity.value.clone());
        } else if !e.named.iter().any(|n| n.value == entity.value) {
            e.named.push(Named {
                kind: entity.kind.clone(),
                value: entity.value.clone(),
                word: lower.clone(),
            });
        }
        e.used_words.push(lower);
    } else if is_code(tok) && !is_stopword(tok) {
        e.codes.push(tok.to_string());
        e.used_words.push(lower);
    } else if is_place_start(tok, i, prev.as_deref()) {
        return read_place(tokens, i, e);
    }
    i
}

/// The words before the period word at `i` that belong to it: its count (`5`, `three`) and
/// a lead word before that (`last`, `this`: `data/period_leads.txt`).
fn period_lead(tokens: &[String], i: usize) -> Vec<String> {
    let mut lead = Vec::new();
    let mut j = i;
    while j > 0 && lead.len() < 2 {
        let w = tokens[j - 1].to_ascii_lowercase();
        let is_count = lead.is_empty() && number_of(&w).is_some();
        if !is_count && !PERIOD_LEADS.contains(w.as_str()) {
            break;
        }
        lead.push(w);
        j -= 1;
    }
    lead
}

/// Whether token `i` starts a place name: a capitalised word that is not the first, or any
/// plain word after *in*/*at*/*for* that is no tool word ("weather in paris").
fn is_place_start(tok: &str, i: usize, prev: Option<&str>) -> bool {
    let lower = tok.to_ascii_lowercase();
    let capitalised = tok.chars().next().is_some_and(char::is_uppercase) && i > 0;
    let after_preposition = prev.is_some_and(|p| ["in", "at", "for"].contains(&p));
    let plausible = lower.chars().all(char::is_alphabetic) && !is_stopword(&lower);
    plausible && (capitalised || (after_preposition && !is_tool_word(&lower)))
}

/// Reads a place name from token `i`, joining the capitalised words that follow ("New York"),
/// and returns the index of its last token.
fn read_place(tokens: &[String], mut i: usize, e: &mut Entities) -> usize {
    let mut name = tokens[i].clone();
    e.used_words.push(tokens[i].to_ascii_lowercase());
    while i + 1 < tokens.len()
        && tokens[i + 1].chars().next().is_some_and(char::is_uppercase)
        && !is_stopword(&tokens[i + 1])
    {
        i += 1;
        name.push(' ');
        name.push_str(&tokens[i]);
        e.used_words.push(tokens[i].to_ascii_lowercase());
    }
    let mut chars = name.chars();
    let name = match chars.next() {
        Some(f) => f.to_uppercase().collect::<String>() + chars.as_str(),
        None => name,
    };
    e.places.push(name);
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_in_notation_and_in_words() {
        assert_eq!(period_of("5d", None).as_deref(), Some("5d"));
        assert_eq!(period_of("months", Some("three")).as_deref(), Some("3mo"));
        assert_eq!(period_of("week", Some("a")).as_deref(), Some("5d"));
        assert_eq!(period_of("weeks", Some("2")).as_deref(), Some("10d"));
        assert_eq!(period_of("quarter", None).as_deref(), Some("3mo"));
        assert_eq!(period_of("price", None), None);
    }

    #[test]
    fn a_comma_ends_a_place_name() {
        let e = extract(
            "weather in Paris, London and New York",
            &Vocabulary::default(),
            NaiveDate::MIN,
        );
        assert_eq!(e.places, ["Paris", "London", "New York"]);
    }

    #[test]
    fn listed_names_and_unlisted_codes() {
        let mut v = Vocabulary::default();
        v.add("symbol", "ABCD", &["Abacus Dynamics".into()]);
        let e = extract("abacus versus ZZZZ, \"exact text\"", &v, NaiveDate::MIN);
        assert_eq!(e.values_of("symbol"), ["ABCD", "ZZZZ"]);
        assert_eq!(e.quoted, ["exact text"]);
    }
}
