//! Hidden checks for exercise 14 (confined document reads): the escapes of the security lab
//! (`..`, absolute paths, a symbolic link out of the folder), bad input, a few thousand
//! generated paths, and the tool through a real MCP client.

#[path = "support.rs"]
mod support;

use ex14_confined_reads::{DocumentsServer, confine};
use serde_json::json;
use std::path::{Path, PathBuf};
use support::{call, connect, is_error, text};

/// `<tmp>/ex14-<pid>-<name>/{documents/{readme.md, statements/q3.md, link, up}, secret.txt}`.
fn tree(name: &str) -> (PathBuf, PathBuf) {
    let base = std::env::temp_dir().join(format!("ex14-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let docs = base.join("documents");
    std::fs::create_dir_all(docs.join("statements")).unwrap();
    std::fs::write(docs.join("readme.md"), "hello").unwrap();
    std::fs::write(docs.join("statements/q3.md"), "revenue up").unwrap();
    std::fs::write(base.join("secret.txt"), "CANARY").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(base.join("secret.txt"), docs.join("link")).unwrap();
        std::os::unix::fs::symlink(&base, docs.join("up")).unwrap();
    }
    (base.clone(), docs.canonicalize().unwrap())
}

#[test]
fn paths_inside_the_folder_are_read() {
    let (_base, docs) = tree("inside");
    assert_eq!(confine(&docs, "readme.md"), Ok(docs.join("readme.md")));
    assert_eq!(
        confine(&docs, "statements/q3.md"),
        Ok(docs.join("statements/q3.md"))
    );
    assert_eq!(
        confine(&docs, "./statements/q3.md"),
        Ok(docs.join("statements/q3.md"))
    );
}

#[test]
fn every_escape_is_refused() {
    let (base, docs) = tree("escapes");
    let secret = base.join("secret.txt");
    for path in [
        "../secret.txt",
        "statements/../../secret.txt",
        "..\\secret.txt",
        secret.to_str().unwrap(),
        "/etc/passwd",
        "link",
        "up/secret.txt",
        "statements",
        "missing.md",
        "",
        "a\0b",
    ] {
        assert!(confine(&docs, path).is_err(), "{path:?} must be refused");
    }
    assert!(confine(&docs, &"a/".repeat(400)).is_err(), "too long");
}

#[test]
fn thousands_of_generated_paths_never_escape_or_panic() {
    let (_base, docs) = tree("generated");
    const PIECES: [&str; 12] = [
        "..",
        ".",
        "/",
        "\\",
        "statements",
        "q3.md",
        "readme.md",
        "link",
        "up",
        "secret.txt",
        "x",
        "\0",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..3000 {
        let mut path = String::new();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        for _ in 0..(state % 10) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            path.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
        }
        match std::panic::catch_unwind(|| confine(&docs, &path)) {
            Ok(Ok(resolved)) => assert!(
                resolved.starts_with(&docs) && resolved.is_file(),
                "{path:?} -> {resolved:?}"
            ),
            Ok(Err(why)) => assert!(!why.is_empty(), "{path:?}: say why"),
            Err(_) => panic!("confine panicked on {path:?}"),
        }
    }
}

#[tokio::test]
async fn the_tool_reads_inside_and_refuses_outside() {
    let (_base, docs) = tree("tool");
    let client = connect(DocumentsServer::new(Path::new(&docs)).unwrap()).await;
    let ok = call(
        &client,
        "read_document",
        json!({"path": "statements/q3.md"}),
    )
    .await;
    assert!(!is_error(&ok), "{}", text(&ok));
    assert_eq!(text(&ok), "revenue up");
    for path in ["../secret.txt", "link"] {
        let refused = call(&client, "read_document", json!({"path": path})).await;
        assert!(
            is_error(&refused),
            "{path}: a tool error the model can read"
        );
        assert!(
            !text(&refused).contains("CANARY"),
            "{path}: the secret must not leak"
        );
    }
}
