//! The mock market: seven tickers with fixed figures (the ones the course's lessons quote).
//!
//! Real quotes would need the network; a classroom may have none. These values never change
//! while the server runs, which also makes every answer reproducible in tests.
//!
//! Symbols are case-insensitive: `aapl`, ` AAPL ` and `AAPL` all name Apple.

use serde::Serialize;
use std::fmt;

/// One listed company and its current figures.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Stock {
    /// Ticker symbol, upper case (`AAPL`).
    pub symbol: &'static str,
    /// Company name (`Apple Inc.`).
    pub name: &'static str,
    /// Market sector (`Technology`).
    pub sector: &'static str,
    /// Current price in US dollars.
    pub price: f64,
    /// Market capitalisation in US dollars.
    pub market_cap: f64,
    /// Price-to-earnings ratio.
    pub pe_ratio: f64,
    /// Dividend yield as a fraction: `0.0048` means 0.48 %.
    ///
    /// A fraction everywhere (never sometimes a percentage) means one formatting rule, so a
    /// yield can never be printed a hundred times too large.
    pub dividend_yield: f64,
}

const T: f64 = 1e12;
const B: f64 = 1e9;

/// Every ticker the mock market knows, in the order lists show them.
pub static STOCKS: [Stock; 7] = [
    stock(
        "AAPL",
        "Apple Inc.",
        "Technology",
        175.50,
        2.80 * T,
        28.5,
        0.0048,
    ),
    stock(
        "MSFT",
        "Microsoft Corporation",
        "Technology",
        509.77,
        3.79 * T,
        37.32,
        0.0065,
    ),
    stock(
        "GOOGL",
        "Alphabet Inc.",
        "Technology",
        138.25,
        1.75 * T,
        24.8,
        0.0,
    ),
    stock(
        "AMZN",
        "Amazon.com Inc.",
        "Consumer Discretionary",
        145.80,
        1.52 * T,
        42.1,
        0.0,
    ),
    stock(
        "TSLA",
        "Tesla Inc.",
        "Consumer Discretionary",
        215.99,
        687.0 * B,
        58.3,
        0.0,
    ),
    stock(
        "META",
        "Meta Platforms Inc.",
        "Technology",
        325.45,
        850.0 * B,
        23.7,
        0.0035,
    ),
    stock(
        "NVDA",
        "NVIDIA Corporation",
        "Technology",
        445.32,
        1.10 * T,
        65.2,
        0.0012,
    ),
];

const fn stock(
    symbol: &'static str,
    name: &'static str,
    sector: &'static str,
    price: f64,
    market_cap: f64,
    pe_ratio: f64,
    dividend_yield: f64,
) -> Stock {
    Stock {
        symbol,
        name,
        sector,
        price,
        market_cap,
        pe_ratio,
        dividend_yield,
    }
}

/// The symbols the market knows, in order: `["AAPL", "MSFT", ...]`.
pub fn symbols() -> impl Iterator<Item = &'static str> {
    STOCKS.iter().map(|s| s.symbol)
}

/// A symbol the market does not list. Its message names every valid ticker, so a model (or a
/// learner) reading the error knows what to try next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown symbol '{0}'. Known tickers: {known}", known = symbols().collect::<Vec<_>>().join(", "))]
pub struct UnknownSymbol(pub String);

/// Finds a stock by symbol, ignoring case and surrounding spaces.
pub fn lookup(symbol: &str) -> Result<&'static Stock, UnknownSymbol> {
    let wanted = symbol.trim();
    STOCKS
        .iter()
        .find(|s| s.symbol.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| UnknownSymbol(wanted.to_string()))
}

/// Finds a stock by symbol or by (part of) its company name: `apple`, `Alphabet`, `nvidia`.
///
/// Clients that let people type names (the console's offline model) use this; the tools
/// themselves take symbols.
pub fn find(query: &str) -> Option<&'static Stock> {
    let q = query.trim().to_ascii_lowercase();
    if q.is_empty() {
        return None;
    }
    lookup(&q).ok().or_else(|| {
        STOCKS.iter().find(|s| {
            let name = s.name.to_ascii_lowercase();
            name.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|word| !word.is_empty() && word == q)
                || name.starts_with(&q)
        })
    })
}

/// A dollar amount written the way finance pages do: `$2.80T`, `$687.00B`, `$12.50M`.
pub struct Money(pub f64);

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        match v.abs() {
            a if a >= T => write!(f, "${:.2}T", v / T),
            a if a >= B => write!(f, "${:.2}B", v / B),
            a if a >= 1e6 => write!(f, "${:.2}M", v / 1e6),
            _ => write!(f, "${v:.2}"),
        }
    }
}

/// A fraction written as a percentage with two decimals: `0.0065` → `0.65%`.
pub struct Percent(pub f64);

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}%", self.0 * 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_ignores_case_and_spaces() {
        assert_eq!(lookup(" aapl ").unwrap().name, "Apple Inc.");
        assert_eq!(lookup("Msft").unwrap().price, 509.77);
    }

    #[test]
    fn unknown_symbol_lists_known_tickers() {
        let err = lookup("XYZ").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown symbol 'XYZ'. Known tickers: AAPL, MSFT, GOOGL, AMZN, TSLA, META, NVDA"
        );
    }

    #[test]
    fn find_accepts_company_names() {
        assert_eq!(find("apple").unwrap().symbol, "AAPL");
        assert_eq!(find("Alphabet").unwrap().symbol, "GOOGL");
        assert_eq!(find("nvidia").unwrap().symbol, "NVDA");
        assert_eq!(find("tsla").unwrap().symbol, "TSLA");
        assert!(find("pear").is_none());
        assert!(find("").is_none());
    }

    #[test]
    fn yields_are_fractions() {
        assert_eq!(
            Percent(lookup("MSFT").unwrap().dividend_yield).to_string(),
            "0.65%"
        );
        assert_eq!(
            Money(lookup("TSLA").unwrap().market_cap).to_string(),
            "$687.00B"
        );
        assert_eq!(
            Money(lookup("AAPL").unwrap().market_cap).to_string(),
            "$2.80T"
        );
    }
}
