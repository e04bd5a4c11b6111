//! Hidden checks for exercise 2 (resources): they list and read the learner's resources.

#[path = "support.rs"]
mod support;

use ex02_resources::SectorServer;
use rmcp::model::{ErrorCode, ReadResourceRequestParams, ResourceContents};
use rmcp::service::ServiceError;
use serde_json::{Value, json};
use support::{connect, within};

async fn read(uri: &str) -> Result<Value, ServiceError> {
    let client = connect(SectorServer).await;
    let result = within(
        &format!("reading {uri}"),
        client.read_resource(ReadResourceRequestParams::new(uri)),
    )
    .await?;
    let Some(ResourceContents::TextResourceContents {
        text, mime_type, ..
    }) = result.contents.first()
    else {
        panic!(
            "reading {uri} should give one text content, got {:?}",
            result.contents
        );
    };
    assert_eq!(
        mime_type.as_deref(),
        Some("application/json"),
        "{uri} should say its MIME type is application/json"
    );
    Ok(serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{uri} should hold JSON ({e}): {text}")))
}

#[tokio::test]
async fn the_server_advertises_resources() {
    let client = connect(SectorServer).await;
    let info = client.peer_info().expect("no server info after initialize");
    assert!(
        info.capabilities.resources.is_some(),
        "get_info() should enable the resources capability"
    );
}

#[tokio::test]
async fn the_sector_list_is_listed() {
    let client = connect(SectorServer).await;
    let resources = within("listing resources", client.list_all_resources())
        .await
        .expect("resources/list failed");
    let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(
        uris,
        ["stock://sectors"],
        "list exactly one resource, stock://sectors"
    );
}

#[tokio::test]
async fn the_sector_template_is_listed() {
    let client = connect(SectorServer).await;
    let templates = within("listing templates", client.list_all_resource_templates())
        .await
        .expect("resources/templates/list failed");
    let uris: Vec<&str> = templates.iter().map(|t| t.uri_template.as_str()).collect();
    assert_eq!(
        uris,
        ["stock://sectors/{sector}"],
        "list the template stock://sectors/{{sector}}"
    );
}

#[tokio::test]
async fn sectors_are_sorted_and_unique() {
    let sectors = read("stock://sectors")
        .await
        .expect("reading stock://sectors failed");
    assert_eq!(sectors, json!(["Consumer Discretionary", "Technology"]));
}

#[tokio::test]
async fn a_sector_lists_its_stocks_ignoring_case() {
    let tech = read("stock://sectors/technology")
        .await
        .expect("reading a sector failed");
    let symbols: Vec<&str> = tech
        .as_array()
        .expect("a sector should hold a JSON list")
        .iter()
        .filter_map(|s| s["symbol"].as_str())
        .collect();
    assert_eq!(symbols, ["AAPL", "MSFT", "GOOGL", "META", "NVDA"], "{tech}");
}

#[tokio::test]
async fn an_expanded_template_with_a_space_works() {
    let uri = "stock://sectors/Consumer%20Discretionary";
    let listing = read(uri).await.unwrap_or_else(|e| {
        panic!("{uri} failed: {e}. Clients percent-encode the space: decode it (percent_decode)")
    });
    assert_eq!(
        listing.as_array().map(Vec::len),
        Some(2),
        "AMZN and TSLA: {listing}"
    );
}

#[tokio::test]
async fn unknown_sectors_are_resource_not_found() {
    let err = read("stock://sectors/Energy")
        .await
        .expect_err("Energy is not a sector");
    let ServiceError::McpError(err) = err else {
        panic!("expected an MCP error reply, got {err}");
    };
    assert_eq!(
        err.code,
        ErrorCode::RESOURCE_NOT_FOUND,
        "use McpError::resource_not_found"
    );
    assert!(
        err.message.contains("Technology"),
        "say which sectors exist: {}",
        err.message
    );
    let other = read("stock://nothing")
        .await
        .expect_err("stock://nothing does not exist");
    assert!(matches!(other, ServiceError::McpError(e) if e.code == ErrorCode::RESOURCE_NOT_FOUND));
}
