//! Bounds: numbers a question gives as a limit, for parameters such as `max_price`.
//!
//! "Headphones under 50 dollars" asks for at most 50, "laptops rated 4 or better" for at least
//! 4. A schema says a number parameter is a bound by its name (`max_price`, `min_rating`) or its
//! description ("costing at most this"); the question says it with a phrase before the number
//! (*under*, *at least*) or after it (*or more*). The phrases are in `data/bounds.txt`.
//!
//! Which bound goes to which parameter is decided by the words around it: the word before
//! the phrase (*rated* at least 4) and the unit after the number (50 *dollars*) are compared with
//! the parameter's name and description, so `min_rating` takes "rated 4 or better" and
//! `max_price` takes "below 100 dollars" even in one question.

use crate::entities::{number_of, period_of};
use crate::tool::Tool;
use crate::words::{data_lines, stems};
use serde_json::Value;
use std::sync::LazyLock;

/// Which end of a range a bound or a date limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Edge {
    /// At least (`min_…`, `since`).
    Lower,
    /// At most (`max_…`, `until`).
    Upper,
}

/// A limit the question names.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// Which end it limits.
    pub edge: Edge,
    /// The number.
    pub value: f64,
    /// The lowercase words it is made of (the phrase, the number, its unit).
    pub words: Vec<String>,
    /// The words around it that say what it limits (*rated*, *dollars*).
    pub context: Vec<String>,
    /// The indices of its tokens in the question.
    pub at: Vec<usize>,
}

/// `data/bounds.txt`, parsed once.
struct Phrases {
    /// `(edge, before the number?, words)`.
    leads: Vec<(Edge, bool, Vec<&'static str>)>,
    /// Unit words after a number.
    units: Vec<&'static str>,
    /// Name words of a bound parameter, per edge.
    names: Vec<(Edge, Vec<&'static str>)>,
    /// Description phrases of a bound parameter, per edge.
    described: Vec<(Edge, String)>,
}

static PHRASES: LazyLock<Phrases> = LazyLock::new(|| {
    let mut p = Phrases {
        leads: Vec::new(),
        units: Vec::new(),
        names: Vec::new(),
        described: Vec::new(),
    };
    let edge = |w: &str| if w == "max" { Edge::Upper } else { Edge::Lower };
    for line in data_lines(include_str!("../data/bounds.txt")) {
        let words: Vec<&'static str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["unit", rest @ ..] => p.units.extend(rest),
            ["name", e, ..] => p.names.push((edge(e), words[1..].to_vec())),
            ["described", e, rest @ ..] => p.described.push((edge(e), rest.join(" "))),
            [e, place, rest @ ..] if !rest.is_empty() => {
                p.leads.push((edge(e), *place == "before", rest.to_vec()))
            }
            _ => {}
        }
    }
    p
});

/// Whether the lowercase tokens at `i` are `phrase`.
fn says(lower: &[String], i: usize, phrase: &[&str]) -> bool {
    i + phrase.len() <= lower.len() && phrase.iter().enumerate().all(|(k, w)| lower[i + k] == *w)
}

/// The bounds in a question's tokens. A number that counts a period ("over 5 days") is no
/// bound.
pub fn find(tokens: &[String]) -> Vec<Bound> {
    let lower: Vec<String> = tokens.iter().map(|t| t.to_ascii_lowercase()).collect();
    let mut found = Vec::new();
    for (i, tok) in lower.iter().enumerate() {
        let Some(value) = number_of(tok) else {
            continue;
        };
        if lower
            .get(i + 1)
            .is_some_and(|next| period_of(next, Some(tok)).is_some())
        {
            continue;
        }
        let mut at = vec![i];
        let mut context = Vec::new();
        let mut edge = None;
        let mut before = i;
        for (e, is_before, phrase) in &PHRASES.leads {
            if *is_before && i >= phrase.len() && says(&lower, i - phrase.len(), phrase) {
                edge = Some(*e);
                before = i - phrase.len();
                at.extend(before..i);
                break;
            }
        }
        // A unit right after the number belongs to it ("50 dollars"), before any phrase after.
        let mut after = i + 1;
        if lower
            .get(after)
            .is_some_and(|w| PHRASES.units.contains(&w.as_str()))
        {
            context.push(lower[after].clone());
            at.push(after);
            after += 1;
        }
        if edge.is_none() {
            for (e, is_before, phrase) in &PHRASES.leads {
                if !*is_before && says(&lower, after, phrase) {
                    edge = Some(*e);
                    at.extend(after..after + phrase.len());
                    break;
                }
            }
        }
        let Some(edge) = edge else {
            continue;
        };
        if tok.starts_with('$') {
            context.push("dollars".into());
        }
        if let Some(w) = before.checked_sub(1).map(|j| lower[j].clone()) {
            context.push(w);
        }
        at.sort_unstable();
        found.push(Bound {
            edge,
            value,
            words: at.iter().map(|&j| lower[j].clone()).collect(),
            context,
            at,
        });
    }
    found
}

/// Which end a number parameter limits, from its name (`max_price`) or its description ("at
/// least this"); `None` for a plain number (`num_results`).
pub fn edge_of(name: &str, schema: &Value) -> Option<Edge> {
    let words = crate::words::split_words(name);
    let by_name = PHRASES
        .names
        .iter()
        .find(|(_, names)| words.iter().any(|w| names.contains(&w.as_str())));
    let description =
        crate::words::split_words(schema["description"].as_str().unwrap_or_default()).join(" ");
    let padded = format!(" {description} ");
    let by_description = || {
        PHRASES
            .described
            .iter()
            .find(|(_, phrase)| padded.contains(&format!(" {phrase} ")))
    };
    by_name
        .map(|(e, _)| *e)
        .or_else(|| by_description().map(|(e, _)| *e))
}

/// The words a parameter is known by: its name's and its description's, stemmed.
fn param_words(name: &str, schema: &Value) -> Vec<String> {
    let mut words = stems(name);
    words.extend(stems(schema["description"].as_str().unwrap_or_default()));
    words
}

/// Whether the bound's context names the parameter (*rated* → `min_rating`).
fn names_param(bound: &Bound, name: &str, schema: &Value) -> bool {
    let words = param_words(name, schema);
    bound
        .context
        .iter()
        .any(|c| words.contains(&crate::words::stem(c)))
}

/// The index in `bounds` of the bound for parameter `name` of `tool`, skipping `used` ones. With
/// one parameter of its edge, the first bound of that edge; with several, the one whose context
/// names this parameter.
pub fn pick(
    bounds: &[Bound],
    used: &[usize],
    tool: &Tool,
    name: &str,
    schema: &Value,
) -> Option<usize> {
    let edge = edge_of(name, schema)?;
    let props = tool.properties();
    let rivals = props
        .iter()
        .filter(|(n, s)| crate::arguments::schema_is_number(s) && edge_of(n, s) == Some(edge))
        .count();
    let candidates = (0..bounds.len()).filter(|i| !used.contains(i) && bounds[*i].edge == edge);
    let mut candidates: Vec<usize> = candidates.collect();
    if rivals > 1 || candidates.len() > 1 {
        let named: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|i| names_param(&bounds[*i], name, schema))
            .collect();
        if rivals > 1 || !named.is_empty() {
            candidates = named;
        }
    }
    candidates.first().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn phrases_before_and_after_the_number() {
        let b = find(&toks("keyboards below 100 dollars rated 4 or better"));
        assert_eq!(b.len(), 2);
        assert_eq!((b[0].edge, b[0].value), (Edge::Upper, 100.0));
        assert_eq!(b[0].words, ["below", "100", "dollars"]);
        assert_eq!((b[1].edge, b[1].value), (Edge::Lower, 4.0));
        assert_eq!(b[1].context, ["rated"]);
        assert_eq!(
            find(&toks("headphones under $200"))[0].context,
            ["dollars", "headphones"]
        );
    }

    #[test]
    fn counts_and_plain_numbers_are_no_bounds() {
        assert!(find(&toks("weather over 5 days")).is_empty());
        assert!(find(&toks("top 10 results")).is_empty());
        assert!(find(&toks("under the bridge")).is_empty());
    }

    #[test]
    fn parameters_are_bounds_by_name_or_description() {
        let none = serde_json::json!({});
        assert_eq!(edge_of("max_price", &none), Some(Edge::Upper));
        assert_eq!(edge_of("minRating", &none), Some(Edge::Lower));
        let d = serde_json::json!({"description": "Only products rated at least this."});
        assert_eq!(edge_of("stars", &d), Some(Edge::Lower));
        assert_eq!(edge_of("num_results", &none), None);
    }
}
