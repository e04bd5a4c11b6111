//! Lessons 5.2 and 5.10 (`--media --live`) through real rmcp clients over every transport:
//! in memory, stdio (the binary), Streamable HTTP and legacy SSE. The same checks run on each:
//! the PNG decodes, has the stated size and is not blank; the WAV parses with the stated rate
//! and length; the same request gives the same bytes; a subscription gets updates and none
//! after unsubscribe; a cancelled `watch_price` stops within a tick; bad input is a readable
//! error.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{HttpServer, call, is_error, text, within};
use mcp_transports::sse::SseClientTransport;
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, ClientRequest, ContentBlock,
    GetPromptRequestParams, Implementation, LoggingMessageNotificationParam,
    ProgressNotificationParam, ProtocolVersion, ReadResourceRequestParams, ResourceContents,
    ResourceUpdatedNotificationParam, ServerNotification, SubscribeRequestParams,
    SubscriptionFilter, UnsubscribeRequestParams,
};
use rmcp::service::{
    ClientLifecycleMode, NotificationContext, PeerRequestOptions, RunningService, ServiceExt,
    serve_client_with_lifecycle,
};
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{ClientHandler, RoleClient};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stock_server::chart::{self, ChartSpec};
use stock_server::live::{LiveMarket, Watch};
use stock_server::transport::http::HttpConfig;
use stock_server::{Features, StockServer};

/// Ticks in tests: fast enough for quick tests, slow enough for a loaded 2-core machine.
const TICK: Duration = Duration::from_millis(60);

/// A client that records every notification the live lesson sends.
#[derive(Clone, Default)]
struct Recorder {
    updates: Arc<Mutex<Vec<String>>>,
    progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
    logs: Arc<Mutex<Vec<LoggingMessageNotificationParam>>>,
}

impl Recorder {
    fn updates(&self) -> usize {
        self.updates.lock().unwrap().len()
    }
    fn progress(&self) -> usize {
        self.progress.lock().unwrap().len()
    }
    fn logs(&self) -> usize {
        self.logs.lock().unwrap().len()
    }
}

impl ClientHandler for Recorder {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("multimodal-tests", "1.0"),
        )
    }

    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.updates.lock().unwrap().push(params.uri);
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().unwrap().push(params);
    }

    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.logs.lock().unwrap().push(params);
    }
}

type Client = RunningService<RoleClient, Recorder>;

fn features(market: &LiveMarket) -> Features {
    Features {
        media: true,
        live: Some(market.clone()),
    }
}

async fn in_memory(market: &LiveMarket, lifecycle: ClientLifecycleMode) -> (Client, Recorder) {
    let (server_io, client_io) = tokio::io::duplex(1024 * 1024);
    let server = StockServer::with_features(&features(market));
    tokio::spawn(async move {
        if let Ok(server) = server.serve(server_io).await {
            let _ = server.waiting().await;
        }
    });
    let recorder = Recorder::default();
    let client = serve_client_with_lifecycle(recorder.clone(), client_io, lifecycle)
        .await
        .expect("client connects");
    (client, recorder)
}

async fn http_server(market: &LiveMarket) -> HttpServer {
    HttpServer::start(HttpConfig {
        features: features(market),
        ..Default::default()
    })
    .await
}

/// Sleeps until `done()` or `ticks` ticks have passed.
async fn wait_for(ticks: u32, done: impl Fn() -> bool) {
    for _ in 0..ticks * 4 {
        if done() {
            return;
        }
        tokio::time::sleep(TICK / 4).await;
    }
}

fn decode(block: &ContentBlock) -> (String, Vec<u8>) {
    let v = serde_json::to_value(block).unwrap();
    let data = STANDARD.decode(v["data"].as_str().unwrap()).unwrap();
    (v["mimeType"].as_str().unwrap().to_string(), data)
}

/// Decodes a PNG; returns its size and how many pixels are not white.
fn png_facts(bytes: &[u8]) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a valid PNG header");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).expect("valid PNG data");
    let channels = frame.color_type.samples();
    let inked = pixels[..frame.buffer_size()]
        .chunks(channels)
        .filter(|px| px[..3] != [255, 255, 255])
        .count();
    (frame.width, frame.height, inked)
}

/// Everything of lesson 5.2 a client sees.
async fn media_checks(client: &Client) {
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 8, "5 core + chart + sound + watch_price");
    for tool in &tools {
        assert!(
            tool.icons.as_ref().is_some_and(|i| !i.is_empty()),
            "{}",
            tool.name
        );
        assert!(tool.annotations.is_some(), "{}", tool.name);
    }
    for name in ["get_price_chart", "get_price_sonification"] {
        let tool = tools.iter().find(|t| t.name == name).unwrap();
        assert_eq!(
            tool.annotations.as_ref().unwrap().read_only_hint,
            Some(true)
        );
    }

    // The chart: a text block, then a PNG of the stated size with ink on it.
    let args = json!({"symbol": "aapl", "period": "3mo", "width": 800, "height": 400});
    let result = call(client, "get_price_chart", args.clone()).await;
    assert!(!is_error(&result), "{}", text(&result));
    assert!(text(&result).contains("800x400"), "{}", text(&result));
    let (mime, png) = decode(&result.content[1]);
    assert_eq!(mime, "image/png");
    let (width, height, inked) = png_facts(&png);
    assert_eq!((width, height), (800, 400));
    assert!(
        inked > (width * height / 50) as usize,
        "only {inked} pixels drawn"
    );
    let again = call(client, "get_price_chart", args).await;
    assert_eq!(decode(&again.content[1]).1, png, "same request, same bytes");

    // The same chart as a binary resource: blob contents, the same bytes.
    let uri = "stock://AAPL/chart.png?period=3mo&width=800&height=400";
    let read = client
        .read_resource(ReadResourceRequestParams::new(uri))
        .await
        .unwrap();
    let ResourceContents::BlobResourceContents {
        blob, mime_type, ..
    } = &read.contents[0]
    else {
        panic!("a chart is a blob resource: {:?}", read.contents[0]);
    };
    assert_eq!(mime_type.as_deref(), Some("image/png"));
    assert_eq!(STANDARD.decode(blob).unwrap(), png);

    // Past the inline limit: a resource_link naming the URI, MIME type and size.
    let big = call(
        client,
        "get_price_chart",
        json!({"symbol": "NVDA", "period": "1y", "width": 2400, "height": 1600}),
    )
    .await;
    let link = big.content[1].as_resource_link().expect("a resource link");
    assert_eq!(link.mime_type.as_deref(), Some("image/png"));
    assert!(link.size.unwrap() > chart::INLINE_LIMIT as u64);
    let linked = client
        .read_resource(ReadResourceRequestParams::new(link.uri.clone()))
        .await
        .unwrap();
    let ResourceContents::BlobResourceContents { blob, .. } = &linked.contents[0] else {
        panic!("blob");
    };
    assert_eq!(
        STANDARD.decode(blob).unwrap().len() as u64,
        link.size.unwrap()
    );

    // The sound: a WAV with the stated rate and length.
    let sound = call(client, "get_price_sonification", json!({"symbol": "TSLA"})).await;
    assert!(!is_error(&sound), "{}", text(&sound));
    let (mime, wav) = decode(&sound.content[1]);
    assert_eq!(mime, "audio/wav");
    let reader = hound::WavReader::new(std::io::Cursor::new(&wav)).unwrap();
    assert_eq!(reader.spec().sample_rate, 16_000);
    let seconds = f64::from(reader.duration()) / 16_000.0;
    assert!(
        text(&sound).contains(&format!("{seconds:.2} s")),
        "{}",
        text(&sound)
    );
    let again = call(client, "get_price_sonification", json!({"symbol": "TSLA"})).await;
    assert_eq!(decode(&again.content[1]).1, wav);

    // The prompt embeds the chart as an image message.
    let prompt = client
        .get_prompt(
            GetPromptRequestParams::new("chart_analysis_prompt").with_arguments(
                json!({"symbol": "MSFT", "period": "6mo"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
        )
        .await
        .unwrap();
    assert_eq!(prompt.messages.len(), 2);
    let (mime, png) = decode(&prompt.messages[1].content);
    assert_eq!(mime, "image/png");
    assert_eq!(png_facts(&png).0, 640);

    // Bad input: tool errors the model can read, JSON-RPC errors for resources and prompts.
    for (args, wanted) in [
        (json!({"symbol": "XYZ"}), "Known tickers"),
        (json!({"symbol": "AAPL", "period": "2w"}), "invalid period"),
        (json!({"symbol": "AAPL", "width": 99999}), "out of range"),
    ] {
        let r = call(client, "get_price_chart", args).await;
        assert!(is_error(&r) && text(&r).contains(wanted), "{}", text(&r));
    }
    let r = call(
        client,
        "get_price_sonification",
        json!({"symbol": "AAPL", "period": "x"}),
    )
    .await;
    assert!(is_error(&r) && text(&r).contains("invalid period"));
    let e = client
        .read_resource(ReadResourceRequestParams::new("stock://XYZ/chart.png"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no chart at"), "{e}");
    let e = client
        .get_prompt(
            GetPromptRequestParams::new("chart_analysis_prompt")
                .with_arguments(json!({"symbol": "XYZ"}).as_object().unwrap().clone()),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Known tickers"), "{e}");
}

/// Everything of lesson 5.10 a session-based client sees.
async fn live_checks(client: &Client, recorder: &Recorder) {
    // A subscription: updates arrive on every tick, none after unsubscribe.
    let uri = "stock://AAPL/live";
    client
        .subscribe(SubscribeRequestParams::new(uri))
        .await
        .unwrap();
    wait_for(40, || recorder.updates() >= 3).await;
    assert!(
        recorder.updates() >= 3,
        "only {} updates",
        recorder.updates()
    );
    assert!(recorder.updates.lock().unwrap().iter().all(|u| u == uri));
    let tick: serde_json::Value = {
        let read = client
            .read_resource(ReadResourceRequestParams::new(uri))
            .await
            .unwrap();
        let ResourceContents::TextResourceContents { text, .. } = &read.contents[0] else {
            panic!("text");
        };
        serde_json::from_str(text).unwrap()
    };
    assert_eq!(tick["symbol"], "AAPL");
    assert!(tick["seq"].as_u64().unwrap() >= 3);
    client
        .unsubscribe(UnsubscribeRequestParams::new(uri))
        .await
        .unwrap();
    let after = recorder.updates();
    tokio::time::sleep(TICK * 5).await;
    assert_eq!(recorder.updates(), after, "updates after unsubscribe");

    // Subscribing to what does not change, or does not exist, is a readable error.
    for bad in ["stock://XYZ/live", "stock://tickers", "weather://Paris"] {
        let e = client
            .subscribe(SubscribeRequestParams::new(bad))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("only live quotes change"), "{e}");
    }

    // watch_price: one progress notification and one log line per tick, then every tick.
    let result = call(client, "watch_price", json!({"symbol": "NVDA", "ticks": 3})).await;
    assert!(!is_error(&result), "{}", text(&result));
    let watch: Watch = serde_json::from_value(result.structured_content.unwrap()).unwrap();
    assert_eq!(watch.ticks.len(), 3);
    assert_eq!(watch.end_price, watch.ticks[2].price);
    wait_for(10, || recorder.progress() >= 3 && recorder.logs() >= 3).await;
    let progress = recorder.progress.lock().unwrap().clone();
    assert_eq!(progress.len(), 3);
    assert_eq!(progress[2].progress, 3.0);
    assert_eq!(progress[2].total, Some(3.0));
    assert!(
        progress[0]
            .message
            .as_deref()
            .unwrap()
            .starts_with("NVDA $")
    );
    assert_eq!(recorder.logs(), 3);

    for (args, wanted) in [
        (json!({"symbol": "NVDA", "ticks": 0}), "between 1 and 600"),
        (
            json!({"symbol": "NVDA", "ticks": 100000}),
            "between 1 and 600",
        ),
        (json!({"symbol": "XYZ", "ticks": 2}), "Known tickers"),
    ] {
        let r = call(client, "watch_price", args).await;
        assert!(is_error(&r) && text(&r).contains(wanted), "{}", text(&r));
    }

    // Cancellation: notifications stop within one tick of notifications/cancelled.
    recorder.progress.lock().unwrap().clear();
    let request = ClientRequest::CallToolRequest(rmcp::model::CallToolRequest::new(
        CallToolRequestParams::new("watch_price").with_arguments(
            json!({"symbol": "MSFT", "ticks": 500})
                .as_object()
                .unwrap()
                .clone(),
        ),
    ));
    let handle = client
        .send_cancellable_request(request, PeerRequestOptions::no_options())
        .await
        .unwrap();
    wait_for(40, || recorder.progress() >= 2).await;
    assert!(recorder.progress() >= 2);
    handle
        .cancel(Some("the user pressed Ctrl-C".into()))
        .await
        .unwrap();
    let at_cancel = recorder.progress();
    tokio::time::sleep(TICK * 6).await;
    assert!(
        recorder.progress() <= at_cancel + 1,
        "{} progress notifications after cancelling",
        recorder.progress() - at_cancel
    );
    // The session still serves.
    let price = call(client, "get_stock_price", json!({"symbol": "AAPL"})).await;
    assert!(!is_error(&price));
}

#[tokio::test]
async fn in_memory_media_and_live() {
    within(async {
        let market = LiveMarket::new(TICK);
        let (client, recorder) = in_memory(&market, ClientLifecycleMode::Initialize).await;
        media_checks(&client).await;
        live_checks(&client, &recorder).await;
        // A subscription left open ends with the session: nothing leaks.
        client
            .subscribe(SubscribeRequestParams::new("stock://TSLA/live"))
            .await
            .unwrap();
        assert_eq!(market.active_forwarders(), 1);
        client.cancel().await.unwrap();
        wait_for(40, || market.active_forwarders() == 0).await;
        assert_eq!(market.active_forwarders(), 0);
    })
    .await;
}

#[tokio::test]
async fn streamable_http_media_and_live() {
    within(async {
        let market = LiveMarket::new(TICK);
        let server = http_server(&market).await;
        let recorder = Recorder::default();
        let transport = StreamableHttpClientTransport::from_uri(server.url("/mcp"));
        let client = recorder.clone().serve(transport).await.unwrap();
        media_checks(&client).await;
        live_checks(&client, &recorder).await;
        client
            .subscribe(SubscribeRequestParams::new("stock://TSLA/live"))
            .await
            .unwrap();
        assert_eq!(market.active_forwarders(), 1);
        // Closing the client deletes its session; the server drops its subscriptions.
        client.cancel().await.unwrap();
        wait_for(40, || market.active_forwarders() == 0).await;
        assert_eq!(market.active_forwarders(), 0);
    })
    .await;
}

#[tokio::test]
async fn legacy_sse_media_and_live() {
    within(async {
        let market = LiveMarket::new(TICK);
        let server = http_server(&market).await;
        let transport = SseClientTransport::connect(&server.url("/sse"))
            .await
            .unwrap();
        let recorder = Recorder::default();
        let client = recorder.clone().serve(transport).await.unwrap();
        media_checks(&client).await;
        live_checks(&client, &recorder).await;
    })
    .await;
}

#[tokio::test]
async fn the_binary_over_stdio_with_media_and_live() {
    within(async {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_stock-server"));
        command
            .args([
                "--media",
                "--live",
                "--tick-ms",
                &TICK.as_millis().to_string(),
            ])
            .env("RUST_LOG", "warn")
            .kill_on_drop(true);
        let recorder = Recorder::default();
        let client = recorder
            .clone()
            .serve(TokioChildProcess::new(command).unwrap())
            .await
            .unwrap();
        media_checks(&client).await;
        live_checks(&client, &recorder).await;
    })
    .await;
}

#[tokio::test]
async fn protocol_2026_07_28_listens_instead_of_subscribing() {
    within(async {
        let market = LiveMarket::new(TICK);
        let discover = ClientLifecycleMode::Discover {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        };
        let (client, _) = in_memory(&market, discover).await;
        let filter = SubscriptionFilter::builder()
            .resource_subscriptions(["stock://META/live", "stock://tickers"])
            .build();
        let mut subscription = client.listen(filter).await.unwrap();
        // Only the live URI is accepted: the ticker list never changes.
        assert_eq!(
            subscription.acknowledged().resource_subscriptions,
            Some(vec!["stock://META/live".to_string()])
        );
        for _ in 0..3 {
            let note = subscription.next().await.unwrap().expect("an update");
            let ServerNotification::ResourceUpdatedNotification(update) = note else {
                panic!("unexpected {note:?}");
            };
            assert_eq!(update.params.uri, "stock://META/live");
        }
    })
    .await;
}

#[tokio::test]
async fn the_core_server_offers_none_of_it() {
    within(async {
        let (server_io, client_io) = tokio::io::duplex(64 * 1024);
        tokio::spawn(async move {
            if let Ok(server) = StockServer::new().serve(server_io).await {
                let _ = server.waiting().await;
            }
        });
        let client = Recorder::default().serve(client_io).await.unwrap();
        assert_eq!(client.list_all_tools().await.unwrap().len(), 5);
        let e = client
            .subscribe(SubscribeRequestParams::new("stock://AAPL/live"))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("--live"), "{e}");
        let e = client
            .read_resource(ReadResourceRequestParams::new("stock://AAPL/chart.png"))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("no resource at"), "{e}");
    })
    .await;
}

#[test]
fn the_default_chart_fits_inline_and_its_uri_is_plain() {
    let spec = ChartSpec::new("AAPL", None, None, None).unwrap();
    assert_eq!(spec.uri(), "stock://AAPL/chart.png");
    assert!(chart::draw(&spec).unwrap().png.len() < chart::INLINE_LIMIT);
}
