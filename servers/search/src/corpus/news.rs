//! News: thirty dated stories per ticker, spread over the year before `as_of`.
//!
//! Each story is built from a template and the ticker's real (mock) figures, so a headline
//! such as "MSFT dividend yield holds at 0.65%" always agrees with the stock server. Dates step
//! back about twelve days per story with a little jitter, so every month of the year has news
//! and `since`/`until` filters have something to cut.

use super::{Doc, Kind, number, pick};
use chrono::{Days, NaiveDate};
use stock_server::market::{Money, Percent, STOCKS, Stock};

/// The publishers, all fictional.
pub const SOURCES: [&str; 4] = [
    "Workshop Wire",
    "Classroom Times",
    "Loopback Ledger",
    "The Localhost Post",
];

/// How many stories each ticker gets.
pub const PER_TICKER: usize = 30;

/// Every news item, newest first within each ticker.
pub fn items(as_of: NaiveDate) -> Vec<Doc> {
    STOCKS
        .iter()
        .flat_map(|s| (0..PER_TICKER).map(move |i| story(s, i, as_of)))
        .collect()
}

fn story(s: &Stock, i: usize, as_of: NaiveDate) -> Doc {
    let id = format!("news-{}-{i:02}", s.symbol.to_ascii_lowercase());
    // Story i is about 12·i days old (0..=359), plus 0–4 days of jitter: never older than a year.
    let age = (i as u64 * 12 + number(&format!("{id}-age"), 5)).min(364);
    let date = as_of - Days::new(age);
    let (headline, body) = headline(s, i);
    let mut doc = Doc::new(id, Kind::News, headline, body);
    doc.source = pick(&format!("{}-source", doc.id), &SOURCES).to_string();
    doc.url = format!(
        "https://{}.example/{}/{}",
        doc.source.to_ascii_lowercase().replace(' ', "-"),
        date.format("%Y/%m/%d"),
        doc.id
    );
    doc.date = Some(date);
    doc.ticker = Some(s.symbol.to_string());
    doc
}

fn headline(s: &Stock, i: usize) -> (String, String) {
    let (sym, name) = (s.symbol, s.name);
    let price = format!("${:.2}", s.price);
    let cap = Money(s.market_cap).to_string();
    let pe = format!("{:.2}", s.pe_ratio);
    let yield_ = Percent(s.dividend_yield).to_string();
    let quarter = ["first", "second", "third", "fourth"][(i / 3) % 4];
    match i % 10 {
        0 => (
            format!("{sym} shares close at {price}"),
            format!(
                "{name} shares closed at {price}, valuing the {} company at {cap}.",
                s.sector
            ),
        ),
        1 => (
            format!("{name} reports {quarter}-quarter earnings"),
            format!(
                "{name} ({sym}) reported {quarter}-quarter earnings; the stock trades at a price-to-earnings ratio of {pe}."
            ),
        ),
        2 if s.dividend_yield > 0.0 => (
            format!("{sym} dividend yield holds at {yield_}"),
            format!("{name} kept its quarterly dividend, a yield of {yield_} at {price} a share."),
        ),
        2 => (
            format!("{name} again skips a dividend"),
            format!(
                "{name} ({sym}) pays no dividend and will reinvest its earnings, the company said."
            ),
        ),
        3 => (
            format!("Analysts debate {sym} valuation at {pe} times earnings"),
            format!(
                "A price-to-earnings ratio of {pe} puts {name} in focus among {} stocks.",
                s.sector
            ),
        ),
        4 => (
            format!("{name} market cap reaches {cap}"),
            format!("The market capitalisation of {name} ({sym}) stands at {cap}."),
        ),
        5 => (
            format!("{name} opens an MCP server to developers"),
            format!(
                "{name} launched a Model Context Protocol server so AI assistants can call {sym} tools and read its resources."
            ),
        ),
        6 => (
            format!("{name} hires for its AI assistant team"),
            format!(
                "{name} is hiring engineers to build assistants on MCP, a job listing from {sym} shows."
            ),
        ),
        7 => (
            format!("{name} publishes sustainability report"),
            format!(
                "{name} ({sym}) published its yearly sustainability report on energy and supply chains."
            ),
        ),
        8 => (
            format!("{name} outage blamed on rate limits"),
            format!(
                "A brief outage at {name} was traced to a client retrying without backoff; {sym} now returns retry hints."
            ),
        ),
        _ => (
            format!("{sym} in the {} sector: week in review", s.sector),
            format!(
                "{name} shares ended the week at {price} in a busy week for {}.",
                s.sector
            ),
        ),
    }
}
