//! Hidden checks for exercise 17 (a roots-confined `read_file`): `confine` on its own, then the
//! tool through a real MCP client that offers roots, against `..`, absolute paths, URIs,
//! symbolic links that lead out, and a root removed while the client is connected. A canary
//! file sits outside the roots; its text must never come back.

#[path = "support.rs"]
mod support;

use ex17_roots_read_file::{RootsServer, confine, within_roots};
use rmcp::model::{ClientCapabilities, ClientConfig, Implementation, ListRootsResult, Root};
use rmcp::service::{RequestContext, RoleClient};
use rmcp::{ClientHandler, ErrorData};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use support::{call, connect_with, is_error, text};

const CANARY: &str = "CANARY-outside-the-roots-5c1e";

/// A fresh folder: `project/` (notes.txt, src/main.rs, links), `other/` (other.txt), and a
/// canary and a secret folder outside both.
struct Folder {
    base: PathBuf,
    project: PathBuf,
    other: PathBuf,
}

impl Folder {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let base = std::env::temp_dir()
            .join(format!(
                "ex17-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ))
            .to_path_buf();
        let _ = std::fs::remove_dir_all(&base);
        let project = base.join("project");
        let other = base.join("other");
        for dir in [
            &project.join("src"),
            &other,
            &base.join("secret"),
            &base.join("project-old"),
        ] {
            std::fs::create_dir_all(dir).unwrap();
        }
        let base = base.canonicalize().unwrap();
        let (project, other) = (base.join("project"), base.join("other"));
        std::fs::write(project.join("notes.txt"), "alpha\nbeta\n").unwrap();
        std::fs::write(project.join("src/main.rs"), "fn main() {}\n").unwrap();
        std::fs::write(other.join("other.txt"), "other root\n").unwrap();
        std::fs::write(base.join("canary.txt"), CANARY).unwrap();
        std::fs::write(base.join("secret/key.txt"), CANARY).unwrap();
        std::fs::write(base.join("project-old/x.txt"), CANARY).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink(base.join("canary.txt"), project.join("link-to-canary")).unwrap();
            symlink(base.join("secret"), project.join("link-to-secret")).unwrap();
            symlink("../canary.txt", project.join("relative-link")).unwrap();
            symlink(project.join("notes.txt"), project.join("link-to-notes")).unwrap();
        }
        Self {
            base,
            project,
            other,
        }
    }

    fn roots(&self) -> Vec<PathBuf> {
        vec![self.project.clone(), self.other.clone()]
    }

    fn uri(path: &Path) -> String {
        format!("file://{}", path.display())
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

/// A client that offers roots and can change them.
#[derive(Clone)]
struct RootsClient {
    offers: bool,
    roots: Arc<Mutex<Vec<Root>>>,
}

impl RootsClient {
    fn new(paths: &[&Path]) -> Self {
        let client = Self {
            offers: true,
            roots: Arc::default(),
        };
        client.set(paths);
        client
    }
    fn set(&self, paths: &[&Path]) {
        *self.roots.lock().unwrap() = paths.iter().map(|p| Root::new(Folder::uri(p))).collect();
    }
}

impl ClientHandler for RootsClient {
    fn get_info(&self) -> ClientConfig {
        let capabilities = if self.offers {
            ClientCapabilities::builder()
                .enable_roots()
                .enable_roots_list_changed()
                .build()
        } else {
            ClientCapabilities::default()
        };
        ClientConfig::new(capabilities, Implementation::new("ex17-checks", "1.0"))
    }

    async fn list_roots(
        &self,
        _: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, ErrorData> {
        Ok(ListRootsResult::new(self.roots.lock().unwrap().clone()))
    }
}

#[test]
fn within_roots_compares_whole_components() {
    let roots = vec![PathBuf::from("/projects/a"), PathBuf::from("/projects/b")];
    assert_eq!(
        within_roots(&roots, Path::new("/projects/a/x.txt")),
        Some(&roots[0])
    );
    assert_eq!(
        within_roots(&roots, Path::new("/projects/b")),
        Some(&roots[1])
    );
    assert_eq!(
        within_roots(&roots, Path::new("/projects/ab/x.txt")),
        None,
        "/projects/ab is not inside /projects/a"
    );
    assert_eq!(within_roots(&roots, Path::new("/etc/passwd")), None);
}

#[test]
fn confine_accepts_paths_inside_in_every_spelling() {
    let f = Folder::new();
    let roots = f.roots();
    let notes = f.project.join("notes.txt");
    for spelling in [
        "notes.txt".to_string(),
        "./notes.txt".into(),
        notes.display().to_string(),
        Folder::uri(&notes),
    ] {
        assert_eq!(
            confine(&roots, &spelling).as_ref(),
            Ok(&notes),
            "{spelling}"
        );
    }
    assert_eq!(
        confine(&roots, "other.txt"),
        Ok(f.other.join("other.txt")),
        "relative paths try every root"
    );
    assert_eq!(
        confine(&roots, "link-to-notes"),
        Ok(notes.clone()),
        "a link that stays inside is fine"
    );
}

#[test]
fn confine_refuses_escapes_and_names_the_roots() {
    let f = Folder::new();
    let roots = f.roots();
    let base = f.base.display().to_string();
    let project = f.project.display().to_string();
    let hostile = [
        "../canary.txt".to_string(),
        "src/../../canary.txt".into(),
        format!("{project}/../canary.txt"),
        format!("{base}/canary.txt"),
        format!("{base}/secret/key.txt"),
        format!("{base}/project-old/x.txt"),
        format!("file://{base}/canary.txt"),
        format!("file://{project}/../canary.txt"),
        "/etc/passwd".into(),
        "file:///etc/passwd".into(),
        "https://example.com/notes.txt".into(),
        "link-to-canary".into(),
        "relative-link".into(),
        "link-to-secret/key.txt".into(),
        format!("{project}/link-to-canary"),
        "missing.txt".into(),
    ];
    for path in &hostile {
        match confine(&roots, path) {
            Ok(p) => panic!("confine({path:?}) should refuse, but gave {}", p.display()),
            Err(message) => assert!(
                message.contains(&project) && message.contains(&f.other.display().to_string()),
                "the refusal of {path:?} should name the roots ({project}, ...): {message}"
            ),
        }
    }
}

#[tokio::test]
async fn read_file_reads_inside_and_nothing_else() {
    let f = Folder::new();
    let client = connect_with(RootsServer, RootsClient::new(&[&f.project, &f.other])).await;
    let inside = call(&client, "read_file", json!({"path": "notes.txt"})).await;
    assert!(
        !is_error(&inside) && text(&inside).contains("alpha"),
        "read_file notes.txt: {}",
        text(&inside)
    );
    let project = f.project.display().to_string();
    for path in [
        "../canary.txt".to_string(),
        format!("{}/canary.txt", f.base.display()),
        format!("file://{}/canary.txt", f.base.display()),
        "link-to-canary".into(),
        "relative-link".into(),
        "link-to-secret/key.txt".into(),
        format!("{project}/../secret/key.txt"),
    ] {
        let result = call(&client, "read_file", json!({"path": path})).await;
        assert!(
            is_error(&result),
            "read_file {path:?} should be a tool error: {}",
            text(&result)
        );
        assert!(
            !text(&result).contains(CANARY),
            "read_file {path:?} returned the canary"
        );
    }
}

#[tokio::test]
async fn a_root_removed_at_run_time_is_no_longer_readable() {
    let f = Folder::new();
    let roots = RootsClient::new(&[&f.project, &f.other]);
    let client = connect_with(RootsServer, roots.clone()).await;
    let before = call(&client, "read_file", json!({"path": "other.txt"})).await;
    assert!(text(&before).contains("other root"), "{}", text(&before));
    roots.set(&[&f.project]);
    client.notify_roots_list_changed().await.unwrap();
    let after = call(
        &client,
        "read_file",
        json!({"path": f.other.join("other.txt").display().to_string()}),
    )
    .await;
    assert!(
        is_error(&after),
        "the removed root must not be readable: {}",
        text(&after)
    );
}

#[tokio::test]
async fn a_client_without_roots_gets_a_clear_error() {
    let client = connect_with(
        RootsServer,
        RootsClient {
            offers: false,
            roots: Arc::default(),
        },
    )
    .await;
    let result = call(&client, "read_file", json!({"path": "notes.txt"})).await;
    assert!(
        is_error(&result) && text(&result).contains("roots"),
        "{}",
        text(&result)
    );
}
