//! Shared test helpers: a client that offers roots (and can change them), a workspace on disk
//! with a canary outside it, servers over a duplex pipe and over HTTP on an ephemeral port.

#![allow(dead_code, missing_docs)]

use files_server::FilesServer;
use files_server::server::Settings;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    ListRootsResult, ProtocolVersion, Root,
};
use rmcp::service::{
    ClientLifecycleMode, NotificationContext, RequestContext, RoleClient, RunningService,
    ServiceExt, serve_client_with_lifecycle,
};
use rmcp::{ClientHandler, ErrorData};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// What the canary file holds. No response may ever contain it.
pub const CANARY: &str = "CANARY-7f3a9c-outside-the-roots";

/// Runs `test`, failing (instead of hanging) after 60 seconds.
pub async fn within<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), test)
        .await
        .expect("test timed out after 60 s")
}

/// A client that offers roots it can change at run time.
#[derive(Clone)]
pub struct RootsClient {
    /// Whether the client declares the `roots` capability at all.
    pub offers_roots: bool,
    pub roots: Arc<Mutex<Vec<Root>>>,
    /// Signalled on every `notifications/resources/list_changed`.
    pub resources_changed: Arc<Notify>,
    /// How many times the server asked `roots/list`.
    pub asked: Arc<Mutex<usize>>,
}

impl RootsClient {
    pub fn new(uris: &[String]) -> Self {
        Self {
            offers_roots: true,
            roots: Arc::new(Mutex::new(uris.iter().map(Root::new).collect())),
            resources_changed: Arc::default(),
            asked: Arc::default(),
        }
    }

    /// A client without the roots capability.
    pub fn without_roots() -> Self {
        Self {
            offers_roots: false,
            ..Self::new(&[])
        }
    }

    pub fn set_roots(&self, uris: &[String]) {
        *self.roots.lock().unwrap() = uris.iter().map(Root::new).collect();
    }
}

impl ClientHandler for RootsClient {
    fn get_info(&self) -> ClientConfig {
        let capabilities = if self.offers_roots {
            ClientCapabilities::builder()
                .enable_roots()
                .enable_roots_list_changed()
                .build()
        } else {
            ClientCapabilities::default()
        };
        ClientConfig::new(capabilities, Implementation::new("files-tests", "1.0"))
    }

    async fn list_roots(
        &self,
        _context: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, ErrorData> {
        *self.asked.lock().unwrap() += 1;
        Ok(ListRootsResult::new(self.roots.lock().unwrap().clone()))
    }

    async fn on_resource_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.resources_changed.notify_one();
    }
}

/// A workspace on disk: two roots, and a canary (and a secret folder) outside both.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    /// The first root: `notes.md`, `src/lib.rs`, `image.png`, `big.log`, and links.
    pub a: PathBuf,
    /// The second root: `b.txt`.
    pub b: PathBuf,
    /// Outside both roots.
    pub canary: PathBuf,
    pub secret_dir: PathBuf,
}

impl Workspace {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let a = base.join("root-a");
        let b = base.join("root-b");
        let secret_dir = base.join("secret");
        for d in [&a, &b, &secret_dir, &a.join("src"), &a.join("deep/er")] {
            std::fs::create_dir_all(d).unwrap();
        }
        let canary = base.join("canary.txt");
        std::fs::write(&canary, format!("{CANARY}\n")).unwrap();
        std::fs::write(secret_dir.join("key.txt"), format!("{CANARY} key\n")).unwrap();
        // A root whose name starts like another root's must not be inside it.
        std::fs::create_dir_all(base.join("root-a-sibling")).unwrap();
        std::fs::write(
            base.join("root-a-sibling/x.txt"),
            format!("{CANARY} sibling\n"),
        )
        .unwrap();
        std::fs::write(a.join("notes.md"), "# Notes\nalpha\nbeta\ngamma\ndelta\n").unwrap();
        std::fs::write(
            a.join("src/lib.rs"),
            "pub fn answer() -> u32 {\n    42\n}\n",
        )
        .unwrap();
        std::fs::write(a.join("deep/er/leaf.txt"), "leaf\n").unwrap();
        std::fs::write(a.join("image.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
        std::fs::write(b.join("b.txt"), "bravo\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink(&canary, a.join("link-to-canary")).unwrap();
            symlink(&secret_dir, a.join("link-to-secret")).unwrap();
            symlink("../canary.txt", a.join("relative-link")).unwrap();
            symlink("/", a.join("link-to-slash")).unwrap();
            // A link that stays inside is fine.
            symlink(a.join("notes.md"), a.join("link-to-notes")).unwrap();
        }
        Self {
            dir,
            a,
            b,
            canary,
            secret_dir,
        }
    }

    pub fn uri(path: &Path) -> String {
        url::Url::from_directory_path(path).unwrap().to_string()
    }

    pub fn root_uris(&self) -> Vec<String> {
        vec![Self::uri(&self.a), Self::uri(&self.b)]
    }
}

/// Connects `client` to a fresh server over a duplex pipe; `discover` selects 2026-07-28.
pub async fn connect(
    settings: Settings,
    client: RootsClient,
    discover: bool,
) -> RunningService<RoleClient, RootsClient> {
    let (server_io, client_io) = tokio::io::duplex(1024 * 1024);
    tokio::spawn(async move {
        if let Ok(server) = FilesServer::new(settings).serve(server_io).await {
            let _ = server.waiting().await;
        }
    });
    let lifecycle = if discover {
        ClientLifecycleMode::Discover {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        }
    } else {
        ClientLifecycleMode::Initialize
    };
    serve_client_with_lifecycle(client, client_io, lifecycle)
        .await
        .expect("client connects")
}

/// Calls a tool with JSON arguments.
pub async fn call(
    client: &RunningService<RoleClient, RootsClient>,
    tool: &str,
    args: Value,
) -> CallToolResult {
    let params = CallToolRequestParams::new(tool.to_string())
        .with_arguments(args.as_object().cloned().unwrap_or_default());
    client.call_tool(params).await.expect("tools/call answered")
}

/// Every text in a result, joined (plus its structured content and blobs, serialised).
pub fn everything(result: &CallToolResult) -> String {
    serde_json::to_string(result).unwrap()
}

/// The first text block.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .find_map(|c| c.as_text().map(|t| t.text.clone()))
        .unwrap_or_default()
}

pub fn is_error(result: &CallToolResult) -> bool {
    result.is_error == Some(true)
}
