//! Objects: a JSON result as a sentence about its subject, and lists as a line per item.

use super::number::{number, with_unit};
use super::{fields, upper_first};
use crate::words::data_lines;
use serde_json::{Map, Value};
use std::sync::LazyLock;

/// Unit suffixes of field names and how to write them: `data/units.txt`, parsed once.
static UNITS: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    data_lines(include_str!("../../data/units.txt"))
        .filter_map(|l| l.split_once(char::is_whitespace))
        .map(|(suffix, unit)| (suffix, unit.trim()))
        .collect()
});

/// The subject of an object and the number it stands for, used to compare several results.
pub(crate) struct Headline {
    /// What the number is about: `Tesla Inc. (TSLA)`.
    pub(crate) subject: String,
    /// The field's name made readable: `price`.
    pub(crate) label: String,
    /// The number.
    pub(crate) value: f64,
    /// Its unit: `USD`, `°C`, or empty.
    pub(crate) unit: String,
    /// Whether it is an amount of money (two decimals).
    pub(crate) money: bool,
}

pub(crate) fn key_in(key: &str, keys: &[&str]) -> bool {
    let k = key.to_ascii_lowercase();
    keys.contains(&k.as_str())
}

/// The subject of an object: `Name (ID)`, `Name` or `ID`. Fields equal to the parent's do not
/// count (a forecast's days all repeat the forecast's city).
pub(crate) fn subject(
    obj: &Map<String, Value>,
    parent: Option<&Map<String, Value>>,
) -> Option<String> {
    let own = |keys: &[&str]| {
        obj.iter()
            .find(|(k, v)| {
                key_in(k, keys) && parent.and_then(|p| p.get(*k)) != Some(*v) && v.is_string()
            })
            .and_then(|(_, v)| v.as_str())
            .filter(|s| !s.is_empty())
    };
    match (own(fields("name")), own(fields("id"))) {
        (Some(n), Some(i)) if n != i => Some(format!("{n} ({i})")),
        (Some(n), _) => Some(n.to_string()),
        (None, Some(i)) => Some(i.to_string()),
        (None, None) => None,
    }
}

/// A field name made readable, and its unit: `humidity_pct` → (`humidity`, `%`).
pub(crate) fn label_and_unit(key: &str) -> (String, String) {
    let lower = key.to_ascii_lowercase();
    let (base, unit) = UNITS
        .iter()
        .find(|(suffix, _)| lower.len() > suffix.len() && lower.ends_with(suffix))
        .map(|(suffix, unit)| (&key[..key.len() - suffix.len()], unit.to_string()))
        .unwrap_or((key, String::new()));
    (base.replace(['_', '-'], " ").trim().to_string(), unit)
}

pub(crate) fn is_price(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    fields("price").iter().any(|w| k.contains(w))
}

/// The number an object stands for: a price-like field (with the object's currency), else the
/// first number with a unit.
pub(crate) fn headline(
    obj: &Map<String, Value>,
    parent: Option<&Map<String, Value>>,
) -> Option<Headline> {
    let subject = subject(obj, parent)?;
    let currency = obj.get("currency").and_then(Value::as_str);
    let (key, value) = obj
        .iter()
        .find(|(k, v)| v.is_number() && is_price(k))
        .or_else(|| {
            obj.iter()
                .find(|(k, v)| v.is_number() && !label_and_unit(k).1.is_empty())
        })?;
    let (label, mut unit) = label_and_unit(key);
    let money = is_price(key) && currency.is_some();
    if money && unit.is_empty() {
        unit = currency.unwrap_or_default().to_string();
    }
    Some(Headline {
        subject,
        label,
        value: value.as_f64()?,
        unit,
        money,
    })
}

/// One field as words: `high 12 °C`, `sector Technology`, `week 52 range high 582.6, low 410.63`.
pub(crate) fn field(key: &str, value: &Value, currency: Option<&str>) -> Option<String> {
    let (label, mut unit) = label_and_unit(key);
    let money = is_price(key) && currency.is_some();
    if money && unit.is_empty() {
        unit = currency.unwrap_or_default().to_string();
    }
    let text = match value {
        Value::Null => return None,
        Value::Bool(b) => return Some(format!("{label}: {}", if *b { "yes" } else { "no" })),
        Value::Number(n) => with_unit(&number(n.as_f64()?, money), &unit),
        Value::String(s) if s.contains('\n') || s.is_empty() => return None,
        Value::String(s) => s.clone(),
        Value::Object(inner) => {
            let parts: Vec<String> = inner
                .iter()
                .filter_map(|(k, v)| field(k, v, currency))
                .collect();
            if parts.is_empty() {
                return None;
            }
            parts.join(", ")
        }
        Value::Array(items) => {
            let scalars: Vec<String> = items
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect();
            if scalars.len() != items.len() || scalars.is_empty() {
                return None;
            }
            scalars.join(", ")
        }
    };
    Some(format!("{label} {text}"))
}

/// An object as a sentence (plus one line per item of its lists), or `None` when it holds
/// nothing to say.
pub(crate) fn object(
    obj: &Map<String, Value>,
    parent: Option<&Map<String, Value>>,
) -> Option<String> {
    let headline = headline(obj, parent).filter(|h| h.money || is_price(&h.label));
    let other_fields = unsaid_fields(obj, parent, headline.as_ref());
    let lists: Vec<String> = obj
        .iter()
        .filter(|(_, v)| is_list_of_objects(v))
        .map(|(k, v)| {
            let items = v.as_array().map(Vec::as_slice).unwrap_or_default();
            list(&label_and_unit(k).0, items, Some(obj))
        })
        .collect();
    let sentence = sentence(obj, parent, headline.as_ref(), &other_fields);
    if sentence.is_empty() && lists.is_empty() {
        // Nothing structured to say: the result's own prose, if it has some.
        return obj
            .iter()
            .find(|(k, v)| key_in(k, fields("prose")) && v.is_string())
            .and_then(|(_, v)| v.as_str())
            .map(str::to_string);
    }
    // A bare subject introduces its lists ("Paris, 3 days: …"); a sentence ends first.
    let bare = other_fields.is_empty() && headline.is_none();
    let mut out = match (sentence.is_empty(), bare) {
        (true, _) => String::new(),
        (false, true) => format!("{sentence}, "),
        (false, false) => format!("{sentence}. "),
    };
    out.push_str(&lists.join("\n"));
    let out = out.trim_end().trim_end_matches(',').to_string();
    Some(if out.ends_with('.') || !lists.is_empty() {
        out
    } else {
        format!("{out}.")
    })
}

/// The fields of an object still to say, as words: not the subject, date, currency or headline
/// (said already), not what the parent said, and not lists of objects (they get lines).
fn unsaid_fields(
    obj: &Map<String, Value>,
    parent: Option<&Map<String, Value>>,
    headline: Option<&Headline>,
) -> Vec<String> {
    let currency = obj.get("currency").and_then(Value::as_str);
    let said = |k: &str, v: &Value| {
        ["name", "id", "date", "prose"]
            .iter()
            .any(|role| key_in(k, fields(role)))
            || k == "currency"
            || parent.and_then(|p| p.get(k)) == Some(v)
            || headline.is_some_and(|h| label_and_unit(k).0 == h.label && v.is_number())
    };
    obj.iter()
        .filter(|(k, v)| !said(k, v) && !is_list_of_objects(v))
        .filter_map(|(k, v)| field(k, v, currency))
        .collect()
}

/// The sentence about an object: its subject (and date), what it "is at", then its other
/// fields: `Tesla Inc. (TSLA) is at 215.99 USD, with sector …`.
fn sentence(
    obj: &Map<String, Value>,
    parent: Option<&Map<String, Value>>,
    headline: Option<&Headline>,
    other_fields: &[String],
) -> String {
    let date = obj
        .iter()
        .find(|(k, v)| {
            key_in(k, fields("date")) && v.is_string() && parent.and_then(|p| p.get(*k)) != Some(*v)
        })
        .and_then(|(_, v)| v.as_str());
    let subject = subject(obj, parent).unwrap_or_default();
    let lead = match date {
        Some(d) if subject.is_empty() => d.to_string(),
        Some(d) => format!("{subject} on {d}"),
        None => subject,
    };
    let sentence = match headline {
        Some(h) => {
            let who = if lead.is_empty() {
                upper_first(&h.label)
            } else {
                lead
            };
            format!(
                "{who} is at {}",
                with_unit(&number(h.value, h.money), &h.unit)
            )
        }
        None => lead,
    };
    if other_fields.is_empty() {
        return sentence;
    }
    let joined = other_fields.join(", ");
    match (headline, sentence.is_empty()) {
        (_, true) => upper_first(&joined),
        (Some(_), false) => format!("{sentence}, with {joined}"),
        (None, false) => format!("{sentence}: {joined}"),
    }
}

pub(crate) fn is_list_of_objects(v: &Value) -> bool {
    v.as_array()
        .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_object))
}

/// A list: how many, then one line per item (at most ten).
pub(crate) fn list(what: &str, items: &[Value], parent: Option<&Map<String, Value>>) -> String {
    let mut out = format!(
        "{} {}:",
        items.len(),
        if what.is_empty() { "items" } else { what }
    );
    for item in items.iter().take(10) {
        let line = match item {
            Value::Object(o) => {
                object(o, parent).unwrap_or_else(|| Value::Object(o.clone()).to_string())
            }
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.push_str(&format!("\n- {}", line.trim_end_matches('.')));
    }
    if items.len() > 10 {
        out.push_str(&format!("\n- … and {} more", items.len() - 10));
    }
    out
}
