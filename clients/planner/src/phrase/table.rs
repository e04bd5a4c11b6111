//! Tables: a CSV result as its size, its range and how its value column moved.

use super::number::number;
use super::object::is_price;

/// A CSV table: rows, the range of its first column, and how a value column moved.
pub(crate) fn table(context: &str, text: &str) -> Option<String> {
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
