//! Hidden checks for exercise 19 (a rate limiter shared through Redis): three replicas, each
//! its own `QuoteServer` with its own Redis connection, behind a round-robin "balancer" (the
//! check calls them in turn) must together allow exactly the limit. The checks start a real
//! `redis-server` on a free port (installed with apt-get when missing and run as root;
//! otherwise they fail with the install line).

#[path = "support.rs"]
mod support;

use ex19_shared_limiter::{CallLimiter, QuoteServer};
use redis::AsyncCommands;
use serde_json::json;
use std::time::Duration;
use support::{call, connect, is_error, text};

struct Redis {
    _child: scale_lab::engines::Child,
    url: String,
}

fn redis() -> Redis {
    let port = scale_lab::engines::free_port().unwrap();
    let child = scale_lab::engines::start_redis(port, true).unwrap_or_else(|e| panic!("{e:#}"));
    Redis {
        _child: child,
        url: format!("redis://127.0.0.1:{port}"),
    }
}

async fn replicas(url: &str, n: usize, limit: u64, window: Duration) -> Vec<QuoteServer> {
    let mut servers = Vec::new();
    for _ in 0..n {
        let limiter = CallLimiter::connect(url, "quotes", limit, window)
            .await
            .expect("Redis is running");
        servers.push(QuoteServer::new(limiter));
    }
    servers
}

/// Calls `get_quote` `calls` times, round robin over the replicas: (allowed, refused).
async fn round_robin(servers: Vec<QuoteServer>, calls: usize) -> (usize, usize) {
    let mut clients = Vec::new();
    for server in servers {
        clients.push(connect(server).await);
    }
    let (mut allowed, mut refused) = (0, 0);
    for i in 0..calls {
        let result = call(
            &clients[i % clients.len()],
            "get_quote",
            json!({"symbol": "AAPL"}),
        )
        .await;
        if is_error(&result) {
            assert!(
                text(&result).contains("rate limit"),
                "a refused call says why: {}",
                text(&result)
            );
            refused += 1;
        } else {
            assert!(text(&result).contains("AAPL"), "{}", text(&result));
            allowed += 1;
        }
    }
    (allowed, refused)
}

#[tokio::test]
async fn three_replicas_together_allow_the_limit_once() {
    let redis = redis();
    let servers = replicas(&redis.url, 3, 5, Duration::from_secs(60)).await;
    let (allowed, refused) = round_robin(servers, 15).await;
    assert_eq!(
        (allowed, refused),
        (5, 10),
        "a limit of 5 per minute for the service: with the count in each process, each of the \
         3 replicas lets its own 5 through (15); in Redis they share one count"
    );
}

#[tokio::test]
async fn the_window_ends_and_the_key_expires() {
    let redis = redis();
    let servers = replicas(&redis.url, 2, 2, Duration::from_millis(400)).await;
    let (allowed, _) = round_robin(servers, 4).await;
    assert_eq!(allowed, 2, "2 calls per window across both replicas");

    let mut conn = redis::Client::open(redis.url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let ttl: i64 = conn.pttl("ratelimit:quotes").await.unwrap();
    assert!(
        ttl > 0 && ttl <= 400,
        "the counter key has the window as its time to live (PEXPIRE), got PTTL {ttl}"
    );

    tokio::time::sleep(Duration::from_millis(600)).await;
    let servers = replicas(&redis.url, 2, 2, Duration::from_millis(400)).await;
    let (allowed, _) = round_robin(servers, 2).await;
    assert_eq!(allowed, 2, "a new window allows calls again");
}
