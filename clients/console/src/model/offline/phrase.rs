//! Phrasing: turning tool results into an answer a person reads.
//!
//! A model's last step in the tool loop is to *say* what the results mean. The offline planner
//! has no language model, so it phrases results with general rules over their shape, never with
//! knowledge of a particular tool:
//!
//! - **An object** (`structuredContent`, or text that is JSON) becomes a sentence about its
//!   *subject*: a name-like field (`name`, `city`…) with an identifier (`symbol`, `id`…),
//!   `Tesla Inc. (TSLA)`. A price-like number is what the subject "is at", with the `currency`
//!   field beside it; other fields follow as "label value unit", the unit read from the field
//!   name's suffix (`high_c` → `high 12 °C`, `humidity_pct` → `humidity 63 %`).
//! - **A comparison** is an object holding two subjects and a field whose value names one of them
//!   (`"higher": "MSFT"`): the field's name is the verdict, a percentage field the margin.
//! - **A list** becomes a count and one line per item, leaving out what the parent already said.
//! - **A table** (CSV) becomes its size, its date range and how its value column moved.
//! - **Plain text** is already phrased: it is passed on as it is.
//!
//! The raw result stays on screen above the answer, so the phrasing may leave details out.

use super::super::ToolCall;
use serde_json::{Map, Value};

/// Field names that name the subject of a result.
const NAME_KEYS: &[&str] = &[
    "name", "title", "company", "city", "location", "place", "label", "user",
];
/// Field names that identify the subject.
const ID_KEYS: &[&str] = &["symbol", "ticker", "code", "id"];
/// Field names that date a result.
const DATE_KEYS: &[&str] = &["date", "day", "time", "timestamp", "as_of"];
/// Prose a result carries about itself: used only when nothing else can be phrased.
const PROSE_KEYS: &[&str] = &["summary", "message", "text", "description"];
/// Words that make a number the one a subject "is at" (and that a `currency` applies to).
const PRICE_WORDS: &[&str] = &["price", "close", "amount", "cost", "value", "rate"];

/// Unit suffixes of field names and how to write them.
const UNITS: &[(&str, &str)] = &[
    ("_percent", "%"),
    ("_pct", "%"),
    ("_c", "°C"),
    ("_f", "°F"),
    ("_kph", "km/h"),
    ("_kmh", "km/h"),
    ("_mph", "mph"),
    ("_mm", "mm"),
    ("_km", "km"),
    ("_ms", "ms"),
    ("_usd", "USD"),
    ("_eur", "EUR"),
];

/// One tool result, as the planner phrases it.
pub(super) struct Outcome<'a> {
    /// The call that produced it.
    pub call: &'a ToolCall,
    /// The tool's title, if the server gave one.
    pub title: Option<&'a str>,
    /// The result as text.
    pub content: &'a str,
    /// Whether the server marked it as a tool error.
    pub is_error: bool,
}

/// The subject of an object and the number it stands for, used to compare several results.
struct Headline {
    subject: String,
    label: String,
    value: f64,
    unit: String,
    money: bool,
}

/// The answer for one turn's results.
pub(super) fn answer(outcomes: &[Outcome]) -> String {
    let mut parts = Vec::new();
    let mut headlines = Vec::new();
    let several = outcomes.len() > 1;
    for o in outcomes {
        if o.is_error {
            parts.push(format!(
                "{} failed: {}",
                describe_call(&o.call.name, &o.call.arguments),
                o.content.trim()
            ));
            continue;
        }
        let (text, headline) = phrase_one(o, several);
        if let Some(h) = headline {
            headlines.push((o.call.name.as_str(), h));
        }
        parts.push(text);
    }
    // Several calls of one tool, each with a number in the same unit: say how they rank.
    if headlines.len() > 1
        && headlines
            .iter()
            .all(|(n, h)| *n == headlines[0].0 && h.unit == headlines[0].1.unit)
    {
        let hs: Vec<&Headline> = headlines.iter().map(|(_, h)| h).collect();
        if let Some(sentence) = rank(&hs) {
            parts.push(sentence);
        }
    }
    parts.join("\n")
}

/// Phrases one successful result, and finds its headline number if it has one.
fn phrase_one(o: &Outcome, several: bool) -> (String, Option<Headline>) {
    let context = context(o);
    match serde_json::from_str::<Value>(o.content.trim()) {
        Ok(Value::Object(obj)) => {
            if let Some(sentence) = comparison(&obj) {
                return (sentence, None);
            }
            let headline = headline(&obj, None);
            let text =
                object(&obj, None).unwrap_or_else(|| format!("{context}: nothing to report."));
            // A result without a subject needs the call to say what it is about.
            let text = if subject(&obj, None).is_none() && !text.contains('\n') {
                format!("{context}: {}", lower_first(&text))
            } else {
                text
            };
            (text, headline)
        }
        Ok(Value::Array(items)) => (list(&context, &items, None), None),
        Ok(Value::Number(n)) => (
            format!("{context}: {}.", number(n.as_f64().unwrap_or(0.0), false)),
            None,
        ),
        Ok(Value::String(s)) => (format!("{context}: {s}"), None),
        _ => {
            let text = o.content.trim();
            if let Some(t) = table(&context, text) {
                return (t, None);
            }
            let lines: Vec<&str> = text.lines().collect();
            let text = if lines.len() > 12 {
                format!(
                    "{}\n… ({} more lines)",
                    lines[..12].join("\n"),
                    lines.len() - 12
                )
            } else {
                lines.join("\n")
            };
            if several {
                (format!("{context}: {text}"), None)
            } else {
                (text, None)
            }
        }
    }
}

/// What a call was about in words: the tool's title (or its name made readable) and the
/// arguments' values, `Price history (AAPL, 5d)`.
fn context(o: &Outcome) -> String {
    let title = o.title.map(str::to_string).unwrap_or_else(|| {
        let words: Vec<&str> = o
            .call
            .name
            .split(['_', '-', '.'])
            .filter(|w| !w.is_empty() && !matches!(*w, "get" | "fetch" | "list"))
            .collect();
        upper_first(&words.join(" "))
    });
    let args: Vec<String> = o
        .call
        .arguments
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, v)| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    if args.is_empty() {
        title
    } else {
        format!("{title} ({})", args.join(", "))
    }
}

/// `name(arg=value, …)`: how a failed call is named.
pub(super) fn describe_call(name: &str, args: &Value) -> String {
    let args: Vec<String> = args
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect();
    format!("{name}({})", args.join(", "))
}

fn key_in(key: &str, keys: &[&str]) -> bool {
    let k = key.to_ascii_lowercase();
    keys.contains(&k.as_str())
}

/// The subject of an object: `Name (ID)`, `Name` or `ID`. Fields equal to the parent's do not
/// count (a forecast's days all repeat the forecast's city).
fn subject(obj: &Map<String, Value>, parent: Option<&Map<String, Value>>) -> Option<String> {
    let own = |keys: &[&str]| {
        obj.iter()
            .find(|(k, v)| {
                key_in(k, keys) && parent.and_then(|p| p.get(*k)) != Some(*v) && v.is_string()
            })
            .and_then(|(_, v)| v.as_str())
            .filter(|s| !s.is_empty())
    };
    match (own(NAME_KEYS), own(ID_KEYS)) {
        (Some(n), Some(i)) if n != i => Some(format!("{n} ({i})")),
        (Some(n), _) => Some(n.to_string()),
        (None, Some(i)) => Some(i.to_string()),
        (None, None) => None,
    }
}

/// A field name made readable, and its unit: `humidity_pct` → (`humidity`, `%`).
fn label_and_unit(key: &str) -> (String, String) {
    let lower = key.to_ascii_lowercase();
    let (base, unit) = UNITS
        .iter()
        .find(|(suffix, _)| lower.len() > suffix.len() && lower.ends_with(suffix))
        .map(|(suffix, unit)| (&key[..key.len() - suffix.len()], unit.to_string()))
        .unwrap_or((key, String::new()));
    (base.replace(['_', '-'], " ").trim().to_string(), unit)
}

fn is_price(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    PRICE_WORDS.iter().any(|w| k.contains(w))
}

/// A number as people write it: money with two decimals, big numbers in millions or more.
fn number(n: f64, money: bool) -> String {
    let abs = n.abs();
    for (size, word) in [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")] {
        if abs >= size {
            return format!("{:.2} {word}", n / size);
        }
    }
    if money {
        format!("{n:.2}")
    } else if n.fract() == 0.0 && abs < 1e15 {
        format!("{}", n as i64)
    } else {
        // At most two decimals, without trailing zeros.
        let s = format!("{n:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// `12 °C`, `215.99 USD`, `63 %`: a value with its unit.
fn with_unit(value: &str, unit: &str) -> String {
    if unit.is_empty() {
        value.to_string()
    } else {
        format!("{value} {unit}")
    }
}

/// The number an object stands for: a price-like field (with the object's currency), else the
/// first number with a unit.
fn headline(obj: &Map<String, Value>, parent: Option<&Map<String, Value>>) -> Option<Headline> {
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
fn field(key: &str, value: &Value, currency: Option<&str>) -> Option<String> {
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
fn object(obj: &Map<String, Value>, parent: Option<&Map<String, Value>>) -> Option<String> {
    let subject = subject(obj, parent);
    let currency = obj.get("currency").and_then(Value::as_str);
    let date = obj
        .iter()
        .find(|(k, v)| {
            key_in(k, DATE_KEYS) && v.is_string() && parent.and_then(|p| p.get(*k)) != Some(*v)
        })
        .and_then(|(_, v)| v.as_str());
    let headline = headline(obj, parent).filter(|h| h.money || is_price(&h.label));
    // Fields already said (subject, date, currency, the headline) are not repeated.
    let said = |k: &str, v: &Value| {
        key_in(k, NAME_KEYS)
            || key_in(k, ID_KEYS)
            || key_in(k, DATE_KEYS)
            || key_in(k, PROSE_KEYS)
            || k == "currency"
            || parent.and_then(|p| p.get(k)) == Some(v)
            || headline
                .as_ref()
                .is_some_and(|h| label_and_unit(k).0 == h.label && v.is_number())
    };
    let fields: Vec<String> = obj
        .iter()
        .filter(|(k, v)| !said(k, v) && !is_list_of_objects(v))
        .filter_map(|(k, v)| field(k, v, currency))
        .collect();
    let lists: Vec<String> = obj
        .iter()
        .filter(|(_, v)| is_list_of_objects(v))
        .map(|(k, v)| {
            list(
                &label_and_unit(k).0,
                v.as_array().map(Vec::as_slice).unwrap_or_default(),
                Some(obj),
            )
        })
        .collect();

    let mut lead = subject.clone().unwrap_or_default();
    if let Some(d) = date {
        lead = if lead.is_empty() {
            d.to_string()
        } else {
            format!("{lead} on {d}")
        };
    }
    let mut sentence = match &headline {
        Some(h) => format!(
            "{} is at {}",
            if lead.is_empty() {
                upper_first(&h.label)
            } else {
                lead.clone()
            },
            with_unit(&number(h.value, h.money), &h.unit)
        ),
        None => lead.clone(),
    };
    if !fields.is_empty() {
        let joined = fields.join(", ");
        sentence = match (&headline, sentence.is_empty()) {
            (_, true) => upper_first(&joined),
            (Some(_), false) => format!("{sentence}, with {joined}"),
            (None, false) => format!("{sentence}: {joined}"),
        };
    }
    if sentence.is_empty() && lists.is_empty() {
        // Nothing structured to say: the result's own prose, if it has some.
        return obj
            .iter()
            .find(|(k, v)| key_in(k, PROSE_KEYS) && v.is_string())
            .and_then(|(_, v)| v.as_str())
            .map(str::to_string);
    }
    // A bare subject introduces its lists ("Paris, 3 days: …"); a sentence ends first.
    let bare = fields.is_empty() && headline.is_none();
    let mut out = match (sentence.is_empty(), bare) {
        (true, _) => String::new(),
        (false, true) => format!("{sentence}, "),
        (false, false) => format!("{sentence}. "),
    };
    out.push_str(&lists.join("\n"));
    let out = out.trim_end().trim_end_matches(',').to_string();
    let out = if out.ends_with('.') || !lists.is_empty() {
        out
    } else {
        format!("{out}.")
    };
    Some(out)
}

fn is_list_of_objects(v: &Value) -> bool {
    v.as_array()
        .is_some_and(|a| !a.is_empty() && a.iter().all(Value::is_object))
}

/// A list: how many, then one line per item (at most ten).
fn list(what: &str, items: &[Value], parent: Option<&Map<String, Value>>) -> String {
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

/// An object comparing two subjects: `{first, second, higher: "MSFT", difference_percent}`.
fn comparison(obj: &Map<String, Value>) -> Option<String> {
    let subjects: Vec<(&Map<String, Value>, Headline)> = obj
        .values()
        .filter_map(Value::as_object)
        .filter_map(|o| Some((o, headline(o, None)?)))
        .collect();
    if subjects.len() != 2 {
        return None;
    }
    let names = |o: &Map<String, Value>| -> Vec<String> {
        o.iter()
            .filter(|(k, _)| key_in(k, NAME_KEYS) || key_in(k, ID_KEYS))
            .filter_map(|(_, v)| v.as_str().map(str::to_string))
            .collect()
    };
    // The verdict: a field whose value names one of the two (or is null: neither wins).
    let (verdict, winner) = obj.iter().find_map(|(k, v)| match v {
        Value::String(s) => subjects
            .iter()
            .position(|(o, _)| names(o).contains(s))
            .map(|i| (k.as_str(), Some(i))),
        Value::Null if !key_in(k, PROSE_KEYS) => Some((k.as_str(), None)),
        _ => None,
    })?;
    let describe =
        |h: &Headline| with_value(&h.subject, &with_unit(&number(h.value, h.money), &h.unit));
    let Some(w) = winner else {
        return Some(format!(
            "{} and {} are level: neither is {}.",
            describe(&subjects[0].1),
            describe(&subjects[1].1),
            label_and_unit(verdict).0
        ));
    };
    let (win, lose) = (&subjects[w].1, &subjects[1 - w].1);
    let margin = obj
        .iter()
        .find(|(k, v)| v.is_number() && label_and_unit(k).1 == "%")
        .and_then(|(_, v)| v.as_f64())
        .map(|p| format!(" by {} %", number(p, false)))
        .unwrap_or_default();
    let verdict = label_and_unit(verdict).0;
    Some(if verdict.ends_with("er") {
        format!(
            "{} is {verdict} than {}{margin}.",
            describe(win),
            describe(lose)
        )
    } else {
        format!(
            "{}: {} over {}{margin}.",
            upper_first(&verdict),
            describe(win),
            describe(lose)
        )
    })
}

/// A subject with its value: `Apple Inc. (AAPL, 175.50 USD)`, `London (12 °C)`.
fn with_value(subject: &str, value: &str) -> String {
    match subject.strip_suffix(')') {
        Some(s) => format!("{s}, {value})"),
        None => format!("{subject} ({value})"),
    }
}

/// How several results' numbers rank: two are compared, more get a highest and a lowest.
fn rank(hs: &[&Headline]) -> Option<String> {
    let hi = hs.iter().max_by(|a, b| a.value.total_cmp(&b.value))?;
    let lo = hs.iter().min_by(|a, b| a.value.total_cmp(&b.value))?;
    let v = |h: &Headline| with_unit(&number(h.value, h.money), &h.unit);
    if hi.value == lo.value {
        return Some(format!("All are level at {}.", v(hi)));
    }
    if hs.len() == 2 {
        // A price compares in percent, like a comparison tool would; a reading by its label.
        if hi.money && lo.value > 0.0 {
            return Some(format!(
                "{} is higher than {} by {} % ({} against {}).",
                hi.subject,
                lo.subject,
                number((hi.value - lo.value) / lo.value * 100.0, false),
                v(hi),
                v(lo)
            ));
        }
        return Some(format!(
            "{} has the higher {}: {} against {} in {}.",
            hi.subject,
            hi.label,
            v(hi),
            v(lo),
            lo.subject
        ));
    }
    Some(format!(
        "Highest {}: {}; lowest: {}.",
        hi.label,
        with_value(&hi.subject, &v(hi)),
        with_value(&lo.subject, &v(lo))
    ))
}

/// A CSV table: rows, the range of its first column, and how a value column moved.
fn table(context: &str, text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let commas = |l: &str| l.matches(',').count();
    if lines.len() < 3
        || commas(lines[0]) == 0
        || !lines.iter().all(|l| commas(l) == commas(lines[0]))
    {
        return None;
    }
    let header: Vec<&str> = lines[0].split(',').map(str::trim).collect();
    let rows: Vec<Vec<&str>> = lines[1..]
        .iter()
        .map(|l| l.split(',').map(str::trim).collect())
        .collect();
    let (first, last) = (&rows[0], &rows[rows.len() - 1]);
    let mut out = format!(
        "{context}: {} rows from {} to {} ({}).",
        rows.len(),
        first[0],
        last[0],
        header.join(", ")
    );
    // The value column: a price-like one, else the first numeric one after the label.
    let numeric = |i: usize| rows.iter().all(|r| r[i].parse::<f64>().is_ok());
    let col = (1..header.len())
        .find(|&i| is_price(header[i]) && numeric(i))
        .or_else(|| (1..header.len()).find(|&i| numeric(i)));
    if let Some(i) = col {
        let values: Vec<f64> = rows.iter().filter_map(|r| r[i].parse().ok()).collect();
        let (a, b) = (values[0], values[values.len() - 1]);
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let change = if a != 0.0 {
            format!(" ({:+.2} %)", (b - a) / a * 100.0)
        } else {
            String::new()
        };
        out.push_str(&format!(
            " {} went from {} to {}{change}, between {} and {}.",
            header[i],
            number(a, false),
            number(b, false),
            number(lo, false),
            number(hi, false)
        ));
    }
    Some(out)
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if c.clone().next().is_some_and(char::is_lowercase) => {
            f.to_lowercase().chain(c).collect()
        }
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(name: &str, args: Value) -> ToolCall {
        ToolCall {
            id: name.into(),
            name: name.into(),
            arguments: args,
        }
    }

    fn one(name: &str, args: Value, title: Option<&str>, content: &str) -> String {
        let c = call(name, args);
        answer(&[Outcome {
            call: &c,
            title,
            content,
            is_error: false,
        }])
    }

    #[test]
    fn a_quote_is_a_sentence_with_its_currency() {
        let content = r#"{"currency":"USD","name":"Tesla Inc.","price":215.99,"symbol":"TSLA"}"#;
        let text = one("get_stock_price", json!({"symbol": "TSLA"}), None, content);
        assert_eq!(text, "Tesla Inc. (TSLA) is at 215.99 USD.");
    }

    #[test]
    fn a_comparison_names_the_winner_and_the_margin() {
        let content = json!({
            "difference_percent": 190.47,
            "first": {"currency": "USD", "name": "Apple Inc.", "price": 175.5, "symbol": "AAPL"},
            "higher": "MSFT",
            "second": {"currency": "USD", "name": "Microsoft Corporation", "price": 509.77, "symbol": "MSFT"},
            "summary": "MSFT ($509.77) is higher than AAPL ($175.50) by 190.47%."
        })
        .to_string();
        let text = one("compare_stock_prices", json!({}), None, &content);
        assert_eq!(
            text,
            "Microsoft Corporation (MSFT, 509.77 USD) is higher than Apple Inc. (AAPL, 175.50 USD) by 190.47 %."
        );
        let level = content
            .replace(r#""higher":"MSFT""#, r#""higher":null"#)
            .replace("509.77", "175.5");
        let text = one("compare_stock_prices", json!({}), None, &level);
        assert!(text.contains("are level: neither is higher"), "{text}");
    }

    #[test]
    fn fields_read_with_their_units_and_big_numbers_in_words() {
        let weather = r#"{"city":"London","condition":"Sunny","date":"2026-11-22","high_c":12,"humidity_pct":63,"low_c":6,"wind_kph":24}"#;
        assert_eq!(
            one("get_weather", json!({"city": "London"}), None, weather),
            "London on 2026-11-22: condition Sunny, high 12 °C, humidity 63 %, low 6 °C, wind 24 km/h."
        );
        let info = r#"{"market_cap":1.1e12,"name":"NVIDIA Corporation","pe_ratio":65.2,"price":445.32,"sector":"Technology","summary":"NVIDIA\nPrice: $445.32","symbol":"NVDA","week_52_range":null}"#;
        assert_eq!(
            one("get_ticker_info", json!({"symbol": "NVDA"}), None, info),
            "NVIDIA Corporation (NVDA) is at 445.32, with market cap 1.10 trillion, pe ratio 65.2, sector Technology."
        );
    }

    #[test]
    fn lists_get_a_count_and_a_line_per_item() {
        let forecast = json!({"city": "Paris", "days": [
            {"city": "Paris", "date": "2026-11-22", "high_c": 11, "condition": "Windy"},
            {"city": "Paris", "date": "2026-11-23", "high_c": 9, "condition": "Sunny"}
        ]})
        .to_string();
        assert_eq!(
            one(
                "get_forecast",
                json!({"city": "Paris", "days": 2}),
                None,
                &forecast
            ),
            "Paris, 2 days:\n- 2026-11-22: condition Windy, high 11 °C\n- 2026-11-23: condition Sunny, high 9 °C"
        );
    }

    #[test]
    fn a_table_gets_its_range_and_how_its_value_moved() {
        let csv = "Date,Open,High,Low,Close,Volume\n2026-11-16,172.99,175.45,171.76,175.27,1\n2026-11-17,175.68,176.44,171.77,172.48,2\n2026-11-18,172.15,176.97,171.89,175.50,3";
        let text = one(
            "get_stock_history",
            json!({"symbol": "AAPL", "period": "5d"}),
            Some("Price history"),
            csv,
        );
        assert_eq!(
            text,
            "Price history (5d, AAPL): 3 rows from 2026-11-16 to 2026-11-18 (Date, Open, High, Low, Close, Volume). Close went from 175.27 to 175.5 (+0.13 %), between 172.48 and 175.5."
        );
    }

    #[test]
    fn several_results_are_ranked_and_errors_named() {
        let (a, b, c) = (
            call("get_weather", json!({"city": "Paris"})),
            call("get_weather", json!({"city": "London"})),
            call("get_stock_price", json!({"symbol": "XYZ"})),
        );
        let (b2, c2) = (
            ToolCall {
                id: "b".into(),
                ..b
            },
            ToolCall {
                id: "c".into(),
                ..c
            },
        );
        let text = answer(&[
            Outcome {
                call: &a,
                title: None,
                content: r#"{"city":"Paris","high_c":11}"#,
                is_error: false,
            },
            Outcome {
                call: &b2,
                title: None,
                content: r#"{"city":"London","high_c":12}"#,
                is_error: false,
            },
            Outcome {
                call: &c2,
                title: None,
                content: "unknown symbol 'XYZ'",
                is_error: true,
            },
        ]);
        assert_eq!(
            text,
            "Paris: high 11 °C.\nLondon: high 12 °C.\nget_stock_price(symbol=XYZ) failed: unknown symbol 'XYZ'\nLondon has the higher high: 12 °C against 11 °C in Paris."
        );
    }

    #[test]
    fn three_prices_get_a_highest_and_a_lowest() {
        let quote = |s: &str, p: f64| {
            json!({"currency": "USD", "name": format!("{s} Inc."), "price": p, "symbol": s})
                .to_string()
        };
        let calls: Vec<ToolCall> = ["A", "B", "C"]
            .iter()
            .map(|s| ToolCall {
                id: s.to_string(),
                name: "get_stock_price".into(),
                arguments: json!({"symbol": s}),
            })
            .collect();
        let contents = [quote("A", 175.5), quote("B", 215.99), quote("C", 138.25)];
        let outcomes: Vec<Outcome> = calls
            .iter()
            .zip(&contents)
            .map(|(call, content)| Outcome {
                call,
                title: None,
                content,
                is_error: false,
            })
            .collect();
        let text = answer(&outcomes);
        assert!(
            text.ends_with(
                "\nHighest price: B Inc. (B, 215.99 USD); lowest: C Inc. (C, 138.25 USD)."
            ),
            "{text}"
        );
    }

    #[test]
    fn plain_text_passes_through_and_subjectless_results_say_what_they_are() {
        assert_eq!(
            one("count", json!({"to": 3}), None, "counted to 3"),
            "counted to 3"
        );
        assert_eq!(
            one(
                "get_status",
                json!({}),
                Some("Server status"),
                r#"{"uptime_ms": 1500, "healthy": true}"#
            ),
            "Server status: healthy: yes, uptime 1500 ms."
        );
    }
}
