//! Protocol pass-through: progress, elicitation and sampling cross the gateway both ways.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn progress_reaches_the_client_under_its_own_token() {
    within(async {
        let lab = LabServer::start("a").await;
        let gw = gateway(&open_config(vec![target("lab", &[&lab.url])])).await;
        healthy(&gw, "lab", 1).await;
        let c = client(gw.mcp_url.as_str(), None).await;
        let r = call(&c, "lab_count_up", json!({"steps": 3})).await;
        assert_eq!(text(&r), "counted to 3");
        // Notifications may trail the answer by a moment.
        for _ in 0..50 {
            if c.service().progress.lock().unwrap().len() == 3 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let progress = c.service().progress.lock().unwrap().clone();
        let steps: Vec<f64> = progress.iter().map(|p| p.progress).collect();
        assert_eq!(steps, [1.0, 2.0, 3.0]);
        assert!(progress.iter().all(|p| p.total == Some(3.0)));
        // One token for the whole call: the one the client sent, not the gateway's.
        let first = &progress[0].progress_token;
        assert!(progress.iter().all(|p| &p.progress_token == first));
        gw.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn elicitation_and_sampling_are_relayed_and_answered() {
    within(async {
        let lab = LabServer::start("a").await;
        let gw = gateway(&open_config(vec![target("lab", &[&lab.url])])).await;
        healthy(&gw, "lab", 1).await;
        let c = client(gw.mcp_url.as_str(), None).await;

        let r = call(&c, "lab_confirm", json!({})).await;
        assert_eq!(text(&r), "the user said ok=true");
        assert_eq!(*c.service().questions.lock().unwrap(), ["Really?"]);

        let r = call(&c, "lab_ask_model", json!({})).await;
        assert_eq!(text(&r), "the model said: hello from the client's model");
        gw.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_cancelled_call_is_cancelled_upstream_and_logs_are_relayed() {
    within(async {
        let lab = LabServer::start("a").await;
        let gw = gateway(&open_config(vec![target("lab", &[&lab.url])])).await;
        healthy(&gw, "lab", 1).await;
        let c = client(gw.mcp_url.as_str(), None).await;

        let request =
            rmcp::model::ClientRequest::CallToolRequest(rmcp::model::CallToolRequest::new(
                rmcp::model::CallToolRequestParams::new("lab_wait_for_cancel"),
            ));
        let handle = c
            .send_cancellable_request(request, rmcp::service::PeerRequestOptions::no_options())
            .await
            .unwrap();
        // Wait until the upstream is running it, then cancel from the client.
        let upstream = gw.gateway.target("lab").unwrap().clone();
        while upstream.replicas[0].in_flight() == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        handle
            .cancel(Some("the user pressed Ctrl-C".into()))
            .await
            .unwrap();
        for _ in 0..200 {
            if lab.cancelled.load(std::sync::atomic::Ordering::SeqCst) == 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(
            lab.cancelled.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "the upstream never saw the cancellation"
        );

        assert_eq!(text(&call(&c, "lab_log_line", json!({})).await), "logged");
        for _ in 0..50 {
            if !c.service().logs.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let logs = c.service().logs.lock().unwrap().clone();
        assert_eq!(logs.len(), 1, "{logs:?}");
        assert_eq!(
            logs[0].logger.as_deref(),
            Some("lab/disk"),
            "the logger names the target"
        );
        assert_eq!(logs[0].data, json!("disk almost full"));
        gw.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_subscription_through_the_gateway_gets_the_upstreams_updates() {
    within(async {
        let config = stock_server::transport::http::HttpConfig {
            features: stock_server::Features {
                media: false,
                live: Some(stock_server::live::LiveMarket::new(
                    std::time::Duration::from_millis(50),
                )),
            },
            ..Default::default()
        };
        let (stock_url, _stock) = stock_with(config).await;
        let gw = gateway(&open_config(vec![target("stock", &[&stock_url])])).await;
        healthy(&gw, "stock", 1).await;
        let c = client(gw.mcp_url.as_str(), None).await;
        c.subscribe(rmcp::model::SubscribeRequestParams::new(
            "stock://AAPL/live",
        ))
        .await
        .expect("subscribing through the gateway");
        for _ in 0..200 {
            if c.service().updated.lock().unwrap().len() >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let updated = c.service().updated.lock().unwrap().clone();
        assert!(updated.len() >= 2, "{updated:?}");
        assert!(
            updated.iter().all(|u| u == "stock://AAPL/live"),
            "{updated:?}"
        );
        c.unsubscribe(rmcp::model::UnsubscribeRequestParams::new(
            "stock://AAPL/live",
        ))
        .await
        .expect("unsubscribing through the gateway");
        gw.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn an_unsubscribe_goes_to_the_replica_holding_the_subscription() {
    within(async {
        let mut markets = Vec::new();
        let mut urls = Vec::new();
        for _ in 0..2 {
            let market = stock_server::live::LiveMarket::new(std::time::Duration::from_millis(50));
            let config = stock_server::transport::http::HttpConfig {
                features: stock_server::Features {
                    media: false,
                    live: Some(market.clone()),
                },
                ..Default::default()
            };
            urls.push(stock_with(config).await.0);
            markets.push(market);
        }
        let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
        // Round robin: the unsubscribe would land on the other replica if it were not pinned.
        let gw = gateway(&open_config(vec![target("stock", &urls)])).await;
        healthy(&gw, "stock", 2).await;
        let c = client(gw.mcp_url.as_str(), None).await;
        c.subscribe(rmcp::model::SubscribeRequestParams::new(
            "stock://MSFT/live",
        ))
        .await
        .unwrap();
        let holding: Vec<usize> = markets.iter().map(|m| m.active_forwarders()).collect();
        assert_eq!(holding.iter().sum::<usize>(), 1, "{holding:?}");
        c.unsubscribe(rmcp::model::UnsubscribeRequestParams::new(
            "stock://MSFT/live",
        ))
        .await
        .unwrap();
        for _ in 0..100 {
            if markets.iter().all(|m| m.active_forwarders() == 0) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let left: Vec<usize> = markets.iter().map(|m| m.active_forwarders()).collect();
        assert_eq!(
            left,
            [0, 0],
            "the subscription was left behind on its replica"
        );
        gw.shutdown().await.unwrap();
    })
    .await;
}
