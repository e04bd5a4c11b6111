//! The real `search-server` binary over stdio, indexing this checkout's course pages.

mod common;

use common::{call, structured, within};
use rmcp::ServiceExt;
use rmcp::transport::TokioChildProcess;
use serde_json::json;
use tokio::process::Command;

#[tokio::test]
async fn the_binary_serves_stdio_and_indexes_the_course() {
    within(async {
        let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_search-server"));
        cmd.args(["--docs-dir", docs]).env("RUST_LOG", "warn");
        let client = ().serve(TokioChildProcess::new(cmd).unwrap()).await.unwrap();
        let info = client.peer_info().unwrap();
        assert_eq!(info.server_info.as_ref().unwrap().name, "search-server");
        let r = call(
            &client,
            "general_search",
            json!({"query": "instructor guide classroom", "num_results": 10}),
        )
        .await;
        let results = structured(&r)["results"].as_array().unwrap().clone();
        assert!(
            results
                .iter()
                .any(|r| r["id"].as_str().unwrap().starts_with("docs-")),
            "no course page in {results:?}"
        );
        client.cancel().await.unwrap();
    })
    .await
}
