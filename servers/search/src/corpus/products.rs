//! The product catalogue: ten fictional products per company, each with a price, rating and
//! review count, so `product_search` has numbers to filter on.
//!
//! Prices, ratings and review counts come from [`number`] keyed by the product id: fixed
//! forever, but spread out (prices 9–2,499 dollars, ratings 2.5–5.0).

use super::{Doc, Kind, ProductFacts, number, pick};
use stock_server::market::STOCKS;

/// (category, noun, adjectives) for each of the ten product lines.
const LINES: [(&str, &str, [&str; 3]); 10] = [
    ("Laptops", "laptop", ["lightweight", "powerful", "quiet"]),
    ("Phones", "phone", ["compact", "rugged", "bright"]),
    (
        "Headphones",
        "headphones",
        ["noise-cancelling", "wireless", "studio"],
    ),
    (
        "Keyboards",
        "keyboard",
        ["mechanical", "low-profile", "ergonomic"],
    ),
    (
        "Monitors",
        "monitor",
        ["4K", "ultrawide", "colour-accurate"],
    ),
    (
        "Smart home",
        "speaker",
        ["smart", "voice-controlled", "portable"],
    ),
    ("Wearables", "watch", ["fitness", "solar", "waterproof"]),
    ("Cameras", "camera", ["mirrorless", "action", "instant"]),
    ("Storage", "drive", ["external", "fast", "encrypted"]),
    ("Books", "guide", ["practical", "illustrated", "beginner's"]),
];

/// Model names, so products read like products.
const MODELS: [&str; 8] = [
    "Aurora", "Nimbus", "Vertex", "Pulse", "Harbor", "Quartz", "Ember", "Atlas",
];

/// Every product: ten lines for each of the seven companies.
pub fn catalogue() -> Vec<Doc> {
    let mut all = Vec::new();
    for s in &STOCKS {
        for (n, (category, noun, adjectives)) in LINES.iter().enumerate() {
            let id = format!("product-{}-{n:02}", s.symbol.to_ascii_lowercase());
            let adjective = pick(&format!("{id}-adj"), adjectives);
            let model = pick(&format!("{id}-model"), &MODELS);
            let base = [899, 499, 199, 129, 399, 99, 249, 699, 119, 29][n] as f64;
            // ±50 % around the line's base price, then .99 pricing.
            let price =
                (base * (0.5 + number(&format!("{id}-price"), 100) as f64 / 100.0)).floor() + 0.99;
            let rating = 2.5 + number(&format!("{id}-rating"), 26) as f64 / 10.0;
            let reviews = 3 + number(&format!("{id}-reviews"), 4000);
            let title = format!(
                "{} {model} {noun}",
                s.name.split(' ').next().unwrap_or(s.name)
            );
            let body = format!(
                "A {adjective} {noun} from {} in the {category} range. Rated {rating:.1} out of 5 \
                 from {reviews} reviews, at ${price:.2}.",
                s.name
            );
            let mut doc = Doc::new(id, Kind::Product, title, body);
            doc.source = "store.example".into();
            doc.url = format!("https://store.example/{}", doc.id);
            doc.ticker = Some(s.symbol.to_string());
            doc.product = Some(ProductFacts {
                price,
                rating,
                reviews,
                category: category.to_string(),
                brand: s.name.to_string(),
            });
            all.push(doc);
        }
    }
    all
}
