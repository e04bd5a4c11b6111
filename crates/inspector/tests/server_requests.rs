//! What the inspector answers for the server, through its API: roots edited in the page (with
//! the files server, which asks `roots/list` again on `list_changed`), URL-mode elicitation
//! (with the everything server's page and its completion notification), and sampling with
//! the offline planner's draft.

mod common;

use common::*;
use inspector::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

async fn files_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    tokio::spawn(files_server::transport::http::serve(
        listener,
        files_server::server::Settings::default(),
        &[],
        std::future::pending(),
    ));
    url
}

async fn everything_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    tokio::spawn(everything_server::transport::http::serve(
        listener,
        everything_server::transport::http::HttpConfig::default(),
        std::future::pending(),
    ));
    url
}

/// The resource URIs the server lists now.
async fn resource_uris(session: &str) -> Vec<String> {
    let (_, resources) = get(&format!("{session}/resources")).await;
    resources["result"]
        .as_array()
        .unwrap_or_else(|| panic!("{resources}"))
        .iter()
        .map(|r| r["uri"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits until the traffic holds at least `n` entries with `method`.
async fn wait_for(session: &str, method: &str, n: usize) -> Vec<Value> {
    loop {
        let found = traffic_with(session, method).await;
        if found.len() >= n {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn roots_are_edited_in_the_page_and_the_server_is_told() {
    within(async {
        let first = tempfile::tempdir().unwrap();
        std::fs::write(first.path().join("alpha.txt"), "a").unwrap();
        let second = tempfile::tempdir().unwrap();
        std::fs::write(second.path().join("beta.txt"), "b").unwrap();
        let api = inspector(Config::default()).await;
        let (_, connected) = post(
            &format!("{api}/sessions"),
            json!({"target": files_server().await}),
        )
        .await;
        // Declared in initialize: roots, with listChanged.
        let session = format!("{api}/sessions/{}", connected["session"].as_str().unwrap());
        let (_, traffic) = get(&format!("{session}/traffic")).await;
        let initialize = &traffic["entries"][0]["message"];
        assert_eq!(
            initialize["params"]["capabilities"]["roots"]["listChanged"],
            true
        );
        // The files server asks at once; no roots yet.
        wait_for(&session, "roots/list", 1).await;
        let (_, roots) = get(&format!("{session}/roots")).await;
        assert_eq!(roots["roots"], json!([]));

        // A plain path becomes a file:// URI; the server is told, asks again, and lists it.
        let (status, set) = put(
            &format!("{session}/roots"),
            json!({"roots": [{"uri": first.path().to_str().unwrap(), "name": "first"}]}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{set}");
        let uri = set["roots"][0]["uri"].as_str().unwrap().to_owned();
        assert!(uri.starts_with("file:///"), "{set}");
        assert_eq!(set["roots"][0]["name"], "first");
        wait_for(&session, "notifications/roots/list_changed", 1).await;
        wait_for(&session, "roots/list", 2).await;
        // The inspector's answer to the second roots/list carried the new root.
        let (_, traffic) = get(&format!("{session}/traffic")).await;
        let answered =
            traffic["entries"].as_array().unwrap().iter().any(|e| {
                e["direction"] == "out" && e["message"]["result"]["roots"][0]["uri"] == uri
            });
        assert!(answered, "roots/list answered with {uri}");
        assert!(
            resource_uris(&session)
                .await
                .iter()
                .any(|u| u.ends_with("alpha.txt"))
        );

        // Replaced: the server follows.
        let (status, _) = put(
            &format!("{session}/roots"),
            json!({"roots": [{"uri": format!("file://{}", second.path().display())}]}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        wait_for(&session, "roots/list", 3).await;
        let uris = resource_uris(&session).await;
        assert!(uris.iter().any(|u| u.ends_with("beta.txt")), "{uris:?}");
        assert!(!uris.iter().any(|u| u.ends_with("alpha.txt")), "{uris:?}");

        // A root that is not a file:// URI or an absolute path is refused; nothing changes.
        let (status, refused) = put(
            &format!("{session}/roots"),
            json!({"roots": [{"uri": "relative/dir"}]}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(error_message(&refused).contains("file:// URI"), "{refused}");
        let (status, refused) = put(&format!("{session}/roots"), json!({"roots": "x"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
        let (_, roots) = get(&format!("{session}/roots")).await;
        assert_eq!(roots["roots"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn url_elicitation_is_shown_opened_by_the_person_and_completed() {
    within(async {
        let api = inspector(Config::default()).await;
        let server = everything_server().await;
        let session = connect(&api, &server).await;
        let (_, traffic) = get(&format!("{session}/traffic")).await;
        let declared = &traffic["entries"][0]["message"]["params"]["capabilities"]["elicitation"];
        assert!(
            declared["url"].is_object() && declared["form"].is_object(),
            "{declared}"
        );

        let call = call_in_background(&session, "test_url_elicitation", json!({}));
        let question = next_question(&session).await;
        assert_eq!(question["mode"], "url", "{question}");
        let page = question["url"].as_str().unwrap().to_owned();
        let server_host = url::Url::parse(&server).unwrap();
        let host = format!(
            "{}:{}",
            server_host.host_str().unwrap(),
            server_host.port().unwrap()
        );
        assert_eq!(question["host"], host.as_str());
        assert!(
            page.starts_with(&format!("http://{host}/elicitation/")),
            "{page}"
        );
        let elicitation_id = question["elicitationId"].as_str().unwrap().to_owned();
        let id = question["id"].as_str().unwrap();

        // Accepting a URL elicitation carries no content.
        let answer = format!("{session}/elicitations/{id}");
        let (status, body) = post(&answer, json!({"action": "accept", "content": {"x": 1}})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(error_message(&body).contains("without content"), "{body}");
        let (status, body) = post(&answer, json!({"action": "accept"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // The person opens the page (the inspector never does) and submits it there.
        let submitted = http().post(&page).send().await.unwrap();
        assert_eq!(submitted.status(), StatusCode::OK);
        let (status, result) = call.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{result}");
        let text = result["result"]["content"][0]["text"].as_str().unwrap();
        assert!(text.contains("completed on the page"), "{result}");
        // The completion notification was received and is shown.
        wait_for(&session, "notifications/elicitation/complete", 1).await;
        let (_, listed) = get(&format!("{session}/elicitations")).await;
        assert!(
            listed["completed"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == elicitation_id.as_str()),
            "{listed}"
        );

        // Declined: the server hears it and goes on without the page.
        let call = call_in_background(&session, "test_url_elicitation", json!({}));
        let question = next_question(&session).await;
        let id = question["id"].as_str().unwrap();
        let (status, _) = post(
            &format!("{session}/elicitations/{id}"),
            json!({"action": "decline"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (_, result) = call.await.unwrap();
        assert!(
            result["result"]["content"][0]["text"]
                .as_str()
                .unwrap()
                .contains("declined"),
            "{result}"
        );
    })
    .await;
}

#[tokio::test]
async fn sampling_requests_come_with_an_editable_planner_draft() {
    within(async {
        let api = inspector(Config::default()).await;
        let session = connect(&api, &everything_server().await).await;
        let prompt = "Write a headline for this news.\nAcme shares rose 5% after record sales. \
                      Analysts expect more gains next quarter.";
        let call = call_in_background(&session, "test_sampling", json!({"prompt": prompt}));
        let request = next_sampling(&session).await;
        let draft = &request["draft"];
        assert_eq!(draft["model"], "offline-planner", "{request}");
        let text = draft["text"].as_str().unwrap();
        assert!(text.contains("Acme shares rose 5%"), "a draft from the data: {draft}");
        assert!(text.split_whitespace().count() <= 100, "within maxTokens");
        assert_eq!(draft["stopReason"], "endTurn");
        // The person edits the draft before approving it.
        let edited = format!("{text} (checked)");
        let id = request["id"].as_str().unwrap();
        let (status, body) = post(
            &format!("{session}/sampling/{id}"),
            json!({"action": "approve", "text": edited, "model": draft["model"], "stopReason": draft["stopReason"]}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, result) = call.await.unwrap();
        let answer = result["result"]["content"][0]["text"].as_str().unwrap();
        assert!(answer.contains("(checked)"), "the edited text went back: {result}");
        // What went out on the wire is the approved result, with the model named.
        let (_, traffic) = get(&format!("{session}/traffic")).await;
        let sent = traffic["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["direction"] == "out" && e["message"]["result"]["model"] == "offline-planner")
            .cloned()
            .expect("the sampling result was sent");
        assert_eq!(sent["message"]["result"]["stopReason"], "endTurn");
    })
    .await;
}
