//! stdio: one client, newline-delimited JSON-RPC on stdin/stdout (logs go to stderr).

use crate::SearchServer;
use crate::server::Engine;
use rmcp::ServiceExt;
use std::sync::Arc;

/// Serves one client over stdin/stdout until it disconnects or `shutdown` completes.
pub async fn serve(
    engine: Arc<Engine>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let running = SearchServer::new(engine)
        .serve(rmcp::transport::stdio())
        .await?;
    let cancel = running.cancellation_token();
    tokio::spawn(async move {
        shutdown.await;
        cancel.cancel();
    });
    running.waiting().await?;
    Ok(())
}
