//! Arguments: filling a tool's parameters from the question's entities and the JSON Schema.
//!
//! An MCP tool describes its parameters with a JSON Schema (`inputSchema`). A model reads that
//! schema to know what to send; so does this stage, with rules instead of a model:
//!
//! - a parameter's **kind** comes from its name and schema: a name that contains an argument
//!   kind the server listed values for (`symbol1` ⊃ `symbol`) takes those values; names such as
//!   `city` take places, `period` a period; then `enum`, `integer`/`number`, `boolean`, text
//!   (the word lists are in `data/argument_kinds.txt`);
//! - **required** parameters are filled first, so "count to 5" fills `to`, not `delay_ms`;
//! - numbers are clamped to `minimum`/`maximum` and rounded for `integer`;
//! - an `enum` takes the value the question mentions, else the `default`;
//! - a number named as a limit (`max_price`, "at least") takes a bound the question names
//!   ([`crate::bounds`]); a day (`since`, "YYYY-MM-DD") takes an end of the question's span
//!   ([`crate::dates`]); a string whose description lists values in prose takes the one the
//!   question says;
//! - free text (`query`, `question`) is filled **last**, from what no other parameter took
//!   ([`crate::free_text`]); an empty `query` is sent only when something else narrows the
//!   call ("products under 50 dollars");
//! - anything not named takes its `default`, and a required parameter nothing can fill makes
//!   the tool unusable for this question (the caller then tries the next one).

use crate::bounds::{self, Edge};
use crate::dates;
use crate::entities::{Entities, is_place_kind};
use crate::free_text::{self, Style};
use crate::tool::Tool;
use crate::vocabulary::Vocabulary;
use crate::words::{data_sections, is_stopword, split_words, stem};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::LazyLock;

/// `data/argument_kinds.txt`, parsed once.
static KIND_WORDS: LazyLock<HashMap<&'static str, Vec<&'static str>>> =
    LazyLock::new(|| data_sections(include_str!("../data/argument_kinds.txt")));

/// The words that mark each parameter kind (`place: city location…`).
pub(crate) fn kind_words() -> &'static HashMap<&'static str, Vec<&'static str>> {
    &KIND_WORDS
}

/// What a parameter is for, judged from its name and schema.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Takes values of this argument kind (listed by the server, or codes in capitals).
    Named(String),
    /// Takes a place name.
    Place,
    /// Takes a period (`5d`, `1mo`).
    Period,
    /// Takes one of the schema's `enum` values.
    Enum,
    /// Takes a number.
    Number,
    /// Takes a number the question names as a limit ("under 50"): the upper or lower one.
    Bound(Edge),
    /// Takes a day, `YYYY-MM-DD`: the first or last of the question's span (or one day).
    Date(Option<Edge>),
    /// Takes the question's own words, in a [`Style`].
    FreeText(Style),
    /// A flag.
    Bool,
    /// Free text.
    Text,
}

/// Whether the lowercase parameter name contains one of the words of `kind`.
fn name_says(name: &str, kind: &str) -> bool {
    KIND_WORDS
        .get(kind)
        .is_some_and(|words| words.iter().any(|w| name.contains(w)))
}

/// The kind of parameter `name` with schema `schema`, given the argument kinds the server named.
pub fn kind_of(name: &str, schema: &Value, vocabulary: &Vocabulary) -> Kind {
    let n = name.to_ascii_lowercase();
    let ty = schema_type(schema);
    let listed = vocabulary
        .kinds()
        .into_iter()
        .find(|k| n.contains(&k.to_ascii_lowercase()) && !is_place_kind(k));
    if let Some(kind) = listed {
        Kind::Named(kind.to_string())
    } else if name_says(&n, "place") {
        Kind::Place
    } else if name_says(&n, "code") {
        Kind::Named(n)
    } else if name_says(&n, "period") && ty != "integer" && ty != "number" {
        Kind::Period
    } else if !enum_values(schema).is_empty() {
        Kind::Enum
    } else if ty == "string" && dates::is_date_param(&n, schema) {
        Kind::Date(dates::edge_of(&n, schema))
    } else if let Some(style) = free_text::style_of(&n).filter(|_| ty == "string") {
        Kind::FreeText(style)
    } else if ty == "integer" || ty == "number" {
        bounds::edge_of(&n, schema).map_or(Kind::Number, Kind::Bound)
    } else if ty == "boolean" {
        Kind::Bool
    } else {
        Kind::Text
    }
}

/// Whether the schema's type is `integer` or `number`.
pub(crate) fn schema_is_number(schema: &Value) -> bool {
    matches!(schema_type(schema).as_str(), "integer" | "number")
}

/// The schema's `type`, the first non-null one of a list, `string` when it says none.
pub fn schema_type(schema: &Value) -> String {
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

/// The values an `enum` (or a `oneOf`/`anyOf` of `const`s) allows.
pub fn enum_values(schema: &Value) -> Vec<Value> {
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

/// One parameter being filled.
struct Slot<'a> {
    /// Its name in the schema's `properties`.
    name: &'a str,
    /// Its JSON Schema.
    schema: &'a Value,
    /// Whether the schema lists it in `required`.
    required: bool,
    /// Its `default`, if the schema gives a non-null one.
    default: Option<Value>,
}

/// What filling one tool's arguments has used of the question so far.
#[derive(Default)]
struct Used {
    /// How many values each kind of parameter has taken so far (the first `symbol` parameter
    /// takes the first symbol named).
    taken: HashMap<Kind, usize>,
    /// The plain numbers taken, by index.
    numbers: Vec<usize>,
    /// The bounds taken, by index.
    bounds: Vec<usize>,
    /// The lowercase words the filled parameters were made of: not free text.
    words: Vec<String>,
    /// Whether any argument came from the question (not from a default).
    from_question: bool,
}

impl Used {
    /// The next unused item of `items` for parameters of `kind`.
    fn next<T: Clone>(&mut self, kind: &Kind, items: &[T]) -> Option<T> {
        let i = self.taken.entry(kind.clone()).or_default();
        let item = items.get(*i).cloned();
        *i += 1;
        item
    }
}

/// Fills one tool's arguments from the entities. `None` when a required one cannot be filled.
/// `tools` are all the server's tools: words that name any of them are no topic at the ends of
/// free text.
pub fn fill(
    tool: &Tool,
    tools: &[Tool],
    e: &Entities,
    question_words: &[String],
    vocabulary: &Vocabulary,
) -> Option<Map<String, Value>> {
    let props = tool.properties();
    let required = tool.required();
    let kinds: HashMap<&String, Kind> = props
        .iter()
        .map(|(n, s)| (n, kind_of(n, s, vocabulary)))
        .collect();
    let mut order: Vec<(&String, &Value)> = props.iter().collect();
    // Free text last (it is what the others leave), then required before optional.
    order.sort_by_key(|(n, _)| {
        let free = matches!(kinds[n], Kind::FreeText(_));
        (free, !required.contains(&n.as_str()))
    });
    let has_free_text = kinds.values().any(|k| matches!(k, Kind::FreeText(_)));
    let mut used = Used::default();
    let mut args = Map::new();
    for (name, schema) in order {
        let slot = Slot {
            name,
            schema,
            required: required.contains(&name.as_str()),
            default: schema.get("default").filter(|d| !d.is_null()).cloned(),
        };
        let ask = Ask {
            tool,
            tools,
            e,
            question_words,
            has_free_text,
        };
        match value_for(&slot, &kinds[name], &ask, &mut used) {
            Some(v) => {
                args.insert(name.clone(), v);
            }
            None if slot.required => return None,
            None => {}
        }
    }
    Some(args)
}

/// What a parameter is filled from.
struct Ask<'a> {
    /// The tool being called.
    tool: &'a Tool,
    /// All the server's tools.
    tools: &'a [Tool],
    /// What the question names.
    e: &'a Entities,
    /// All the question's words, lowercase.
    question_words: &'a [String],
    /// Whether the tool has a free-text parameter (which then takes quoted strings).
    has_free_text: bool,
}

/// The value of one parameter, by its kind.
fn value_for(slot: &Slot, kind: &Kind, ask: &Ask, used: &mut Used) -> Option<Value> {
    let e = ask.e;
    let from_question = |used: &mut Used, words: Vec<String>, v: Value| {
        used.words.extend(words);
        used.from_question = true;
        Some(v)
    };
    match kind {
        Kind::Named(k) => {
            let v = used.next(kind, &e.values_of(k))?;
            let named = e.named.iter().find(|n| n.value == v);
            let word = named.map_or(v.to_lowercase(), |n| n.word.clone());
            from_question(used, vec![word], Value::String(v))
        }
        Kind::Place => {
            let v = used.next(kind, &e.places)?;
            from_question(used, split_words(&v), Value::String(v))
        }
        Kind::Period => period(slot, e),
        Kind::Enum => enumerated(slot, ask.question_words),
        Kind::Number => {
            // A number that counts a period ("the last 30 days") is the period's; only a
            // parameter that must have a number takes it.
            let free =
                |i: &usize| !used.numbers.contains(i) && (slot.required || !e.counts_period[*i]);
            match (0..e.numbers.len()).find(free) {
                Some(i) => {
                    used.numbers.push(i);
                    let v = number(slot, Some(e.numbers[i]))?;
                    from_question(used, vec![e.number_words[i].clone()], v)
                }
                None => number(slot, None),
            }
        }
        Kind::Bound(_) => {
            let Some(i) = bounds::pick(&e.bounds, &used.bounds, ask.tool, slot.name, slot.schema)
            else {
                return number(slot, None);
            };
            used.bounds.push(i);
            let b = &e.bounds[i];
            let mut words = b.words.clone();
            let v = bounded(slot, b.value);
            // The word before the phrase is the bound's too when it names the parameter
            // ("*rated* at least 4" for `min_rating`).
            let param = crate::words::stems(slot.name);
            words.extend(
                b.context
                    .iter()
                    .filter(|c| param.contains(&crate::words::stem(c)))
                    .cloned(),
            );
            from_question(used, words, v)
        }
        Kind::Date(edge) => match e.span.as_ref().and_then(|s| Some((s, s.day(*edge)?))) {
            Some((span, day)) => from_question(used, span.words.clone(), json!(day.to_string())),
            None => slot.default.clone(),
        },
        Kind::Bool => flag(slot, ask.question_words),
        Kind::Text => {
            let listed = free_text::described_values(slot.schema);
            if let Some(v) = free_text::said(&listed, e) {
                return from_question(used, split_words(v), json!(v));
            }
            text(slot, e, !ask.has_free_text)
        }
        Kind::FreeText(Style::Keywords) => {
            let text = free_text::keywords(e, ask.tool, ask.tools, &used.words);
            // An empty query is a request only when something else narrows it.
            let usable = !text.is_empty() || (slot.required && used.from_question);
            usable.then(|| json!(text))
        }
        Kind::FreeText(Style::Sentence) => free_text::sentence(e, ask.tool).map(|s| json!(s)),
    }
}

/// A period the schema allows, else its default, else its first value (or `1mo` if required).
fn period(slot: &Slot, e: &Entities) -> Option<Value> {
    let allowed = enum_values(slot.schema);
    e.periods
        .iter()
        .find(|p| allowed.is_empty() || allowed.contains(&json!(p)))
        .map(|p| json!(p))
        .or(slot.default.clone())
        .or_else(|| allowed.first().cloned())
        .or_else(|| slot.required.then(|| json!("1mo")))
}

/// The enum value the question says, else the default (or the first value if required).
fn enumerated(slot: &Slot, question_words: &[String]) -> Option<Value> {
    let allowed = enum_values(slot.schema);
    let said = |v: &&Value| {
        v.as_str()
            .is_some_and(|s| question_words.iter().any(|w| w.eq_ignore_ascii_case(s)))
    };
    allowed
        .iter()
        .find(said)
        .cloned()
        .or(slot.default.clone())
        .or_else(|| slot.required.then(|| allowed.first().cloned()).flatten())
}

/// A number clamped to the schema's bounds, else the default (or the minimum if required).
fn number(slot: &Slot, named: Option<f64>) -> Option<Value> {
    let schema = slot.schema;
    let Some(mut n) = named else {
        return slot.default.clone().or_else(|| {
            slot.required
                .then(|| json!(schema["minimum"].as_f64().unwrap_or(1.0) as i64))
        });
    };
    if let Some(min) = schema["minimum"].as_f64() {
        n = n.max(min);
    }
    if let Some(max) = schema["maximum"].as_f64() {
        n = n.min(max);
    }
    Some(if schema_type(schema) == "integer" {
        json!(n.round() as i64)
    } else {
        json!(n)
    })
}

/// A bound, clamped like any number, and written as an integer when it is one ("under 50
/// dollars" is `50`, "4.5 stars" `4.5`).
fn bounded(slot: &Slot, n: f64) -> Value {
    let v = number(slot, Some(n)).unwrap_or(json!(n));
    match v.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => json!(f as i64),
        _ => v,
    }
}

/// A flag the question talks about ("include the week range") is switched on; else the
/// default (or `false` if required).
fn flag(slot: &Slot, question_words: &[String]) -> Option<Value> {
    let words: Vec<String> = split_words(slot.name)
        .into_iter()
        .filter(|w| !is_stopword(w) && w != "include")
        .map(|w| stem(&w))
        .collect();
    let mentioned = !words.is_empty()
        && words
            .iter()
            .all(|w| question_words.iter().any(|q| stem(q) == *w));
    if mentioned {
        return Some(json!(true));
    }
    slot.default
        .clone()
        .or_else(|| slot.required.then_some(Value::Bool(false)))
}

/// A quoted string (when no free-text parameter takes it), else the default; a required one
/// takes the first thing named.
fn text(slot: &Slot, e: &Entities, takes_quoted: bool) -> Option<Value> {
    let first_named = || {
        let named = e.named.first().map(|n| &n.value);
        named
            .or(e.codes.first())
            .or(e.places.first())
            .map(|s| json!(s))
    };
    e.quoted
        .first()
        .filter(|_| takes_quoted)
        .map(|q| json!(q))
        .or(slot.default.clone())
        .or_else(|| slot.required.then(first_named).flatten())
}
