//! Hidden checks for exercise 6 (progress and cancellation): a client watches the progress
//! notifications of a backtest and cancels one half-way.

#[path = "support.rs"]
mod support;

use ex06_progress::BacktestServer;
use rmcp::model::{ProgressNotificationParam, ServerResult};
use rmcp::service::{NotificationContext, PeerRequestOptions};
use rmcp::{ClientHandler, RoleClient};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{call, connect_with, is_error, text, tool_request, within};

/// A client that records every progress notification.
#[derive(Clone, Default)]
struct Watcher(Arc<Mutex<Vec<ProgressNotificationParam>>>);

impl Watcher {
    fn seen(&self) -> Vec<ProgressNotificationParam> {
        self.0.lock().unwrap().clone()
    }
}

impl ClientHandler for Watcher {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.0.lock().unwrap().push(params);
    }
}

#[tokio::test]
async fn progress_uses_the_callers_token_and_counts_up() {
    let watcher = Watcher::default();
    let client = connect_with(BacktestServer, watcher.clone()).await;
    let handle = within(
        "sending the backtest request",
        client.send_cancellable_request(
            tool_request("backtest", json!({"symbol": "AAPL", "days": 10})),
            PeerRequestOptions::no_options(),
        ),
    )
    .await
    .expect("sending the request failed");
    let token = handle.progress_token.clone();
    let response = within("waiting for the backtest", handle.await_response())
        .await
        .expect("the backtest failed");
    assert!(
        matches!(response, ServerResult::CallToolResult(_)),
        "{response:?}"
    );
    // Notifications may trail the response by a moment.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let seen = watcher.seen();
    assert!(
        !seen.is_empty(),
        "no progress notifications: send one per simulated day"
    );
    assert!(
        seen.iter().all(|p| p.progress_token == token),
        "use the progress token of the request (ctx.meta.get_progress_token())"
    );
    assert!(
        seen.windows(2).all(|w| w[0].progress < w[1].progress),
        "progress must grow with every notification: {:?}",
        seen.iter().map(|p| p.progress).collect::<Vec<_>>()
    );
    let last = seen.last().unwrap();
    assert_eq!(last.total, Some(10.0), "say the total (10 days): {last:?}");
    assert_eq!(
        last.progress, 10.0,
        "the last notification should say 10 of 10: {last:?}"
    );
}

#[tokio::test]
async fn the_result_summarises_the_backtest() {
    let client = connect_with(BacktestServer, Watcher::default()).await;
    let result = call(&client, "backtest", json!({"symbol": "nvda", "days": 5})).await;
    assert!(!is_error(&result), "{}", text(&result));
    assert!(
        text(&result).contains("NVDA") && text(&result).contains('%'),
        "{}",
        text(&result)
    );
    let bad = call(&client, "backtest", json!({"symbol": "NVDA", "days": 0})).await;
    assert!(
        is_error(&bad),
        "0 days should be a tool error: {}",
        text(&bad)
    );
}

#[tokio::test]
async fn cancelling_stops_the_backtest_promptly() {
    let watcher = Watcher::default();
    let client = connect_with(BacktestServer, watcher.clone()).await;
    // A short backtest first: if the tool does not work at all, say so now rather than
    // waiting for progress that never comes.
    let probe = call(&client, "backtest", json!({"symbol": "MSFT", "days": 2})).await;
    assert!(
        !is_error(&probe),
        "a 2-day backtest failed: {}",
        text(&probe)
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    watcher.0.lock().unwrap().clear();

    let handle = within(
        "sending the backtest request",
        client.send_cancellable_request(
            tool_request("backtest", json!({"symbol": "MSFT", "days": 240})),
            PeerRequestOptions::no_options(),
        ),
    )
    .await
    .expect("sending the request failed");

    // Wait until the backtest is clearly under way.
    within("waiting for the first progress notifications", async {
        while watcher.seen().len() < 3 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    handle
        .cancel(Some("the user lost interest".into()))
        .await
        .expect("sending the cancellation failed");
    let at_cancel = watcher.seen().len();

    // A tool that ignores cancellation goes on for seconds; one that listens stops at once.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let after = watcher.seen().len() - at_cancel;
    assert!(
        after <= 5,
        "the backtest went on for {after} more days after it was cancelled: race each day's \
         wait against ctx.ct.cancelled()"
    );
}
