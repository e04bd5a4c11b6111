//! Federation and routing through a real gateway to real upstreams (the workshop's stock server
//! and lab servers, over Streamable HTTP on ephemeral ports).

mod common;

use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn the_union_is_listed_with_prefixes_and_calls_reach_the_owner() {
    within(async {
        let (stock_url, _stock) = stock().await;
        let lab = LabServer::start("a").await;
        let gw = gateway(&open_config(vec![
            target("stock", &[&stock_url]),
            target("lab", &[&lab.url]),
        ]))
        .await;
        healthy(&gw, "stock", 1).await;
        healthy(&gw, "lab", 1).await;

        let c = client(gw.mcp_url.as_str(), None).await;
        let names: Vec<String> = c
            .list_all_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect();
        assert!(
            names.contains(&"stock_get_stock_price".to_string()),
            "{names:?}"
        );
        assert!(names.contains(&"lab_echo".to_string()), "{names:?}");
        assert!(
            names
                .iter()
                .all(|n| n.starts_with("stock_") || n.starts_with("lab_")),
            "{names:?}"
        );

        let quote = call(&c, "stock_get_stock_price", json!({"symbol": "AAPL"})).await;
        assert_ne!(quote.is_error, Some(true), "{quote:?}");
        assert!(text(&quote).contains("AAPL"), "{}", text(&quote));
        assert_eq!(
            text(&call(&c, "lab_echo", json!({"text": "hi"})).await),
            "a: hi"
        );

        // Prompts are prefixed too; resource URIs keep their scheme and route by the map.
        let prompts = c.list_all_prompts().await.unwrap();
        assert!(
            prompts.iter().all(|p| p.name.starts_with("stock_")),
            "{prompts:?}"
        );
        let templates = c.list_all_resource_templates().await.unwrap();
        let template = templates.first().expect("stock offers templates");
        assert!(
            template.uri_template.starts_with("stock://"),
            "{template:?}"
        );
        let read = c
            .read_resource(rmcp::model::ReadResourceRequestParams::new("stock://AAPL"))
            .await
            .expect("reading a stock resource through the gateway");
        assert!(!read.contents.is_empty());

        // Completions route like prompts (prefixed name) and resources (the upstream's template).
        let symbols = c
            .complete_prompt_simple("stock_stock_analysis_prompt", "symbol", "AA")
            .await
            .expect("completing a prompt argument through the gateway");
        assert!(symbols.contains(&"AAPL".to_string()), "{symbols:?}");
        let by_template = c
            .complete_resource_simple(&template.uri_template, "symbol", "MS")
            .await
            .expect("completing a template variable through the gateway");
        assert!(by_template.contains(&"MSFT".to_string()), "{by_template:?}");

        // A name no target owns is a protocol error, as from any MCP server.
        let unknown = c
            .call_tool(rmcp::model::CallToolRequestParams::new("nobody_echo"))
            .await;
        assert!(unknown.is_err(), "{unknown:?}");
        c.cancel().await.unwrap();
        gw.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn round_robin_spreads_calls_and_a_killed_replica_is_taken_out() {
    within(async {
        let labs = [
            LabServer::start("a").await,
            LabServer::start("b").await,
            LabServer::start("c").await,
        ];
        let urls: Vec<&str> = labs.iter().map(|l| l.url.as_str()).collect();
        let gw = gateway(&open_config(vec![target("lab", &urls)])).await;
        healthy(&gw, "lab", 3).await;
        let c = client(gw.mcp_url.as_str(), None).await;

        let mut seen = Vec::new();
        for _ in 0..6 {
            let r = text(&call(&c, "lab_echo", json!({"text": "x"})).await);
            seen.push(r[..1].to_string());
        }
        seen.sort();
        assert_eq!(seen, ["a", "a", "b", "b", "c", "c"]);

        labs[1].kill();
        // Every call keeps succeeding: a call that lands on b while it dies is read-only, so it
        // is retried elsewhere; the health check takes b out meanwhile.
        for _ in 0..12 {
            let r = call(&c, "lab_echo", json!({"text": "x"})).await;
            assert_ne!(r.is_error, Some(true), "{}", text(&r));
        }
        let upstream = gw.gateway.target("lab").unwrap();
        assert!(!upstream.replicas[1].is_healthy());
        for _ in 0..6 {
            let r = text(&call(&c, "lab_echo", json!({"text": "x"})).await);
            assert!(!r.starts_with('b'), "{r}");
        }
        c.cancel().await.unwrap();
        gw.shutdown().await.unwrap();
    })
    .await;
}

/// Starts `tool` in the background, waits until a replica is serving it, kills that replica,
/// and returns the answer plus the killed replica's name.
async fn kill_mid_call(tool: &str) -> (rmcp::model::CallToolResult, String) {
    let labs = [LabServer::start("a").await, LabServer::start("b").await];
    let urls: Vec<&str> = labs.iter().map(|l| l.url.as_str()).collect();
    let mut config = open_config(vec![target("lab", &urls)]);
    // A long timeout: the failover must come from the replica's death, not from a timeout.
    config.targets[0].timeout = Duration::from_secs(20);
    let gw = gateway(&config).await;
    healthy(&gw, "lab", 2).await;
    let c = client(gw.mcp_url.as_str(), None).await;
    let name = tool.to_string();
    let pending = tokio::spawn(async move {
        let r = call(&c, &name, json!({"ms": 1500})).await;
        (r, c)
    });
    let upstream = gw.gateway.target("lab").unwrap().clone();
    let busy = loop {
        if let Some(r) = upstream.replicas.iter().find(|r| r.in_flight() > 0) {
            break r.index;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    labs[busy].kill();
    let (result, c) = pending.await.unwrap();
    c.cancel().await.unwrap();
    gw.shutdown().await.unwrap();
    (result, ["a", "b"][busy].to_string())
}

#[tokio::test]
async fn a_read_only_call_whose_replica_dies_is_retried_once_elsewhere() {
    within(async {
        let (result, killed) = kill_mid_call("lab_slow").await;
        assert_ne!(result.is_error, Some(true), "{}", text(&result));
        let answer = text(&result);
        assert!(
            !answer.starts_with(&killed),
            "{answer} came from the killed replica"
        );
        assert!(answer.ends_with("slept 1500 ms"), "{answer}");
    })
    .await;
}

#[tokio::test]
async fn a_non_idempotent_call_whose_replica_dies_is_not_retried() {
    within(async {
        let (result, _) = kill_mid_call("lab_place_order").await;
        assert_eq!(result.is_error, Some(true), "{result:?}");
        let message = text(&result);
        assert!(
            message.contains("not marked read-only or idempotent"),
            "{message}"
        );
        assert!(message.contains("did not retry"), "{message}");
    })
    .await;
}

#[tokio::test]
async fn a_slow_upstream_does_not_delay_calls_to_a_fast_one_and_times_out() {
    within(async {
        let slow = LabServer::start("slow").await;
        let fast = LabServer::start("fast").await;
        let mut slow_target = target("slow", &[&slow.url]);
        slow_target.timeout = Duration::from_millis(3000);
        let gw = gateway(&open_config(vec![
            slow_target,
            target("fast", &[&fast.url]),
        ]))
        .await;
        healthy(&gw, "slow", 1).await;
        healthy(&gw, "fast", 1).await;
        let c = std::sync::Arc::new(client(gw.mcp_url.as_str(), None).await);

        let background = c.clone();
        let stuck = tokio::spawn(async move {
            let started = Instant::now();
            let r = call(&background, "slow_slow", json!({"ms": 20000})).await;
            (r, started.elapsed())
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        for _ in 0..10 {
            let started = Instant::now();
            let r = call(&c, "fast_echo", json!({"text": "quick"})).await;
            assert_eq!(text(&r), "fast: quick");
            assert!(
                started.elapsed() < Duration::from_millis(300),
                "{:?}",
                started.elapsed()
            );
        }
        let (r, took) = stuck.await.unwrap();
        assert_eq!(r.is_error, Some(true));
        assert!(
            text(&r).contains("did not answer within 3000 ms"),
            "{}",
            text(&r)
        );
        assert!(took < Duration::from_secs(6), "{took:?}");
        gw.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_content_rule_sends_matching_calls_to_its_pool() {
    within(async {
        let labs = [LabServer::start("a").await, LabServer::start("b").await];
        let urls: Vec<&str> = labs.iter().map(|l| l.url.as_str()).collect();
        let mut t = target("lab", &urls);
        t.rules.push(mcp_gateway::config::Rule {
            tool: "echo".into(),
            argument: "text".into(),
            values: vec!["vip".into()],
            replicas: vec![1],
        });
        let gw = gateway(&open_config(vec![t])).await;
        healthy(&gw, "lab", 2).await;
        let c = client(gw.mcp_url.as_str(), None).await;
        for _ in 0..4 {
            assert_eq!(
                text(&call(&c, "lab_echo", json!({"text": "vip"})).await),
                "b: vip"
            );
        }
        let mut others: Vec<String> = Vec::new();
        for _ in 0..4 {
            others.push(text(&call(&c, "lab_echo", json!({"text": "std"})).await));
        }
        assert!(others.iter().any(|o| o.starts_with('a')), "{others:?}");
        gw.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn an_upstream_speaking_garbage_is_unhealthy_not_fatal() {
    within(async {
        // Answers every request with 200 and a body that is not MCP.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let garbage = format!("http://{}/mcp", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(|| async { "<html>hello</html>" });
        tokio::spawn(async move { axum::serve(listener, app).await });
        let lab = LabServer::start("a").await;
        let gw = gateway(&open_config(vec![
            target("junk", &[&garbage]),
            target("lab", &[&lab.url]),
        ]))
        .await;
        healthy(&gw, "lab", 1).await;
        let junk = gw.gateway.target("junk").unwrap();
        assert!(!junk.is_up());
        let c = client(gw.mcp_url.as_str(), None).await;
        assert_eq!(
            text(&call(&c, "lab_echo", json!({"text": "ok"})).await),
            "a: ok"
        );
        let r = call(&c, "junk_anything", json!({})).await;
        assert_eq!(r.is_error, Some(true));
        assert!(text(&r).contains("unavailable"), "{}", text(&r));
        gw.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn metrics_count_calls_and_show_replica_health() {
    within(async {
        let lab = LabServer::start("a").await;
        let gw = gateway(&open_config(vec![target("lab", &[&lab.url])])).await;
        healthy(&gw, "lab", 1).await;
        let c = client(gw.mcp_url.as_str(), None).await;
        for _ in 0..3 {
            call(&c, "lab_echo", json!({"text": "m"})).await;
        }
        let body = reqwest::get(format!("http://{}/metrics", gw.addr))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            body.contains(r#"mcp_gateway_calls_total{target="lab",tool="echo",outcome="ok"} 3"#),
            "{body}"
        );
        assert!(
            body.contains("mcp_gateway_replica_up{target=\"lab\""),
            "{body}"
        );
        assert!(
            body.contains(
                "mcp_gateway_call_duration_seconds_count{target=\"lab\",tool=\"echo\"} 3"
            ),
            "{body}"
        );

        // The dashboard's feed: the same numbers as JSON tables.
        let summary: serde_json::Value = reqwest::get(format!("http://{}/_admin/summary", gw.addr))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(summary["replicas"][0]["up"], true, "{summary}");
        assert_eq!(summary["calls"][0]["target"], "lab", "{summary}");
        assert_eq!(summary["calls"][0]["ok"], 3, "{summary}");
        gw.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn an_upstream_list_change_refreshes_the_union_and_is_passed_on() {
    within(async {
        let url = growing().await;
        let gw = gateway(&open_config(vec![target("grow", &[&url])])).await;
        healthy(&gw, "grow", 1).await;
        let c = client(gw.mcp_url.as_str(), None).await;
        let before: Vec<String> = c
            .list_all_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect();
        assert_eq!(before, ["grow_grow"]);

        call(&c, "grow_grow", json!({})).await;
        let changes = c.service().tool_list_changes.clone();
        for _ in 0..100 {
            if changes.load(std::sync::atomic::Ordering::SeqCst) > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            changes.load(std::sync::atomic::Ordering::SeqCst) > 0,
            "no list_changed reached the client"
        );
        let after: Vec<String> = c
            .list_all_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect();
        assert_eq!(after, ["grow_grow", "grow_extra"]);
        assert_eq!(text(&call(&c, "grow_extra", json!({})).await), "extra done");
        gw.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn ewma_moves_traffic_to_the_fast_replica_and_round_robin_does_not() {
    within(async {
        let slow = LabServer::start_with_delay("slow", Duration::from_millis(60)).await;
        let fast = LabServer::start("fast").await;
        let mut counts = Vec::new();
        for strategy in [
            mcp_gateway::config::StrategyKind::Ewma,
            mcp_gateway::config::StrategyKind::RoundRobin,
        ] {
            let mut t = target("lab", &[&slow.url, &fast.url]);
            t.strategy = strategy;
            let gw = gateway(&open_config(vec![t])).await;
            healthy(&gw, "lab", 2).await;
            let c = client(gw.mcp_url.as_str(), None).await;
            let mut to_fast = 0;
            for _ in 0..20 {
                if text(&call(&c, "lab_echo", json!({"text": "x"})).await).starts_with("fast") {
                    to_fast += 1;
                }
            }
            counts.push(to_fast);
            gw.shutdown().await.unwrap();
        }
        // EWMA measures each replica once, then keeps to the fast one; round robin alternates.
        assert!(
            counts[0] >= 17,
            "ewma sent only {} of 20 to the fast replica",
            counts[0]
        );
        assert_eq!(counts[1], 10, "round robin alternates");
    })
    .await;
}

#[tokio::test]
async fn least_in_flight_avoids_the_replica_that_is_busy() {
    within(async {
        let labs = [LabServer::start("a").await, LabServer::start("b").await];
        let urls: Vec<&str> = labs.iter().map(|l| l.url.as_str()).collect();
        let mut t = target("lab", &urls);
        t.strategy = mcp_gateway::config::StrategyKind::LeastInFlight;
        let gw = gateway(&open_config(vec![t])).await;
        healthy(&gw, "lab", 2).await;
        let c = std::sync::Arc::new(client(gw.mcp_url.as_str(), None).await);
        // A long call occupies one replica (the first: ties go to it)…
        let busy = c.clone();
        let long = tokio::spawn(async move { call(&busy, "lab_slow", json!({"ms": 1500})).await });
        let upstream = gw.gateway.target("lab").unwrap().clone();
        while upstream.replicas[0].in_flight() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // …so every call meanwhile goes to the other.
        for _ in 0..5 {
            assert_eq!(
                text(&call(&c, "lab_echo", json!({"text": "x"})).await),
                "b: x"
            );
        }
        assert!(text(&long.await.unwrap()).starts_with("a:"));
        gw.shutdown().await.unwrap();
    })
    .await;
}
