//! The stdio transport: one client, speaking over our stdin and stdout.
//!
//! The client (an IDE, the MCP Inspector, the workshop console) starts `stock-server` as a
//! child process and writes one JSON-RPC message per line to its stdin; the server answers
//! on stdout. The session lasts as long as the process: when the client closes stdin, we exit.

use crate::{Features, StockServer};
use rmcp::ServiceExt;

/// Serves one client over stdin/stdout until it disconnects or `shutdown` completes.
pub async fn serve(shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    serve_with(&Features::default(), shutdown).await
}

/// [`serve`], with the advanced lessons `features` switch on.
pub async fn serve_with(
    features: &Features,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let running = StockServer::with_features(features)
        .serve(rmcp::transport::stdio())
        .await?;
    let cancel = running.cancellation_token();
    tokio::select! {
        quit = running.waiting() => { quit?; }
        () = shutdown => cancel.cancel(),
    }
    Ok(())
}
