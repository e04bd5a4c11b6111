//! The two defences the fixed servers stand on, under a few thousand generated inputs each:
//! the safe evaluator and path confinement never panic, never hang, and never say yes to
//! something they must refuse.

use proptest::prelude::*;
use risks_server::confine::{ConfineError, confine};
use risks_server::safe_eval::{self, EvalError, evaluate};
use std::path::Path;

/// Strings made of arithmetic and shell pieces: far likelier than random bytes to reach deep
/// into the parser, and to contain something a shell would run.
fn expression_like() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "1",
        "2.5",
        "0",
        "(",
        ")",
        "+",
        "-",
        "*",
        "/",
        "%",
        "^",
        ",",
        " ",
        "sqrt(",
        "max(",
        "pi",
        "e",
        "x",
        "sin",
        "$(",
        ";",
        "`",
        "cat",
        "..",
        "\u{200b}",
        "é",
        "\n",
        "9999999999",
    ];
    prop::collection::vec(prop::sample::select(PIECES), 0..90).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn the_evaluator_never_panics_and_bounds_hold(input in expression_like()) {
        match evaluate(&input) {
            Ok(value) => {
                prop_assert!(value.is_finite());
                prop_assert!(input.len() <= safe_eval::MAX_LEN);
                // Nothing a shell or a name outside the allow-list could have got through.
                prop_assert!(!input.contains('$') && !input.contains(';') && !input.contains('`'));
                prop_assert!(!input.contains("cat"));
            }
            Err(EvalError::TooLong(n)) => prop_assert!(n > safe_eval::MAX_LEN),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_text_never_panics(input in any::<String>()) {
        let _ = evaluate(&input);
    }

    #[test]
    fn sums_of_integers_are_exact(terms in prop::collection::vec(0i64..1000, 1..40)) {
        let expression = terms.iter().map(i64::to_string).collect::<Vec<_>>().join(" + ");
        prop_assert_eq!(evaluate(&expression), Ok(terms.iter().sum::<i64>() as f64));
    }
}

/// One planted tree for every generated path (building 3000 trees would dominate the run).
static TREE: std::sync::LazyLock<(tempfile::TempDir, std::path::PathBuf)> =
    std::sync::LazyLock::new(lab_tree);

fn lab_tree() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("documents");
    std::fs::create_dir_all(docs.join("statements")).unwrap();
    std::fs::write(docs.join("statements/a.md"), "a").unwrap();
    std::fs::write(docs.join("readme.md"), "r").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), docs.join("link")).unwrap();
        std::os::unix::fs::symlink(dir.path(), docs.join("up")).unwrap();
    }
    let docs = docs.canonicalize().unwrap();
    (dir, docs)
}

fn path_like() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "..",
        ".",
        "/",
        "\\",
        "statements",
        "a.md",
        "readme.md",
        "link",
        "up",
        "secret.txt",
        "\0",
        "%2e%2e",
        "documents",
        "x",
        "é",
        "\u{200b}",
        " ",
    ];
    prop::collection::vec(prop::sample::select(PIECES), 0..16).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn confinement_never_escapes(requested in path_like()) {
        let docs = &TREE.1;
        match confine(docs, &requested) {
            Ok(resolved) => {
                prop_assert!(resolved.starts_with(docs), "{requested:?} -> {resolved:?}");
                prop_assert!(resolved.is_file());
                prop_assert!(!requested.split(['/', '\\']).any(|p| p == ".."));
            }
            Err(ConfineError::Escapes) => {
                // Only a link can lead out.
                prop_assert!(requested.contains("link") || requested.contains("up"), "{requested:?}");
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

#[test]
fn through_a_linked_directory_is_refused() {
    let (_dir, docs) = lab_tree();
    #[cfg(unix)]
    assert_eq!(confine(&docs, "up/secret.txt"), Err(ConfineError::Escapes));
    assert!(confine(&docs, "statements/a.md").is_ok());
    assert!(confine(Path::new(&docs), "./readme.md").is_ok());
}
