//! The hostile requests: generated from a seeded random number generator, so a run can be
//! repeated exactly (`--seed`), and one failing case replayed alone (`--case`).
//!
//! Each case starts from a request the service would accept and breaks one or more things in
//! it, in one of these families (the name is what the summary table counts):
//!
//! | family | what is broken |
//! |---|---|
//! | `json-rpc` | the message: wrong `jsonrpc`, ids of every type, methods with control characters, params of the wrong shape, batches, unknown tools, hostile tool arguments, 10,000-deep nesting, duplicate keys, non-JSON numbers |
//! | `headers` | duplicate or foreign `Host`/`Origin`, missing or wrong `Content-Type`/`Accept`, forged or doubled `Authorization`, garbage session ids and protocol versions, huge and non-UTF-8 values, 300 headers |
//! | `http` | methods (`TRACE`, `G\0T`, 4 kB long), paths (`/../`, `%00`, 10 kB, absolute-form), versions |
//! | `body` | bodies over the limit, `Content-Length` that lies or repeats, chunked encoding that is broken or doubled with `Content-Length`, invalid UTF-8, uploads that break off |
//! | `slow` | an otherwise generated request written a few bytes at a time, within about 1.5 s |
//! | `oauth` | (mock-idp, [`super::oauth`]) token, authorize, device-code, registration and consent requests with every parameter mutated: grants, codes, verifiers, redirect URIs, scopes, CSRF state |
//!
//! Each case's generator is seeded from the campaign seed, the service and the case number
//! alone, so case 1234 of `weather` is the same request in every run with the same seed,
//! whatever ran before it or in parallel.

use super::oauth;
use super::wire::{Delivery, Request};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};
use std::time::Duration;

/// Which service a case is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// stock-server: Streamable HTTP, legacy SSE and WebSocket on one port, no auth.
    Stock,
    /// weather-server: Streamable HTTP behind bearer tokens.
    Weather,
    /// mock-idp: the OAuth endpoints and consent pages.
    Idp,
    /// everything-server: the conformance fixture surface over Streamable HTTP, no auth.
    Everything,
    /// search-server: the offline search engine over Streamable HTTP, no auth.
    Search,
    /// files-server: the roots server over Streamable HTTP, no auth (the campaign's client
    /// offers no roots, so every tool answers with the no-roots error).
    Files,
    /// mcp-gateway: one endpoint in front of other servers, behind bearer tokens.
    Gateway,
    /// risks-server: the security lab's indirect-injection lab in its fixed mode (a
    /// path-confined `read_document`), over Streamable HTTP, no auth.
    Risks,
}

impl Kind {
    /// Every service the campaign knows, in the order it fires at them (new kinds go last:
    /// a kind's number seeds its cases, so the older kinds' cases stay what they were).
    pub const ALL: [Kind; 8] = [
        Kind::Stock,
        Kind::Weather,
        Kind::Idp,
        Kind::Everything,
        Kind::Search,
        Kind::Files,
        Kind::Gateway,
        Kind::Risks,
    ];
}

/// What a generator may use: where the service is, and real values to mutate.
#[derive(Debug, Clone)]
pub struct Context {
    /// Which service.
    pub kind: Kind,
    /// `127.0.0.1:<port>`, the `Host` every valid request carries.
    pub authority: String,
    /// Session ids opened before the campaign (MCP services), so that requests reach the
    /// handlers behind the session check.
    pub sessions: Vec<String>,
    /// A valid access token (weather), mutated into forgeries.
    pub access_token: Option<String>,
    /// A valid refresh token (mock-idp), replayed and mutated.
    pub refresh_token: Option<String>,
    /// The tenant id in mock-idp's paths.
    pub tenant: String,
    /// The body size limit of the service, to step just over it.
    pub max_body: usize,
}

/// One generated case.
#[derive(Debug, Clone)]
pub struct Case {
    /// The family, for the summary table.
    pub family: &'static str,
    /// What to send.
    pub request: Request,
    /// Whether closing the connection without an answer is acceptable (the request is not
    /// HTTP at all, or its upload broke off), rather than a failure.
    pub may_close: bool,
}

/// The generator of case number `index` for `seed`.
pub fn rng_for(seed: u64, kind: Kind, index: u64) -> StdRng {
    // SplitMix-style mixing keeps neighbouring indexes far apart in seed space.
    let mut x = seed ^ (kind as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index.rotate_left(32);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    StdRng::seed_from_u64(x ^ (x >> 31))
}

/// Case number `index` for the service in `ctx`.
pub fn generate(ctx: &Context, seed: u64, index: u64) -> Case {
    let mut rng = rng_for(seed, ctx.kind, index);
    let families: &[(&str, u32)] = match ctx.kind {
        Kind::Idp => &[
            ("oauth", 50),
            ("headers", 15),
            ("http", 15),
            ("body", 12),
            ("slow", 8),
        ],
        _ => &[
            ("json-rpc", 45),
            ("headers", 20),
            ("http", 13),
            ("body", 14),
            ("slow", 8),
        ],
    };
    let total: u32 = families.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    let family = families
        .iter()
        .find(|(_, w)| {
            if pick < *w {
                true
            } else {
                pick -= w;
                false
            }
        })
        .map_or("json-rpc", |(f, _)| *f);
    let mut builder = match family {
        "oauth" => oauth::oauth(ctx, &mut rng),
        "json-rpc" => {
            let body = json_rpc(ctx, &mut rng);
            Builder::mcp(ctx, &mut rng, body)
        }
        _ => base(ctx, &mut rng),
    };
    match family {
        "headers" => mutate_headers(ctx, &mut rng, &mut builder),
        "http" => mutate_http(&mut rng, &mut builder),
        "body" => mutate_body(ctx, &mut rng, &mut builder),
        "slow" => {
            // At most 300 writes, whatever the size, so the pauses stay within the bound.
            let chunk = rng.random_range(1..=64).max(builder.len() / 300);
            let pieces = builder.len().div_ceil(chunk).max(1) as u64;
            // At most ~1.5 s in all, and at least 1 ms between writes.
            let pause = Duration::from_millis((1500 / pieces).clamp(1, 40));
            builder.delivery = Delivery::Slow { chunk, pause };
        }
        _ => {}
    }
    builder.finish(family)
}

/// A request under construction: method, target, headers and body, assembled at the end.
pub(super) struct Builder {
    method: Vec<u8>,
    target: Vec<u8>,
    version: Vec<u8>,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub(super) body: Vec<u8>,
    delivery: Delivery,
    /// `Content-Length` is added from the body unless a mutation set its own.
    auto_length: bool,
    may_close: bool,
}

impl Builder {
    pub(super) fn new(method: &str, target: &str, ctx: &Context) -> Self {
        Self {
            method: method.into(),
            target: target.into(),
            version: b"HTTP/1.1".to_vec(),
            headers: vec![
                (b"Host".to_vec(), ctx.authority.clone().into_bytes()),
                (b"Connection".to_vec(), b"close".to_vec()),
            ],
            body: Vec::new(),
            delivery: Delivery::Whole,
            auto_length: true,
            may_close: false,
        }
    }

    /// A `POST /mcp` carrying `body`, with the headers a client sends (a session and a token
    /// most of the time, where the service has them).
    fn mcp(ctx: &Context, rng: &mut StdRng, body: Vec<u8>) -> Self {
        let mut b = Self::new("POST", "/mcp", ctx);
        b.header("Content-Type", "application/json");
        b.header("Accept", "application/json, text/event-stream");
        if let Some(session) = ctx.sessions.choose(rng)
            && rng.random_bool(0.7)
        {
            b.header("Mcp-Session-Id", session);
            b.header("Mcp-Protocol-Version", "2025-11-25");
        }
        if let Some(token) = &ctx.access_token {
            b.header("Authorization", &format!("Bearer {token}"));
        }
        b.body = body;
        b
    }

    pub(super) fn header(&mut self, name: &str, value: &str) {
        self.headers.push((name.into(), value.into()));
    }

    fn remove(&mut self, name: &str) {
        self.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(name.as_bytes()));
    }

    fn set(&mut self, name: &str, value: &[u8]) {
        self.remove(name);
        self.headers.push((name.into(), value.to_vec()));
    }

    /// About how many bytes the request will be on the wire.
    fn len(&self) -> usize {
        let head: usize = self
            .headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 4)
            .sum();
        self.method.len() + self.target.len() + head + self.body.len() + 64
    }

    fn finish(mut self, family: &'static str) -> Case {
        if self.auto_length
            && !self
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(b"transfer-encoding"))
        {
            let length = self.body.len().to_string();
            self.set("Content-Length", length.as_bytes());
        }
        let mut head = vec![[&self.method[..], b" ", &self.target, b" ", &self.version].concat()];
        head.extend(
            self.headers
                .into_iter()
                .map(|(n, v)| [&n[..], b": ", &v[..]].concat()),
        );
        let may_close = self.may_close || matches!(self.delivery, Delivery::Truncated { .. });
        Case {
            family,
            request: Request {
                head,
                body: self.body,
                delivery: self.delivery,
            },
            may_close,
        }
    }
}

/// A valid request for the service, for the families that break the envelope rather than the
/// message.
fn base(ctx: &Context, rng: &mut StdRng) -> Builder {
    match ctx.kind {
        Kind::Idp => oauth::oauth(ctx, rng),
        _ => {
            let message = message(ctx, rng);
            Builder::mcp(ctx, rng, serde_json::to_vec(&message).unwrap_or_default())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC
// ---------------------------------------------------------------------------------------------

const TOOLS: &[&str] = &[
    "get_stock_price",
    "get_stock_history",
    "compare_stocks",
    "get_ticker_info",
    "stock_headline_sampling",
    "get_weather",
    "get_forecast",
    "no_such_tool",
    "",
];

/// A message the service understands.
fn message(ctx: &Context, rng: &mut StdRng) -> Value {
    let id = rng.random_range(1..1_000_000);
    match rng.random_range(0..10) {
        0 => json!({"jsonrpc": "2.0", "id": id, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "fuzz", "version": "1"}}}),
        1 => json!({"jsonrpc": "2.0", "id": id, "method": "ping"}),
        2 => json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"}),
        3 | 4 => {
            // The security lab has tools of its own; the older kinds keep their list, so their
            // seeded cases stay what they were.
            let (tools, keys) = match ctx.kind {
                Kind::Risks => (RISKS_TOOLS, RISKS_KEYS),
                _ => (TOOLS, KEYS),
            };
            let name = tools.choose(rng).copied().unwrap_or("x");
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                   "params": {"name": name, "arguments": arguments(rng, keys)}})
        }
        5 => json!({"jsonrpc": "2.0", "id": id, "method": "resources/read",
                    "params": {"uri": hostile_string(rng)}}),
        6 => json!({"jsonrpc": "2.0", "id": id, "method": "prompts/get",
                    "params": {"name": hostile_string(rng), "arguments": {"symbol": hostile_string(rng)}}}),
        7 => json!({"jsonrpc": "2.0", "id": id, "method": "completion/complete", "params": {
            "ref": {"type": "ref/prompt", "name": hostile_string(rng)},
            "argument": {"name": hostile_string(rng), "value": hostile_string(rng)}}}),
        8 => json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        _ => {
            let _ = ctx;
            json!({"jsonrpc": "2.0", "id": id, "result": {}})
        }
    }
}

/// Argument names of the stock and weather tools (and one nobody has).
const KEYS: &[&str] = &["symbol", "symbols", "city", "days", "period", "ticker", "x"];

/// The security lab's tool names (`read_document` is the indirect-injection lab's).
const RISKS_TOOLS: &[&str] = &["read_document", "no_such_tool", ""];

/// Argument names of the security lab's tools.
const RISKS_KEYS: &[&str] = &["path", "x"];

/// Tool arguments an attacker (or a confused model) sends, named from `keys`.
fn arguments(rng: &mut StdRng, keys: &[&str]) -> Value {
    let mut map = serde_json::Map::new();
    for _ in 0..rng.random_range(0..4) {
        let key = keys.choose(rng).copied().unwrap_or("x");
        map.insert(key.to_string(), random_json(rng, 2));
    }
    match rng.random_range(0..6) {
        0 => random_json(rng, 2),
        _ => Value::Object(map),
    }
}

/// Strings that have broken parsers and logs before.
pub(super) fn hostile_string(rng: &mut StdRng) -> String {
    let pieces = [
        "AAPL",
        "Oslo",
        "stock://AAPL/price",
        "weather://forecast/Paris",
        "tools/list\nINFO audit: FORGED decision=allowed",
        "\r\n\r\nHTTP/1.1 200 OK",
        "\u{1b}[31mRED\u{1b}[0m\u{1b}]0;title\u{7}",
        "\0nul\0",
        "\u{202e}txt.exe",
        "../../../../etc/passwd",
        "%00%0a%0d",
        "😀東京Zoë",
        "'; DROP TABLE users; --",
        "${jndi:ldap://127.0.0.1/x}",
        "{{7*7}}",
        "",
        " ",
    ];
    match rng.random_range(0..8) {
        0 => "A".repeat(rng.random_range(1_000..100_000)),
        1 => (0..rng.random_range(1..64))
            .map(|_| char::from_u32(rng.random_range(0..0x11_0000)).unwrap_or('\u{fffd}'))
            .collect(),
        _ => pieces.choose(rng).copied().unwrap_or("").to_string(),
    }
}

/// Any JSON value, `depth` levels deep at most.
pub(super) fn random_json(rng: &mut StdRng, depth: u32) -> Value {
    match rng.random_range(0..if depth == 0 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.random_bool(0.5)),
        2 => json!(rng.random::<i64>()),
        3 => json!(rng.random::<f64>() * 1e300),
        4 | 5 => Value::String(hostile_string(rng)),
        6 => Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| random_json(rng, depth - 1))
                .collect(),
        ),
        _ => Value::Object(
            (0..rng.random_range(0..4))
                .map(|i| (format!("k{i}"), random_json(rng, depth - 1)))
                .collect(),
        ),
    }
}

/// A broken JSON-RPC body: a valid message with one or two things wrong, or raw text no
/// serializer would produce.
fn json_rpc(ctx: &Context, rng: &mut StdRng) -> Vec<u8> {
    let mut value = message(ctx, rng);
    match rng.random_range(0..16) {
        0 => value["jsonrpc"] = random_json(rng, 1),
        1 => value["id"] = random_json(rng, 2),
        2 => value["method"] = random_json(rng, 1),
        3 => value["method"] = Value::String(hostile_string(rng)),
        4 => value["params"] = random_json(rng, 3),
        5 => {
            if let Some(map) = value.as_object_mut() {
                let keys: Vec<String> = map.keys().cloned().collect();
                if let Some(key) = keys.choose(rng) {
                    map.remove(key);
                }
            }
        }
        6 => {
            value = Value::Array(
                (0..rng.random_range(0..5))
                    .map(|_| message(ctx, rng))
                    .collect(),
            )
        }
        7 => value = random_json(rng, 3),
        8 => {
            // Deep nesting: serde_json stops at 128 levels; nothing may recurse past that.
            let depth = rng.random_range(100..20_000);
            let mut text = String::from(r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":"#);
            text.push_str(&"[".repeat(depth));
            text.push_str(&"]".repeat(depth));
            text.push('}');
            return text.into_bytes();
        }
        9 => {
            return br#"{"jsonrpc":"2.0","id":1,"id":2,"method":"ping","method":"tools/list"}"#
                .to_vec();
        }
        10 => return br#"{"jsonrpc":"2.0","id":1e999,"method":"ping"}"#.to_vec(),
        11 => return br#"{"jsonrpc":"2.0","id":NaN,"method":"ping"}"#.to_vec(),
        12 => {
            let mut bytes = serde_json::to_vec(&value).unwrap_or_default();
            let at = rng.random_range(0..=bytes.len());
            bytes.insert(at, rng.random_range(0x80..=0xff));
            return bytes;
        }
        13 => {
            let bytes = serde_json::to_vec(&value).unwrap_or_default();
            let cut = rng.random_range(0..bytes.len().max(1));
            return bytes[..cut].to_vec();
        }
        14 => value["params"]["_meta"] = json!({"progressToken": random_json(rng, 2)}),
        _ => value["extra"] = random_json(rng, 2),
    }
    serde_json::to_vec(&value).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Headers, HTTP, bodies
// ---------------------------------------------------------------------------------------------

fn mutate_headers(ctx: &Context, rng: &mut StdRng, b: &mut Builder) {
    for _ in 0..rng.random_range(1..=2) {
        match rng.random_range(0..18) {
            0 => b.header("Host", "evil.example"),
            1 => b.set("Host", b"evil.example"),
            2 => b.remove("Host"),
            3 => b.set("Host", format!("{}\t", ctx.authority).as_bytes()),
            4 => b.header("Origin", "http://evil.example"),
            5 => {
                let origin = format!("http://{}", ctx.authority);
                b.header("Origin", &origin);
                b.header("Origin", "null");
            }
            6 => b.remove("Content-Type"),
            7 => b.set(
                "Content-Type",
                [
                    b"text/plain",
                    &b"application/json; charset=utf-7"[..],
                    b"multipart/form-data; boundary=x",
                    b"application/x-www-form-urlencoded",
                ]
                .choose(rng)
                .copied()
                .unwrap_or(b"x"),
            ),
            8 => b.remove("Accept"),
            9 => b.set("Accept", b"text/html"),
            10 => b.set("Mcp-Session-Id", &random_bytes(rng, 1..200, true)),
            11 => b.set("Mcp-Protocol-Version", &random_bytes(rng, 0..40, true)),
            12 => authorization(ctx, rng, b),
            13 => authorization(ctx, rng, b),
            14 => b.header("X-Long", &"a".repeat(rng.random_range(8_000..40_000))),
            15 => {
                for i in 0..rng.random_range(100..300) {
                    b.header(&format!("X-Many-{i}"), "1");
                }
            }
            16 => b.header(
                "User-Agent",
                &hostile_string(rng).replace(['\r', '\n', '\0'], ""),
            ),
            _ => b
                .headers
                .push((b"X-Bytes".to_vec(), random_bytes(rng, 1..100, true))),
        }
    }
}

/// Forged, doubled or misplaced credentials.
fn authorization(ctx: &Context, rng: &mut StdRng, b: &mut Builder) {
    let real = ctx.access_token.clone().unwrap_or_else(|| "x.y.z".into());
    let b64 = |v: &Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let forged = match rng.random_range(0..9) {
        0 => String::new(),
        1 => format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "typ": "JWT"})),
            b64(&json!({"sub": "admin", "scp": "MCP.Tools", "exp": 4_000_000_000u64}))
        ),
        2 => {
            // The real token with one signature character changed.
            let mut t: Vec<char> = real.chars().collect();
            if let Some(last) = t.last_mut() {
                *last = if *last == 'A' { 'B' } else { 'A' };
            }
            t.into_iter().collect()
        }
        3 => real[..real.len() / 2].to_string(),
        4 => format!(
            "{}.{}.{}",
            b64(&json!({"alg": "HS256", "kid": "../../etc/passwd"})),
            b64(&json!({"iss": "http://evil.example", "aud": "x"})),
            "sig"
        ),
        5 => format!("{real} {real}"),
        6 => "A".repeat(rng.random_range(10_000..60_000)),
        7 => String::from_utf8_lossy(&random_bytes(rng, 1..80, true)).into_owned(),
        _ => real.clone(),
    };
    let scheme = ["Bearer", "bearer", "BEARER", "Basic", "Bearer\t", ""]
        .choose(rng)
        .copied()
        .unwrap_or("Bearer");
    if rng.random_bool(0.3) {
        b.header("Authorization", &format!("{scheme} {forged}"));
    } else {
        b.set("Authorization", format!("{scheme} {forged}").as_bytes());
    }
    if rng.random_bool(0.15) {
        // The token in the URL, which must be refused.
        b.target = format!("/mcp?access_token={real}").into_bytes();
    }
}

/// `n` random bytes that a header value may carry (no CR, LF or NUL) when `header` is set.
fn random_bytes(rng: &mut StdRng, n: std::ops::Range<usize>, header: bool) -> Vec<u8> {
    let n = rng.random_range(n);
    (0..n)
        .map(|_| {
            loop {
                let b: u8 = rng.random();
                if !header || !matches!(b, b'\r' | b'\n' | 0) {
                    break b;
                }
            }
        })
        .collect()
}

fn mutate_http(rng: &mut StdRng, b: &mut Builder) {
    match rng.random_range(0..4) {
        0 => {
            let methods: &[&[u8]] = &[
                b"GET", b"PUT", b"PATCH", b"DELETE", b"OPTIONS", b"HEAD", b"TRACE", b"CONNECT",
                b"FOO", b"G\0T", b"post", b"",
            ];
            b.method = methods.choose(rng).copied().unwrap_or(b"GET").to_vec();
            if rng.random_bool(0.1) {
                b.method = vec![b'X'; rng.random_range(1_000..5_000)];
            }
            b.may_close = true;
        }
        1 => {
            let paths: &[&str] = &[
                "/mcp/",
                "/MCP",
                "/mcp?x=1&x=2",
                "/sse",
                "/messages",
                "/messages?sessionId=",
                "/messages?sessionId=00000000-0000-0000-0000-000000000000",
                "/ws",
                "/healthz",
                "/../../etc/passwd",
                "/%2e%2e/%2e%2e/",
                "/mcp%00",
                "/%ff%fe",
                "*",
                "http://evil.example/mcp",
                "//evil.example/mcp",
                "/.well-known/oauth-protected-resource",
                "/.well-known/oauth-authorization-server",
                "/_admin/activity",
                "/register",
                "/devicelogin",
            ];
            b.target = paths
                .choose(rng)
                .copied()
                .unwrap_or("/")
                .as_bytes()
                .to_vec();
            if rng.random_bool(0.1) {
                b.target = format!("/{}", "a".repeat(rng.random_range(5_000..20_000))).into_bytes();
            }
            b.may_close = true;
        }
        2 => {
            b.version = [
                &b"HTTP/1.0"[..],
                b"HTTP/2.0",
                b"HTTP/9.9",
                b"",
                b"HTTP/1.1 extra",
            ]
            .choose(rng)
            .copied()
            .unwrap_or(b"HTTP/1.0")
            .to_vec();
            b.may_close = true;
        }
        _ => {
            // Not HTTP at all.
            b.method = random_bytes(rng, 1..40, true);
            b.target.clear();
            b.may_close = true;
        }
    }
}

fn mutate_body(ctx: &Context, rng: &mut StdRng, b: &mut Builder) {
    match rng.random_range(0..9) {
        0 => {
            // Just over the limit: 413, never buffered whole.
            let mut body = br#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":""#.to_vec();
            body.resize(ctx.max_body + rng.random_range(1..4096), b'a');
            body.extend_from_slice(br#""}}"#);
            b.body = body;
        }
        1 => {
            // A length far beyond what is sent, then the upload stops.
            b.auto_length = false;
            let declared = [ctx.max_body as u64 * 4, 1 << 40, u64::MAX]
                .choose(rng)
                .copied()
                .unwrap_or(1 << 40);
            b.set("Content-Length", declared.to_string().as_bytes());
            b.delivery = Delivery::Truncated { keep: b.body.len() };
        }
        2 => {
            let keep = rng.random_range(0..b.body.len().max(1));
            b.delivery = Delivery::Truncated { keep };
        }
        3 => {
            b.auto_length = false;
            let n = b.body.len();
            b.headers
                .push((b"Content-Length".to_vec(), n.to_string().into_bytes()));
            b.headers
                .push((b"Content-Length".to_vec(), (n + 5).to_string().into_bytes()));
            b.may_close = true;
        }
        4 => {
            b.auto_length = false;
            let n = b.body.len();
            b.set("Content-Length", format!("{n}, {n}").as_bytes());
            b.may_close = true;
        }
        5 => {
            // Request smuggling's classic: both framings.
            b.header("Transfer-Encoding", "chunked");
            b.may_close = true;
        }
        6 => {
            b.auto_length = false;
            b.remove("Content-Length");
            b.header("Transfer-Encoding", "chunked");
            let mut body = format!("{:x}\r\n", b.body.len()).into_bytes();
            body.extend_from_slice(&b.body);
            // A broken chunk size, or a missing last chunk.
            body.extend_from_slice(if rng.random_bool(0.5) {
                b"\r\nzz\r\n"
            } else {
                b"\r\n"
            });
            b.body = body;
            b.delivery = Delivery::Truncated { keep: usize::MAX };
        }
        7 => {
            b.body = random_bytes(rng, 0..2_000, false);
        }
        _ => {
            b.header("Content-Encoding", "gzip");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(kind: Kind) -> Context {
        Context {
            kind,
            authority: "127.0.0.1:1".into(),
            sessions: vec!["s".into()],
            access_token: Some("a.b.c".into()),
            refresh_token: Some("r".into()),
            tenant: "t".into(),
            max_body: 1024,
        }
    }

    #[test]
    fn a_case_is_the_same_for_the_same_seed_and_index() {
        for kind in Kind::ALL {
            for index in 0..200 {
                let a = generate(&ctx(kind), 7, index).request.bytes();
                let b = generate(&ctx(kind), 7, index).request.bytes();
                assert_eq!(a, b);
            }
            assert_ne!(
                generate(&ctx(kind), 7, 1).request.bytes(),
                generate(&ctx(kind), 8, 1).request.bytes()
            );
        }
    }

    #[test]
    fn every_family_is_generated() {
        let mut seen = std::collections::BTreeSet::new();
        for index in 0..500 {
            seen.insert(generate(&ctx(Kind::Weather), 1, index).family);
            seen.insert(generate(&ctx(Kind::Idp), 1, index).family);
        }
        let all: Vec<_> = seen.into_iter().collect();
        assert_eq!(
            all,
            ["body", "headers", "http", "json-rpc", "oauth", "slow"]
        );
    }
}
