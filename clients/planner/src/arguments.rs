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
//! - anything not named takes its `default`, and a required parameter nothing can fill makes
//!   the tool unusable for this question (the caller then tries the next one).

use crate::entities::{Entities, is_place_kind};
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
    } else if ty == "integer" || ty == "number" {
        Kind::Number
    } else if ty == "boolean" {
        Kind::Bool
    } else {
        Kind::Text
    }
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

/// Values handed out in order: the first `symbol` parameter takes the first symbol named.
#[derive(Default)]
struct Queues {
    /// How many values each kind of parameter has taken so far.
    taken: HashMap<Kind, usize>,
}

impl Queues {
    /// The next unused item of `items` for parameters of `kind`.
    fn next<T: Clone>(&mut self, kind: &Kind, items: &[T]) -> Option<T> {
        let i = self.taken.entry(kind.clone()).or_default();
        let item = items.get(*i).cloned();
        *i += 1;
        item
    }
}

/// Fills one tool's arguments from the entities. `None` when a required one cannot be filled.
pub fn fill(
    tool: &Tool,
    e: &Entities,
    question_words: &[String],
    vocabulary: &Vocabulary,
) -> Option<Map<String, Value>> {
    let props = tool.properties();
    let required = tool.required();
    let mut order: Vec<(&String, &Value)> = props.iter().collect();
    order.sort_by_key(|(n, _)| !required.contains(&n.as_str()));
    let mut queues = Queues::default();
    let mut args = Map::new();
    for (name, schema) in order {
        let slot = Slot {
            name,
            schema,
            required: required.contains(&name.as_str()),
            default: schema.get("default").filter(|d| !d.is_null()).cloned(),
        };
        let kind = kind_of(name, schema, vocabulary);
        match value_for(&slot, &kind, e, question_words, &mut queues) {
            Some(v) => {
                args.insert(name.clone(), v);
            }
            None if slot.required => return None,
            None => {}
        }
    }
    Some(args)
}

/// The value of one parameter, by its kind.
fn value_for(
    slot: &Slot,
    kind: &Kind,
    e: &Entities,
    question_words: &[String],
    queues: &mut Queues,
) -> Option<Value> {
    match kind {
        Kind::Named(k) => queues.next(kind, &e.values_of(k)).map(Value::String),
        Kind::Place => queues.next(kind, &e.places).map(Value::String),
        Kind::Period => period(slot, e),
        Kind::Enum => enumerated(slot, question_words),
        Kind::Number => number(slot, queues.next(kind, &e.numbers)),
        Kind::Bool => flag(slot, question_words),
        Kind::Text => text(slot, e),
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

/// A quoted string, else the default; a required one takes the first thing named.
fn text(slot: &Slot, e: &Entities) -> Option<Value> {
    let first_named = || {
        let named = e.named.first().map(|n| &n.value);
        named
            .or(e.codes.first())
            .or(e.places.first())
            .map(|s| json!(s))
    };
    e.quoted
        .first()
        .map(|q| json!(q))
        .or(slot.default.clone())
        .or_else(|| slot.required.then(first_named).flatten())
}
