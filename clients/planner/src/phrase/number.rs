//! Numbers as people write them: money with two decimals, big numbers in words, units beside.

/// A number as people write it: money with two decimals, big numbers in millions or more.
pub(crate) fn number(n: f64, money: bool) -> String {
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
pub(crate) fn with_unit(value: &str, unit: &str) -> String {
    if unit.is_empty() {
        value.to_string()
    } else {
        format!("{value} {unit}")
    }
}
