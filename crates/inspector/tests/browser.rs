//! The inspector's page in a real browser (Debian's headless Chromium, through
//! `browser-check`): its script connects, builds forms from input schemas, shows results, and
//! answers the server's requests, as a person at the page would use it.
//!
//! Chromium is required: without it the test fails with the line that installs it (in CI,
//! `.ci/run` installs it). It never skips.

mod common;

use browser_check::{Browser, Page};
use common::*;
use inspector::Config;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// The stock server over Streamable HTTP; answers its MCP URL.
async fn stock_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    tokio::spawn(stock_server::transport::http::serve(
        listener,
        stock_server::transport::http::HttpConfig::default(),
        std::future::pending(),
    ));
    url
}

/// An inspector whose connect box holds `target`; answers the page's URL.
async fn inspector_page(target: &str) -> String {
    let api = inspector(Config {
        initial_target: Some(target.to_owned()),
        ..Config::default()
    })
    .await;
    api.trim_end_matches("/api").to_owned()
}

/// Clicks Connect and waits for the tool list.
async fn connect_and_list(page: &Page) {
    page.click("#connect").await.unwrap();
    page.wait_for(
        "document.querySelectorAll('#list-tools button[data-name]').length > 0",
        WAIT,
    )
    .await
    .unwrap();
}

/// Opens tool `name` and submits its generated form.
async fn run_tool(page: &Page, name: &str, fields: &[(&str, &str)]) {
    page.click(&format!("#list-tools button[data-name='{name}']"))
        .await
        .unwrap();
    for (field, value) in fields {
        page.fill(&format!("#detail-tools input[name='{field}']"), value)
            .await
            .unwrap();
    }
    page.click("#detail-tools form button[type=submit]")
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_connects_lists_tools_and_calls_one_through_its_form() {
    within(async {
        let url = inspector_page(&stock_server().await).await;
        let browser = Browser::launch().await.expect("chromium");
        let page = browser.open(&url).await.unwrap();

        connect_and_list(&page).await;
        let status = page.text("#status").await.unwrap().unwrap();
        assert!(status.starts_with("Connected to stock-server"), "{status}");
        let names = page
            .eval("[...document.querySelectorAll('#list-tools button')].map(b => b.dataset.name)")
            .await
            .unwrap();
        assert!(
            names.as_array().unwrap().iter().any(|n| n == "get_stock_price"),
            "{names}"
        );

        // The form generated from get_stock_price's input schema, filled and run.
        run_tool(&page, "get_stock_price", &[("symbol", "AAPL")]).await;
        let result = page
            .wait_for(
                "document.querySelector('#detail-tools .result')?.textContent",
                WAIT,
            )
            .await
            .unwrap();
        let result = result.as_str().unwrap();
        assert!(result.contains("AAPL"), "{result}");
        assert!(result.contains("Structured content"), "{result}");
        assert!(
            !page
                .eval("document.querySelector('#detail-tools .result').classList.contains('is-error')")
                .await
                .unwrap()
                .as_bool()
                .unwrap()
        );

        // The same call in the raw JSON-RPC traffic, both directions.
        page.click("#tabs button[data-tab='traffic']").await.unwrap();
        page.wait_for(
            "[...document.querySelectorAll('#traffic tbody tr')].some(r => r.textContent.includes('tools/call') && r.classList.contains('out'))",
            WAIT,
        )
        .await
        .unwrap();
        assert!(page.errors().is_empty(), "{:?}", page.errors());
        browser.close().await;
    })
    .await;
}
