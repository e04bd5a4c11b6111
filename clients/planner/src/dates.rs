//! Dates: the days a question limits results to, for parameters such as `since` and `until`.
//!
//! People say *this month*, *since March*, *in the last 30 days*, *last month*, *in September*
//! or write `2026-06-01`; a tool wants two days in `YYYY-MM-DD`. This stage reads those phrases
//! into a [`Span`] (a first and a last day, either open), **relative to the day it is given**:
//! the planner's clock is injected ([`crate::Planner::with_today`]), so the same question plans
//! the same in a test on any day.
//!
//! | the question says | since | until |
//! |---|---|---|
//! | this week / month / year | its first day | — |
//! | the last 30 days, the past two weeks | that long before today | — |
//! | last week / month / year (no *the*) | the previous one's first day | its last day |
//! | since / from March | March 1st (the latest March not after today) | — |
//! | in / during September | September 1st | September 30th |
//! | before June, until June | — | May 31st, June 30th |
//! | today, yesterday | that day | that day |
//! | since / until / between … and … `2026-06-01` | as written | as written |
//!
//! The lead words are in `data/dates.txt`; month names are chrono's.

use crate::bounds::Edge;
use crate::entities::number_of;
use crate::words::{data_sections, split_words};
use chrono::{Datelike, Days, Month, Months, NaiveDate};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The days a question names: a first and a last, either open.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Span {
    /// The first day, if the question limits it.
    pub since: Option<NaiveDate>,
    /// The last day, if the question limits it.
    pub until: Option<NaiveDate>,
    /// The lowercase words it was read from.
    pub words: Vec<String>,
    /// The indices of the tokens that are dates themselves (month names, `2026-06-01`): no
    /// place, no number.
    pub at: Vec<usize>,
}

impl Span {
    /// The day for a parameter that takes `edge` (or, with `None`, one day: the first).
    pub fn day(&self, edge: Option<Edge>) -> Option<NaiveDate> {
        match edge {
            Some(Edge::Lower) => self.since,
            Some(Edge::Upper) => self.until,
            None => self.since.or(self.until),
        }
    }
}

/// `data/dates.txt`, parsed once.
static LEADS: LazyLock<HashMap<&'static str, Vec<&'static str>>> =
    LazyLock::new(|| data_sections(include_str!("../data/dates.txt")));

/// What the lead word `word` says about the date after it (`since`, `after`, `until`,
/// `before`, `in`, `between`), if it is one.
fn lead(word: &str) -> Option<&'static str> {
    let section = ["since", "after", "until", "before", "in", "between"];
    section
        .into_iter()
        .find(|s| LEADS.get(s).is_some_and(|words| words.contains(&word)))
}

/// A month's first and last day.
fn month_range(year: i32, month: u32) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let last = first.checked_add_months(Months::new(1))?.pred_opt()?;
    Some((first, last))
}

/// Sets the span's ends from `lead` and the range `(first, last)` it qualifies.
fn apply(span: &mut Span, lead: &str, first: NaiveDate, last: NaiveDate, second: bool) {
    let set = |slot: &mut Option<NaiveDate>, day: Option<NaiveDate>| {
        if slot.is_none() {
            *slot = day;
        }
    };
    match lead {
        "since" => set(&mut span.since, Some(first)),
        "after" => set(&mut span.since, last.succ_opt()),
        "until" => set(&mut span.until, Some(last)),
        "before" => set(&mut span.until, first.pred_opt()),
        // "between X and Y": X starts it, Y ends it.
        "between" if second => set(&mut span.until, Some(last)),
        "between" => set(&mut span.since, Some(first)),
        _ => {
            set(&mut span.since, Some(first));
            set(&mut span.until, Some(last));
        }
    }
}

/// The span a question's tokens name, relative to `today`; `None` when they name no date.
pub fn find(tokens: &[String], today: NaiveDate) -> Option<Span> {
    let lower: Vec<String> = tokens.iter().map(|t| t.to_ascii_lowercase()).collect();
    let mut span = Span::default();
    let mut between = false;
    let mut i = 0;
    while i < lower.len() {
        let w = lower[i].as_str();
        let prev = i.checked_sub(1).map(|j| lower[j].as_str());
        let lead_word = prev.and_then(lead);
        // An ISO date, led or not: the first unled one starts the span, a second ends it.
        if let Ok(day) = NaiveDate::parse_from_str(w, "%Y-%m-%d") {
            let second = between && prev == Some("and");
            let how = match lead_word {
                Some(l) => l,
                None if second => "between",
                None if span.since.is_some() => "until",
                None => "since",
            };
            between |= how == "between";
            apply(&mut span, how, day, day, second);
            span.words.push(w.to_string());
            span.words.extend(
                prev.filter(|_| lead_word.is_some() || second)
                    .map(str::to_string),
            );
            span.at.push(i);
        } else if let (Some(l), Ok(month)) = (lead_word, w.parse::<Month>()) {
            // "since March [2026]": the latest such month not after today, or the year given.
            let m = month.number_from_month();
            let given_year = lower.get(i + 1).and_then(|y| y.parse::<i32>().ok());
            let year =
                given_year
                    .filter(|y| (1900..=2200).contains(y))
                    .unwrap_or(if m <= today.month() {
                        today.year()
                    } else {
                        today.year() - 1
                    });
            if let Some((first, last)) = month_range(year, m) {
                apply(&mut span, l, first, last, false);
                span.words
                    .extend([prev.unwrap_or_default().to_string(), w.to_string()]);
                span.at.push(i);
                if given_year.is_some() {
                    span.at.push(i + 1);
                    span.words.push(lower[i + 1].clone());
                    i += 1;
                }
            }
        } else if let Some((first, last, from)) = relative(&lower, i, today) {
            match last {
                Some(last) => apply(&mut span, "in", first, last, false),
                None => apply(&mut span, "since", first, first, false),
            }
            span.words.extend(lower[from..=i].iter().cloned());
        }
        i += 1;
    }
    (span.since.is_some() || span.until.is_some()).then_some(span)
}

/// A unit of time and how to step back by `n` of it.
fn back(today: NaiveDate, unit: &str, n: u32) -> Option<NaiveDate> {
    match unit {
        "day" => today.checked_sub_days(Days::new(u64::from(n))),
        "week" => today.checked_sub_days(Days::new(7 * u64::from(n))),
        "month" => today.checked_sub_months(Months::new(n)),
        "year" => today.checked_sub_months(Months::new(n.checked_mul(12)?)),
        _ => None,
    }
}

/// The first day of the `unit` (`week`, `month`, `year`) that holds `day`.
fn start_of(day: NaiveDate, unit: &str) -> Option<NaiveDate> {
    match unit {
        "week" => day.checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday()))),
        "month" => day.with_day(1),
        "year" => NaiveDate::from_ymd_opt(day.year(), 1, 1),
        _ => None,
    }
}

/// A relative span ending at token `i` (*today*, *this month*, *the last 30 days*, *last
/// year*): its first day, its last (none when it runs up to today) and the index of its first
/// token.
fn relative(
    lower: &[String],
    i: usize,
    today: NaiveDate,
) -> Option<(NaiveDate, Option<NaiveDate>, usize)> {
    let w = lower[i].as_str();
    match w {
        "today" => return Some((today, Some(today), i)),
        "yesterday" => {
            let y = today.pred_opt()?;
            return Some((y, Some(y), i));
        }
        _ => {}
    }
    let unit = w.strip_suffix('s').unwrap_or(w);
    if !["day", "week", "month", "year"].contains(&unit) {
        return None;
    }
    let before = |k: usize| i.checked_sub(k).map(|j| lower[j].as_str());
    let count = before(1)
        .and_then(number_of)
        .filter(|n| *n >= 1.0 && n.fract() == 0.0);
    let skip = usize::from(count.is_some());
    let (word, article) = (before(1 + skip), before(2 + skip));
    let from = i.saturating_sub(1 + skip);
    let range = match (word, count) {
        (Some("this"), None) => Some((start_of(today, unit)?, None)),
        // "the last 30 days", "the past week", "past 3 months": a window ending today.
        (Some("last" | "past"), Some(n)) => Some((back(today, unit, n as u32)?, None)),
        (Some("past"), None) => Some((back(today, unit, 1)?, None)),
        (Some("last"), None) if article == Some("the") => Some((back(today, unit, 1)?, None)),
        // "last month": the one before this one, whole.
        (Some("last"), None) => {
            let this = start_of(today, unit)?;
            let first = match unit {
                "day" => today.pred_opt()?,
                _ => start_of(this.pred_opt()?, unit)?,
            };
            let last = if unit == "day" {
                first
            } else {
                this.pred_opt()?
            };
            Some((first, Some(last)))
        }
        _ => None,
    };
    range.map(|(first, last)| (first, last, from))
}

/// Which end of a span a date parameter takes, from its name or description (`since`, "on or
/// before this day"); `None` for a parameter that is one day.
pub fn edge_of(name: &str, schema: &Value) -> Option<Edge> {
    let description = schema["description"].as_str().unwrap_or_default();
    let words = split_words(name);
    let says = |section: &str, words: &[String]| {
        LEADS
            .get(section)
            .is_some_and(|list| words.iter().any(|w| list.contains(&w.as_str())))
    };
    let by = |words: &[String]| match (says("start", words), says("end", words)) {
        (true, false) => Some(Edge::Lower),
        (false, true) => Some(Edge::Upper),
        _ => None,
    };
    by(&words).or_else(|| by(&split_words(description)))
}

/// Whether a parameter takes a day: a string whose format is `date`, whose description shows
/// the `YYYY-MM-DD` shape, or whose name says a date word (`since`, `start_date`).
pub fn is_date_param(name: &str, schema: &Value) -> bool {
    let description = schema["description"].as_str().unwrap_or_default();
    let named = split_words(name)
        .iter()
        .any(|w| ["date", "day", "since", "until"].contains(&w.as_str()));
    schema["format"] == "date" || description.contains("YYYY-MM-DD") || named
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn span(q: &str) -> (Option<String>, Option<String>) {
        let tokens: Vec<String> = q.split_whitespace().map(str::to_string).collect();
        let s = find(&tokens, day("2026-11-18")).unwrap_or_default();
        (
            s.since.map(|d| d.to_string()),
            s.until.map(|d| d.to_string()),
        )
    }

    fn both(a: &str, b: &str) -> (Option<String>, Option<String>) {
        (Some(a.into()), Some(b.into()))
    }

    #[test]
    fn relative_phrases_count_from_the_given_day() {
        assert_eq!(span("news this month"), (Some("2026-11-01".into()), None));
        assert_eq!(span("news this week"), (Some("2026-11-16".into()), None));
        assert_eq!(
            span("in the last 30 days"),
            (Some("2026-10-19".into()), None)
        );
        assert_eq!(
            span("the past two weeks"),
            (Some("2026-11-04".into()), None)
        );
        assert_eq!(span("last month"), both("2026-10-01", "2026-10-31"));
        assert_eq!(span("last year"), both("2025-01-01", "2025-12-31"));
        assert_eq!(span("yesterday"), both("2026-11-17", "2026-11-17"));
    }

    #[test]
    fn months_are_the_latest_one_not_after_today() {
        assert_eq!(span("since March"), (Some("2026-03-01".into()), None));
        assert_eq!(span("in December"), both("2025-12-01", "2025-12-31"));
        assert_eq!(
            span("during September 2025"),
            both("2025-09-01", "2025-09-30")
        );
        assert_eq!(span("before June"), (None, Some("2026-05-31".into())));
        assert_eq!(
            span("May is nice"),
            (None, None),
            "a month needs a lead word"
        );
    }

    #[test]
    fn written_dates_and_the_same_question_on_another_day() {
        assert_eq!(
            span("between 2026-06-01 and 2026-06-30"),
            both("2026-06-01", "2026-06-30")
        );
        assert_eq!(span("until 2026-02-01"), (None, Some("2026-02-01".into())));
        let tokens = vec!["this".to_string(), "month".to_string()];
        let s = find(&tokens, day("2027-02-10")).unwrap();
        assert_eq!(s.since, Some(day("2027-02-01")));
    }

    #[test]
    fn parameters_say_which_end_they_take() {
        let d = |s: &str| serde_json::json!({ "description": s });
        assert_eq!(edge_of("since", &d("")), Some(Edge::Lower));
        assert_eq!(edge_of("until", &d("")), Some(Edge::Upper));
        assert_eq!(
            edge_of("x", &d("Only news published on or before this day")),
            Some(Edge::Upper)
        );
        assert!(is_date_param("since", &d("")));
        assert!(is_date_param("cutoff", &d("A day, YYYY-MM-DD.")));
        assert!(!is_date_param("query", &d("What to search for.")));
    }
}
