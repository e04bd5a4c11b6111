//! The roots lifecycle through a real rmcp client: asked after initialisation, refreshed on
//! `list_changed`, asked through `InputRequiredResult` on 2026-07-28, and clear errors when
//! there are none. Also what the four tools and the resources serve from inside.

mod common;

use common::{RootsClient, Workspace, call, connect, everything, is_error, text, within};
use files_server::limits::Limits;
use files_server::server::Settings;
use rmcp::model::{ProtocolVersion, ReadResourceRequestParams, ResourceContents};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn the_server_asks_for_roots_after_initialisation() {
    within(async {
        let ws = Workspace::new();
        let roots = RootsClient::new(&ws.root_uris());
        let client = connect(Settings::default(), roots.clone(), false).await;
        assert_eq!(
            client.peer_info().unwrap().protocol_version,
            ProtocolVersion::V_2025_11_25
        );
        // It asks on `initialized`, before any tool call.
        for _ in 0..100 {
            if *roots.asked.lock().unwrap() > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(*roots.asked.lock().unwrap(), 1);
        // Tool calls use what it keeps; they do not ask again.
        call(&client, "list_files", json!({})).await;
        call(&client, "read_file", json!({"path": "notes.md"})).await;
        assert_eq!(*roots.asked.lock().unwrap(), 1);
    })
    .await;
}

#[tokio::test]
async fn the_tools_serve_what_is_inside() {
    within(async {
        let ws = Workspace::new();
        let client = connect(
            Settings::default(),
            RootsClient::new(&ws.root_uris()),
            false,
        )
        .await;
        let tools = client.list_all_tools().await.unwrap();
        let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        names.sort();
        assert_eq!(
            names,
            ["file_info", "list_files", "read_file", "search_files"]
        );
        assert!(
            tools
                .iter()
                .all(|t| t.annotations.as_ref().unwrap().read_only_hint == Some(true))
        );

        let listing = call(&client, "list_files", json!({})).await;
        let entries = &listing.structured_content.as_ref().unwrap()["entries"];
        let paths: Vec<&str> = entries
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap())
            .collect();
        assert!(
            paths.contains(&"notes.md") && paths.contains(&"b.txt") && paths.contains(&"src"),
            "{paths:?}"
        );

        let range = call(
            &client,
            "read_file",
            json!({"path": "notes.md", "start_line": 2, "end_line": 3}),
        )
        .await;
        assert!(!is_error(&range));
        assert_eq!(
            text(&range),
            "notes.md (lines 2-3 of 5)\n     2\talpha\n     3\tbeta\n"
        );
        // The second root, by relative path, absolute path and URI.
        let b_file = ws.b.join("b.txt");
        for spelling in [
            "b.txt".to_string(),
            b_file.display().to_string(),
            url::Url::from_file_path(&b_file).unwrap().to_string(),
        ] {
            let read = call(&client, "read_file", json!({"path": spelling})).await;
            assert!(
                text(&read).contains("bravo"),
                "{spelling}: {}",
                everything(&read)
            );
        }
        let found = call(
            &client,
            "search_files",
            json!({"query": "a.s", "regex": true}),
        )
        .await;
        let matches = &found.structured_content.as_ref().unwrap()["matches"];
        assert_eq!(matches[0]["path"], "src/lib.rs", "{}", everything(&found));
        assert_eq!(matches[0]["line"], 1);

        let info = call(&client, "file_info", json!({"path": "src/lib.rs"})).await;
        let info = info.structured_content.unwrap();
        assert_eq!(info["kind"], "file");
        assert_eq!(info["size"], 34);
        assert_eq!(info["mime_type"], "text/x-rust");

        let png = call(&client, "read_file", json!({"path": "image.png"})).await;
        assert!(!is_error(&png));
        let blob = png
            .content
            .iter()
            .find_map(|c| c.as_resource().cloned())
            .expect("a blob");
        let ResourceContents::BlobResourceContents {
            mime_type, blob, ..
        } = blob.resource
        else {
            panic!("binary content should be a blob")
        };
        assert_eq!(mime_type.as_deref(), Some("image/png"));
        assert_eq!(blob, "iVBORw0KGgoAAAANSUhEUg==");

        let bad = call(
            &client,
            "search_files",
            json!({"query": "(", "regex": true}),
        )
        .await;
        assert!(is_error(&bad) && text(&bad).contains("invalid regular expression"));
        let missing = call(&client, "read_file", json!({"path": "nope.txt"})).await;
        assert!(
            is_error(&missing) && text(&missing).contains("does not exist in the roots: file://")
        );
        let reversed = call(
            &client,
            "read_file",
            json!({"path": "notes.md", "start_line": 4, "end_line": 2}),
        )
        .await;
        assert!(is_error(&reversed) && text(&reversed).contains("after end_line"));
        let folder = call(&client, "read_file", json!({"path": "src"})).await;
        assert!(is_error(&folder) && text(&folder).contains("directory"));
    })
    .await;
}

#[tokio::test]
async fn resources_are_the_files_under_the_roots() {
    within(async {
        let ws = Workspace::new();
        let client = connect(
            Settings::default(),
            RootsClient::new(&ws.root_uris()),
            false,
        )
        .await;
        let resources = client.list_all_resources().await.unwrap();
        let notes = resources
            .iter()
            .find(|r| r.name == "notes.md")
            .expect("notes.md listed");
        assert!(notes.uri.starts_with("file:///") && notes.uri.ends_with("/root-a/notes.md"));
        let read = client
            .read_resource(ReadResourceRequestParams::new(notes.uri.clone()))
            .await
            .unwrap();
        let ResourceContents::TextResourceContents {
            text, mime_type, ..
        } = &read.contents[0]
        else {
            panic!("text expected")
        };
        assert!(text.starts_with("# Notes"));
        assert_eq!(mime_type.as_deref(), Some("text/markdown"));
        let err = client
            .read_resource(ReadResourceRequestParams::new("https://example.com/a"))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("not a file:// URI"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn a_root_removed_at_run_time_is_no_longer_readable() {
    within(async {
        let ws = Workspace::new();
        let roots = RootsClient::new(&ws.root_uris());
        let client = connect(Settings::default(), roots.clone(), false).await;
        let before = call(&client, "read_file", json!({"path": "b.txt"})).await;
        assert!(text(&before).contains("bravo"));

        roots.set_roots(&[Workspace::uri(&ws.a)]);
        let changed = roots.resources_changed.notified();
        client.notify_roots_list_changed().await.unwrap();
        // The server refreshes, then says its resources changed: after that it knows.
        tokio::time::timeout(Duration::from_secs(10), changed)
            .await
            .expect("resources/list_changed after roots/list_changed");

        let after = call(
            &client,
            "read_file",
            json!({"path": ws.b.join("b.txt").display().to_string()}),
        )
        .await;
        assert!(is_error(&after), "{}", everything(&after));
        let message = text(&after);
        let (_, offered) = message
            .split_once("allows: ")
            .expect("the message names the roots");
        assert_eq!(offered, Workspace::uri(&ws.a), "{message}");
        let relative = call(&client, "read_file", json!({"path": "b.txt"})).await;
        assert!(is_error(&relative));
        let resources = client.list_all_resources().await.unwrap();
        assert!(resources.iter().all(|r| !r.uri.contains("root-b")));

        // Added back, readable again.
        roots.set_roots(&ws.root_uris());
        let changed = roots.resources_changed.notified();
        client.notify_roots_list_changed().await.unwrap();
        tokio::time::timeout(Duration::from_secs(10), changed)
            .await
            .unwrap();
        assert!(
            text(&call(&client, "read_file", json!({"path": "b.txt"})).await).contains("bravo")
        );
    })
    .await;
}

#[tokio::test]
async fn no_capability_no_roots_and_bad_roots_are_clear_errors() {
    within(async {
        let ws = Workspace::new();
        let none = connect(Settings::default(), RootsClient::without_roots(), false).await;
        let result = call(&none, "list_files", json!({})).await;
        assert!(
            is_error(&result) && text(&result).contains("does not offer roots"),
            "{}",
            text(&result)
        );
        let err = none.list_all_resources().await.unwrap_err();
        assert!(err.to_string().contains("does not offer roots"), "{err}");

        let empty = connect(Settings::default(), RootsClient::new(&[]), false).await;
        let result = call(&empty, "read_file", json!({"path": "notes.md"})).await;
        assert!(is_error(&result) && text(&result).contains("offers no roots"));

        let bad = RootsClient::new(&[
            "root-a".to_string(),
            "https://example.com/".to_string(),
            url::Url::from_file_path(ws.a.join("notes.md"))
                .unwrap()
                .to_string(),
        ]);
        let bad = connect(Settings::default(), bad, false).await;
        let result = call(&bad, "list_files", json!({})).await;
        let message = text(&result);
        assert!(is_error(&result), "{message}");
        for reason in ["not a URI", "not a file:// URI", "is not a directory"] {
            assert!(message.contains(reason), "{message}");
        }
    })
    .await;
}

#[tokio::test]
async fn on_2026_07_28_the_tool_asks_through_input_required() {
    within(async {
        let ws = Workspace::new();
        let roots = RootsClient::new(&ws.root_uris());
        let client = connect(Settings::default(), roots.clone(), true).await;
        assert_eq!(
            client.peer_info().unwrap().protocol_version,
            ProtocolVersion::V_2026_07_28
        );
        // rmcp's client answers the InputRequiredResult from `list_roots` and calls again.
        let read = call(&client, "read_file", json!({"path": "notes.md"})).await;
        assert!(text(&read).contains("alpha"), "{}", everything(&read));
        assert_eq!(*roots.asked.lock().unwrap(), 1);
        // Stateless: every call asks again, so a change is seen without a notification.
        roots.set_roots(&[Workspace::uri(&ws.a)]);
        let gone = call(&client, "read_file", json!({"path": "b.txt"})).await;
        assert!(is_error(&gone));
        let uri = url::Url::from_file_path(ws.a.join("notes.md"))
            .unwrap()
            .to_string();
        let resource = client
            .read_resource(ReadResourceRequestParams::new(uri))
            .await
            .unwrap();
        assert!(serde_json::to_string(&resource).unwrap().contains("alpha"));

        let none = connect(Settings::default(), RootsClient::without_roots(), true).await;
        let result = call(&none, "read_file", json!({"path": "notes.md"})).await;
        assert!(is_error(&result) && text(&result).contains("does not offer roots"));
    })
    .await;
}

#[tokio::test]
async fn limits_and_special_files_are_clear_errors() {
    within(async {
        let ws = Workspace::new();
        std::fs::write(ws.a.join("big.log"), "x".repeat(5000)).unwrap();
        std::fs::write(ws.a.join("long.txt"), "line\n".repeat(50)).unwrap();
        std::fs::write(ws.a.join("big.bin"), [0u8; 3000]).unwrap();
        let limits = Limits {
            max_file_bytes: 4096,
            max_lines: 10,
            max_blob_bytes: 1024,
            ..Limits::default()
        };
        let settings = Settings {
            limits,
            ..Settings::default()
        };
        let client = connect(settings, RootsClient::new(&ws.root_uris()), false).await;
        let big = call(&client, "read_file", json!({"path": "big.log"})).await;
        assert!(
            is_error(&big) && text(&big).contains("over this server's limit of 4096 bytes"),
            "{}",
            text(&big)
        );
        let long = call(&client, "read_file", json!({"path": "long.txt"})).await;
        assert!(
            !is_error(&long) && text(&long).contains("call read_file again with start_line 11"),
            "{}",
            text(&long)
        );
        let bin = call(&client, "read_file", json!({"path": "big.bin"})).await;
        assert!(is_error(&bin) && text(&bin).contains("binary file of 3000 bytes"));
        #[cfg(unix)]
        {
            let fifo = ws.a.join("pipe");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                // Reading a FIFO would block forever; it must be refused instead.
                let result = call(&client, "read_file", json!({"path": "pipe"})).await;
                assert!(
                    is_error(&result) && text(&result).contains("not a regular file"),
                    "{}",
                    text(&result)
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn server_bounds_limit_the_roots_a_client_may_offer() {
    within(async {
        let ws = Workspace::new();
        let settings = Settings {
            bounds: vec![ws.a.clone()].into(),
            ..Settings::default()
        };
        let client = connect(settings, RootsClient::new(&ws.root_uris()), false).await;
        assert!(
            text(&call(&client, "read_file", json!({"path": "notes.md"})).await).contains("alpha")
        );
        let b = call(&client, "read_file", json!({"path": "b.txt"})).await;
        assert!(is_error(&b), "root-b is outside the server's --root");
    })
    .await;
}
