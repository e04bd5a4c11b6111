//! stdio: one client, newline-delimited JSON-RPC on stdin/stdout (logs go to stderr).

use crate::FilesServer;
use crate::server::Settings;
use rmcp::ServiceExt;

/// Serves one client over stdin/stdout until it disconnects or `shutdown` completes.
pub async fn serve(
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let running = FilesServer::new(settings.clone())
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
