//! A generated set of hostile paths: every one is refused, and the canary planted outside the
//! roots never appears in any answer (tools or resources).

mod common;

use common::{CANARY, RootsClient, Workspace, call, connect, everything, is_error, within};
use files_server::server::Settings;
use rmcp::model::ReadResourceRequestParams;
use serde_json::json;

/// Every way we know to spell "outside the roots", combined with every way to point at it.
fn hostile_paths(ws: &Workspace) -> Vec<String> {
    let a = ws.a.display().to_string();
    let base = ws.dir.path().canonicalize().unwrap().display().to_string();
    let canary = ws.canary.display().to_string();
    let climbs = [
        "..",
        "../..",
        "./..",
        "src/../..",
        "deep/er/../../..",
        "%2e%2e",
        "%2E%2E",
        ".%2e",
        "..%2f..",
        "..\\..",
        "....//",
        "...",
        "deep/..//../",
    ];
    let targets = [
        "canary.txt",
        "secret/key.txt",
        "root-a-sibling/x.txt",
        "etc/passwd",
        "",
    ];
    let mut paths = Vec::new();
    for climb in climbs {
        for target in targets {
            let tail = if target.is_empty() {
                climb.to_string()
            } else {
                format!("{climb}/{target}")
            };
            paths.push(tail.clone());
            paths.push(format!("./{tail}"));
            paths.push(format!("{a}/{tail}"));
            paths.push(format!("file://{a}/{tail}"));
            paths.push(format!("file://localhost{a}/{tail}"));
        }
    }
    // Absolute paths and URIs straight to the canary and its neighbours.
    for direct in [
        canary.clone(),
        format!("{base}/secret/key.txt"),
        format!("{base}/root-a-sibling/x.txt"),
        format!("{a}-sibling/x.txt"),
        format!("file://{canary}"),
        format!("file://localhost{canary}"),
        format!("file://evil.example{a}/notes.md"),
        format!("FILE://{canary}"),
        format!("file:{canary}"),
        format!("{a}/../canary.txt"),
        format!("{a}//..//canary.txt"),
        "/etc/passwd".into(),
        "file:///etc/passwd".into(),
        "/proc/self/environ".into(),
        "~/.ssh/id_rsa".into(),
        "https://example.com/canary.txt".into(),
        "data:text/plain,hello".into(),
        "src\0/../../canary.txt".to_string(),
        format!("{a}/notes.md\0"),
    ] {
        paths.push(direct);
    }
    // Symbolic links inside the root that lead out.
    for link in [
        "link-to-canary",
        "link-to-secret/key.txt",
        "relative-link",
        "link-to-slash/etc/passwd",
        "link-to-secret",
    ] {
        paths.push(link.to_string());
        paths.push(format!("{a}/{link}"));
        paths.push(format!("file://{a}/{link}"));
    }
    paths
}

#[tokio::test]
async fn every_hostile_path_is_refused_and_the_canary_never_appears() {
    within(async {
        let ws = Workspace::new();
        let client = connect(
            Settings::default(),
            RootsClient::new(&ws.root_uris()),
            false,
        )
        .await;
        let paths = hostile_paths(&ws);
        assert!(
            paths.len() > 300,
            "the generator should make hundreds of paths"
        );
        for path in &paths {
            for (tool, args) in [
                ("read_file", json!({"path": path})),
                ("file_info", json!({"path": path})),
                ("list_files", json!({"path": path})),
                ("search_files", json!({"query": "CANARY", "path": path})),
            ] {
                let result = call(&client, tool, args).await;
                let all = everything(&result);
                assert!(
                    !all.contains(CANARY),
                    "{tool} {path:?} leaked the canary: {all}"
                );
                assert!(is_error(&result), "{tool} {path:?} was not refused: {all}");
                assert!(
                    !all.contains("key.txt\",\"uri"),
                    "{tool} {path:?} listed the secret: {all}"
                );
            }
            let read = client
                .read_resource(ReadResourceRequestParams::new(path.clone()))
                .await;
            if let Ok(contents) = read {
                let all = serde_json::to_string(&contents).unwrap();
                panic!("resources/read {path:?} answered: {all}");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn whole_root_walks_do_not_follow_links_out() {
    within(async {
        let ws = Workspace::new();
        let client = connect(
            Settings::default(),
            RootsClient::new(&ws.root_uris()),
            false,
        )
        .await;
        let search = call(&client, "search_files", json!({"query": "canary"})).await;
        assert!(!is_error(&search), "{}", everything(&search));
        assert!(!everything(&search).contains(CANARY));
        let listing = call(&client, "list_files", json!({"depth": 8})).await;
        let all = everything(&listing);
        assert!(
            all.contains("\"link-to-secret\"") && all.contains("symlink"),
            "{all}"
        );
        assert!(
            !all.contains("key.txt"),
            "the listing went through a link: {all}"
        );
        let resources = client.list_all_resources().await.unwrap();
        assert!(
            resources
                .iter()
                .all(|r| !r.uri.contains("key.txt") && !r.uri.contains("sibling"))
        );
        for resource in &resources {
            let contents = client
                .read_resource(ReadResourceRequestParams::new(resource.uri.clone()))
                .await
                .unwrap();
            assert!(!serde_json::to_string(&contents).unwrap().contains(CANARY));
        }
        // A link that stays inside the roots is followed.
        let inside = call(&client, "read_file", json!({"path": "link-to-notes"})).await;
        assert!(!is_error(&inside) && everything(&inside).contains("alpha"));
    })
    .await;
}
