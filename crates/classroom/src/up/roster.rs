//! `up --roster FILE`: the learners who may sign in, given by the instructor.
//!
//! The file has one learner per line, a user name and optionally a display name after a
//! comma (`dana, Dana Li`); blank lines and `#` comments are ignored. `up` turns it into a
//! configuration file for the identity provider (`.workshop/mock-idp-roster.toml`, passed with
//! `--config`) whose users are the roster plus the demo users (alice, the instructor, bob and
//! carol, whom the lessons use). On the sign-in page a learner then picks their own name.
//!
//! Each learner's object id (`oid`, the dashboard's key for them) is derived from their user
//! name with a fixed hash, so the same roster gives the same ids on every `up`: a restarted
//! classroom recognises everyone, and the results already stored stay theirs.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use workshop_kit::defaults;

/// One learner of the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name typed or picked at sign-in (`dana`).
    pub username: String,
    /// The name shown (`Dana Li`; the user name when none is given).
    pub name: String,
}

/// Reads a roster file.
pub fn parse(text: &str) -> Result<Vec<Entry>> {
    let mut entries: Vec<Entry> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (username, name) = match line.split_once(',') {
            Some((u, name)) => (u.trim(), name.trim()),
            None => (line, line),
        };
        let username = username.to_lowercase();
        if username.is_empty()
            || username.len() > 40
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            bail!(
                "line {}: {username:?} is not a user name (letters, digits, '.', '-', '_'; at most 40)",
                n + 1
            );
        }
        if name.chars().any(char::is_control) || name.len() > 80 {
            bail!(
                "line {}: the display name is too long or has control characters",
                n + 1
            );
        }
        if ["alice", "bob", "carol"].contains(&username.as_str())
            || entries.iter().any(|e| e.username == username)
        {
            bail!("line {}: {username} is already in the roster", n + 1);
        }
        entries.push(Entry {
            username,
            name: if name.is_empty() {
                line.to_string()
            } else {
                name.to_string()
            },
        });
    }
    if entries.is_empty() {
        bail!("the roster lists nobody (one user name per line)");
    }
    Ok(entries)
}

/// A stable GUID for `username` (two FNV-1a hashes; the same on every machine and release).
pub fn oid_of(username: &str) -> String {
    let fnv = |seed: u64| {
        username.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let (a, b) = (fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4));
    let hex = format!("{a:016x}{b:016x}");
    // Version 8 ("custom") and the RFC 9562 variant bits, so it is a well-formed GUID.
    format!(
        "{}-{}-8{}-{}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        ["8", "9", "a", "b"][usize::from(hex.as_bytes()[16] % 4)],
        &hex[17..20],
        &hex[20..32]
    )
}

fn toml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The identity provider's configuration for `entries`: the demo users, then the roster.
pub fn mock_idp_config(entries: &[Entry]) -> String {
    let mut out = String::from(
        "# Written by `cargo xtask up --roster`: the classroom's users. Do not edit; edit the roster.\n",
    );
    let demo = [
        (
            "alice",
            "Alice Smith",
            defaults::ALICE_OID,
            "roles = [\"Instructor\"]\n",
        ),
        ("bob", "Bob Jones", defaults::BOB_OID, ""),
        ("carol", "Carol Diaz", defaults::CAROL_OID, ""),
    ];
    for (username, name, oid, roles) in demo {
        out.push_str(&format!(
            "\n[[users]]\nusername = {}\nname = {}\noid = {}\n{roles}",
            toml_string(username),
            toml_string(name),
            toml_string(oid)
        ));
    }
    for e in entries {
        out.push_str(&format!(
            "\n[[users]]\nusername = {}\nname = {}\noid = {}\n",
            toml_string(&e.username),
            toml_string(&e.name),
            toml_string(&oid_of(&e.username))
        ));
    }
    out
}

/// Reads `roster` and writes the identity provider's configuration into `state_dir`;
/// returns its path.
pub fn write_config(roster: &Path, state_dir: &Path) -> Result<PathBuf> {
    let text = std::fs::read_to_string(roster)
        .with_context(|| format!("cannot read the roster {}", roster.display()))?;
    let entries = parse(&text).with_context(|| format!("in the roster {}", roster.display()))?;
    let path = state_dir.join("mock-idp-roster.toml");
    exercise_runner::classroom::write_atomically(&path, mock_idp_config(&entries).as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_roster_becomes_users_with_stable_ids() {
        let entries = parse("# class of today\ndana, Dana Li\n\nEli\n").unwrap();
        assert_eq!(
            entries,
            [
                Entry {
                    username: "dana".into(),
                    name: "Dana Li".into()
                },
                Entry {
                    username: "eli".into(),
                    name: "Eli".into()
                },
            ]
        );
        assert_eq!(oid_of("dana"), oid_of("dana"));
        assert_ne!(oid_of("dana"), oid_of("eli"));
        assert!(uuid_like(&oid_of("dana")), "{}", oid_of("dana"));
        let config = mock_idp_config(&entries);
        assert!(config.contains("username = \"alice\""));
        assert!(config.contains("name = \"Dana Li\""));
        // The identity provider accepts it, with every roster user in it.
        let parsed = mock_idp::config::Config::from_toml_str(&config).unwrap();
        assert!(parsed.user("dana").is_some() && parsed.user("alice").is_some());
    }

    #[test]
    fn bad_rosters_say_which_line() {
        assert!(
            parse("dana\ndana\n")
                .unwrap_err()
                .to_string()
                .contains("line 2")
        );
        assert!(parse("da na\n").unwrap_err().to_string().contains("line 1"));
        assert!(parse("# nobody\n").is_err());
    }

    fn uuid_like(s: &str) -> bool {
        let parts: Vec<_> = s.split('-').map(str::len).collect();
        parts == [8, 4, 4, 4, 12] && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
    }
}
