//! What does token validation cost? Tool calls per second with and without it, side by side.
//!
//! Starts, on loopback: a minimal identity provider (discovery + JWKS), a weather server that
//! validates bearer tokens, and one with `--no-auth`; then drives each with real rmcp clients
//! (one session per worker, `get_weather` in a loop) for a fixed time and prints a markdown
//! table. It also times `Bearer::validate` alone (signature check + claims, keys cached).
//!
//! Run: `cargo bench -p weather-server --bench auth_overhead` (env `BENCH_SECS`, `BENCH_WORKERS`).

use axum::routing::get;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use weather_server::{AuthConfig, Config};

const TENANT: &str = workshop_kit::defaults::TENANT_ID;
const API_ID: &str = workshop_kit::defaults::API_CLIENT_ID;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let secs = env_or("BENCH_SECS", 3);
    let workers = env_or("BENCH_WORKERS", 8) as usize;

    // Identity provider: discovery document + JWKS with the test key.
    let idp = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", idp.local_addr()?);
    let issuer = format!("{base}/{TENANT}/v2.0");
    let mut jwk: serde_json::Value =
        serde_json::from_str(include_str!("../tests/keys/issuer.jwk.json"))?;
    jwk["kid"] = json!("key-1");
    let discovery =
        json!({"issuer": issuer, "jwks_uri": format!("{base}/{TENANT}/discovery/v2.0/keys")});
    let jwks = json!({"keys": [jwk]});
    let app = axum::Router::new()
        .route(
            &format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
            get(move || async move { axum::Json(discovery) }),
        )
        .route(
            &format!("/{TENANT}/discovery/v2.0/keys"),
            get(move || async move { axum::Json(jwks) }),
        );
    tokio::spawn(async move { axum::serve(idp, app).await });

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let claims = json!({
        "iss": issuer, "aud": API_ID, "exp": now + 3600, "nbf": now - 10, "iat": now - 10,
        "oid": "a11ce000-0000-4000-8000-000000000001", "name": "Bench User", "tid": TENANT,
        "scp": "MCP.Tools MCP.Resources MCP.Prompts",
    });
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("key-1".into());
    let token = jsonwebtoken::encode(
        &header,
        &claims,
        &EncodingKey::from_rsa_pem(include_bytes!("../tests/keys/issuer.pem"))?,
    )?;

    let with_auth = weather_server::spawn(
        TcpListener::bind("127.0.0.1:0").await?,
        Config {
            auth: Some(AuthConfig::new(&issuer, API_ID)),
            rate_limit_per_minute: None,
            audit_capacity: 0,
            ..Config::default()
        },
    )?;
    let every_time = weather_server::spawn(
        TcpListener::bind("127.0.0.1:0").await?,
        Config {
            auth: Some(AuthConfig {
                verified_token_cache: 0,
                ..AuthConfig::new(&issuer, API_ID)
            }),
            rate_limit_per_minute: None,
            audit_capacity: 0,
            ..Config::default()
        },
    )?;
    let without_auth = weather_server::spawn(
        TcpListener::bind("127.0.0.1:0").await?,
        Config {
            auth: None,
            rate_limit_per_minute: None,
            audit_capacity: 0,
            ..Config::default()
        },
    )?;

    // Validation alone: how many tokens per second one core checks (keys already cached, the
    // verified-token memo off so the signature is really checked each time).
    let bearer = every_time.bearer.clone().expect("auth is on");
    bearer
        .validate(&token)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let n = 5_000;
    let started = Instant::now();
    for _ in 0..n {
        let _ = bearer.validate(&token).await;
    }
    let per_validation = started.elapsed() / n;

    let mut rows = Vec::new();
    for (label, url, tok) in [
        (
            "no auth (--no-auth)",
            without_auth.mcp_url.to_string(),
            None,
        ),
        (
            "bearer validation, signature verified on every request",
            every_time.mcp_url.to_string(),
            Some(token.clone()),
        ),
        (
            "bearer validation, verified-token memo (default)",
            with_auth.mcp_url.to_string(),
            Some(token.clone()),
        ),
    ] {
        rows.push((
            label,
            drive(&url, tok, workers, Duration::from_secs(secs)).await?,
        ));
    }

    println!("\n### weather-server: tool calls per second, with and without token validation\n");
    println!(
        "{workers} concurrent rmcp sessions, `get_weather` in a loop for {secs} s each, Streamable HTTP on loopback.\n"
    );
    println!("| mode | calls | calls/s | p50 | p99 |");
    println!("|---|---:|---:|---:|---:|");
    for (label, r) in &rows {
        println!(
            "| {label} | {} | {:.0} | {:.2} ms | {:.2} ms |",
            r.calls,
            r.calls as f64 / r.elapsed.as_secs_f64(),
            r.p50.as_secs_f64() * 1e3,
            r.p99.as_secs_f64() * 1e3
        );
    }
    let rate = |i: usize| rows[i].1.calls as f64 / rows[i].1.elapsed.as_secs_f64();
    println!(
        "\nThroughput relative to no auth: {:.0} % verifying every request, {:.0} % with the memo. \
         `Bearer::validate` alone (signature + claims): {:.1} µs per token ({:.0} tokens/s on one core).",
        100.0 * rate(1) / rate(0),
        100.0 * rate(2) / rate(0),
        per_validation.as_secs_f64() * 1e6,
        1.0 / per_validation.as_secs_f64()
    );

    with_auth.shutdown().await?;
    every_time.shutdown().await?;
    without_auth.shutdown().await?;
    Ok(())
}

struct Run {
    calls: u64,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
}

async fn drive(
    url: &str,
    token: Option<String>,
    workers: usize,
    length: Duration,
) -> anyhow::Result<Run> {
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let mut config = StreamableHttpClientTransportConfig::with_uri(url.to_string());
        if let Some(t) = &token {
            config = config.auth_header(t.clone());
        }
        let client = ().serve(StreamableHttpClientTransport::from_config(config)).await?;
        tasks.push(tokio::spawn(async move {
            let call = || {
                let mut args = serde_json::Map::new();
                args.insert("city".into(), "Oslo".into());
                CallToolRequestParams::new("get_weather").with_arguments(args)
            };
            // Warm-up, not measured.
            let warm_until = Instant::now() + Duration::from_millis(300);
            while Instant::now() < warm_until {
                client.call_tool(call()).await?;
            }
            let mut latencies = Vec::new();
            let until = Instant::now() + length;
            while Instant::now() < until {
                let t = Instant::now();
                let r = client.call_tool(call()).await?;
                anyhow::ensure!(r.is_error == Some(false), "tool error: {r:?}");
                latencies.push(t.elapsed());
            }
            client.cancel().await?;
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    // Every worker measured for `length`, all at the same time.
    let elapsed = length;
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok(Run {
        calls: all.len() as u64,
        elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
    })
}
