//! Web pages: the seven mock companies' sites and a small MCP encyclopaedia.
//!
//! Three families, all generated from the tables below:
//! - ten pages per company (overview, investors, dividends, …), quoting the stock server's
//!   figures;
//! - one page per MCP concept ([`CONCEPTS`]), written for this workshop;
//! - one "how {company} uses {concept}" engineering-blog page per pair, so a query like
//!   `nvidia sampling` has a clear best page and many partial matches to rank below it.

use super::{Doc, Kind, pick};
use stock_server::market::{Money, Percent, STOCKS, Stock};

/// An MCP concept: (slug, title, what it is, in two or three sentences).
pub const CONCEPTS: [(&str, &str, &str); 20] = [
    (
        "tools",
        "Tools",
        "A tool is a function a server offers and the client's model may call. Each tool has a name, a description the model reads, an input schema and optionally an output schema for structured results.",
    ),
    (
        "resources",
        "Resources",
        "Resources are read-only data a server exposes by URI, such as files, records or reports. Clients list them, read them and may subscribe to updates.",
    ),
    (
        "resource-templates",
        "Resource templates",
        "A resource template is a URI pattern with variables, like search://doc/{id}, that names a whole family of resources. Clients fill in the variables and read the result.",
    ),
    (
        "prompts",
        "Prompts",
        "Prompts are reusable message templates a server offers and the user picks, often from a slash menu. Arguments fill the template in.",
    ),
    (
        "sampling",
        "Sampling",
        "Sampling lets a server ask the client's language model to write something during a request. The client keeps control: it may show the request to the user and decline it.",
    ),
    (
        "elicitation",
        "Elicitation",
        "Elicitation lets a server ask the user a question mid-call, with a JSON schema describing the form. The user may accept, decline or cancel.",
    ),
    (
        "progress",
        "Progress notifications",
        "A long request reports progress with notifications that echo the progress token the client put in the request's metadata. Progress values must increase.",
    ),
    (
        "cancellation",
        "Cancellation",
        "Either side may cancel a request it sent with a cancelled notification naming the request id. The receiver stops the work and sends no response.",
    ),
    (
        "pagination",
        "Pagination",
        "List results and search results come in pages. The server returns an opaque cursor; the client passes it back to get the next page and must not interpret it.",
    ),
    (
        "streamable-http",
        "Streamable HTTP transport",
        "Streamable HTTP carries MCP messages as HTTP POST requests to one endpoint, with answers as JSON or as a server-sent event stream. A session id header ties requests together.",
    ),
    (
        "stdio",
        "The stdio transport",
        "With stdio, the client starts the server as a child process and exchanges newline-delimited JSON-RPC messages over its standard input and output. Logs go to standard error.",
    ),
    (
        "authorization",
        "Authorization",
        "Remote MCP servers protect themselves with OAuth 2.1 bearer tokens. The server publishes protected resource metadata naming its authorization server, and checks audience and scopes on every request.",
    ),
    (
        "structured-output",
        "Structured tool output",
        "A tool may declare an output schema and return structured content, a JSON value programs can use without parsing text, together with a readable text block.",
    ),
    (
        "annotations",
        "Tool annotations",
        "Annotations such as readOnlyHint, destructiveHint and openWorldHint describe how a tool behaves. They are hints from a server the client may not trust.",
    ),
    (
        "roots",
        "Roots",
        "Roots tell a server which directories or URIs of the client it may work in. The client can change them and notifies the server when it does.",
    ),
    (
        "logging",
        "Logging",
        "A server may send log messages to the client at a level the client chooses. Newer protocol revisions move the level into request metadata.",
    ),
    (
        "completions",
        "Completions",
        "Completions let a client autocomplete prompt arguments and resource template variables as the user types, from values the server suggests.",
    ),
    (
        "rate-limiting",
        "Rate limiting",
        "A server that calls paid APIs limits how often each session may call it, often with a token bucket, and says when to retry instead of failing silently.",
    ),
    (
        "json-rpc",
        "JSON-RPC 2.0",
        "MCP messages are JSON-RPC 2.0 requests, responses and notifications. Errors carry a numeric code such as -32602 for invalid params and a message.",
    ),
    (
        "search-pipelines",
        "Search pipelines",
        "A search pipeline runs several sources, sequentially or in parallel, then merges their results, removes duplicates and re-ranks what is left before answering.",
    ),
];

/// Every generated web page (company sites, concept pages, engineering blogs).
pub fn pages() -> Vec<Doc> {
    let mut pages = Vec::new();
    for stock in &STOCKS {
        pages.extend(company_pages(stock));
    }
    for (slug, title, what) in CONCEPTS {
        let mut doc = Doc::new(
            format!("mcp-{slug}"),
            Kind::Web,
            format!("{title} in the Model Context Protocol"),
            format!(
                "{what} This page is part of the workshop's MCP encyclopaedia. {title} appear \
                 in the specification revision 2025-11-25, and the workshop's servers show \
                 them working offline."
            ),
        );
        doc.source = "mcp-encyclopaedia.example".into();
        doc.url = format!("https://mcp-encyclopaedia.example/{slug}");
        pages.push(doc);
    }
    for stock in &STOCKS {
        for (slug, title, what) in CONCEPTS {
            pages.push(blog_page(stock, slug, title, what));
        }
    }
    pages
}

fn site(stock: &Stock) -> String {
    format!("{}.example", stock.symbol.to_ascii_lowercase())
}

fn company_page(stock: &Stock, topic: &str, title: String, body: String) -> Doc {
    let id = format!("web-{}-{topic}", stock.symbol.to_ascii_lowercase());
    let mut doc = Doc::new(id, Kind::Web, title, body);
    doc.source = site(stock);
    doc.url = format!("https://{}/{topic}", site(stock));
    doc.ticker = Some(stock.symbol.to_string());
    doc
}

fn company_pages(s: &Stock) -> Vec<Doc> {
    let (sym, name, sector) = (s.symbol, s.name, s.sector);
    let price = format!("${:.2}", s.price);
    let cap = Money(s.market_cap).to_string();
    let yield_ = Percent(s.dividend_yield).to_string();
    let dividend = if s.dividend_yield > 0.0 {
        format!("{name} pays a quarterly dividend; the current dividend yield is {yield_}.")
    } else {
        format!(
            "{name} pays no dividend (a yield of {yield_}); it reinvests its earnings in growth."
        )
    };
    let mood = pick(
        &format!("{sym}-mood"),
        &["steady", "ambitious", "cautious", "confident"],
    );
    vec![
        company_page(
            s,
            "overview",
            format!("{name} ({sym}) company overview"),
            format!(
                "{name} is listed under the ticker {sym} in the {sector} sector. Its shares trade at \
             {price}, for a market capitalisation of {cap}. The company describes its outlook \
             for the coming year as {mood}."
            ),
        ),
        company_page(
            s,
            "investors",
            format!("{name} investor relations"),
            format!(
                "Investor relations for {sym}: share price {price}, market capitalisation {cap}, \
             price-to-earnings ratio {:.2}. {dividend} Quarterly results are published on this \
             site.",
                s.pe_ratio
            ),
        ),
        company_page(
            s,
            "dividends",
            format!("{name} dividend policy"),
            format!("{dividend} The board reviews the dividend policy of {sym} every year."),
        ),
        company_page(
            s,
            "sector",
            format!("{name} in the {sector} sector"),
            format!(
                "{name} competes in {sector}. Analysts compare {sym} with other {sector} companies \
             on valuation: its price-to-earnings ratio is {:.2}.",
                s.pe_ratio
            ),
        ),
        company_page(
            s,
            "careers",
            format!("Careers at {name}"),
            format!(
                "{name} hires engineers, designers and analysts. Teams at {sym} work on products, \
             data platforms and developer tools, including Model Context Protocol servers."
            ),
        ),
        company_page(
            s,
            "sustainability",
            format!("{name} sustainability report"),
            format!(
                "The {name} sustainability report covers energy use, supply chains and recycling. \
             {sym} publishes it every spring."
            ),
        ),
        company_page(
            s,
            "leadership",
            format!("A letter from {name} leadership"),
            format!(
                "To our shareholders: {name} ended the year {mood}. With a market capitalisation of \
             {cap}, {sym} will keep investing in research."
            ),
        ),
        company_page(
            s,
            "developers",
            format!("{name} developer platform"),
            format!(
                "The {name} developer platform offers APIs and MCP servers, so AI assistants can \
             use {sym} services through tools, resources and prompts."
            ),
        ),
        company_page(
            s,
            "security",
            format!("Security at {name}"),
            format!(
                "{name} protects its MCP servers with OAuth bearer tokens, checks the Host and \
             Origin headers against DNS rebinding, and rate limits each client session."
            ),
        ),
        company_page(
            s,
            "history",
            format!("The history of {name}"),
            format!(
                "{name} grew from a small team into a {sector} company worth {cap}. Its shares \
             trade under the symbol {sym}."
            ),
        ),
    ]
}

fn blog_page(s: &Stock, slug: &str, title: &str, what: &str) -> Doc {
    let team = pick(
        &format!("{}-{slug}-team", s.symbol),
        &[
            "platform",
            "assistant",
            "data",
            "developer experience",
            "infrastructure",
        ],
    );
    let id = format!("blog-{}-{slug}", s.symbol.to_ascii_lowercase());
    let mut doc = Doc::new(
        id,
        Kind::Web,
        format!("How {} uses {}", s.name, title.to_lowercase()),
        format!(
            "The {team} team at {} ({}) explains how it uses {} in its MCP servers. {what}",
            s.name,
            s.symbol,
            title.to_lowercase()
        ),
    );
    doc.source = format!("engineering.{}", site(s));
    doc.url = format!("https://engineering.{}/mcp/{slug}", site(s));
    doc.ticker = Some(s.symbol.to_string());
    doc
}
