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
//! - **Text followed by a JSON object** is a server's own phrasing with its structured result
//!   mirrored after it (as MCP asks of tools with an output schema, for clients that read only
//!   text): the text is for people, so it is the answer, without the mirror.
//!
//! The raw result stays on screen above the answer, so the phrasing may leave details out.

mod compare;
mod number;
mod object;
mod table;

use crate::tool::Call;
use crate::words::data_sections;
use compare::{comparison, rank};
use number::number;
use object::{Headline, headline, list, object, subject};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::LazyLock;
use table::table;

/// Field names of results, by what they mean: `data/result_fields.txt`, parsed once.
static FIELDS: LazyLock<HashMap<&'static str, Vec<&'static str>>> =
    LazyLock::new(|| data_sections(include_str!("../../data/result_fields.txt")));

/// The field names that play `role` (`name`, `id`, `date`, `prose`, `price`).
pub(crate) fn fields(role: &str) -> &'static [&'static str] {
    FIELDS.get(role).map(Vec::as_slice).unwrap_or_default()
}

/// One tool result, as the planner phrases it.
pub struct Outcome<'a> {
    /// The call that produced it.
    pub call: &'a Call,
    /// The tool's title, if the server gave one.
    pub title: Option<&'a str>,
    /// The result as text.
    pub content: &'a str,
    /// Whether the server marked it as a tool error.
    pub is_error: bool,
}

/// The answer for one turn's results: a sentence or a few lines per result, errors named,
/// and a ranking when several calls of one tool returned comparable numbers.
pub fn answer(outcomes: &[Outcome]) -> String {
    let mut parts = Vec::new();
    let mut headlines = Vec::new();
    let several = outcomes.len() > 1;
    for o in outcomes {
        if o.is_error {
            parts.push(format!(
                "{} failed: {}",
                describe_call(&o.call.tool, &o.call.arguments),
                o.content.trim()
            ));
            continue;
        }
        let (text, headline) = phrase_one(o, several);
        if let Some(h) = headline {
            headlines.push((o.call.tool.as_str(), h));
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
            let text = without_mirror(o.content.trim());
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

/// Text without the JSON object or array mirrored on its last line, when the text before it
/// says something of its own.
fn without_mirror(text: &str) -> &str {
    let Some((before, last)) = text.rsplit_once('\n') else {
        return text;
    };
    let mirrored = matches!(
        serde_json::from_str::<Value>(last.trim()),
        Ok(Value::Object(_) | Value::Array(_))
    );
    if mirrored && !before.trim().is_empty() {
        before.trim_end()
    } else {
        text
    }
}

/// What a call was about in words: the tool's title (or its name made readable) and the
/// arguments' values, `Price history (AAPL, 5d)`.
fn context(o: &Outcome) -> String {
    let title = o.title.map(str::to_string).unwrap_or_else(|| {
        let words: Vec<&str> = o
            .call
            .tool
            .split(['_', '-', '.'])
            .filter(|w| !w.is_empty() && !matches!(*w, "get" | "fetch" | "list"))
            .collect();
        upper_first(&words.join(" "))
    });
    let args: Vec<String> = o
        .call
        .arguments
        .values()
        .map(|v| match v {
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
pub fn describe_call(name: &str, args: &Map<String, Value>) -> String {
    let args: Vec<String> = args
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect();
    format!("{name}({})", args.join(", "))
}

/// `s` with its first letter in upper case.
pub(crate) fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `s` with its first letter in lower case, unless it starts an acronym (`NVDA`).
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

    fn call(name: &str, args: Value) -> Call {
        Call {
            tool: name.into(),
            arguments: args.as_object().cloned().unwrap_or_default(),
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
        // Outcomes carry their call, so two calls of one tool need no ids to be told apart.
        let (b2, c2) = (b, c);
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
        let calls: Vec<Call> = ["A", "B", "C"]
            .iter()
            .map(|s| call("get_stock_price", json!({"symbol": s})))
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
    fn a_servers_own_text_is_the_answer_and_its_json_mirror_is_left_out() {
        let content = "Paris is sunny.\n\nSource: weather.example\n{\"city\":\"Paris\",\"condition\":\"Sunny\"}";
        assert_eq!(
            one("get_weather", json!({"city": "Paris"}), None, content),
            "Paris is sunny.\n\nSource: weather.example"
        );
        // A last line that is JSON on its own is the whole result, phrased as JSON.
        assert_eq!(
            one(
                "get_status",
                json!({}),
                Some("Server status"),
                r#"{"uptime_ms": 1500}"#
            ),
            "Server status: uptime 1500 ms."
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
