//! Graceful shutdown: wait for the signal that asks a server to stop.
//!
//! A server that is simply killed drops its connections mid-response; one that shuts down
//! *gracefully* stops accepting new connections, lets the requests in flight finish, and then
//! exits. axum's `serve(...).with_graceful_shutdown(future)` and rmcp's cancellation tokens do
//! the work; what they need is a future that completes when it is time to stop. That is
//! [`shutdown_signal`].
//!
//! Two signals mean "please stop":
//! - **Ctrl-C** (`SIGINT`), from a learner's terminal;
//! - **`SIGTERM`**, what `kill`, `cargo xtask up`'s supervisor, systemd and container runtimes
//!   send. Unix only: Windows has no `SIGTERM`, so there the future waits for Ctrl-C alone.
//!
//! If a handler cannot be installed (rare: no signal support in a sandbox), that signal is
//! treated as never arriving rather than as an immediate stop, so the server keeps serving and
//! can still be stopped the other way.

/// Completes on Ctrl-C or, on Unix, on `SIGTERM`, and logs which one arrived.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received: shutting down"),
        () = terminate => tracing::info!("SIGTERM received: shutting down"),
    }
}
