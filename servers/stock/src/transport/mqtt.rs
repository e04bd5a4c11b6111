//! MCP over MQTT 5: the stock server as one instance of a server-name at a broker.
//!
//! `stock-server -t mqtt --broker mqtt://127.0.0.1:1883/stock` connects to the broker and
//! serves every client that sends `initialize` to this instance. Start it twice and the two
//! instances share the clients; stop one and its clients move to the other. The transport,
//! both halves and the topic layout of EMQX's MCP-over-MQTT specification, lives in
//! [`mcp_transports::mqtt`]; this file only hands it a [`StockServer`] per session.

use crate::StockServer;
use mcp_transports::mqtt::{self, BrokerUrl, MqttServerConfig};

/// The broker URL `stock-server -t mqtt` uses when `--broker` is not given.
pub const DEFAULT_BROKER: &str = "mqtt://127.0.0.1:1883/stock";

/// Serves the stock server through the broker of `broker` until `shutdown` completes.
pub async fn serve(
    broker: &str,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let url = BrokerUrl::parse(broker)?;
    let config = MqttServerConfig {
        description: "Stock-market data for seven tickers: prices, history, comparisons".into(),
        ..Default::default()
    };
    let stop = config.shutdown.clone();
    tokio::spawn(async move {
        shutdown.await;
        stop.cancel();
    });
    mqtt::serve(&url, StockServer::new, config).await?;
    Ok(())
}
