//! Two small probes for the experiments: who answered a quote (and whether the cache did), and
//! what a subscriber connected to one replica hears.
//!
//! `scale-lab quote --url … --symbol AAPL --times 4` opens a fresh session per call (so the
//! balancer may pick another replica each time) and prints the replica's name, the price and
//! the `stock-server/cache` word of the result's `_meta` (`hit`, `miss`, `unavailable`, or
//! `-` when the replica has no cache).
//!
//! `scale-lab watch --url … --uri stock://AAPL/live --seconds 5` connects with rmcp's own
//! client, sends `resources/subscribe`, and prints each `notifications/resources/updated` with
//! the tick it then reads back: on a replica that does not run the feed, every line is a tick
//! that came over Redis.

use crate::mcp_http::Session;
use rmcp::model::{
    ClientCapabilities, ClientConfig, Implementation, ReadResourceRequestParams, ResourceContents,
    ResourceUpdatedNotificationParam, SubscribeRequestParams,
};
use rmcp::service::{NotificationContext, ServiceExt};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{ClientHandler, RoleClient};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Prints `times` quotes of `symbol` from `url`, one session each, `pause` apart.
pub async fn quotes(url: &str, symbol: &str, times: u32, pause: Duration) -> anyhow::Result<()> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    for i in 0..times {
        if i > 0 {
            tokio::time::sleep(pause).await;
        }
        let mut session = Session::open(http.clone(), url).await?;
        let answer = session
            .call_tool("get_stock_price", json!({ "symbol": symbol }))
            .await?;
        session.close().await;
        let result = answer
            .message
            .as_ref()
            .and_then(|m| m.get("result"))
            .filter(|_| answer.is_success())
            .ok_or_else(|| anyhow::anyhow!("get_stock_price failed: {:?}", answer.message))?;
        let price = result["structuredContent"]["price"]
            .as_f64()
            .unwrap_or(f64::NAN);
        let cache = result["_meta"][stock_server::scale_out::CACHE_META_KEY]
            .as_str()
            .unwrap_or("-");
        println!(
            "{:<4} {symbol} ${price:.2}  cache: {cache}",
            answer.replica.as_deref().unwrap_or("?")
        );
    }
    Ok(())
}

/// Forwards the URIs of `notifications/resources/updated` to the printing loop.
#[derive(Clone)]
struct Watcher(mpsc::UnboundedSender<String>);

impl ClientHandler for Watcher {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("scale-lab-watch", env!("CARGO_PKG_VERSION")),
        )
    }

    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = self.0.send(params.uri);
    }
}

/// Subscribes to `uri` on `url` and prints every update for `seconds`; answers how many came.
pub async fn watch(url: &str, uri: &str, seconds: u64) -> anyhow::Result<usize> {
    let (updates, mut received) = mpsc::unbounded_channel();
    let transport = StreamableHttpClientTransport::from_uri(url.to_string());
    let client = Watcher(updates)
        .serve(transport)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open an MCP session on {url}: {e}"))?;
    client
        .subscribe(SubscribeRequestParams::new(uri))
        .await
        .map_err(|e| anyhow::anyhow!("resources/subscribe {uri} failed: {e}"))?;
    println!("subscribed to {uri} on {url} for {seconds} s");
    let start = Instant::now();
    let deadline = tokio::time::sleep(Duration::from_secs(seconds));
    tokio::pin!(deadline);
    let mut count = 0;
    loop {
        let updated = tokio::select! {
            () = &mut deadline => break,
            updated = received.recv() => updated,
        };
        let Some(updated) = updated else { break };
        count += 1;
        // The notification carries no data: read the resource, as a client does.
        let read = client
            .read_resource(ReadResourceRequestParams::new(updated.clone()))
            .await?;
        let tick = match read.contents.first() {
            Some(ResourceContents::TextResourceContents { text, .. }) => text.clone(),
            _ => "(no text)".into(),
        };
        println!(
            "+{:>6.2} s  updated {updated}  {tick}",
            start.elapsed().as_secs_f64()
        );
    }
    println!("{count} updates in {seconds} s");
    client.cancel().await?;
    Ok(count)
}
