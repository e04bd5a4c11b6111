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

/// Clicks the first `selector` element whose text contains `text`.
async fn click_text(page: &Page, selector: &str, text: &str) {
    let clicked = page
        .eval(&format!(
            "(b => b ? (b.click(), true) : false)([...document.querySelectorAll({})].find(e => e.textContent.includes({})))",
            serde_json::Value::from(selector),
            serde_json::Value::from(text)
        ))
        .await
        .unwrap();
    assert_eq!(clicked, true, "nothing matches {selector} with {text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sampling_request_is_approved_in_the_page_from_the_planner_draft() {
    within(async {
        let url = inspector_page(&stock_server().await).await;
        let browser = Browser::launch().await.expect("chromium");
        let page = browser.open(&url).await.unwrap();
        connect_and_list(&page).await;
        run_tool(&page, "stock_headline_sampling", &[("symbol", "TSLA")]).await;
        // The request appears with the planner's draft in the answer box.
        let draft = page
            .wait_for(
                "document.querySelector('#question-list .sampling-answer')?.value",
                WAIT,
            )
            .await
            .unwrap();
        let draft = draft.as_str().unwrap().to_owned();
        assert!(!draft.is_empty());
        let note = page
            .text("#question-list .draft-note")
            .await
            .unwrap()
            .unwrap();
        assert!(note.contains("offline planner"), "{note}");
        // Edited, then approved: the edited text is what the server gets.
        page.fill(
            "#question-list .sampling-answer",
            "Tesla: edited by a person",
        )
        .await
        .unwrap();
        click_text(&page, "#question-list button", "Approve").await;
        let result = page
            .wait_for(
                "document.querySelector('#detail-tools .result')?.textContent",
                WAIT,
            )
            .await
            .unwrap();
        assert!(
            result
                .as_str()
                .unwrap()
                .contains("Tesla: edited by a person"),
            "{result}"
        );
        assert!(page.errors().is_empty(), "{:?}", page.errors());
        browser.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_url_elicitation_is_opened_only_by_a_click_and_completes() {
    within(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = format!("http://{}/mcp", listener.local_addr().unwrap());
        tokio::spawn(everything_server::transport::http::serve(
            listener,
            everything_server::transport::http::HttpConfig::default(),
            std::future::pending(),
        ));
        let url = inspector_page(&server).await;
        let browser = Browser::launch().await.expect("chromium");
        let page = browser.open(&url).await.unwrap();
        connect_and_list(&page).await;
        run_tool(&page, "test_url_elicitation", &[]).await;
        let link = page
            .wait_for("document.querySelector('.url-question a.open')?.href", WAIT)
            .await
            .unwrap();
        let link = link.as_str().unwrap().to_owned();
        let host = url::Url::parse(&server).unwrap();
        let host = format!("{}:{}", host.host_str().unwrap(), host.port().unwrap());
        assert_eq!(
            page.text(".url-question .url-host").await.unwrap().unwrap(),
            host
        );
        assert_eq!(
            page.text(".url-question pre.url").await.unwrap().unwrap(),
            link
        );
        // Shown, not opened: the server's page has not been asked for (the question still
        // waits for the person's answer).
        let (_, waiting) = get(&format!(
            "{url}/api/sessions/{}/elicitations",
            page.eval("session").await.unwrap().as_str().unwrap()
        ))
        .await;
        assert_eq!(
            waiting["questions"].as_array().unwrap().len(),
            1,
            "{waiting}"
        );

        // The person clicks Open (accept), then submits the server's page.
        page.click(".url-question a.open").await.unwrap();
        page.wait_for(
            "document.querySelector('.url-question .url-status')?.textContent.includes('Waiting')",
            WAIT,
        )
        .await
        .unwrap();
        let submitted = http().post(&link).send().await.unwrap();
        assert_eq!(submitted.status(), reqwest::StatusCode::OK);
        // notifications/elicitation/complete marks it done, and the call finishes.
        page.wait_for("document.querySelector('.url-status.done')", WAIT)
            .await
            .unwrap();
        let result = page
            .wait_for(
                "document.querySelector('#detail-tools .result')?.textContent",
                WAIT,
            )
            .await
            .unwrap();
        assert!(
            result.as_str().unwrap().contains("completed on the page"),
            "{result}"
        );

        // The -32042 error: the pages to visit are listed as links; after the page, the retry
        // goes through.
        run_tool(&page, "test_url_elicitation_required", &[]).await;
        let required = page
            .wait_for("document.querySelector('#detail-tools .result a.open')?.href", WAIT)
            .await
            .unwrap();
        let text = page.text("#detail-tools .result").await.unwrap().unwrap();
        assert!(text.contains("-32042"), "{text}");
        let submitted = http().post(required.as_str().unwrap()).send().await.unwrap();
        assert_eq!(submitted.status(), reqwest::StatusCode::OK);
        page.click("#detail-tools form button[type=submit]")
            .await
            .unwrap();
        page.wait_for(
            "document.querySelector('#detail-tools .result')?.textContent.includes('Approved on the page')",
            WAIT,
        )
        .await
        .unwrap();
        assert!(page.errors().is_empty(), "{:?}", page.errors());
        browser.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn roots_edited_in_the_page_reach_the_server() {
    within(async {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join("alpha.txt"), "a").unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = format!("http://{}/mcp", listener.local_addr().unwrap());
        tokio::spawn(files_server::transport::http::serve(
            listener,
            files_server::server::Settings::default(),
            &[],
            std::future::pending(),
        ));
        let url = inspector_page(&server).await;
        let browser = Browser::launch().await.expect("chromium");
        let page = browser.open(&url).await.unwrap();
        connect_and_list(&page).await;
        page.click("#tabs button[data-tab='roots']").await.unwrap();
        page.click("#root-add").await.unwrap();
        page.fill("#root-list .root-uri", folder.path().to_str().unwrap())
            .await
            .unwrap();
        page.fill("#root-list .root-name", "work").await.unwrap();
        page.click("#roots-save").await.unwrap();
        let saved = page
            .wait_for("document.getElementById('roots-status').textContent", WAIT)
            .await
            .unwrap();
        assert!(saved.as_str().unwrap().starts_with("Saved 1 root"), "{saved}");
        // The server asked roots/list again and said its resources changed; the page re-read them.
        page.wait_for(
            "[...document.querySelectorAll('#list-resources button')].some(b => (b.dataset.name || '').endsWith('alpha.txt'))",
            WAIT,
        )
        .await
        .unwrap();
        assert!(page.errors().is_empty(), "{:?}", page.errors());
        browser.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_to_the_weather_server_in_the_browser() {
    within(async {
        let idp = mock_idp::spawn(
            mock_idp::Config::default(),
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
        )
        .await
        .unwrap();
        let weather = weather_server::spawn(
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
            weather_server::Config {
                auth: Some(weather_server::AuthConfig::new(
                    idp.issuer(),
                    mock_idp::defaults::API_CLIENT_ID,
                )),
                rate_limit_per_minute: None,
                ..weather_server::Config::default()
            },
        )
        .unwrap();
        let url = inspector_page(weather.mcp_url.as_str()).await;
        let browser = Browser::launch().await.expect("chromium");
        let page = browser.open(&url).await.unwrap();
        page.click("#connect").await.unwrap();
        let link = page
            .wait_for("document.getElementById('sign-in-link')?.href", WAIT)
            .await
            .unwrap();
        // The person follows the link (here in the same tab) and signs in as alice.
        page.goto(link.as_str().unwrap()).await.unwrap();
        page.wait_for(
            "document.querySelector(\"button[name=user][value=alice]\")",
            WAIT,
        )
        .await
        .unwrap();
        page.click("button[name=user][value=alice]").await.unwrap();
        page.wait_for(
            "document.querySelector(\"button[name=decision][value=approve]\")",
            WAIT,
        )
        .await
        .unwrap();
        page.click("button[name=decision][value=approve]")
            .await
            .unwrap();
        // Back at the inspector's callback, then on to the inspector in this tab.
        page.wait_for("document.getElementById('signed-in')", WAIT)
            .await
            .unwrap();
        page.click("a[href*='signin=']").await.unwrap();
        page.wait_for(
            "document.querySelector(\"#list-tools button[data-name='get_weather']\")",
            WAIT,
        )
        .await
        .unwrap();
        let info = page.text("#server-info").await.unwrap().unwrap();
        assert!(info.contains("Alice Smith"), "{info}");
        run_tool(&page, "get_weather", &[]).await;
        let result = page
            .wait_for(
                "document.querySelector('#detail-tools .result')?.textContent",
                WAIT,
            )
            .await
            .unwrap();
        assert!(result.as_str().unwrap().contains("London"), "{result}");
        // The page never held the token.
        let html = page
            .eval("document.documentElement.outerHTML")
            .await
            .unwrap();
        assert!(!html.as_str().unwrap().contains("eyJ"));
        assert!(page.errors().is_empty(), "{:?}", page.errors());
        browser.close().await;
    })
    .await;
}
