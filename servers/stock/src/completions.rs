//! Completions: suggestions while the user types an argument.
//!
//! When a person fills in a prompt argument or a resource-template variable, the client can
//! ask the server for suggestions (`completion/complete`), naming what is being filled in (a
//! prompt or a template: the *reference*), the argument, and what has been typed so far. The
//! server answers with at most 100 values, best first.
//!
//! We complete `symbol` (in `stock_analysis_prompt` and in `stock://{symbol}`) by ticker prefix
//! or company name, and `period` by prefix. Anything else gets an empty list, which is the
//! polite answer for "no suggestions".

use crate::history::Period;
use crate::market::{STOCKS, Stock};
use crate::resources::STOCK_TEMPLATE;
use rmcp::model::{CompleteRequestParams, CompleteResult, CompletionInfo, Reference};

/// The prompt whose arguments we complete.
const PROMPT: &str = "stock_analysis_prompt";

/// Answers a `completion/complete` request.
pub fn complete(request: &CompleteRequestParams) -> CompleteResult {
    let argument = request.argument.name.as_str();
    let typed = request.argument.value.as_str();
    let values = match (&request.r#ref, argument) {
        (Reference::Prompt(p), "symbol") if p.name == PROMPT => symbols(typed),
        (Reference::Prompt(p), "period") if p.name == PROMPT => periods(typed),
        (Reference::Resource(r), "symbol") if r.uri == STOCK_TEMPLATE => symbols(typed),
        _ => Vec::new(),
    };
    CompleteResult::new(best_first(values))
}

/// At most [`CompletionInfo::MAX_VALUES`] (100) values, as the specification allows, with the
/// full count in `total` and `hasMore` set when some were left out.
fn best_first(mut values: Vec<String>) -> CompletionInfo {
    let total = values.len();
    values.truncate(CompletionInfo::MAX_VALUES);
    let has_more = total > values.len();
    CompletionInfo::with_pagination(values, Some(total as u32), has_more)
        .expect("truncated to MAX_VALUES")
}

/// Tickers whose symbol starts with `typed`, then those with a word of the company name that
/// does (`nvid` finds NVDA, `alpha` finds GOOGL).
pub fn symbols(typed: &str) -> Vec<String> {
    let typed = typed.trim().to_ascii_lowercase();
    let symbol_matches = |s: &&Stock| s.symbol.to_ascii_lowercase().starts_with(&typed);
    let name_matches = |s: &&Stock| {
        s.name
            .to_ascii_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word.starts_with(&typed))
    };
    let by_symbol = STOCKS.iter().filter(symbol_matches);
    let by_name = STOCKS
        .iter()
        .filter(|s| !symbol_matches(s) && name_matches(s));
    by_symbol
        .chain(by_name)
        .map(|s| s.symbol.to_string())
        .collect()
}

/// Periods starting with `typed`.
pub fn periods(typed: &str) -> Vec<String> {
    let typed = typed.trim().to_ascii_lowercase();
    Period::ALL
        .iter()
        .filter(|(_, name)| name.starts_with(&typed))
        .map(|(_, name)| name.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_match_prefix_then_name() {
        assert_eq!(symbols("a"), ["AAPL", "AMZN", "GOOGL"]);
        assert_eq!(symbols("nvid"), ["NVDA"]);
        assert_eq!(symbols("").len(), 7);
        assert!(symbols("zzz").is_empty());
    }

    #[test]
    fn at_most_100_values_with_the_true_total() {
        let many: Vec<String> = (0..150).map(|i| format!("v{i}")).collect();
        let info = best_first(many);
        assert_eq!(info.values.len(), 100);
        assert_eq!(info.values[0], "v0");
        assert_eq!(info.total, Some(150));
        assert_eq!(info.has_more, Some(true));
        let few = best_first(symbols("a"));
        assert_eq!((few.total, few.has_more), (Some(3), Some(false)));
    }

    #[test]
    fn periods_match_prefix() {
        assert_eq!(periods("1"), ["1d", "1mo", "1y"]);
        assert_eq!(periods("6"), ["6mo"]);
    }
}
