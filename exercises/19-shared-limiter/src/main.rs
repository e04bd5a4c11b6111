//! Runs your server over stdio against the Redis at `REDIS_URL` (default
//! `redis://127.0.0.1:6379`), with a limit of 5 calls per 10 seconds:
//!
//! ```sh
//! redis-server --port 6379 --save "" &
//! cargo run -q -p mcp-console -- -- cargo run -q -p ex19-shared-limiter
//! ```
//!
//! Nothing to change here: your work is in `lib.rs`.

#[path = "../../.support/stdio.rs"]
mod stdio;

use std::time::Duration;

#[tokio::main]
async fn main() {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let limiter =
        match ex19_shared_limiter::CallLimiter::connect(&url, "quotes", 5, Duration::from_secs(10))
            .await
        {
            Ok(limiter) => limiter,
            Err(e) => {
                eprintln!("cannot reach Redis at {url}: {e}. Start one: redis-server --port 6379");
                std::process::exit(1);
            }
        };
    stdio::serve(ex19_shared_limiter::QuoteServer::new(limiter)).await
}
