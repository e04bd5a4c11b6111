//! Elicitation: the server asks the human for input in the middle of a tool call.
//!
//! A server sends `elicitation/create` with a message and either
//!
//! - **form mode**: a flat JSON Schema of primitive fields (booleans, strings with an optional
//!   `format`, numbers with `minimum`/`maximum`, enums, `default`s), which the client renders as
//!   a form; or
//! - **URL mode** (2025-11-25): a URL the human should visit (a sign-in or payment page) that the
//!   client must show, and open only with consent.
//!
//! The human answers with one of three actions: **accept** (with the data, for forms),
//! **decline** (no, but carry on) or **cancel** (stop the whole operation). The console asks the
//! human every time: answering on their behalf would defeat the point of elicitation.

use crate::input::{Input, Line, choose};
use crate::render::Renderer;
use rmcp::model::{ElicitRequestParams, ElicitResult, ElicitationAction};
use serde_json::{Map, Value, json};

/// Shows the request and returns the human's answer.
pub async fn answer(
    input: &Input,
    render: &Renderer,
    request: ElicitRequestParams,
) -> ElicitResult {
    match request {
        ElicitRequestParams::FormElicitationParams {
            message,
            requested_schema,
            ..
        } => {
            // rmcp keeps the field order it saw aside (its map is sorted): ask in that order.
            // (In rmcp 3.9 the order is lost in transit, so fields arrive sorted by name.)
            let order = requested_schema.property_order.clone().unwrap_or_default();
            let schema = serde_json::to_value(&requested_schema).unwrap_or(json!({}));
            form(input, render, &message, &schema, &order).await
        }
        ElicitRequestParams::UrlElicitationParams { message, url, .. } => {
            url_mode(input, render, &message, &url).await
        }
        // A mode this console does not know: say no rather than guess.
        _ => result(ElicitationAction::Decline, None),
    }
}

fn result(action: ElicitationAction, content: Option<Value>) -> ElicitResult {
    let mut r = ElicitResult::new(action);
    if let Some(c) = content {
        r = r.with_content(c);
    }
    r
}

/// Renders a form-mode request field by field, in `order` (then any field it does not name).
pub async fn form(
    input: &Input,
    render: &Renderer,
    message: &str,
    schema: &Value,
    order: &[String],
) -> ElicitResult {
    render.say(&format!("\n? The server asks: {message}"));
    let Some(choice) = choose(
        input,
        "  [a]nswer, [d]ecline or [c]ancel? [a] ",
        &['a', 'd', 'c'],
        'a',
    )
    .await
    else {
        return result(ElicitationAction::Cancel, None);
    };
    match choice {
        'd' => return result(ElicitationAction::Decline, None),
        'c' => return result(ElicitationAction::Cancel, None),
        _ => {}
    }
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut content = Map::new();
    let properties = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut fields: Vec<(&String, &Value)> = order
        .iter()
        .filter_map(|n| properties.get_key_value(n))
        .collect();
    fields.extend(properties.iter().filter(|(n, _)| !order.contains(n)));
    for (name, field) in fields {
        let is_required = required.contains(&name.as_str());
        match ask_field(input, name, field, is_required).await {
            Field::Value(v) => {
                content.insert(name.clone(), v);
            }
            Field::Skip => {}
            Field::Abort => return result(ElicitationAction::Cancel, None),
        }
    }
    result(ElicitationAction::Accept, Some(Value::Object(content)))
}

enum Field {
    Value(Value),
    Skip,
    Abort,
}

/// The choices of an enum field: `(value, label)`.
fn options(field: &Value) -> Vec<(Value, String)> {
    if let Some(values) = field["enum"].as_array() {
        let names = field["enumNames"].as_array();
        return values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let label = names
                    .and_then(|n| n.get(i))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| v.as_str().map(str::to_string).unwrap_or(v.to_string()));
                (v.clone(), label)
            })
            .collect();
    }
    ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| field[*k].as_array())
        .flatten()
        .filter_map(|b| {
            let v = b.get("const")?.clone();
            let label = b["title"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.as_str().map(str::to_string).unwrap_or(v.to_string()));
            Some((v, label))
        })
        .collect()
}

async fn ask_field(input: &Input, name: &str, field: &Value, required: bool) -> Field {
    let ty = field["type"].as_str().unwrap_or("string");
    let title = field["title"].as_str().unwrap_or(name);
    let default = field.get("default").filter(|d| !d.is_null());
    let mut hint = Vec::new();
    if let Some(d) = field["description"].as_str() {
        render_line(&format!("  {title}: {d}"));
    }
    // Multi-select: an array whose items are an enum.
    let item_options = if ty == "array" {
        options(&field["items"])
    } else {
        Vec::new()
    };
    let choices = if ty == "array" {
        item_options.clone()
    } else {
        options(field)
    };
    if !choices.is_empty() {
        for (i, (_, label)) in choices.iter().enumerate() {
            render_line(&format!("    {}) {label}", i + 1));
        }
        hint.push(if ty == "array" {
            "numbers separated by commas".to_string()
        } else {
            "number or value".to_string()
        });
    } else {
        match ty {
            "boolean" => hint.push("y/n".into()),
            "integer" | "number" => {
                hint.push(ty.to_string());
                match (field["minimum"].as_f64(), field["maximum"].as_f64()) {
                    (Some(a), Some(b)) => hint.push(format!("{a}..{b}")),
                    (Some(a), None) => hint.push(format!("≥ {a}")),
                    (None, Some(b)) => hint.push(format!("≤ {b}")),
                    _ => {}
                }
            }
            _ => {
                if let Some(f) = field["format"].as_str() {
                    hint.push(f.to_string());
                }
            }
        }
    }
    if let Some(d) = default {
        hint.push(format!(
            "default {}",
            d.as_str().map(str::to_string).unwrap_or(d.to_string())
        ));
    } else if !required {
        hint.push("optional".into());
    }
    let prompt = format!("  {title} ({}): ", hint.join(", "));
    loop {
        let text = match input.read_line(&prompt).await {
            Line::Text(t) => t.trim().to_string(),
            Line::Interrupted | Line::Eof => return Field::Abort,
        };
        if text.is_empty() {
            if let Some(d) = default {
                return Field::Value(d.clone());
            }
            if !required {
                return Field::Skip;
            }
            render_line("    this field is required");
            continue;
        }
        match parse(&text, ty, field, &choices) {
            Ok(v) => return Field::Value(v),
            Err(why) => render_line(&format!("    {why}")),
        }
    }
}

fn render_line(text: &str) {
    println!("{text}");
}

/// Parses and validates one answer against its field schema.
pub fn parse(
    text: &str,
    ty: &str,
    field: &Value,
    choices: &[(Value, String)],
) -> Result<Value, String> {
    let pick = |t: &str| -> Option<Value> {
        if let Ok(n) = t.parse::<usize>()
            && n >= 1
            && n <= choices.len()
        {
            return Some(choices[n - 1].0.clone());
        }
        choices
            .iter()
            .find(|(v, label)| {
                v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(t))
                    || label.eq_ignore_ascii_case(t)
            })
            .map(|(v, _)| v.clone())
    };
    if ty == "array" && !choices.is_empty() {
        let picked: Option<Vec<Value>> = text.split(',').map(|p| pick(p.trim())).collect();
        let picked = picked.ok_or("pick from the listed options")?;
        if let Some(min) = field["minItems"].as_u64()
            && (picked.len() as u64) < min
        {
            return Err(format!("pick at least {min}"));
        }
        if let Some(max) = field["maxItems"].as_u64()
            && (picked.len() as u64) > max
        {
            return Err(format!("pick at most {max}"));
        }
        return Ok(Value::Array(picked));
    }
    if !choices.is_empty() {
        return pick(text).ok_or_else(|| "pick one of the listed options".to_string());
    }
    match ty {
        "boolean" => match text.to_lowercase().as_str() {
            "y" | "yes" | "true" | "1" => Ok(json!(true)),
            "n" | "no" | "false" | "0" => Ok(json!(false)),
            _ => Err("answer y or n".into()),
        },
        "integer" | "number" => {
            let n: f64 = text
                .parse()
                .map_err(|_| format!("'{text}' is not a number"))?;
            if ty == "integer" && n.fract() != 0.0 {
                return Err(format!("'{text}' is not a whole number"));
            }
            if let Some(min) = field["minimum"].as_f64()
                && n < min
            {
                return Err(format!("must be at least {min}"));
            }
            if let Some(max) = field["maximum"].as_f64()
                && n > max
            {
                return Err(format!("must be at most {max}"));
            }
            Ok(if ty == "integer" {
                json!(n as i64)
            } else {
                json!(n)
            })
        }
        _ => {
            let len = text.chars().count() as u64;
            if let Some(min) = field["minLength"].as_u64()
                && len < min
            {
                return Err(format!("at least {min} characters"));
            }
            if let Some(max) = field["maxLength"].as_u64()
                && len > max
            {
                return Err(format!("at most {max} characters"));
            }
            check_format(text, field["format"].as_str())?;
            Ok(json!(text))
        }
    }
}

fn check_format(text: &str, format: Option<&str>) -> Result<(), String> {
    let ok = match format {
        Some("email") => {
            let mut parts = text.split('@');
            matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(d), None) if !a.is_empty() && d.contains('.'))
        }
        Some("uri") => url::Url::parse(text).is_ok(),
        Some("date") => is_date(text),
        Some("date-time") => {
            text.len() > 11 && is_date(&text[..10]) && matches!(&text[10..11], "T" | "t" | " ")
        }
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("not a valid {}", format.unwrap_or("value")))
    }
}

fn is_date(t: &str) -> bool {
    let p: Vec<&str> = t.split('-').collect();
    p.len() == 3
        && p[0].len() == 4
        && p.iter()
            .all(|x| x.chars().all(|c| c.is_ascii_digit()) && !x.is_empty())
        && p[1].parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
        && p[2].parse::<u8>().is_ok_and(|d| (1..=31).contains(&d))
}

/// URL mode: show the URL, open it only if the human agrees, then ask how it went.
pub async fn url_mode(input: &Input, render: &Renderer, message: &str, url: &str) -> ElicitResult {
    render.say(&format!(
        "\n? The server asks you to visit a page: {message}\n  {url}"
    ));
    match choose(input, "  Open it in your browser? [y/N] ", &['y', 'n'], 'n').await {
        None => return result(ElicitationAction::Cancel, None),
        Some('y') => {
            if let Err(e) = open_in_browser(url) {
                render.warn(&format!(
                    "could not open a browser ({e}); open the URL yourself"
                ));
            }
        }
        Some(_) => {}
    }
    match choose(
        input,
        "  When done: [a]ccept, [d]ecline or [c]ancel? [a] ",
        &['a', 'd', 'c'],
        'a',
    )
    .await
    {
        Some('a') => result(ElicitationAction::Accept, None),
        Some('d') => result(ElicitationAction::Decline, None),
        _ => result(ElicitationAction::Cancel, None),
    }
}

fn open_in_browser(url: &str) -> std::io::Result<()> {
    // Only web URLs: a server must not make us run `file:` or custom-scheme handlers.
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(std::io::Error::other("only http(s) URLs are opened"));
    }
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    std::process::Command::new(program)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_validated_against_the_field() {
        let n = json!({"type": "integer", "minimum": 1, "maximum": 10});
        assert_eq!(parse("5", "integer", &n, &[]), Ok(json!(5)));
        assert!(
            parse("11", "integer", &n, &[])
                .unwrap_err()
                .contains("at most 10")
        );
        assert!(parse("2.5", "integer", &n, &[]).is_err());
        let email = json!({"type": "string", "format": "email"});
        assert!(parse("bob@example.com", "string", &email, &[]).is_ok());
        assert!(parse("bob", "string", &email, &[]).is_err());
        assert_eq!(parse("yes", "boolean", &json!({}), &[]), Ok(json!(true)));
        let e = json!({"type": "string", "enum": ["low", "medium", "high"]});
        let choices = options(&e);
        assert_eq!(parse("2", "string", &e, &choices), Ok(json!("medium")));
        assert_eq!(parse("HIGH", "string", &e, &choices), Ok(json!("high")));
        let titled = json!({"type": "string", "oneOf": [{"const": "s", "title": "Short"}, {"const": "l", "title": "Long"}]});
        assert_eq!(
            parse("long", "string", &titled, &options(&titled)),
            Ok(json!("l"))
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_scripted_form_is_accepted_with_defaults() {
        let schema = json!({"type": "object", "properties": {
            "include_week_range": {"type": "boolean", "default": false, "description": "52-week range"},
            "risk": {"type": "string", "enum": ["low", "high"]},
            "note": {"type": "string"}
        }, "required": ["risk"]});
        // Fields in the server's order: risk, include_week_range, note.
        let order = ["risk", "include_week_range", "note"].map(String::from);
        let input = Input::lines(std::io::Cursor::new("a\nhigh\n\n\n"));
        let r = form(&input, &Renderer::plain(), "Preferences?", &schema, &order).await;
        assert_eq!(r.action, ElicitationAction::Accept);
        assert_eq!(
            r.content,
            Some(json!({"include_week_range": false, "risk": "high"}))
        );
        let input = Input::lines(std::io::Cursor::new("d\n"));
        let r = form(&input, &Renderer::plain(), "Preferences?", &schema, &[]).await;
        assert_eq!(r.action, ElicitationAction::Decline);
        let input = Input::lines(std::io::Cursor::new("a\n"));
        let r = form(&input, &Renderer::plain(), "Preferences?", &schema, &[]).await;
        assert_eq!(r.action, ElicitationAction::Cancel, "end of input cancels");
    }
}
