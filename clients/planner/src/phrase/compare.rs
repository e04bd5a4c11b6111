//! Comparisons: which of two subjects wins, and how several results rank.

use super::number::{number, with_unit};
use super::object::{Headline, headline, key_in, label_and_unit};
use super::{fields, upper_first};
use serde_json::{Map, Value};

/// An object comparing two subjects: `{first, second, higher: "MSFT", difference_percent}`.
pub(crate) fn comparison(obj: &Map<String, Value>) -> Option<String> {
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
            .filter(|(k, _)| key_in(k, fields("name")) || key_in(k, fields("id")))
            .filter_map(|(_, v)| v.as_str().map(str::to_string))
            .collect()
    };
    // The verdict: a field whose value names one of the two (or is null: neither wins).
    let (verdict, winner) = obj.iter().find_map(|(k, v)| match v {
        Value::String(s) => subjects
            .iter()
            .position(|(o, _)| names(o).contains(s))
            .map(|i| (k.as_str(), Some(i))),
        Value::Null if !key_in(k, fields("prose")) => Some((k.as_str(), None)),
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
pub(crate) fn with_value(subject: &str, value: &str) -> String {
    match subject.strip_suffix(')') {
        Some(s) => format!("{s}, {value})"),
        None => format!("{subject} ({value})"),
    }
}

/// How several results' numbers rank: two are compared, more get a highest and a lowest.
pub(crate) fn rank(hs: &[&Headline]) -> Option<String> {
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
