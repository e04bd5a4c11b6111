//! `logging/setLevel` and the log line of `get_stock_history`, on 2025-11-25 (the session's
//! level) and 2026-07-28 (no `_meta` log level, no log lines).

use rmcp::model::{
    CallToolRequestParams, LoggingLevel, LoggingMessageNotificationParam, ProtocolVersion,
    SetLevelRequestParams,
};
use rmcp::service::{
    ClientLifecycleMode, NotificationContext, RunningService, ServiceExt,
    serve_client_with_lifecycle,
};
use rmcp::{ClientHandler, RoleClient};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stock_server::StockServer;

#[derive(Clone, Default)]
struct LogWatcher(Arc<Mutex<Vec<LoggingMessageNotificationParam>>>);

impl ClientHandler for LogWatcher {
    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.0.lock().unwrap().push(params);
    }
}

async fn connect(watcher: LogWatcher, discover: bool) -> RunningService<RoleClient, LogWatcher> {
    let (server_io, client_io) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        if let Ok(server) = StockServer::new().serve(server_io).await {
            let _ = server.waiting().await;
        }
    });
    let lifecycle = if discover {
        ClientLifecycleMode::Discover {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        }
    } else {
        ClientLifecycleMode::Initialize
    };
    serve_client_with_lifecycle(watcher, client_io, lifecycle)
        .await
        .unwrap()
}

async fn history(client: &RunningService<RoleClient, LogWatcher>) {
    let args = json!({"symbol": "AAPL", "period": "5d"})
        .as_object()
        .cloned()
        .unwrap();
    let result = client
        .call_tool(CallToolRequestParams::new("get_stock_history").with_arguments(args))
        .await
        .unwrap();
    assert_ne!(result.is_error, Some(true));
    // A notification may trail the response by a moment.
    tokio::time::sleep(Duration::from_millis(100)).await;
}

#[tokio::test]
async fn the_session_level_decides_which_lines_arrive() {
    let watcher = LogWatcher::default();
    let client = connect(watcher.clone(), false).await;
    assert!(
        client.peer_info().unwrap().capabilities.logging.is_some(),
        "logging is declared"
    );

    client
        .set_level(SetLevelRequestParams::new(LoggingLevel::Warning))
        .await
        .unwrap();
    history(&client).await;
    assert!(
        watcher.0.lock().unwrap().is_empty(),
        "an info line at level warning"
    );

    client
        .set_level(SetLevelRequestParams::new(LoggingLevel::Info))
        .await
        .unwrap();
    history(&client).await;
    let logs = watcher.0.lock().unwrap().clone();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].level, LoggingLevel::Info);
    assert_eq!(logs[0].logger.as_deref(), Some("stock-server"));
    assert!(
        logs[0]
            .data
            .as_str()
            .unwrap()
            .ends_with("daily bars for AAPL over 5d"),
        "{:?}",
        logs[0].data
    );
}

#[tokio::test]
async fn on_2026_07_28_no_meta_level_means_no_log_lines() {
    let watcher = LogWatcher::default();
    let client = connect(watcher.clone(), true).await;
    history(&client).await;
    assert!(
        watcher.0.lock().unwrap().is_empty(),
        "no _meta logLevel, so no notifications/message"
    );
}
