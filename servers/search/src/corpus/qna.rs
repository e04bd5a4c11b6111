//! The question-and-answer knowledge base: each entry is a question (the title) and the
//! passage that answers it (the body).
//!
//! Company answers quote the stock server's figures; MCP answers reuse the encyclopaedia's
//! concept texts ([`super::web::CONCEPTS`]); a few entries answer questions about the
//! workshop itself.

use super::{Doc, Kind};
use stock_server::market::{Money, Percent, STOCKS};

/// Questions about the workshop, with their answers.
const WORKSHOP: [(&str, &str); 6] = [
    (
        "Which port does the search server listen on?",
        "The search server listens on port 8004 and serves Streamable HTTP at http://127.0.0.1:8004/mcp. Over stdio it needs no port.",
    ),
    (
        "Which port does the stock server use?",
        "The stock server serves HTTP on port 8001, with Streamable HTTP at /mcp and legacy SSE at /sse.",
    ),
    (
        "How do I start every workshop service?",
        "Run cargo xtask up in the repository. It builds and starts the identity provider, the weather server and the stock server, and serves the dashboard on port 8080.",
    ),
    (
        "How do I check my exercise?",
        "Run cargo xtask check in the repository; the hidden tests connect to your server with a real MCP client. cargo xtask watch checks again on every save.",
    ),
    (
        "Why does the search server limit my requests?",
        "Each session gets a token bucket: every search takes a token and tokens refill at a steady rate. An empty bucket answers with a tool error saying how many seconds to wait before retrying.",
    ),
    (
        "What is the flaky source in the research tool?",
        "The flaky source is a deliberately unreliable search partner. With --flaky-rate it fails or stalls at random, from a fixed seed, so the research pipeline shows how to degrade and report failures instead of failing.",
    ),
];

/// Every entry, in a fixed order.
pub fn entries() -> Vec<Doc> {
    let mut all = Vec::new();
    let mut add = |id: String, question: String, answer: String, ticker: Option<&str>| {
        let mut doc = Doc::new(id, Kind::Qna, question, answer);
        doc.source = "knowledge-base.example".into();
        doc.url = format!("https://knowledge-base.example/{}", doc.id);
        doc.ticker = ticker.map(str::to_string);
        all.push(doc);
    };
    for s in &STOCKS {
        let (sym, name) = (s.symbol, s.name);
        let low = sym.to_ascii_lowercase();
        add(
            format!("qna-{low}-pe"),
            format!("What is the price-to-earnings ratio of {name}?"),
            format!(
                "{name} ({sym}) trades at a price-to-earnings ratio of {:.2}. The ratio divides the share price, ${:.2}, by the earnings per share.",
                s.pe_ratio, s.price
            ),
            Some(sym),
        );
        add(
            format!("qna-{low}-dividend"),
            format!("Does {name} pay a dividend?"),
            if s.dividend_yield > 0.0 {
                format!(
                    "Yes. {name} ({sym}) pays a dividend with a yield of {}.",
                    Percent(s.dividend_yield)
                )
            } else {
                format!(
                    "No. {name} ({sym}) pays no dividend; its dividend yield is {}.",
                    Percent(s.dividend_yield)
                )
            },
            Some(sym),
        );
        add(
            format!("qna-{low}-cap"),
            format!("What is the market capitalisation of {name}?"),
            format!(
                "The market capitalisation of {name} ({sym}) is {}. Market capitalisation is the share price times the number of shares.",
                Money(s.market_cap)
            ),
            Some(sym),
        );
        add(
            format!("qna-{low}-sector"),
            format!("Which sector is {name} in?"),
            format!("{name} ({sym}) is in the {} sector.", s.sector),
            Some(sym),
        );
    }
    for (slug, title, what) in super::web::CONCEPTS {
        add(
            format!("qna-mcp-{slug}"),
            format!("What are {} in MCP?", title.to_lowercase()),
            what.to_string(),
            None,
        );
    }
    for (n, (question, answer)) in WORKSHOP.iter().enumerate() {
        add(
            format!("qna-workshop-{n}"),
            question.to_string(),
            answer.to_string(),
            None,
        );
    }
    all
}
