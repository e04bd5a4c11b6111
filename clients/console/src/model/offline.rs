//! The offline model: a deterministic planner over the server's tool schemas.
//!
//! A classroom may have no network and no LLM, yet learners should see the whole MCP loop:
//! *question → tool call → result → answer*. This planner plays the model's part with plain,
//! readable rules and no knowledge of any particular server:
//!
//! 1. **Entities.** It pulls out of the question what tool arguments are made of: stock symbols
//!    and company names (`AAPL`, `Apple`), places (`London`, `in paris`), numbers, periods
//!    (`5d`, `1mo`, `a year`) and quoted strings.
//! 2. **Tool choice.** Each tool is scored by how many question words (lightly stemmed, with a
//!    few English synonyms: *cost → price*, *vs → compare*) appear in its name (weighted, and
//!    rarer across tools counts more), description and parameter names; tools whose required
//!    parameters cannot be filled lose points.
//! 3. **Arguments.** Each parameter is filled by what its name and JSON Schema say it is:
//!    `symbol`/`ticker` takes a stock, `city`/`location` a place, `period` a period (or the
//!    matching `enum` value), numbers a number clamped to `minimum`/`maximum`, enums a value the
//!    question mentions, anything else its `default`.
//! 4. **Several steps.** "Compare Apple and Google" becomes one call when a tool takes two
//!    symbols, or one call per company when it takes one; "price of Tesla, then the weather in
//!    Paris" becomes one call per clause.
//! 5. **Memory.** A follow-up without tool words ("and Microsoft?") reuses the previous turn's
//!    tool with the new entities.
//! 6. **Answer.** Once results are back it phrases them, marks tool errors, and compares numbers
//!    when several calls returned one each.
//!
//! It also answers sampling requests (no tools) by extracting from the prompt's data, honouring
//! `maxTokens` and stop sequences. It never pretends to be an LLM: the banner says what it is.

mod phrase;

use super::{Message, Options, Reply, ToolCall, ToolSpec};
use serde_json::{Map, Value, json};
use stock_server::market;

/// The offline planner. Stateless: everything it knows is in the messages and tool list.
#[derive(Debug, Clone, Copy, Default)]
pub struct Offline;

const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "of",
    "for",
    "to",
    "in",
    "on",
    "at",
    "and",
    "or",
    "is",
    "are",
    "was",
    "be",
    "what",
    "whats",
    "what's",
    "how",
    "me",
    "my",
    "i",
    "you",
    "your",
    "it",
    "its",
    "it's",
    "this",
    "that",
    "please",
    "can",
    "could",
    "would",
    "will",
    "do",
    "does",
    "with",
    "by",
    "from",
    "get",
    "give",
    "show",
    "tell",
    "list",
    "fetch",
    "find",
    "current",
    "now",
    "some",
    "any",
    "then",
    "also",
    "as",
    "well",
    "than",
    "which",
    "there",
    "let",
    "us",
    "inc",
    "corp",
    "corporation",
    "com",
    "platforms",
    "co",
    "ltd",
    "like",
    "into",
    "using",
    "use",
    "want",
    "know",
    "need",
    "just",
    "all",
    "s",
    "t",
    "up",
    "about",
];

/// Everyday words mapped to the words tools are usually named with.
const SYNONYMS: &[(&str, &str)] = &[
    ("cost", "price"),
    ("costs", "price"),
    ("worth", "price"),
    ("trading", "price"),
    ("quote", "price"),
    ("value", "price"),
    ("vs", "compare"),
    ("versus", "compare"),
    ("against", "compare"),
    ("higher", "compare"),
    ("lower", "compare"),
    ("cheaper", "compare"),
    ("difference", "compare"),
    ("historical", "history"),
    ("past", "history"),
    ("performance", "history"),
    ("performed", "history"),
    ("trend", "history"),
    ("chart", "history"),
    ("information", "info"),
    ("details", "info"),
    ("profile", "info"),
    ("overview", "info"),
    ("title", "headline"),
    ("news", "headline"),
    ("temperature", "weather"),
    ("rain", "weather"),
    ("sunny", "weather"),
    ("tomorrow", "forecast"),
    ("upcoming", "forecast"),
    ("ahead", "forecast"),
];

/// Light stemming so `prices`/`price` and `comparing`/`compare` meet.
fn stem(word: &str) -> String {
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

fn canonical(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let mapped = SYNONYMS
        .iter()
        .find(|(from, _)| *from == lower)
        .map(|(_, to)| to.to_string())
        .unwrap_or(lower);
    stem(&mapped)
}

fn is_stopword(w: &str) -> bool {
    STOPWORDS.contains(&w.to_ascii_lowercase().as_str())
}

/// Splits identifiers and prose into lowercase words: `get_stock_price`, `getStockPrice`.
fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if c.is_alphanumeric() || c == '\'' {
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

/// What the question talks about, ready to become arguments.
#[derive(Debug, Default, Clone, PartialEq)]
struct Entities {
    /// Ticker symbols, in the order mentioned.
    stocks: Vec<String>,
    /// Place names.
    places: Vec<String>,
    /// Plain numbers.
    numbers: Vec<f64>,
    /// Periods in the `1d`/`5d`/`1mo`/`1y` notation.
    periods: Vec<String>,
    /// Quoted strings.
    quoted: Vec<String>,
    /// Lowercase words that named entities (excluded from tool scoring).
    used_words: Vec<String>,
}

impl Entities {
    fn is_empty(&self) -> bool {
        self.stocks.is_empty()
            && self.places.is_empty()
            && self.numbers.is_empty()
            && self.periods.is_empty()
            && self.quoted.is_empty()
    }
}

fn period_of(word: &str, prev: Option<&str>) -> Option<String> {
    let w = word.to_ascii_lowercase();
    // Already in the notation: 1d, 5d, 1wk, 1mo, 3mo, 1y, 10y, ytd, max.
    let digits: String = w.chars().take_while(|c| c.is_ascii_digit()).collect();
    let unit = &w[digits.len()..];
    if !digits.is_empty() && ["d", "wk", "mo", "y", "h", "m"].contains(&unit) {
        return Some(w);
    }
    if w == "ytd" {
        return Some(w);
    }
    let n = prev
        .and_then(|p| match p {
            "a" | "an" | "one" | "last" | "past" => Some(1),
            "two" => Some(2),
            "three" => Some(3),
            "six" => Some(6),
            p => p.parse().ok(),
        })
        .unwrap_or(1u32);
    match w.trim_end_matches('s') {
        "day" | "today" => Some(format!("{n}d")),
        "week" => Some(if n == 1 {
            "5d".into()
        } else {
            format!("{}d", n * 5)
        }),
        "month" => Some(format!("{n}mo")),
        "quarter" => Some(format!("{}mo", n * 3)),
        "year" => Some(format!("{n}y")),
        _ => None,
    }
}

fn extract(question: &str) -> Entities {
    let mut e = Entities::default();
    // Quoted strings first, so their words do not count twice.
    let mut rest = String::new();
    let mut in_quote = false;
    let mut cur = String::new();
    for c in question.chars() {
        if c == '"' {
            if in_quote {
                e.quoted.push(std::mem::take(&mut cur));
            }
            in_quote = !in_quote;
        } else if in_quote {
            cur.push(c);
        } else {
            rest.push(c);
        }
    }
    // A comma stays a token of its own: it ends a place name ("Paris, London and Oslo").
    let rest = rest.replace(',', " , ");
    let tokens: Vec<&str> = rest
        .split(|c: char| c.is_whitespace() || ";?!()".contains(c))
        .map(|t| t.trim_matches(|c: char| c == '.' || c == ':' || c == '\''))
        .map(|t| t.strip_suffix("'s").unwrap_or(t))
        .filter(|t| !t.is_empty())
        .collect();
    let mut i = 0;
    while i < tokens.len() {
        let tok = tokens[i];
        let lower = tok.to_ascii_lowercase();
        let prev = i.checked_sub(1).map(|j| tokens[j].to_ascii_lowercase());
        if let Some(p) = period_of(tok, prev.as_deref()) {
            e.periods.push(p);
            e.used_words.push(lower);
            i += 1;
            continue;
        }
        if let Ok(n) = tok.trim_start_matches('$').parse::<f64>() {
            e.numbers.push(n);
            i += 1;
            continue;
        }
        let is_upper_symbol = tok.len() >= 2
            && tok.len() <= 5
            && tok.chars().all(|c| c.is_ascii_uppercase())
            && !is_stopword(tok);
        let stock = (!is_stopword(&lower) && lower.len() >= 3)
            .then(|| market::find(&lower).or_else(|| symbol_prefix(&lower)))
            .flatten();
        if let Some(s) = stock {
            if !e.stocks.iter().any(|x| x == s.symbol) {
                e.stocks.push(s.symbol.to_string());
            }
            e.used_words.push(lower);
            i += 1;
            continue;
        }
        if is_upper_symbol {
            e.stocks.push(tok.to_string());
            e.used_words.push(lower);
            i += 1;
            continue;
        }
        // Places: capitalised words (not the first word), or any word after in/at/for.
        let capitalised = tok.chars().next().is_some_and(char::is_uppercase) && i > 0;
        let after_preposition = prev
            .as_deref()
            .is_some_and(|p| ["in", "at", "for"].contains(&p));
        let plausible = lower.chars().all(char::is_alphabetic) && !is_stopword(&lower);
        if plausible && (capitalised || (after_preposition && !is_tool_word(&lower))) {
            // Join "New York", "San Francisco".
            let mut name = tok.to_string();
            let mut words = vec![lower.clone()];
            while i + 1 < tokens.len()
                && tokens[i + 1].chars().next().is_some_and(char::is_uppercase)
                && !is_stopword(tokens[i + 1])
            {
                i += 1;
                name.push(' ');
                name.push_str(tokens[i]);
                words.push(tokens[i].to_ascii_lowercase());
            }
            let mut name_chars = name.chars();
            let name = match name_chars.next() {
                Some(f) => f.to_uppercase().collect::<String>() + name_chars.as_str(),
                None => name,
            };
            e.places.push(name);
            e.used_words.extend(words);
        }
        i += 1;
    }
    e
}

/// "google" names GOOGL: a word that starts with a listed symbol of four letters or more.
fn symbol_prefix(word: &str) -> Option<&'static market::Stock> {
    market::STOCKS
        .iter()
        .find(|s| s.symbol.len() >= 4 && word.starts_with(&s.symbol.to_ascii_lowercase()))
}

/// Words that name what a tool does rather than a place ("forecast for tomorrow").
fn is_tool_word(w: &str) -> bool {
    SYNONYMS.iter().any(|(a, b)| *a == w || *b == w)
        || ["days", "week", "month", "year", "today", "next"].contains(&w)
}

/// What a parameter is for, judged from its name and schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Symbol,
    Place,
    Period,
    Enum,
    Number,
    Bool,
    Text,
}

fn kind_of(name: &str, schema: &Value) -> Kind {
    let n = name.to_ascii_lowercase();
    let ty = schema_type(schema);
    if ["symbol", "ticker", "stock", "company"]
        .iter()
        .any(|k| n.contains(k))
    {
        Kind::Symbol
    } else if ["city", "location", "place", "town", "country", "region"]
        .iter()
        .any(|k| n.contains(k))
    {
        Kind::Place
    } else if ["period", "range", "interval", "timeframe", "window"]
        .iter()
        .any(|k| n.contains(k))
        && ty != "integer"
        && ty != "number"
    {
        Kind::Period
    } else if !enum_values(schema).is_empty() {
        Kind::Enum
    } else if ty == "integer" || ty == "number" {
        Kind::Number
    } else if ty == "boolean" {
        Kind::Bool
    } else {
        Kind::Text
    }
}

fn schema_type(schema: &Value) -> String {
    match &schema["type"] {
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("string")
            .to_string(),
        _ => "string".to_string(),
    }
}

fn enum_values(schema: &Value) -> Vec<Value> {
    if let Some(v) = schema["enum"].as_array() {
        return v.clone();
    }
    ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| schema[*k].as_array())
        .flatten()
        .filter_map(|b| b.get("const").cloned())
        .collect()
}

/// Fills one tool's arguments from the entities. Returns `None` when a required one cannot be.
fn fill(tool: &ToolSpec, e: &Entities, question_words: &[String]) -> Option<Map<String, Value>> {
    let props = tool.input_schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let required: Vec<&str> = tool.input_schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let (mut stocks, mut places, mut numbers) =
        (e.stocks.iter(), e.places.iter(), e.numbers.iter());
    let mut args = Map::new();
    // Required parameters take the entities first: "count to 5" fills `to`, not `delay_ms`.
    let mut order: Vec<(&String, &Value)> = props.iter().collect();
    order.sort_by_key(|(n, _)| !required.contains(&n.as_str()));
    for (name, schema) in order {
        let is_required = required.contains(&name.as_str());
        let default = schema.get("default").filter(|d| !d.is_null()).cloned();
        let value = match kind_of(name, schema) {
            Kind::Symbol => stocks.next().map(|s| json!(s)),
            Kind::Place => places.next().map(|p| json!(p)),
            Kind::Period => {
                let allowed = enum_values(schema);
                e.periods
                    .iter()
                    .find(|p| allowed.is_empty() || allowed.contains(&json!(p)))
                    .map(|p| json!(p))
                    .or(default.clone())
                    .or_else(|| allowed.first().cloned())
                    .or_else(|| is_required.then(|| json!("1mo")))
            }
            Kind::Enum => {
                let allowed = enum_values(schema);
                allowed
                    .iter()
                    .find(|v| {
                        v.as_str().is_some_and(|s| {
                            question_words.iter().any(|w| w.eq_ignore_ascii_case(s))
                        })
                    })
                    .cloned()
                    .or(default.clone())
                    .or_else(|| is_required.then(|| allowed.first().cloned()).flatten())
            }
            Kind::Number => numbers
                .next()
                .map(|n| {
                    let mut n = *n;
                    if let Some(min) = schema["minimum"].as_f64() {
                        n = n.max(min);
                    }
                    if let Some(max) = schema["maximum"].as_f64() {
                        n = n.min(max);
                    }
                    if schema_type(schema) == "integer" {
                        json!(n.round() as i64)
                    } else {
                        json!(n)
                    }
                })
                .or(default.clone())
                .or_else(|| {
                    is_required.then(|| json!(schema["minimum"].as_f64().unwrap_or(1.0) as i64))
                }),
            Kind::Bool => {
                // A flag the question talks about ("include the week range") is switched on.
                let words: Vec<String> = split_words(name)
                    .into_iter()
                    .filter(|w| !is_stopword(w) && w != "include")
                    .map(|w| stem(&w))
                    .collect();
                let mentioned = !words.is_empty()
                    && words
                        .iter()
                        .all(|w| question_words.iter().any(|q| stem(q) == *w));
                if mentioned {
                    Some(json!(true))
                } else {
                    default
                        .clone()
                        .or_else(|| is_required.then_some(Value::Bool(false)))
                }
            }
            Kind::Text => e
                .quoted
                .first()
                .map(|q| json!(q))
                .or(default.clone())
                .or_else(|| {
                    is_required
                        .then(|| e.stocks.first().or(e.places.first()).map(|s| json!(s)))
                        .flatten()
                }),
        };
        match value {
            Some(v) => {
                args.insert(name.clone(), v);
            }
            None if is_required => return None,
            None => {}
        }
    }
    Some(args)
}

/// How well a tool matches the question's words (entities excluded).
fn score(tool: &ToolSpec, all: &[ToolSpec], words: &[String]) -> f64 {
    let name_words: Vec<String> = split_words(&tool.name)
        .into_iter()
        .filter(|w| !is_stopword(w))
        .map(|w| stem(&w))
        .collect();
    let desc_words: Vec<String> = split_words(&tool.description)
        .into_iter()
        .filter(|w| !is_stopword(w))
        .map(|w| stem(&w))
        .collect();
    let param_words: Vec<String> = tool.input_schema["properties"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.keys())
        .flat_map(|k| split_words(k))
        .map(|w| stem(&w))
        .collect();
    let mut seen = Vec::new();
    let mut total = 0.0;
    for w in words {
        let c = canonical(w);
        if seen.contains(&c) || is_stopword(w) {
            continue;
        }
        seen.push(c.clone());
        if name_words.contains(&c) {
            // Rarer across the server's tools → more telling.
            let n = all
                .iter()
                .filter(|t| split_words(&t.name).iter().any(|x| stem(x) == c))
                .count()
                .max(1);
            total += 3.0 / n as f64;
        } else if param_words.contains(&c) {
            total += 1.0;
        } else if desc_words.contains(&c) {
            total += 0.5;
        }
    }
    total
}

/// A planned call: tool name and arguments.
type Call = (String, Map<String, Value>);

/// One intent: which tool, and the calls it needs.
fn plan_intent(
    words: &[String],
    e: &Entities,
    tools: &[ToolSpec],
    question_words: &[String],
) -> Option<(f64, Vec<Call>)> {
    // Best score first; ties keep the server's order. The best tool we can fill wins.
    let mut ranked: Vec<(f64, usize)> = tools
        .iter()
        .enumerate()
        .map(|(i, t)| (score(t, tools, words), i))
        .filter(|(s, _)| *s > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked
        .into_iter()
        .find_map(|(s, i)| calls_for(&tools[i], e, question_words).map(|c| (s, c)))
}

/// The calls one tool needs: one, or one per entity when it takes a single symbol/place and
/// the question names several ("price of Apple and Google").
fn calls_for(tool: &ToolSpec, e: &Entities, question_words: &[String]) -> Option<Vec<Call>> {
    let props = tool.input_schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let count = |k: Kind| props.iter().filter(|(n, s)| kind_of(n, s) == k).count();
    let split_by = if count(Kind::Symbol) == 1 && e.stocks.len() > 1 {
        Some(Kind::Symbol)
    } else if count(Kind::Place) == 1 && e.places.len() > 1 {
        Some(Kind::Place)
    } else {
        None
    };
    // A tool with two symbol slots cannot take three companies: let a one-slot tool run once
    // per company instead of silently dropping one ("compare Apple, Tesla and Nvidia").
    let too_many = |k: Kind, named: usize| count(k) > 1 && named > count(k);
    if too_many(Kind::Symbol, e.stocks.len()) || too_many(Kind::Place, e.places.len()) {
        return None;
    }
    let mut calls = Vec::new();
    match split_by {
        Some(kind) => {
            let items = if kind == Kind::Symbol {
                &e.stocks
            } else {
                &e.places
            };
            for item in items {
                let mut one = e.clone();
                if kind == Kind::Symbol {
                    one.stocks = vec![item.clone()];
                } else {
                    one.places = vec![item.clone()];
                }
                calls.push((tool.name.clone(), fill(tool, &one, question_words)?));
            }
        }
        None => calls.push((tool.name.clone(), fill(tool, e, question_words)?)),
    }
    Some(calls)
}

/// Whether a tool has a parameter for something the question names: a follow-up must change
/// something ("weather in Paris" is no follow-up to a stock tool).
fn takes_any(tool: &ToolSpec, e: &Entities) -> bool {
    tool.input_schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .any(|(name, schema)| match kind_of(name, schema) {
            Kind::Symbol => !e.stocks.is_empty(),
            Kind::Place => !e.places.is_empty(),
            Kind::Period => !e.periods.is_empty(),
            Kind::Number => !e.numbers.is_empty(),
            _ => false,
        })
}

/// A follow-up's entities, with the previous call's stock or place when it names none ("and for
/// 5 days?" still means Oslo).
fn with_previous(tool: &ToolSpec, e: &Entities, prev: &ToolCall) -> Entities {
    let mut e = e.clone();
    let (stocks, places) = (e.stocks.is_empty(), e.places.is_empty());
    for (name, value) in prev.arguments.as_object().into_iter().flatten() {
        let Some(v) = value.as_str() else { continue };
        match kind_of(name, &tool.input_schema["properties"][name]) {
            Kind::Symbol if stocks => e.stocks.push(v.to_string()),
            Kind::Place if places => e.places.push(v.to_string()),
            _ => {}
        }
    }
    e
}

/// Copies into a follow-up's arguments the previous call's values for the parameters the
/// follow-up names nothing for.
fn carry_over(
    tool: &ToolSpec,
    e: &Entities,
    previous: Option<&Map<String, Value>>,
    args: &mut Map<String, Value>,
) {
    for (name, value) in previous.into_iter().flatten() {
        let schema = &tool.input_schema["properties"][name];
        let named = match kind_of(name, schema) {
            Kind::Symbol => !e.stocks.is_empty(),
            Kind::Place => !e.places.is_empty(),
            Kind::Period => !e.periods.is_empty(),
            Kind::Number => !e.numbers.is_empty(),
            // Filled from the question's words when it mentions one; else the default.
            _ => args
                .get(name)
                .is_some_and(|v| Some(v) != schema.get("default")),
        };
        if !named {
            args.insert(name.clone(), value.clone());
        }
    }
}

/// Splits "price of Tesla, then the weather in Paris" into clauses that each name a tool.
fn clauses(question: &str) -> Vec<String> {
    let lower = question.to_string();
    let mut parts = vec![lower];
    for sep in [
        ";",
        " then ",
        "? ",
        ". ",
        " and also ",
        " as well as ",
        " and ",
    ] {
        parts = parts
            .iter()
            .flat_map(|p| p.split(sep).map(str::to_string).collect::<Vec<_>>())
            .collect();
    }
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

fn plan(question: &str, tools: &[ToolSpec], history: &[Message]) -> Vec<Call> {
    let e = extract(question);
    let question_words = split_words(question);
    let content_words: Vec<String> = question_words
        .iter()
        .filter(|w| !e.used_words.contains(w))
        .cloned()
        .collect();

    // Several clauses that each match a different tool: one intent per clause.
    let parts = clauses(question);
    if parts.len() > 1 {
        let mut merged: Vec<(String, Entities)> = Vec::new();
        for p in &parts {
            let pe = extract(p);
            let pw: Vec<String> = split_words(p)
                .into_iter()
                .filter(|w| !pe.used_words.contains(w))
                .collect();
            let matches = tools.iter().any(|t| score(t, tools, &pw) > 0.0);
            match merged.last_mut() {
                Some(last) if !matches => {
                    last.0.push_str(" and ");
                    last.0.push_str(p);
                }
                _ => merged.push((p.clone(), pe)),
            }
        }
        if merged.len() > 1 {
            let mut calls = Vec::new();
            let mut tools_used = Vec::new();
            let mut inherited = e.clone();
            for (text, _) in &merged {
                let mut pe = extract(text);
                // "price of Tesla and its history": the second clause means Tesla too.
                if pe.stocks.is_empty() {
                    pe.stocks = inherited.stocks.clone();
                }
                if pe.places.is_empty() {
                    pe.places = inherited.places.clone();
                }
                inherited = pe.clone();
                let qw = split_words(text);
                let pw: Vec<String> = qw
                    .iter()
                    .filter(|w| !pe.used_words.contains(w))
                    .cloned()
                    .collect();
                if let Some((_, c)) = plan_intent(&pw, &pe, tools, &qw) {
                    tools_used.push(c[0].0.clone());
                    calls.extend(c);
                }
            }
            tools_used.dedup();
            if tools_used.len() > 1 {
                return calls;
            }
        }
    }

    if let Some((_, calls)) = plan_intent(&content_words, &e, tools, &question_words) {
        return calls;
    }
    // A follow-up with new entities only ("and Microsoft?"): reuse the last tool used, and the
    // arguments the follow-up does not change ("and Berlin?" after a 3-day forecast for Oslo is
    // a 3-day forecast for Berlin).
    if !e.is_empty() {
        let last_call = history.iter().rev().find_map(|m| match m {
            Message::Assistant { tool_calls, .. } => tool_calls.first().cloned(),
            _ => None,
        });
        let tool = last_call
            .as_ref()
            .and_then(|prev| tools.iter().find(|t| t.name == prev.name));
        if let (Some(prev), Some(tool)) = (&last_call, tool)
            && takes_any(tool, &e)
            && let Some(mut calls) =
                calls_for(tool, &with_previous(tool, &e, prev), &question_words)
        {
            for (_, args) in &mut calls {
                carry_over(tool, &e, prev.arguments.as_object(), args);
            }
            return calls;
        }
    }
    // No tool words at all ("compare Apple and Google" on a server with only a price tool):
    // the tool whose parameters take the entities named.
    let fit = |t: &ToolSpec| {
        t.input_schema["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(n, s)| match kind_of(n, s) {
                Kind::Symbol => !e.stocks.is_empty(),
                Kind::Place => !e.places.is_empty(),
                _ => false,
            })
            .count()
    };
    let size = |t: &ToolSpec| {
        t.input_schema["properties"]
            .as_object()
            .map_or(0, |p| p.len())
    };
    // Most entity slots first, then the simplest tool, then the server's order.
    let mut ranked: Vec<(usize, usize, usize)> = tools
        .iter()
        .enumerate()
        .map(|(i, t)| (fit(t), size(t), i))
        .filter(|(f, _, _)| *f > 0)
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    ranked
        .into_iter()
        .find_map(|(_, _, i)| calls_for(&tools[i], &e, &question_words))
        .unwrap_or_default()
}

impl Offline {
    /// The next reply: tool calls for a new question, or an answer once results are in.
    /// (Generation settings do not apply to a planner; sampling goes through [`sample`].)
    pub fn complete(&self, messages: &[Message], tools: &[ToolSpec], _options: &Options) -> Reply {
        if tools.is_empty() {
            return Reply::text(
                "This server offers no tools, so there is nothing for me to call. Try /resources and /prompts.",
            );
        }
        let Some(last_user) = messages.iter().rposition(|m| matches!(m, Message::User(_))) else {
            return Reply::text("Ask me something about this server's tools.");
        };
        let Message::User(question) = &messages[last_user] else {
            unreachable!("rposition found a user message")
        };
        let turn = &messages[last_user + 1..];
        let mut calls = Vec::new();
        let mut results = Vec::new();
        for m in turn {
            match m {
                Message::Assistant { tool_calls, .. } => calls.extend(tool_calls.iter()),
                Message::Tool {
                    call_id,
                    content,
                    is_error,
                    ..
                } => results.push((call_id, content, *is_error)),
                _ => {}
            }
        }
        if results.is_empty() {
            let planned = plan(question, tools, &messages[..last_user]);
            if planned.is_empty() {
                let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
                return Reply::text(format!(
                    "I am the offline planner, not a language model: I could not match \"{question}\" to one of this server's tools ({}). Use words from a tool's name or description, name what it needs (a ticker such as AAPL, a city such as London), or call a tool directly with /call.",
                    names.join(", ")
                ));
            }
            return Reply {
                text: None,
                tool_calls: planned
                    .into_iter()
                    .enumerate()
                    .map(|(i, (name, args))| ToolCall {
                        id: format!("offline_{}_{i}", last_user),
                        name,
                        arguments: Value::Object(args),
                    })
                    .collect(),
                stop_reason: Some("toolUse".into()),
            };
        }
        let outcomes: Vec<phrase::Outcome> = results
            .iter()
            .filter_map(|(id, content, is_error)| {
                let call = calls.iter().find(|c| &&c.id == id)?;
                Some(phrase::Outcome {
                    call,
                    title: tools
                        .iter()
                        .find(|t| t.name == call.name)
                        .and_then(|t| t.title.as_deref()),
                    content,
                    is_error: *is_error,
                })
            })
            .collect();
        Reply::text(phrase::answer(&outcomes))
    }
}

/// Answers a sampling request without a model: extracts from the data the prompt carries.
pub fn sample(messages: &[Message], options: &Options) -> Reply {
    let prompt = messages
        .iter()
        .rev()
        .find_map(|m| match m {
            Message::User(t) => Some(t.clone()),
            _ => None,
        })
        .unwrap_or_default();
    // "Instruction\ndata": the instruction says what to write, the data what to write about.
    let (instruction, data) = match prompt.split_once('\n') {
        Some((i, d)) if !d.trim().is_empty() => (i.to_lowercase(), d.trim().to_string()),
        _ => (prompt.to_lowercase(), prompt.trim().to_string()),
    };
    let first_sentence = data
        .split_inclusive(". ")
        .next()
        .unwrap_or(&data)
        .trim()
        .trim_end_matches('.')
        .to_string();
    let mut text = if instruction.contains("headline") || instruction.contains("title") {
        let mut h = first_sentence.clone();
        if let Some(rest) = data.split_inclusive(". ").nth(1) {
            h = format!("{h} — {}", rest.trim().trim_end_matches('.'));
        }
        h
    } else if instruction.contains("summar") || instruction.contains("short") {
        data.split_inclusive(". ")
            .take(2)
            .collect::<String>()
            .trim()
            .to_string()
    } else {
        first_sentence
    };
    let mut stop_reason = "endTurn";
    if let Some(pos) = options
        .stop
        .iter()
        .filter_map(|s| text.find(s.as_str()))
        .min()
    {
        text.truncate(pos);
        stop_reason = "stopSequence";
    }
    if let Some(max) = options.max_tokens {
        // Roughly one token per word: never answer longer than asked.
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.len() > max as usize {
            text = words[..max as usize].join(" ");
            stop_reason = "maxTokens";
        }
    }
    Reply {
        text: Some(text.trim().to_string()),
        tool_calls: Vec::new(),
        stop_reason: Some(stop_reason.into()),
    }
}

impl Reply {
    /// A text-only reply.
    pub fn text(text: impl Into<String>) -> Reply {
        Reply {
            text: Some(text.into()),
            tool_calls: Vec::new(),
            stop_reason: Some("endTurn".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(name: &str, description: &str, schema: Value) -> ToolSpec {
        ToolSpec {
            name: name.into(),
            description: description.into(),
            title: None,
            input_schema: schema,
        }
    }

    fn stock_tools() -> Vec<ToolSpec> {
        let sym = json!({"type": "object", "properties": {"symbol": {"type": "string"}}, "required": ["symbol"]});
        vec![
            tool(
                "get_stock_price",
                "Current price of a stock by ticker symbol.",
                sym.clone(),
            ),
            tool(
                "get_stock_history",
                "Daily price history as CSV.",
                json!({"type": "object", "properties": {"symbol": {"type": "string"},
                  "period": {"type": "string", "enum": ["1d", "5d", "1mo", "3mo", "1y"], "default": "1mo"}},
                  "required": ["symbol"]}),
            ),
            tool(
                "compare_stock_prices",
                "Compare the prices of two stocks.",
                json!({"type": "object", "properties": {"symbol1": {"type": "string"}, "symbol2": {"type": "string"}},
                  "required": ["symbol1", "symbol2"]}),
            ),
            tool(
                "get_ticker_info",
                "Company information for a ticker.",
                sym.clone(),
            ),
            tool(
                "stock_headline_sampling",
                "Write a headline for a stock using sampling.",
                sym,
            ),
        ]
    }

    fn weather_tools() -> Vec<ToolSpec> {
        vec![
            tool(
                "get_weather",
                "Current weather for a city.",
                json!({"type": "object", "properties": {"city": {"type": "string", "default": "London"}}}),
            ),
            tool(
                "get_forecast",
                "Weather forecast for the next days.",
                json!({"type": "object", "properties": {"city": {"type": "string"},
                  "days": {"type": "integer", "minimum": 1, "maximum": 7}}, "required": ["city", "days"]}),
            ),
        ]
    }

    fn ask(q: &str, tools: &[ToolSpec]) -> Vec<(String, Value)> {
        plan(q, tools, &[])
            .into_iter()
            .map(|(n, a)| (n, Value::Object(a)))
            .collect()
    }

    #[test]
    fn one_tool_from_a_company_name() {
        assert_eq!(
            ask("What's the price of Tesla stock?", &stock_tools()),
            vec![("get_stock_price".into(), json!({"symbol": "TSLA"}))]
        );
        assert_eq!(
            ask("Get Microsoft stock info", &stock_tools()),
            vec![("get_ticker_info".into(), json!({"symbol": "MSFT"}))]
        );
        assert_eq!(
            ask("Generate a headline for Amazon stock", &stock_tools()),
            vec![("stock_headline_sampling".into(), json!({"symbol": "AMZN"}))]
        );
    }

    #[test]
    fn periods_and_enums_fill_from_the_question() {
        assert_eq!(
            ask("How has NVDA performed over the last 5d?", &stock_tools()),
            vec![(
                "get_stock_history".into(),
                json!({"symbol": "NVDA", "period": "5d"})
            )]
        );
        assert_eq!(
            ask("price history of apple over a year", &stock_tools()),
            vec![(
                "get_stock_history".into(),
                json!({"symbol": "AAPL", "period": "1y"})
            )]
        );
    }

    #[test]
    fn compare_uses_a_two_symbol_tool_or_two_calls() {
        assert_eq!(
            ask("Compare Apple and Google stock prices", &stock_tools()),
            vec![(
                "compare_stock_prices".into(),
                json!({"symbol1": "AAPL", "symbol2": "GOOGL"})
            )]
        );
        let only_price: Vec<ToolSpec> = stock_tools().into_iter().take(1).collect();
        assert_eq!(
            ask("compare Apple and Google", &only_price),
            vec![
                ("get_stock_price".into(), json!({"symbol": "AAPL"})),
                ("get_stock_price".into(), json!({"symbol": "GOOGL"}))
            ]
        );
    }

    #[test]
    fn weather_server_tools_work_too() {
        assert_eq!(
            ask("What's the weather in Paris?", &weather_tools()),
            vec![("get_weather".into(), json!({"city": "Paris"}))]
        );
        assert_eq!(
            ask(
                "forecast for New York for the next 3 days",
                &weather_tools()
            ),
            vec![(
                "get_forecast".into(),
                json!({"city": "New York", "days": 3})
            )]
        );
        assert_eq!(
            ask("weather forecast in Oslo for 30 days", &weather_tools()),
            vec![("get_forecast".into(), json!({"city": "Oslo", "days": 7}))]
        );
    }

    #[test]
    fn clauses_with_different_tools_become_several_calls() {
        let mut tools = stock_tools();
        tools.extend(weather_tools());
        assert_eq!(
            ask("price of Tesla, then the weather in Paris", &tools),
            vec![
                ("get_stock_price".into(), json!({"symbol": "TSLA"})),
                ("get_weather".into(), json!({"city": "Paris"}))
            ]
        );
    }

    #[test]
    fn follow_ups_reuse_the_previous_tool() {
        let history = vec![
            Message::User("price of Apple".into()),
            Message::Assistant {
                text: None,
                tool_calls: vec![ToolCall {
                    id: "1".into(),
                    name: "get_stock_price".into(),
                    arguments: json!({"symbol": "AAPL"}),
                }],
            },
        ];
        let calls = plan("and Microsoft?", &stock_tools(), &history);
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].0, "get_stock_price");
        assert_eq!(calls[0].1["symbol"], "MSFT");

        // What the follow-up does not change carries over; what it names does not.
        let forecast = |city: &str, days: u64| {
            vec![
                Message::User(format!("forecast for {city} for {days} days")),
                Message::Assistant {
                    text: None,
                    tool_calls: vec![ToolCall {
                        id: "1".into(),
                        name: "get_forecast".into(),
                        arguments: json!({"city": city, "days": days}),
                    }],
                },
            ]
        };
        let calls = plan("what about Berlin?", &weather_tools(), &forecast("Oslo", 3));
        assert_eq!(
            calls[0].1,
            *json!({"city": "Berlin", "days": 3}).as_object().unwrap()
        );
        // A follow-up must change something the tool takes: no stock tool for a city.
        let calls = plan("weather in Paris", &stock_tools(), &history);
        assert!(calls.is_empty(), "{calls:?}");
        let calls = plan("and for 5 days?", &weather_tools(), &forecast("Oslo", 3));
        assert_eq!(
            calls[0].1,
            *json!({"city": "Oslo", "days": 5}).as_object().unwrap()
        );
    }

    #[test]
    fn a_comma_ends_a_place_name() {
        let e = extract("weather in Paris, London and New York");
        assert_eq!(e.places, ["Paris", "London", "New York"]);
        let calls = ask("weather in Paris, London and Oslo", &weather_tools());
        let cities: Vec<&str> = calls
            .iter()
            .map(|c| c.1["city"].as_str().unwrap())
            .collect();
        assert_eq!(cities, ["Paris", "London", "Oslo"]);
    }

    #[test]
    fn more_companies_than_slots_become_one_call_each() {
        let calls = ask("compare Apple, Tesla and Nvidia", &stock_tools());
        let symbols: Vec<&str> = calls
            .iter()
            .map(|c| c.1["symbol"].as_str().unwrap())
            .collect();
        assert!(calls.iter().all(|c| c.0 == "get_stock_price"), "{calls:?}");
        assert_eq!(symbols, ["AAPL", "TSLA", "NVDA"]);
        let calls = ask("price of Apple, Google and Tesla", &stock_tools());
        assert_eq!(calls.len(), 3, "{calls:?}");
        assert!(calls.iter().all(|c| c.0 == "get_stock_price"), "{calls:?}");
    }

    #[test]
    fn unmatched_questions_and_tool_less_servers_get_an_honest_answer() {
        let q = [Message::User("what is the meaning of life".into())];
        let r = Offline.complete(&q, &weather_tools(), &Options::default());
        assert!(r.tool_calls.is_empty());
        let text = r.text.unwrap();
        assert!(
            text.contains("offline planner, not a language model"),
            "{text}"
        );
        assert!(text.contains("get_weather, get_forecast"), "{text}");
        let r = Offline.complete(&q, &[], &Options::default());
        assert!(r.text.unwrap().contains("no tools"));
    }

    #[test]
    fn sampling_respects_max_tokens_and_stop_sequences() {
        let msgs = vec![Message::User(
            "Create a stock headline based on the following data\nAAPL +1.20 (+0.69%) over 1mo. Latest close $175.50.".into(),
        )];
        let r = sample(&msgs, &Options::default());
        assert_eq!(
            r.text.as_deref(),
            Some("AAPL +1.20 (+0.69%) over 1mo — Latest close $175.50")
        );
        let r = sample(
            &msgs,
            &Options {
                max_tokens: Some(2),
                ..Default::default()
            },
        );
        assert_eq!(r.text.as_deref(), Some("AAPL +1.20"));
        assert_eq!(r.stop_reason.as_deref(), Some("maxTokens"));
    }
}
