//! Deterministic daily price history (OHLCV bars) for the mock market.
//!
//! Each symbol gets one year (252 business days) of bars from a seeded random walk that ends
//! exactly at the stock's current price. A shorter period is the tail of that year, so the
//! 5-day history agrees with the 1-month one, and the 52-week range agrees with both.
//! Prices depend only on the symbol; dates count back over business days (Monday to Friday)
//! from the day asked for.
//!
//! Every bar satisfies `low <= open, close <= high`; tests check it for every symbol and period.

use crate::market::Stock;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::fmt::{self, Write as _};
use std::str::FromStr;

/// A history period, written as financial data APIs write them: `1d`, `5d`, `1mo`, `3mo`, `6mo`, `1y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    /// The last business day.
    OneDay,
    /// The last five business days.
    FiveDays,
    /// About one month: 21 business days.
    #[default]
    OneMonth,
    /// About three months: 63 business days.
    ThreeMonths,
    /// About six months: 126 business days.
    SixMonths,
    /// One year: 252 business days.
    OneYear,
}

impl Period {
    /// Every period with its spelling, shortest first.
    pub const ALL: [(Period, &'static str); 6] = [
        (Period::OneDay, "1d"),
        (Period::FiveDays, "5d"),
        (Period::OneMonth, "1mo"),
        (Period::ThreeMonths, "3mo"),
        (Period::SixMonths, "6mo"),
        (Period::OneYear, "1y"),
    ];

    /// How many business-day bars the period covers.
    pub fn trading_days(self) -> usize {
        match self {
            Period::OneDay => 1,
            Period::FiveDays => 5,
            Period::OneMonth => 21,
            Period::ThreeMonths => 63,
            Period::SixMonths => 126,
            Period::OneYear => 252,
        }
    }

    /// The spelling used in tool arguments: `1mo`.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(p, _)| *p == self)
            .map(|(_, s)| *s)
            .unwrap_or("1mo")
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A period the server does not offer; the message lists the valid ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid period '{0}'. Valid periods: 1d, 5d, 1mo, 3mo, 6mo, 1y")]
pub struct InvalidPeriod(pub String);

impl FromStr for Period {
    type Err = InvalidPeriod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Self::ALL
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(wanted))
            .map(|(p, _)| *p)
            .ok_or_else(|| InvalidPeriod(wanted.to_string()))
    }
}

/// One trading day.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Bar {
    /// The trading day.
    pub date: NaiveDate,
    /// Opening price.
    pub open: f64,
    /// Highest price of the day.
    pub high: f64,
    /// Lowest price of the day.
    pub low: f64,
    /// Closing price.
    pub close: f64,
    /// Shares traded.
    pub volume: u64,
}

/// The bars for `period`, oldest first, ending on the last business day on or before `as_of`.
pub fn history(stock: &Stock, period: Period, as_of: NaiveDate) -> Vec<Bar> {
    let year = year_of_bars(stock, as_of);
    year[year.len() - period.trading_days()..].to_vec()
}

/// The lowest low and highest high of the last 252 trading days: the 52-week range.
pub fn week52_range(stock: &Stock, as_of: NaiveDate) -> (f64, f64) {
    let year = year_of_bars(stock, as_of);
    let low = year.iter().map(|b| b.low).fold(f64::INFINITY, f64::min);
    let high = year
        .iter()
        .map(|b| b.high)
        .fold(f64::NEG_INFINITY, f64::max);
    (low, high)
}

/// Bars as CSV with the header `Date,Open,High,Low,Close,Volume`, the columns spreadsheets and
/// charting tools expect.
pub fn to_csv(bars: &[Bar]) -> String {
    let mut csv = String::from("Date,Open,High,Low,Close,Volume\n");
    for b in bars {
        // Writing to a String cannot fail.
        let _ = writeln!(
            csv,
            "{},{:.2},{:.2},{:.2},{:.2},{}",
            b.date, b.open, b.high, b.low, b.close, b.volume
        );
    }
    csv
}

/// One line describing how `bars` moved:
/// `AAPL +3.20 (+1.86%) over 1mo. Latest close $175.50.`
pub fn summary(symbol: &str, period: Period, bars: &[Bar]) -> String {
    let (Some(first), Some(last)) = (bars.first(), bars.last()) else {
        return format!("No data available for {symbol}.");
    };
    let change = last.close - first.close;
    let percent = change / first.close * 100.0;
    format!(
        "{symbol} {change:+.2} ({percent:+.2}%) over {period}. Latest close ${:.2}.",
        last.close
    )
}

/// The last business day on or before `day`.
pub fn last_business_day(day: NaiveDate) -> NaiveDate {
    match day.weekday() {
        Weekday::Sat => day - Days::new(1),
        Weekday::Sun => day - Days::new(2),
        _ => day,
    }
}

fn previous_business_day(day: NaiveDate) -> NaiveDate {
    last_business_day(day - Days::new(1))
}

/// A year of bars for `stock`: a random walk run backwards from today's price.
fn year_of_bars(stock: &Stock, as_of: NaiveDate) -> Vec<Bar> {
    let n = Period::OneYear.trading_days();
    let mut rng = SplitMix64::new(seed(stock.symbol));

    // Closes, newest first: yesterday's close is today's divided by today's return.
    let mut closes = Vec::with_capacity(n);
    let mut close = stock.price;
    for _ in 0..n {
        closes.push(round2(close));
        let daily_return = (rng.next_f64() - 0.5) * 0.04; // within +-2 %
        close /= 1.0 + daily_return;
    }
    closes.reverse();

    let mut dates = Vec::with_capacity(n);
    let mut day = last_business_day(as_of);
    for _ in 0..n {
        dates.push(day);
        day = previous_business_day(day);
    }
    dates.reverse();

    // Volume scales with company size: bigger companies trade more shares.
    let base_volume = (stock.market_cap / stock.price / 200.0).max(1_000_000.0);

    let mut bars = Vec::with_capacity(n);
    for i in 0..n {
        let close = closes[i];
        let previous_close = if i == 0 { close } else { closes[i - 1] };
        let open = round2(previous_close * (1.0 + (rng.next_f64() - 0.5) * 0.01));
        let high = round2(open.max(close) * (1.0 + rng.next_f64() * 0.01));
        let low = round2(open.min(close) * (1.0 - rng.next_f64() * 0.01));
        let volume = (base_volume * (0.6 + rng.next_f64() * 0.8)) as u64;
        bars.push(Bar {
            date: dates[i],
            open,
            high,
            low,
            close,
            volume,
        });
    }
    bars
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// FNV-1a over the symbol: a stable seed (Rust's `Hash` is not stable across releases).
pub(crate) fn seed(symbol: &str) -> u64 {
    symbol.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// SplitMix64: a tiny, well-known generator whose output never changes between versions,
/// which is what reproducible mock data needs (a crate's generator may change its stream).
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A float in `[0, 1)`.
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{STOCKS, lookup};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn every_bar_is_consistent_and_ends_at_the_price() {
        let as_of = day(2026, 11, 20);
        for stock in &STOCKS {
            for (period, _) in Period::ALL {
                let bars = history(stock, period, as_of);
                assert_eq!(bars.len(), period.trading_days());
                for b in &bars {
                    assert!(b.low <= b.open && b.open <= b.high, "{stock:?} {b:?}");
                    assert!(b.low <= b.close && b.close <= b.high, "{stock:?} {b:?}");
                    assert!(b.low > 0.0 && b.volume > 0);
                    assert!(!matches!(b.date.weekday(), Weekday::Sat | Weekday::Sun));
                }
                assert_eq!(bars.last().unwrap().close, stock.price);
                assert!(bars.windows(2).all(|w| w[0].date < w[1].date));
            }
        }
    }

    #[test]
    fn history_is_deterministic_and_periods_agree() {
        let aapl = lookup("AAPL").unwrap();
        let as_of = day(2026, 11, 20);
        let month = history(aapl, Period::OneMonth, as_of);
        assert_eq!(month, history(aapl, Period::OneMonth, as_of));
        let week = history(aapl, Period::FiveDays, as_of);
        assert_eq!(week[..], month[month.len() - 5..]);
        assert_ne!(
            month,
            history(lookup("MSFT").unwrap(), Period::OneMonth, as_of)
        );
    }

    #[test]
    fn weekends_roll_back_to_friday() {
        let friday = day(2026, 11, 20);
        let aapl = lookup("AAPL").unwrap();
        let bars = history(aapl, Period::OneDay, day(2026, 11, 22));
        assert_eq!(bars[0].date, friday);
    }

    #[test]
    fn periods_parse_and_reject_with_the_valid_list() {
        assert_eq!("1MO".parse::<Period>(), Ok(Period::OneMonth));
        assert_eq!(" 1y ".parse::<Period>(), Ok(Period::OneYear));
        let err = "2w".parse::<Period>().unwrap_err().to_string();
        assert!(err.contains("1d, 5d, 1mo, 3mo, 6mo, 1y"), "{err}");
    }

    #[test]
    fn csv_has_the_original_header() {
        let aapl = lookup("AAPL").unwrap();
        let csv = to_csv(&history(aapl, Period::FiveDays, day(2026, 11, 20)));
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("Date,Open,High,Low,Close,Volume"));
        assert_eq!(lines.count(), 5);
        assert!(csv.trim_end().ends_with(&format!(
            ",{:.2},{}",
            175.50,
            csv.trim_end().rsplit(',').next().unwrap()
        )));
    }

    #[test]
    fn summary_reads_like_the_original() {
        let aapl = lookup("AAPL").unwrap();
        let bars = history(aapl, Period::OneMonth, day(2026, 11, 20));
        let line = summary("AAPL", Period::OneMonth, &bars);
        assert!(line.starts_with("AAPL "), "{line}");
        assert!(line.ends_with("over 1mo. Latest close $175.50."), "{line}");
        assert_eq!(
            summary("AAPL", Period::OneDay, &[]),
            "No data available for AAPL."
        );
    }

    #[test]
    fn week52_range_contains_the_price() {
        for stock in &STOCKS {
            let (low, high) = week52_range(stock, day(2026, 11, 20));
            assert!(low <= stock.price && stock.price <= high);
            assert!(low < high);
        }
    }
}
