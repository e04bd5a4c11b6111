//! Serving an MCP router over TCP: the two details every workshop server needs.
//!
//! - **`TCP_NODELAY` on every accepted socket.** A Streamable HTTP or SSE reply is written in
//!   several small pieces; with Nagle's algorithm on, the second piece waits for the client's
//!   delayed ACK, about 40 ms a reply, so a call that takes 0.1 ms would take 40.
//! - **A graceful shutdown that ends the long-lived streams.** axum's graceful shutdown waits for
//!   open connections to finish, and an SSE stream never finishes by itself. rmcp's
//!   Streamable HTTP service and our SSE transport stop their streams when a
//!   [`CancellationToken`] is cancelled, so [`serve`] cancels it once `shutdown` completes (or
//!   when something else cancels the token first).
//!
//! Every request carries the peer's address (`ConnectInfo<SocketAddr>` in its extensions), for
//! the routes that answer loopback callers only.

use axum::Router;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Serves `router` on `listener` until `shutdown` completes or `streams` is cancelled, then
/// cancels `streams` (ending rmcp's SSE streams) and finishes the open requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    streams: CancellationToken,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!("could not set TCP_NODELAY: {e}");
        }
    });
    let stop = streams.clone();
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        tokio::select! {
            () = shutdown => {}
            () = stop.cancelled() => {}
        }
        tracing::info!("shutting down: closing sessions and streams");
        stop.cancel();
    })
    .await
}
